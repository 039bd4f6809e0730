"""Runbook playbooks/runbooks/tenant-secret-rotate.yml against a real OpenBao.

Check mode writes nothing; a run writes version 1, a second value version 2 (read back from
OpenBao), the same values again no new version; a path of another tenant (or one escaping
with `..`) and an unknown tenant are refused before any write; Vault not answering is refused
by the preflight; the values never appear in -vvv output.
"""
import itertools

import pytest

from tests.integration.fleet_apply.helpers import example_fleet, run_fleet

pytestmark = pytest.mark.integration

PLAYBOOK = "runbooks/tenant-secret-rotate.yml"
WRITE = "Write the new version (values never shown)"
SAID = "Say which version was written (key names only)"
REFUSE = "Refuse a path outside the tenant's secrets (tenant isolation, fleet/isolation.py)"
_COUNTER = itertools.count()


@pytest.fixture
def fleet(openbao):
    n = next(_COUNTER)
    mount = "kv-rot-%d" % n
    openbao.client().sys.enable_secrets_engine("kv", path=mount, options={"version": "2"})
    return example_fleet("lab-rot-%d" % n, "jwt-rot-%d" % n, mount)


def read(openbao, mount, path):
    try:
        meta = openbao.client().secrets.kv.v2.read_secret_metadata(path, mount_point=mount)["data"]
    except Exception:  # hvac raises InvalidPath when absent
        return None, None
    data = openbao.client().secrets.kv.v2.read_secret_version(path, mount_point=mount,
                                                              raise_on_deleted_version=False)["data"]["data"]
    return meta["current_version"], data


def rotate(fleet, tmp_path, env, tenant, path, values, **kw):
    return run_fleet(fleet, tmp_path, env, playbook=PLAYBOOK,
                     extra={"tenant": tenant, "path": path, "secret_values": values}, **kw)


def test_rotate_writes_a_new_version_and_refuses_other_tenants(openbao, fleet, tmp_path):
    mount, path = fleet["defaults"]["vault"]["kv_mount"], "research/retriever/llm"
    one, two = {"api_key": "rot-value-one-7f3a"}, {"api_key": "rot-value-two-91c4"}

    check = rotate(fleet, tmp_path / "check", openbao.env, "research", path, one, check=True)
    assert check.rc == 0, check
    assert check.result(WRITE)["changed"] is True and check.result(SAID)["msg"]["check_mode"] is True
    assert read(openbao, mount, path) == (None, None)

    first = rotate(fleet, tmp_path / "first", openbao.env, "research", path, one)
    assert first.rc == 0, first
    assert first.result(SAID)["msg"]["version"] == 1
    assert read(openbao, mount, path) == (1, one)

    second = rotate(fleet, tmp_path / "second", openbao.env, "research", path, two)
    assert second.rc == 0, second
    said = second.result(SAID)["msg"]
    assert said["version"] == 2 and said["changed_keys"] == ["api_key"] and said["keys"] == ["api_key"]
    assert read(openbao, mount, path) == (2, two)

    same = rotate(fleet, tmp_path / "same", openbao.env, "research", path, two)
    assert same.rc == 0 and same.changed == [], same.changed
    assert read(openbao, mount, path) == (2, two)

    # Another tenant's path, an escape with '..', an unknown tenant: refused, nothing written.
    for name, tenant, bad in (("other", "research", "support/triage/llm"),
                              ("dotdot", "research", "research/../support/triage/llm"),
                              ("prefix", "research", "research-b/x"),
                              ("unknown", "nobody", "nobody/x")):
        run = rotate(fleet, tmp_path / name, openbao.env, tenant, bad, {"api_key": "never-written"})
        assert run.rc != 0, name
        msg = run.result(REFUSE)["msg"]
        assert "is not a secret of tenant" in msg and "nothing was written" in msg, msg
        with pytest.raises(KeyError):
            run.result(WRITE)
    assert read(openbao, mount, "support/triage/llm") == (None, None)
    assert read(openbao, mount, "research-b/x") == (None, None)
    assert read(openbao, mount, path) == (2, two)

    # Vault not answering: the preflight refuses, nothing written.
    down = rotate(fleet, tmp_path / "down", dict(openbao.env, VAULT_ADDR="http://127.0.0.1:9"), "research",
                  path, {"api_key": "never-written"})
    assert down.rc != 0 and "127.0.0.1:9" in down.output, down
    assert read(openbao, mount, path) == (2, two)


def test_rotate_never_prints_the_values(openbao, fleet, tmp_path):
    mount, path = fleet["defaults"]["vault"]["kv_mount"], "support/triage/llm"
    secret = "rot-leak-canary-5d21e8"
    run = rotate(fleet, tmp_path / "vvv", openbao.env, "support", path, {"api_key": secret},
                 callback="default", verbosity=3)
    assert run.rc == 0, run
    assert read(openbao, mount, path) == (1, {"api_key": secret})
    assert "version" in run.output and "api_key" in run.output  # key names are shown, values never
    assert secret not in run.output
