"""playbooks/runbooks/vault-root-token.yml against a real raft OpenBao server."""
import json
import os
import stat

import hvac
import hvac.exceptions
import pytest

from tests.integration.runbooks.vault_keys import BreakGlassRaftServer, init_server, run_runbook, secrets_of
from tests.integration.vault.conftest import assert_no_secret

pytestmark = pytest.mark.integration

TASK = "Generate or revoke the root token on the active node"


@pytest.fixture
def break_glass_raft(tmp_path):
    server = BreakGlassRaftServer(tmp_path / "openbao-bg").start()
    yield server
    server.stop()


def _unsealed(server, tmp_path, shares, threshold):
    keys_file, data = init_server(server, tmp_path, shares, threshold)
    run = run_runbook("vault-unseal", tmp_path / "unseal", server, vault_keys_file=str(keys_file))
    assert run.rc == 0, str(run)
    return keys_file, data


def test_generate_use_and_revoke_a_root_token(break_glass_raft, tmp_path):
    server = break_glass_raft
    keys_file, data = _unsealed(server, tmp_path, 3, 2)
    token_file = tmp_path / "keys" / "break-glass.json"
    args = {"vault_keys_file": str(keys_file), "vault_root_token_file": str(token_file)}

    run = run_runbook("vault-root-token", tmp_path / "check", server, check=True, **args)
    assert run.rc == 0, str(run)
    assert run.result(TASK)["changed"] is True and not token_file.exists()

    run = run_runbook("vault-root-token", tmp_path / "apply", server, verbosity=3, callback="default", **args)
    assert run.rc == 0, str(run)
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    token = json.loads(token_file.read_text())["token"]
    assert token and token != data["root_token"]
    looked_up = hvac.Client(url=server.addr, token=token).auth.token.lookup_self()["data"]
    assert looked_up["policies"] == ["root"]
    assert_no_secret(run, token, *secrets_of(keys_file))
    assert hvac.Client(url=server.addr).sys.read_root_generation_progress()["started"] is False

    run = run_runbook("vault-root-token", tmp_path / "again", server, **args)
    assert run.rc == 0, str(run)
    assert run.result(TASK)["changed"] is False
    assert json.loads(token_file.read_text())["token"] == token

    revoke = {"vault_root_token_file": str(token_file), "vault_root_token_state": "revoked"}
    run = run_runbook("vault-root-token", tmp_path / "revoke-check", server, check=True, **revoke)
    assert run.rc == 0, str(run)
    assert run.result(TASK)["changed"] is True and token_file.exists()
    hvac.Client(url=server.addr, token=token).auth.token.lookup_self()

    run = run_runbook("vault-root-token", tmp_path / "revoke", server, verbosity=3, callback="default", **revoke)
    assert run.rc == 0, str(run)
    assert not token_file.exists()
    with pytest.raises(hvac.exceptions.Forbidden):
        hvac.Client(url=server.addr, token=token).auth.token.lookup_self()
    assert_no_secret(run, token)

    run = run_runbook("vault-root-token", tmp_path / "revoke-again", server, **revoke)
    assert run.rc == 0, str(run)
    assert run.result(TASK)["changed"] is False


def test_root_token_refusals(break_glass_raft, openbao_raft, tmp_path):
    keys_file, _data = _unsealed(break_glass_raft, tmp_path / "bg", 3, 2)
    few = tmp_path / "few.json"
    few.write_text(json.dumps({"keys_base64": json.loads(keys_file.read_text())["keys_base64"][:1]}))
    os.chmod(few, 0o600)
    token_file = tmp_path / "token.json"
    run = run_runbook("vault-root-token", tmp_path / "few", break_glass_raft, vault_keys_file=str(few),
                      vault_root_token_file=str(token_file))
    assert run.rc != 0 and "holds 1 unseal key(s)" in run.output and not token_file.exists()
    run = run_runbook("vault-root-token", tmp_path / "state", break_glass_raft, vault_keys_file=str(keys_file),
                      vault_root_token_file=str(token_file), vault_root_token_state="gone")
    assert run.rc != 0 and "must be present or revoked" in run.output

    # The default OpenBao listener refuses generate-root: the message says how to allow it.
    plain_keys, _plain = _unsealed(openbao_raft, tmp_path / "plain", 1, 1)
    run = run_runbook("vault-root-token", tmp_path / "refused", openbao_raft, vault_keys_file=str(plain_keys),
                      vault_root_token_file=str(token_file))
    assert run.rc != 0 and "disable_unauthed_generate_root_endpoints = false" in run.output
    assert not token_file.exists()
