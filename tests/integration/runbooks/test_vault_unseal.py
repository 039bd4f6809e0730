"""playbooks/runbooks/vault-unseal.yml against a real raft OpenBao server."""
import json
import os

import pytest

from tests.integration.runbooks.vault_keys import init_server, run_runbook, secrets_of, seal
from tests.integration.vault.conftest import assert_no_secret

pytestmark = pytest.mark.integration

REPORT = "Report what was (or would be) unsealed"


def test_unseal_runbook_check_apply_idempotent_and_after_seal(openbao_raft, tmp_path):
    keys_file, data = init_server(openbao_raft, tmp_path, 3, 2)
    node = openbao_raft.addr

    run = run_runbook("vault-unseal", tmp_path / "check", openbao_raft, check=True, vault_keys_file=str(keys_file))
    assert run.rc == 0, run
    assert run.result(REPORT)["msg"]["unsealed"] == [node]
    assert openbao_raft.health()["sealed"] is True

    run = run_runbook("vault-unseal", tmp_path / "apply", openbao_raft, verbosity=3, callback="default",
                      vault_keys_file=str(keys_file))
    assert run.rc == 0, run
    assert openbao_raft.health()["sealed"] is False
    assert_no_secret(run, *secrets_of(keys_file))

    run = run_runbook("vault-unseal", tmp_path / "again", openbao_raft, vault_keys_file=str(keys_file))
    assert run.rc == 0, run
    report = run.result(REPORT)["msg"]
    assert report["unsealed"] == [] and report["already_unsealed"] == [node]
    assert not [t for t in run.changed if t != "Count the unseal keys (values not shown)"]

    seal(openbao_raft, data["root_token"])
    run = run_runbook("vault-unseal", tmp_path / "after-seal", openbao_raft, vault_keys_file=str(keys_file))
    assert run.rc == 0, run
    assert run.result(REPORT)["msg"]["unsealed"] == [node]
    assert openbao_raft.health()["sealed"] is False


def test_unseal_runbook_refuses_bad_keys_files(openbao_raft, tmp_path):
    keys_file, data = init_server(openbao_raft, tmp_path, 3, 2)
    missing = tmp_path / "nope.json"
    run = run_runbook("vault-unseal", tmp_path / "missing", openbao_raft, vault_keys_file=str(missing))
    assert run.rc != 0
    assert str(missing) in run.output and "does not exist" in run.output

    few = tmp_path / "few.json"
    few.write_text(json.dumps({"keys_base64": data["keys_base64"][:1]}))
    os.chmod(few, 0o600)
    run = run_runbook("vault-unseal", tmp_path / "few", openbao_raft, verbosity=3, callback="default",
                      vault_keys_file=str(few))
    assert run.rc != 0
    assert "holds 1 unseal key(s)" in run.output and "needs 2" in run.output and str(few) in run.output
    assert_no_secret(run, *secrets_of(keys_file))

    os.chmod(keys_file, 0o644)
    run = run_runbook("vault-unseal", tmp_path / "open", openbao_raft, vault_keys_file=str(keys_file))
    assert run.rc != 0 and "0644" in run.output and "chmod 0600" in run.output

    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json")
    os.chmod(garbage, 0o600)
    run = run_runbook("vault-unseal", tmp_path / "garbage", openbao_raft, vault_keys_file=str(garbage))
    assert run.rc != 0 and "not a JSON keys file" in run.output
    assert openbao_raft.health()["sealed"] is True
