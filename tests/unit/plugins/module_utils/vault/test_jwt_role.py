"""One JWT role normaliser table for the vault_jwt_role module and the fleet Vault sync.

The two used to carry their own tables and had drifted: the fleet's lacked the
durations and sets the module compared (token_explicit_max_ttl, token_period,
token_bound_cidrs, bound_subject, ...), the module's lacked user_claim_json_pointer and
role_type. A role that Vault reads back in its own form must compare unchanged on
both paths.
"""
import importlib

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.vault_sync import VaultSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.compare import desired_changes
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.jwt_role import JWT_ROLE_NORMALISERS
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeVault

# What a caller writes, and what Vault reads back for it (path_role.go pathRoleRead:
# durations in seconds, lists in its own order, unset strings empty).
WRITTEN = {"role_type": "jwt", "user_claim": "/nomad_job_id", "user_claim_json_pointer": True,
           "bound_audiences": ["vault.io", "nomad.io"], "bound_claims_type": "string",
           "bound_claims": {"nomad_job_id": "a"}, "claim_mappings": {"nomad_task": "nomad_task"},
           "token_policies": ["p2", "p1"], "token_ttl": "30m", "token_max_ttl": "2h",
           "token_explicit_max_ttl": "4h", "token_period": "1h", "token_bound_cidrs": ["10.0.0.0/8", "127.0.0.1/32"],
           "clock_skew_leeway": "1m", "token_type": "service", "token_no_default_policy": False}
READ_BACK = dict(WRITTEN, bound_audiences=["nomad.io", "vault.io"], bound_claims={"nomad_job_id": ["a"]},
                 token_policies=["p1", "p2"], token_ttl=1800, token_max_ttl=7200, token_explicit_max_ttl=14400,
                 token_period=3600, token_bound_cidrs=["127.0.0.1/32", "10.0.0.0/8"], clock_skew_leeway=60)


def test_read_back_form_compares_unchanged():
    assert desired_changes(READ_BACK, WRITTEN, JWT_ROLE_NORMALISERS) == {}


@pytest.mark.parametrize("key,value", [("token_period", "2h"), ("token_bound_cidrs", ["10.0.0.0/8"]),
                                       ("user_claim_json_pointer", False), ("bound_subject", "x")])
def test_a_real_difference_is_seen(key, value):
    assert set(desired_changes(READ_BACK, dict(WRITTEN, **{key: value}), JWT_ROLE_NORMALISERS)) == {key}


def test_module_and_fleet_sync_share_the_table():
    module = importlib.import_module("ansible_collections.agentfleet.hashistack.plugins.modules.vault_jwt_role")
    assert module.JWT_ROLE_NORMALISERS is JWT_ROLE_NORMALISERS
    module_keys = set(module._OPTIONS) - {"token_num_uses"}  # an int Vault returns as written
    assert module_keys <= set(JWT_ROLE_NORMALISERS)


def test_fleet_sync_sees_a_read_back_role_as_unchanged():
    """Failed before: the fleet's own table compared token_period "1h" with 3600 raw."""
    client = FakeVault()
    client.roles[("jwt", "lab--t--a")] = dict(READ_BACK, token_policies=["lab--t--a"])
    sync = VaultSync(client, {"fleet": "lab", "vault": {"jwt_mount": "jwt"}, "agents": {},
                              "vault_policies": [], "vault_roles": []})
    sync._owned_before.add("lab--t--a")
    result = sync.apply_role({"name": "lab--t--a", "mount": "jwt", "role": dict(WRITTEN, token_policies=["lab--t--a"])})
    assert result["outcome"] == "unchanged", result
