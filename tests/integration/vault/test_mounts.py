"""vault_auth_method and vault_secrets_engine lifecycles on real OpenBao."""
import pytest

from tests.integration.vault.conftest import task
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration


def _auth(client, path):
    return client.sys.list_auth_methods()["data"].get(path + "/")


def _mount(client, path):
    return client.sys.list_mounted_secrets_engines()["data"].get(path + "/")


def test_auth_method_lifecycle(openbao, tmp_path):
    client = openbao.client()
    path = "it-auth-jwt"
    spec = dict(path=path, type="jwt", description="workload identity", default_lease_ttl="30m")

    run = run_playbook([
        task("vault_auth_method", "enable (check)", check=True, **spec),
        task("vault_auth_method", "enable", **spec),
        task("vault_auth_method", "enable again (ttl as seconds)", **{**spec, "default_lease_ttl": 1800}),
        task("vault_auth_method", "tune", **spec, max_lease_ttl="2h", listing_visibility="unauth"),
        task("vault_auth_method", "tune again", path=path, max_lease_ttl=7200),
        task("vault_auth_method", "type change refused", ignore=True, path=path, type="approle"),
    ], tmp_path=tmp_path / "apply", env=openbao.env, diff=True)
    assert run.rc == 0, run
    assert run.changed == ["enable (check)", "enable", "tune"]  # check mode enabled nothing
    assert run.result("enable (check)")["operation"] == "enable"
    assert run.result("tune")["diff"]["before"]["max_lease_ttl"] == 0
    assert "cannot change in place" in run.result("type change refused")["msg"]
    mount = _auth(client, path)
    assert mount["type"] == "jwt" and mount["description"] == "workload identity"
    assert mount["config"]["default_lease_ttl"] == 1800 and mount["config"]["max_lease_ttl"] == 7200
    assert mount["config"]["listing_visibility"] == "unauth"

    run = run_playbook([
        task("vault_auth_method", "remove (check)", check=True, path=path, state="absent"),
        task("vault_auth_method", "remove", path=path, state="absent"),
        task("vault_auth_method", "remove again", path=path, state="absent"),
        task("vault_auth_method", "bad ttl", ignore=True, path="it-auth-bad", type="approle", max_lease_ttl="2 weeks"),
    ], tmp_path=tmp_path / "remove", env=openbao.env)
    assert run.rc == 0, run
    assert run.changed == ["remove (check)", "remove"]
    assert _auth(client, path) is None
    assert "max_lease_ttl: '2 weeks'" in run.result("bad ttl")["msg"]
    assert _auth(client, "it-auth-bad") is None


def test_secrets_engine_lifecycle(openbao, tmp_path):
    client = openbao.client()
    path = "it-kv"
    spec = dict(path=path, type="kv-v2", description="agent secrets", max_versions=5)

    run = run_playbook([
        task("vault_secrets_engine", "enable (check)", check=True, **spec),
        task("vault_secrets_engine", "enable", **spec),
        task("vault_secrets_engine", "enable again", **spec),
        task("vault_secrets_engine", "modify", **{**spec, "max_versions": 3}, max_lease_ttl="12h"),
        task("vault_secrets_engine", "transit", path="it-transit", type="transit", default_lease_ttl="1h"),
        task("vault_secrets_engine", "kv1", path="it-kv1", type="kv", options={"version": "1"}),
        task("vault_secrets_engine", "kv1 upgrade", path="it-kv1", options={"version": 2}),
        task("vault_secrets_engine", "kv1 upgrade again", path="it-kv1", type="kv", options={"version": "2"}),
        task("vault_secrets_engine", "max_versions on transit", ignore=True, path="it-transit", max_versions=2),
    ], tmp_path=tmp_path / "apply", env=openbao.env, diff=True)
    assert run.rc == 0, run
    assert run.changed == ["enable (check)", "enable", "modify", "transit", "kv1", "kv1 upgrade"]
    assert run.result("enable (check)")["kv_config"]["max_versions"] == 5
    assert "KV version 2 only" in run.result("max_versions on transit")["msg"]
    mount = _mount(client, path)
    assert mount["type"] == "kv" and mount["options"]["version"] == "2"
    assert mount["config"]["max_lease_ttl"] == 43200
    assert client.adapter.get(f"/v1/{path}/config")["data"]["max_versions"] == 3
    assert _mount(client, "it-transit")["config"]["default_lease_ttl"] == 3600
    assert _mount(client, "it-kv1")["options"]["version"] == "2"

    run = run_playbook([
        task("vault_secrets_engine", "remove", path=path, state="absent"),
        task("vault_secrets_engine", "remove transit", path="it-transit", state="absent"),
        task("vault_secrets_engine", "remove kv1", path="it-kv1", state="absent"),
        task("vault_secrets_engine", "remove again", path=path, state="absent"),
    ], tmp_path=tmp_path / "remove", env=openbao.env)
    assert run.rc == 0, run
    assert run.changed == ["remove", "remove transit", "remove kv1"]
    assert _mount(client, path) is None and _mount(client, "it-transit") is None
