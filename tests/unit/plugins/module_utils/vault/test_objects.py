"""vault/objects.py: the one read-compare-write used by the Vault modules and the fleet sync."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.vault_sync import VaultSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.object_result import is_changed
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.compare import as_seconds, as_set
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.jwt_role import (
    JWT_ROLE_NORMALISERS,
    jwt_role_resent,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.objects import (
    converge,
    converge_policy,
    manage_object,
    remove,
)
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeVault

NORM = {"token_ttl": as_seconds, "token_policies": as_set}
PATH = "auth/jwt/role/r"
ROLE = {"role_type": "jwt", "bound_audiences": ["vault.io"], "user_claim": "/nomad_job_id",
        "bound_claims_type": "string", "bound_claims": {"nomad_job_id": "r"},
        "token_policies": ["r"], "token_ttl": 1800, "token_type": "service"}


class Recorder:
    def __init__(self, stored=None):
        self.stored = stored
        self.calls = []

    def get(self, path, action=None):
        return None if self.stored is None else {"data": dict(self.stored)}

    def post(self, path, body, action=None):
        self.calls.append(("POST", path, body))
        self.stored = dict(self.stored or {}, **body)

    def delete(self, path, action=None):
        self.calls.append(("DELETE", path))
        self.stored = None


class Module:
    """The two attributes manage_object reads from an AnsibleModule, and its params."""

    def __init__(self, state="present", check_mode=False, diff=False):
        self.params = {"state": state}
        self.check_mode = check_mode
        self._diff = diff


@pytest.mark.parametrize("current, desired, outcome", [
    (None, {"token_ttl": 60}, "created"),
    ({"token_ttl": 60}, {"token_ttl": "1m"}, "unchanged"),
    ({"token_ttl": 60, "token_policies": ["a", "b"]}, {"token_policies": ["b", "a"], "token_ttl": None}, "unchanged"),
    ({"token_ttl": 60}, {"token_ttl": "2m"}, "updated"),
])
def test_outcome_and_changed_follow_one_rule(current, desired, outcome):
    client = Recorder(current)
    done = converge(client, PATH, "role", current, desired, NORM, check=False)
    assert done["outcome"] == outcome
    assert done["written"] == is_changed(outcome) == bool(client.calls)


def test_check_mode_plans_the_same_outcome_and_writes_nothing():
    client = Recorder({"token_ttl": 60})
    done = converge(client, PATH, "role", {"token_ttl": 60}, {"token_ttl": 120}, NORM, check=True)
    assert done["outcome"] == "updated" and not done["written"] and client.calls == []
    assert done["before"] == {"token_ttl": 60} and done["after"] == {"token_ttl": 120}
    assert remove(client, PATH, "role", True, check=True) == {"outcome": "deleted", "written": False}
    assert client.calls == []


def test_merge_sends_changed_keys_and_the_resent_ones_replace_sends_all():
    current = {"token_ttl": 60, "token_policies": ["a"]}
    desired = {"token_ttl": 120, "token_policies": ["a"]}
    merged = Recorder(current)
    converge(merged, PATH, "role", current, desired, NORM, check=False, resend=lambda d, c: {"role_type": "jwt"})
    assert merged.calls == [("POST", PATH, {"token_ttl": 120, "role_type": "jwt"})]
    replaced = Recorder(current)
    converge(replaced, PATH, "role", current, desired, NORM, check=False, merge=False)
    assert replaced.calls == [("POST", PATH, {"token_ttl": 120, "token_policies": ["a"]})]


def test_remove_only_what_is_there():
    client = Recorder({"x": 1})
    assert remove(client, PATH, "role", False, check=False)["outcome"] == "absent" and client.calls == []
    assert remove(client, PATH, "role", True, check=False)["outcome"] == "deleted"
    assert client.calls == [("DELETE", PATH)]


def test_policy_text_is_compared_normalised():
    text = 'path "a" {\n  capabilities = ["read"]\n}\n'
    client = Recorder()
    assert converge_policy(client, "p", text.replace("  ", "    ") + "# note\n", text, check=False)["outcome"] == "unchanged"
    assert converge_policy(client, "p", None, text, check=False)["outcome"] == "created"
    assert client.calls == [("POST", "sys/policies/acl/p", {"policy": text})]


def test_jwt_role_write_keeps_a_stored_glob_claims_type():
    # The JWT plugin resets an omitted bound_claims_type to "string" and role_type to "oidc".
    assert jwt_role_resent({"bound_claims_type": None}, {"bound_claims_type": "glob"}) == {
        "role_type": "jwt", "bound_claims_type": "glob"}
    assert jwt_role_resent({"bound_claims_type": "string"}, {"bound_claims_type": "glob"})["bound_claims_type"] == "string"
    assert jwt_role_resent({}, None) == {"role_type": "jwt"}


@pytest.mark.parametrize("stored", [None, ROLE, dict(ROLE, token_ttl=60), dict(ROLE, token_ttl="30m")])
@pytest.mark.parametrize("check", [False, True])
def test_module_and_fleet_sync_agree_on_changed_writes_and_diff(stored, check):
    """The vault_jwt_role module flow and the fleet's VaultSync.apply_role on the same role."""
    name = "lab--t--a"
    role = dict(ROLE, token_policies=[name])
    stored = None if stored is None else dict(stored, token_policies=[name])
    policy = "# Managed by agentfleet: fleet=lab tenant=t agent=a\n"
    via_module = FakeVault(roles={} if stored is None else {("jwt", name): dict(stored)})
    result, _current = manage_object(Module(check_mode=check, diff=True), via_module, "auth/jwt/role/" + name,
                                     "JWT role", role, JWT_ROLE_NORMALISERS, resend=jwt_role_resent)
    via_sync = FakeVault(policies={name: policy}, roles={} if stored is None else {("jwt", name): dict(stored)})
    sync = VaultSync(via_sync, {"fleet": "lab", "vault": {"jwt_mount": "jwt"}, "agents": {},
                                "vault_policies": [], "vault_roles": []}, check=check, diff=True)
    sync._owned_before.add(name)  # pylint: disable=protected-access  # the policy was read as owned
    out = sync.apply_role({"name": name, "mount": "jwt", "role": role})
    assert result["changed"] == out["changed"]
    assert via_module.writes == via_sync.writes and via_module.roles == via_sync.roles
    if out["changed"]:
        assert result["diff"]["before"] == out["diff"]["before"] and result["diff"]["after"] == out["diff"]["after"]
