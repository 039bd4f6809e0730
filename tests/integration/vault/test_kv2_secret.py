"""vault_kv2_secret: write only on change, cas, soft delete, destroy, on real OpenBao."""
import pytest

from tests.integration.vault.conftest import task
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

PATH = "it-kv2/agent"


def _meta(client):
    try:
        return client.secrets.kv.v2.read_secret_metadata(PATH, mount_point="secret")["data"]
    except Exception:  # noqa: BLE001 - hvac raises InvalidPath when absent
        return None


def _data(client, version=None):
    return client.secrets.kv.v2.read_secret_version(PATH, version=version, mount_point="secret",
                                                    raise_on_deleted_version=False)["data"]


def test_kv2_secret_lifecycle(openbao, tmp_path):
    client = openbao.client()
    data = {"api_key": "k-one", "model": "small", "limit": 5}

    run = run_playbook([
        task("vault_kv2_secret", "write (check)", check=True, path=PATH, data=data),
        task("vault_kv2_secret", "write", path=PATH, data=data, cas=0),
        task("vault_kv2_secret", "write again", path=PATH, data=data),
        task("vault_kv2_secret", "cas create-only again", path=PATH, data=data, cas=0),
        task("vault_kv2_secret", "rotate (check)", check=True, path=PATH, data={**data, "api_key": "k-two"}),
        task("vault_kv2_secret", "rotate", path=PATH, data={**data, "api_key": "k-two"}, cas=1),
        task("vault_kv2_secret", "stale cas", ignore=True, path=PATH, data={**data, "api_key": "k-3"}, cas=1),
    ], tmp_path=tmp_path / "apply", env=openbao.env, diff=True)
    assert run.rc == 0, run
    assert run.changed == ["write (check)", "write", "rotate (check)", "rotate"]
    assert run.result("write (check)")["version"] == 1 and run.result("write")["version"] == 1
    assert run.result("write (check)")["diff"]["after"]["keys"] == ["api_key", "limit", "model"]
    assert run.result("write again")["version"] == 1
    rotate = run.result("rotate")
    assert rotate["version"] == 2 and rotate["changed_keys"] == ["api_key"]
    assert rotate["diff"]["after"]["changed_keys"] == ["api_key"]
    assert "cas: 1 does not match the current version 2" in run.result("stale cas")["msg"]
    assert _meta(client)["current_version"] == 2
    assert _data(client)["data"] == {**data, "api_key": "k-two"}

    run = run_playbook([
        task("vault_kv2_secret", "soft delete latest", path=PATH, state="absent"),
        task("vault_kv2_secret", "soft delete again", path=PATH, state="absent"),
        task("vault_kv2_secret", "rewrite after delete", path=PATH, data={**data, "api_key": "k-two"}),
        task("vault_kv2_secret", "destroy v1", path=PATH, versions=[1], state="destroyed"),
        task("vault_kv2_secret", "destroy v1 again", path=PATH, versions=[1], state="destroyed"),
        task("vault_kv2_secret", "unknown version", ignore=True, path=PATH, versions=[9], state="destroyed"),
    ], tmp_path=tmp_path / "modify", env=openbao.env)
    assert run.rc == 0, run
    assert run.changed == ["soft delete latest", "rewrite after delete", "destroy v1"]
    meta = _meta(client)
    assert meta["current_version"] == 3
    assert meta["versions"]["2"]["deletion_time"] and meta["versions"]["1"]["destroyed"] is True
    assert "[9] do not exist" in run.result("unknown version")["msg"]

    run = run_playbook([
        task("vault_kv2_secret", "purge (check)", check=True, path=PATH, state="destroyed"),
        task("vault_kv2_secret", "purge", path=PATH, state="destroyed"),
        task("vault_kv2_secret", "purge again", path=PATH, state="destroyed"),
    ], tmp_path=tmp_path / "remove", env=openbao.env)
    assert run.rc == 0, run
    assert run.changed == ["purge (check)", "purge"]
    assert run.result("purge")["versions"] == [1, 2, 3]
    assert _meta(client) is None
