"""vault_jwt_auth_config + vault_jwt_role lifecycle on real OpenBao."""
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.integration.vault.conftest import task
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

MOUNT = "it-jwt"


def _pem():
    key = ec.generate_private_key(ec.SECP256R1())
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _read(client, path):
    try:
        return client.adapter.get(f"/v1/{path}")["data"]
    except Exception:  # noqa: BLE001 - hvac raises InvalidPath when absent
        return None


ROLE = dict(mount_point=MOUNT, name="agent-alpha", bound_audiences=["vault.io"], user_claim="nomad_job_id",
            bound_claims={"nomad_namespace": "agents", "nomad_job_id": "alpha"},
            claim_mappings={"nomad_task": "task"}, token_policies=["agent-alpha", "fleet-read"],
            token_ttl="30m", token_type="service")


def test_jwt_config_and_role_lifecycle(openbao, tmp_path):
    client = openbao.client()
    pem = _pem()
    config = dict(mount_point=MOUNT, jwt_validation_pubkeys=[pem], jwt_supported_algs=["ES256"],
                  default_role="agent-alpha")
    setup = [
        task("vault_auth_method", "mount", path=MOUNT, type="jwt"),
        task("vault_jwt_auth_config", "config", **config),
        task("vault_jwt_role", "role", **ROLE),
    ]

    checks = [{**t, "name": t["name"] + " (check)", "check_mode": True} for t in setup]
    run = run_playbook(checks + setup + [
        task("vault_jwt_auth_config", "config again (pem without newline)",
             **{**config, "jwt_validation_pubkeys": [pem.strip()]}),
        task("vault_jwt_role", "role again (reordered, seconds)",
             **{**ROLE, "token_policies": ["fleet-read", "agent-alpha"], "token_ttl": 1800}),
    ], tmp_path=tmp_path / "apply", env=openbao.env, diff=True)
    assert run.rc == 0, run
    assert run.changed == ["mount (check)", "config (check)", "role (check)", "mount", "config", "role"]
    assert run.result("role (check)")["diff"]["after"]["token_ttl"] == 1800
    cfg = _read(client, f"auth/{MOUNT}/config")
    assert cfg["default_role"] == "agent-alpha" and cfg["jwt_supported_algs"] == ["ES256"]
    role = _read(client, f"auth/{MOUNT}/role/agent-alpha")
    assert role["bound_claims"] == {"nomad_namespace": "agents", "nomad_job_id": "alpha"}
    assert role["token_ttl"] == 1800 and sorted(role["token_policies"]) == ["agent-alpha", "fleet-read"]
    assert run.result("role")["role"]["user_claim"] == "nomad_job_id"

    run = run_playbook([
        task("vault_jwt_auth_config", "config modify", mount_point=MOUNT, jwt_validation_pubkeys=[pem],
             bound_issuer="https://nomad.example"),
        task("vault_jwt_role", "role modify", mount_point=MOUNT, name="agent-alpha", token_ttl="10m",
             bound_claims={"nomad_namespace": "agents", "nomad_job_id": ["alpha", "alpha-2"]}),
        task("vault_jwt_role", "role unchanged", mount_point=MOUNT, name="agent-alpha", token_ttl=600),
        task("vault_jwt_role", "new role without user_claim", ignore=True, mount_point=MOUNT, name="nope"),
    ], tmp_path=tmp_path / "modify", env=openbao.env, diff=True)
    assert run.rc == 0, run
    assert run.changed == ["config modify", "role modify"]
    diff = run.result("config modify")["diff"]
    assert diff["before"]["default_role"] == "agent-alpha" and diff["after"]["default_role"] == ""
    cfg = _read(client, f"auth/{MOUNT}/config")
    assert cfg["bound_issuer"] == "https://nomad.example" and cfg["default_role"] == "" and cfg["jwt_supported_algs"] == []
    role = _read(client, f"auth/{MOUNT}/role/agent-alpha")
    assert role["token_ttl"] == 600 and role["user_claim"] == "nomad_job_id"
    assert role["bound_claims"]["nomad_job_id"] == ["alpha", "alpha-2"]
    assert "user_claim is required" in run.result("new role without user_claim")["msg"]
    assert _read(client, f"auth/{MOUNT}/role/nope") is None

    run = run_playbook([
        task("vault_jwt_role", "remove (check)", check=True, mount_point=MOUNT, name="agent-alpha", state="absent"),
        task("vault_jwt_role", "remove", mount_point=MOUNT, name="agent-alpha", state="absent"),
        task("vault_jwt_role", "remove again", mount_point=MOUNT, name="agent-alpha", state="absent"),
        task("vault_auth_method", "unmount", path=MOUNT, state="absent"),
    ], tmp_path=tmp_path / "remove", env=openbao.env)
    assert run.rc == 0, run
    assert run.changed == ["remove (check)", "remove", "unmount"]
    assert MOUNT + "/" not in client.sys.list_auth_methods()["data"]


def test_role_update_keeps_a_glob_claims_type_it_does_not_name(openbao, tmp_path):
    """The JWT plugin resets an omitted bound_claims_type to "string" on every write
    (path_role.go pathRoleCreateUpdate), so a change to another key must resend it."""
    client = openbao.client()
    mount = "it-jwt-glob"
    role = dict(mount_point=mount, name="globbed", bound_audiences=["vault.io"], user_claim="nomad_job_id",
                bound_claims_type="glob", bound_claims={"nomad_job_id": "alpha-*"}, token_ttl="30m")
    run = run_playbook([
        task("vault_auth_method", "mount", path=mount, type="jwt"),
        task("vault_jwt_role", "role", **role),
        task("vault_jwt_role", "ttl only", mount_point=mount, name="globbed", token_ttl="10m"),
        task("vault_jwt_role", "ttl only again", mount_point=mount, name="globbed", token_ttl=600),
        task("vault_auth_method", "unmount", path=mount, state="absent"),
    ], tmp_path=tmp_path, env=openbao.env)
    assert run.rc == 0, run
    assert run.changed == ["mount", "role", "ttl only", "unmount"]
    assert run.result("ttl only")["role"]["bound_claims_type"] == "glob"
    assert run.result("ttl only")["role"]["token_ttl"] == 600
