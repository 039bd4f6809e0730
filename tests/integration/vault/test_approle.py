"""vault_approle_role + vault_approle_secret_id on real OpenBao, and AppRole login by a module."""
import pytest

from tests.integration.vault.conftest import assert_no_secret, task
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

MOUNT = "it-approle"
ROLE = dict(mount_point=MOUNT, name="controller", token_policies=["it-approle-reader"], token_ttl="15m",
            token_max_ttl="1h", secret_id_ttl="10m", secret_id_num_uses=5)
READER = 'path "auth/token/lookup-self" { capabilities = ["read"] }\npath "sys/policies/acl/*" { capabilities = ["read"] }'


def _role(client, name="controller"):
    try:
        return client.adapter.get(f"/v1/auth/{MOUNT}/role/{name}")["data"]
    except Exception:  # noqa: BLE001 - hvac raises InvalidPath when absent
        return None


def test_approle_role_and_secret_ids(openbao, tmp_path):
    client = openbao.client()
    setup = [
        task("vault_auth_method", "mount", path=MOUNT, type="approle"),
        task("vault_policy", "reader policy", name="it-approle-reader", policy=READER),
        task("vault_approle_role", "role", **ROLE),
        task("vault_approle_secret_id", "mint", role_name="controller", mount_point=MOUNT),
    ]
    checks = [{**t, "name": t["name"] + " (check)", "check_mode": True} for t in setup]
    run = run_playbook(checks + setup[:3] + [
        task("vault_approle_role", "role again", **{**ROLE, "token_ttl": 900}),
        task("vault_approle_secret_id", "mint", mount_point=MOUNT, role_name="controller",
             metadata={"agent": "controller"}, ttl="5m"),
        task("vault_approle_secret_id", "mint wrapped", mount_point=MOUNT, role_name="controller", wrap_ttl="2m"),
        task("vault_approle_secret_id", "mint for missing role", ignore=True, mount_point=MOUNT, role_name="ghost"),
    ], tmp_path=tmp_path / "apply", env=openbao.env)
    assert run.rc == 0, run
    # The real tasks changed after their check-mode twins: check mode created nothing.
    assert run.changed == ["mount (check)", "reader policy (check)", "role (check)", "mint (check)",
                           "mount", "reader policy", "role", "mint", "mint wrapped"]
    assert "secret_id" not in run.result("mint (check)") and run.result("role (check)")["role_id"] == ""
    role_id = run.result("role")["role_id"]
    assert role_id and run.result("role again")["role_id"] == role_id
    assert client.adapter.get(f"/v1/auth/{MOUNT}/role/controller/role-id")["data"]["role_id"] == role_id
    minted = run.result("mint")
    assert minted["secret_id_ttl"] == 300 and minted["secret_id_accessor"]
    wrapped = run.result("mint wrapped")
    assert "secret_id" not in wrapped and wrapped["wrap_ttl"] == 120
    unwrapped = client.sys.unwrap(wrapped["wrapping_token"])["data"]
    assert unwrapped["secret_id"] and unwrapped["secret_id"] != minted["secret_id"]
    assert "does not exist" in run.result("mint for missing role")["msg"]
    lookup = client.adapter.post(f"/v1/auth/{MOUNT}/role/controller/secret-id-accessor/lookup",
                                 json={"secret_id_accessor": minted["secret_id_accessor"]})["data"]
    assert lookup["metadata"] == {"agent": "controller"}

    # A module authenticates with the minted AppRole credentials (AppRoleAuth strategy).
    login_env = {"VAULT_ADDR": openbao.addr}
    run = run_playbook([
        task("vault_policy", "read as approle", check=True, name="it-approle-reader", policy=READER,
             auth_method="approle", role_id=role_id, secret_id=minted["secret_id"], auth_mount_point=MOUNT),
        task("vault_policy", "write as approle is denied", ignore=True, name="it-approle-other", policy=READER,
             auth_method="approle", role_id=role_id, secret_id=minted["secret_id"], auth_mount_point=MOUNT),
        task("vault_policy", "bad secret id", ignore=True, name="x", policy=READER,
             auth_method="approle", role_id=role_id, secret_id="00000000-0000-0000-0000-000000000000",
             auth_mount_point=MOUNT),
    ], tmp_path=tmp_path / "login", env=login_env, verbosity=3)
    assert run.rc == 0, run
    assert run.result("read as approle")["changed"] is False
    assert "403" in run.result("write as approle is denied")["msg"]
    assert "log in" in run.result("bad secret id")["msg"]
    assert_no_secret(run, minted["secret_id"])

    run = run_playbook([
        task("vault_approle_role", "modify", mount_point=MOUNT, name="controller", secret_id_num_uses=3,
             token_policies=["it-approle-reader", "extra"]),
        task("vault_approle_secret_id", "destroy", mount_point=MOUNT, role_name="controller",
             secret_id_accessor=minted["secret_id_accessor"], state="absent"),
        task("vault_approle_secret_id", "destroy again", mount_point=MOUNT, role_name="controller",
             secret_id_accessor=minted["secret_id_accessor"], state="absent"),
        task("vault_approle_role", "remove", mount_point=MOUNT, name="controller", state="absent"),
        task("vault_approle_role", "remove again", mount_point=MOUNT, name="controller", state="absent"),
        task("vault_auth_method", "unmount", path=MOUNT, state="absent"),
        task("vault_policy", "drop policy", name="it-approle-reader", state="absent"),
    ], tmp_path=tmp_path / "modify", env=openbao.env, diff=True)
    assert run.rc == 0, run
    assert run.changed == ["modify", "destroy", "remove", "unmount", "drop policy"]
    diff = run.result("modify")["diff"]
    assert diff["before"]["secret_id_num_uses"] == 5 and diff["after"]["secret_id_num_uses"] == 3
    assert MOUNT + "/" not in client.sys.list_auth_methods()["data"]
