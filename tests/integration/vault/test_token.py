"""vault_token: create short-lived tokens under a TTL cap, revoke by accessor."""
import pytest

from tests.integration.vault.conftest import task
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration


def _lookup(client, accessor):
    try:
        return client.auth.token.lookup_accessor(accessor)["data"]
    except Exception:  # noqa: BLE001 - hvac raises InvalidRequest for an unknown accessor
        return None


def test_token_create_cap_and_revoke(openbao, tmp_path):
    client = openbao.client()
    run = run_playbook([
        task("vault_token", "create (check)", check=True, policies=["default"], ttl="10m"),
        task("vault_token", "create", policies=["it-token"], ttl="10m", explicit_max_ttl="20m",
             num_uses=3, meta={"purpose": "test"}, display_name="it"),
        task("vault_token", "create orphan", policies=["it-token"], ttl=300, orphan=True, period="5m",
             ttl_cap="10m"),
        task("vault_token", "over the cap", ignore=True, policies=["it-token"], ttl="48h"),
        task("vault_token", "period over the cap", ignore=True, policies=["it-token"], period="2h", ttl_cap="1h"),
        task("vault_token", "no policies", ignore=True, ttl="5m"),
    ], tmp_path=tmp_path / "create", env=openbao.env)
    assert run.rc == 0, run
    assert run.changed == ["create (check)", "create", "create orphan"]
    assert "token" not in run.result("create (check)")
    created = run.result("create")
    assert created["ttl"] == 600 and "it-token" in created["policies"]
    info = _lookup(client, created["accessor"])
    assert info["num_uses"] == 3 and info["explicit_max_ttl"] == 1200 and info["meta"] == {"purpose": "test"}
    assert client.auth.token.lookup(created["token"])["data"]["accessor"] == created["accessor"]
    orphan = run.result("create orphan")
    orphan_info = _lookup(client, orphan["accessor"])
    assert orphan["orphan"] is True and orphan_info["period"] == 300
    assert orphan_info["explicit_max_ttl"] == 600  # defaults to ttl_cap
    assert "inherits all of its creator's" in run.result("no policies")["msg"]
    assert "ttl: '48h' (172800s) is above ttl_cap '24h'" in run.result("over the cap")["msg"]
    assert "period: '2h'" in run.result("period over the cap")["msg"]

    run = run_playbook([
        task("vault_token", "revoke (check)", check=True, accessor=created["accessor"], state="absent"),
        task("vault_token", "revoke", accessor=created["accessor"], state="absent"),
        task("vault_token", "revoke again", accessor=created["accessor"], state="absent"),
        task("vault_token", "revoke orphan", accessor=orphan["accessor"], state="absent"),
    ], tmp_path=tmp_path / "revoke", env=openbao.env)
    assert run.rc == 0, run
    assert run.changed == ["revoke (check)", "revoke", "revoke orphan"]
    assert _lookup(client, created["accessor"]) is None and _lookup(client, orphan["accessor"]) is None


def test_token_role_cannot_outlive_the_cap(openbao, tmp_path):
    """A token role asking for a 48h period still yields a token capped at ttl_cap."""
    client = openbao.client()
    client.adapter.post("/v1/auth/token/roles/it-long", json={"token_period": "48h", "allowed_policies": ["default"]})
    run = run_playbook([task("vault_token", "via role", role_name="it-long", ttl="1h", ttl_cap="2h")],
                       tmp_path=tmp_path, env=openbao.env)
    assert run.rc == 0, run
    created = run.result("via role")
    info = _lookup(client, created["accessor"])
    assert created["ttl"] <= 7200 and info["explicit_max_ttl"] == 7200 and info["role"] == "it-long"
    client.auth.token.revoke_accessor(created["accessor"])
