"""playbooks/runbooks/vault-rekey.yml against a real raft OpenBao server."""
import json
import os
import stat

import hvac
import pytest

from tests.integration.runbooks.vault_keys import init_server, run_runbook, secrets_of, seal
from tests.integration.vault.conftest import assert_no_secret

pytestmark = pytest.mark.integration

REKEY = "Rekey on the active node and rewrite the keys file"


def _unseal(server, tmp_path, keys_file):
    run = run_runbook("vault-unseal", tmp_path, server, vault_keys_file=str(keys_file))
    assert run.rc == 0, str(run)
    assert server.health()["sealed"] is False


def test_rekey_1_of_1_to_3_of_5_then_unseal_with_the_new_file(openbao_raft, tmp_path):
    keys_file, data = init_server(openbao_raft, tmp_path, 1, 1)
    _unseal(openbao_raft, tmp_path / "u1", keys_file)
    old_secrets = secrets_of(keys_file)
    root = data["root_token"]
    before = keys_file.read_bytes()
    shape = {"vault_keys_file": str(keys_file), "vault_rekey_secret_shares": 5, "vault_rekey_secret_threshold": 3}

    run = run_runbook("vault-rekey", tmp_path / "check", openbao_raft, check=True, token=root, **shape)
    assert run.rc == 0, str(run)
    report = run.result("Report the rekey")["msg"]
    assert report["changed"] and report["before"] == "1 of 1" and report["after"] == "3 of 5"
    assert keys_file.read_bytes() == before
    assert hvac.Client(url=openbao_raft.addr).sys.read_seal_status()["n"] == 1

    run = run_runbook("vault-rekey", tmp_path / "apply", openbao_raft, verbosity=3, callback="default", token=root,
                      **shape)
    assert run.rc == 0, str(run)
    status = hvac.Client(url=openbao_raft.addr).sys.read_seal_status()
    assert (status["n"], status["t"]) == (5, 3)
    new = json.loads(keys_file.read_text())
    assert len(new["keys_base64"]) == 5 and len(new["keys"]) == 5
    assert (new["secret_shares"], new["secret_threshold"]) == (5, 3)
    assert new["root_token"] == data["root_token"]
    assert not set(new["keys_base64"]) & set(data["keys_base64"])
    assert stat.S_IMODE(os.stat(keys_file).st_mode) == 0o600
    assert sorted(p.name for p in keys_file.parent.iterdir()) == ["init-keys.json"], "backup or temp file left"
    assert_no_secret(run, *old_secrets, *secrets_of(keys_file))

    run = run_runbook("vault-rekey", tmp_path / "again", openbao_raft, token=root, **shape)
    assert run.rc == 0, str(run)
    assert run.result(REKEY)["changed"] is False

    # The NEW file unseals; the old single key does not any more.
    seal(openbao_raft, data["root_token"])
    client = hvac.Client(url=openbao_raft.addr)
    assert client.sys.submit_unseal_key(data["keys_base64"][0])["sealed"] is True
    client.sys.submit_unseal_key(reset=True)
    _unseal(openbao_raft, tmp_path / "u2", keys_file)


def test_rekey_failure_cancels_and_keeps_the_old_file(openbao_raft, tmp_path):
    keys_file, data = init_server(openbao_raft, tmp_path, 3, 2)
    _unseal(openbao_raft, tmp_path / "u1", keys_file)
    before = keys_file.read_bytes()
    root = data["root_token"]
    # Too few keys: refused before anything starts.
    few = tmp_path / "few.json"
    few.write_text(json.dumps({"keys_base64": data["keys_base64"][:1]}))
    os.chmod(few, 0o600)
    run = run_runbook("vault-rekey", tmp_path / "few", openbao_raft, token=root, vault_keys_file=str(few),
                      vault_rekey_secret_shares=5, vault_rekey_secret_threshold=3)
    assert run.rc != 0 and "holds 1 unseal key(s)" in run.output
    # Bad shape: the server's rule (threshold 1 only with 1 share) is refused up front.
    run = run_runbook("vault-rekey", tmp_path / "shape", openbao_raft, token=root, vault_keys_file=str(keys_file),
                      vault_rekey_secret_shares=4, vault_rekey_secret_threshold=1)
    assert run.rc != 0 and "secret_threshold=1 with secret_shares=4" in run.output
    # A wrong current key (right length) makes the rekey fail half-way: it is cancelled.
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"keys_base64": [data["keys_base64"][0], data["keys_base64"][0]]}))
    os.chmod(wrong, 0o600)
    wrong_before = wrong.read_bytes()
    run = run_runbook("vault-rekey", tmp_path / "wrong", openbao_raft, verbosity=3, callback="default", token=root,
                      vault_keys_file=str(wrong), vault_rekey_secret_shares=5, vault_rekey_secret_threshold=3)
    assert run.rc != 0
    assert "the rekey was cancelled and the old keys still unseal" in run.output
    assert_no_secret(run, *secrets_of(keys_file))
    assert wrong.read_bytes() == wrong_before and not (tmp_path / "wrong.json.bak").exists()
    client = hvac.Client(url=openbao_raft.addr)
    progress = hvac.Client(url=openbao_raft.addr, token=root).adapter.get("/v1/sys/rotate/root/init")
    assert progress["data"]["started"] is False
    assert client.sys.read_seal_status()["n"] == 3
    assert keys_file.read_bytes() == before
    # A sealed cluster is refused by the health check.
    seal(openbao_raft, data["root_token"])
    run = run_runbook("vault-rekey", tmp_path / "sealed", openbao_raft, token=root, vault_keys_file=str(keys_file),
                      vault_rekey_secret_shares=5, vault_rekey_secret_threshold=3)
    assert run.rc != 0 and "vault-unseal.yml first" in run.output and openbao_raft.addr in run.output
