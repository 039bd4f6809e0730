"""vault_init / vault_unseal against a fresh, non-dev raft OpenBao server."""
import base64
import json
import os
import stat

import hvac
import pytest

from tests.integration.vault.conftest import assert_no_secret
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration


def _secrets(keys_file):
    data = json.loads(keys_file.read_text())
    return data["keys"] + data["keys_base64"] + [data["root_token"]]


def test_init_once_then_unseal_idempotently(openbao_raft, tmp_path):
    dest = tmp_path / "keys" / "init.json"
    dest.parent.mkdir()
    env = openbao_raft.env

    # Bad dest fails clearly and leaves the server uninitialised; check mode changes nothing.
    run = run_playbook([
        {"name": "bad dest", "agentfleet.hashistack.vault_init": {"dest": str(tmp_path / "nope" / "x.json")},
         "ignore_errors": True},
        {"name": "init (check)", "agentfleet.hashistack.vault_init": {"dest": str(dest)}, "check_mode": True,
         "diff": True},
    ], tmp_path=tmp_path / "r1", env=env)
    assert run.rc == 0, run
    bad = run.result("bad dest")
    assert bad["failed"] and "nope" in bad["msg"] and "does not exist" in bad["msg"]
    check = run.result("init (check)")
    assert check["changed"] and check["initialized"] is False
    assert check["diff"]["after"]["initialized"] is True
    assert not dest.exists()
    assert openbao_raft.health()["initialized"] is False

    # Apply: init + unseal; then both again in the same play must be unchanged.
    run = run_playbook([
        {"name": "init", "agentfleet.hashistack.vault_init": {"dest": str(dest), "secret_shares": 3,
                                                              "secret_threshold": 2}},
        {"name": "unseal", "agentfleet.hashistack.vault_unseal": {"keys_file": str(dest)}},
        {"name": "init again", "agentfleet.hashistack.vault_init": {"dest": str(dest)}},
        {"name": "unseal again", "agentfleet.hashistack.vault_unseal": {"keys_file": str(dest)}},
    ], tmp_path=tmp_path / "r2", env=env, verbosity=3)
    assert run.rc == 0, run
    assert run.changed == ["init", "unseal"]
    init = run.result("init")
    assert init["initialized"] is True and init["sealed"] is True and init["dest"] == str(dest)
    assert run.result("unseal")["sealed"] is False
    assert run.result("unseal again")["sealed"] is False
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    data = json.loads(dest.read_text())
    assert len(data["keys"]) == 3 and len(data["keys_base64"]) == 3 and data["root_token"]
    assert data["secret_threshold"] == 2
    secrets = _secrets(dest)
    assert_no_secret(run, *secrets)
    for res in run.results:
        assert not set(map(str, res["result"].values())) & set(secrets)
    assert not [p for p in dest.parent.iterdir() if p.name != "init.json"], "temp file left behind"

    # Seal with the root token, then: unseal in check mode changes nothing; keys list unseals.
    openbao_raft.wait_active()
    before = dest.read_bytes()
    client = hvac.Client(url=openbao_raft.addr, token=data["root_token"])
    client.sys.seal()
    assert openbao_raft.health()["sealed"] is True
    run = run_playbook([
        {"name": "unseal (check)", "agentfleet.hashistack.vault_unseal": {"keys_file": str(dest)},
         "check_mode": True},
        {"name": "init when sealed", "agentfleet.hashistack.vault_init": {"dest": str(dest)}},
        {"name": "unseal from list", "agentfleet.hashistack.vault_unseal": {"keys": "{{ unseal_keys }}"}},
    ], tmp_path=tmp_path / "r3", env=env, extra_vars={"unseal_keys": data["keys"][:2]}, diff=True, verbosity=3)
    assert run.rc == 0, run
    assert run.changed == ["unseal (check)", "unseal from list"]
    assert run.result("unseal (check)")["sealed"] is True
    assert run.result("init when sealed")["sealed"] is True
    assert run.result("unseal from list")["sealed"] is False
    assert openbao_raft.health()["sealed"] is False
    assert dest.read_bytes() == before
    assert_no_secret(run, *secrets)

    # Restart (comes back sealed) and unseal from the file once more.
    openbao_raft.stop()
    openbao_raft.start()
    assert openbao_raft.health()["sealed"] is True
    run = run_playbook([{"name": "unseal", "agentfleet.hashistack.vault_unseal": {"keys_file": str(dest)}}],
                       tmp_path=tmp_path / "r4", env=env)
    assert run.rc == 0, run
    assert run.result("unseal")["changed"] is True and openbao_raft.health()["sealed"] is False


def test_unseal_refuses_bad_input(openbao_raft, tmp_path):
    open_file = tmp_path / "open.json"
    open_file.write_text(json.dumps({"keys_base64": ["aGVsbG8="]}))
    open_file.chmod(0o644)
    init = tmp_path / "init.json"
    run = run_playbook([
        {"name": "uninitialised", "agentfleet.hashistack.vault_unseal": {"keys": ["x"]}, "ignore_errors": True},
        {"name": "dest exists", "agentfleet.hashistack.vault_init": {"dest": str(open_file)},
         "ignore_errors": True},
        {"name": "init", "agentfleet.hashistack.vault_init": {"dest": str(init), "secret_shares": 1,
                                                              "secret_threshold": 1}},
        {"name": "open mode", "agentfleet.hashistack.vault_unseal": {"keys_file": str(open_file)},
         "ignore_errors": True},
        {"name": "wrong key", "agentfleet.hashistack.vault_unseal": {"keys": ["bm90LWEta2V5"]},
         "ignore_errors": True},
    ], tmp_path=tmp_path / "r1", env=openbao_raft.env)
    assert run.rc == 0, run
    assert "not initialised" in run.result("uninitialised")["msg"]
    msg = run.result("open mode")["msg"]
    assert str(open_file) in msg and "0644" in msg
    assert "already exists" in run.result("dest exists")["msg"] and str(open_file) in run.result("dest exists")["msg"]
    wrong = run.result("wrong key")
    assert wrong["failed"] and "submit an unseal key" in wrong["msg"] and "bm90LWEta2V5" not in wrong["msg"]
    assert openbao_raft.health()["sealed"] is True
    existing = run_playbook([
        {"name": "stale dest", "agentfleet.hashistack.vault_init": {"dest": str(open_file)}},
    ], tmp_path=tmp_path / "r2", env=openbao_raft.env)
    # Server already initialised: dest untouched even though it exists.
    assert existing.rc == 0 and existing.result("stale dest")["changed"] is False
    assert json.loads(open_file.read_text()) == {"keys_base64": ["aGVsbG8="]}


def test_unseal_resets_a_partial_attempt_left_by_an_earlier_run(openbao_raft, tmp_path):
    dest = tmp_path / "init.json"
    env = openbao_raft.env
    run = run_playbook([{"name": "init", "agentfleet.hashistack.vault_init": {
        "dest": str(dest), "secret_shares": 3, "secret_threshold": 2}}], tmp_path=tmp_path / "r1", env=env)
    assert run.rc == 0, run
    data = json.loads(dest.read_text())
    # An earlier run (or a person) submitted a wrong key of the right length and stopped: progress 1/2.
    wrong = base64.b64encode(os.urandom(len(base64.b64decode(data["keys_base64"][0])))).decode()
    client = hvac.Client(url=openbao_raft.addr)
    assert client.sys.submit_unseal_key(wrong)["progress"] == 1
    run = run_playbook([
        {"name": "unseal (check)", "agentfleet.hashistack.vault_unseal": {"keys": "{{ unseal_keys }}"},
         "check_mode": True},
        {"name": "unseal", "agentfleet.hashistack.vault_unseal": {"keys": "{{ unseal_keys }}"}},
    ], tmp_path=tmp_path / "r2", env=env, extra_vars={"unseal_keys": data["keys"][:2]}, verbosity=3)
    assert run.rc == 0, run
    check = run.result("unseal (check)")
    assert check["reset"] is True and check["progress"] == 1 and check["sealed"] is True
    res = run.result("unseal")
    assert res["reset"] is True and res["sealed"] is False and res["progress"] == 0
    assert openbao_raft.health()["sealed"] is False
    assert_no_secret(run, wrong, *_secrets(dest))
