"""VaultSync: normalised comparison, ownership, prune and revoke over a fake client."""
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.vault_sync import VaultSync
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeVault

HEADER = "# Managed by agentfleet: fleet lab, agent t/a.\n"
POLICY = HEADER + 'path "secret/data/t/a" {\n  capabilities = ["read"]\n}\n'
ROLE = {"role_type": "jwt", "bound_audiences": ["vault.io"], "user_claim": "/nomad_job_id",
        "bound_claims": {"nomad_namespace": "t", "nomad_job_id": "a"}, "token_policies": ["lab-t-a"],
        "token_ttl": 1800, "token_max_ttl": 7200, "token_type": "service"}


def bundle(**extra):
    data = {"fleet": "lab", "vault": {"jwt_mount": "jwt", "kv_mount": "secret"},
            "agents": {"t/a": {"vault_name": "lab-t-a"}},
            "vault_policies": [{"name": "lab-t-a", "policy": POLICY}],
            "vault_roles": [{"name": "lab-t-a", "mount": "jwt", "role": ROLE}]}
    data.update(extra)
    return data


def outcomes(results):
    return [(r["object"], r["name"], r["outcome"]) for r in results]


def test_create_then_unchanged_with_server_noise():
    client = FakeVault()
    first = VaultSync(client, bundle(), diff=True).converge()
    assert outcomes(first) == [("vault_policy", "lab-t-a", "created"), ("vault_jwt_role", "lab-t-a", "created")]
    assert first[0]["agent"] == "t/a" and "diff" in first[0]
    # The server answers TTLs in seconds, lists reordered, policy re-indented: no change.
    client.roles[("jwt", "lab-t-a")]["token_ttl"] = "30m"
    client.roles[("jwt", "lab-t-a")]["extra_server_field"] = 1
    client.policies["lab-t-a"] = POLICY.replace("  capabilities", "    capabilities")
    writes = len(client.writes)
    assert {r["outcome"] for r in VaultSync(client, bundle()).converge()} == {"unchanged"}
    assert len(client.writes) == writes


def test_check_mode_writes_nothing_and_diff_shows_role_change():
    client = FakeVault(policies={"lab-t-a": POLICY}, roles={("jwt", "lab-t-a"): dict(ROLE, token_ttl=60)})
    res = VaultSync(client, bundle(), check=True, diff=True).converge()
    assert outcomes(res)[1] == ("vault_jwt_role", "lab-t-a", "updated")
    assert res[1]["differences"] == ["token_ttl"]
    assert res[1]["diff"]["before"]["token_ttl"] == 60 and res[1]["diff"]["after"]["token_ttl"] == 1800
    assert client.writes == []


def test_refuses_to_overwrite_unowned_policy():
    client = FakeVault(policies={"lab-t-a": 'path "x" { capabilities = ["deny"] }'})
    res = VaultSync(client, bundle()).converge()
    assert res[0]["outcome"] == "failed" and "not managed by fleet 'lab'" in res[0]["msg"]
    assert ("POST", "sys/policies/acl/lab-t-a") not in client.writes


def test_prune_deletes_only_owned_objects_no_longer_wanted():
    client = FakeVault(
        policies={"lab-t-a": POLICY, "lab-t-old": HEADER.replace("t/a", "t/old"), "lab-t-hand": "# hand-made",
                  "other-x": HEADER},
        roles={("jwt", "lab-t-a"): ROLE, ("jwt", "lab-t-old"): dict(ROLE, token_policies=["lab-t-old"]),
               ("jwt", "lab-t-hand"): dict(ROLE, token_policies=["admin"])})
    plan = VaultSync(client, bundle(), check=True).prune()
    assert outcomes(plan) == [("vault_jwt_role", "lab-t-old", "deleted"), ("vault_policy", "lab-t-old", "deleted")]
    assert client.writes == []
    VaultSync(client, bundle()).prune()
    assert sorted(client.policies) == ["lab-t-a", "lab-t-hand", "other-x"]
    assert sorted(n for _mount, n in client.roles) == ["lab-t-a", "lab-t-hand"]


def test_revoke_deletes_role_and_policy_of_named_agents():
    client = FakeVault(policies={"lab-t-a": POLICY}, roles={("jwt", "lab-t-a"): ROLE})
    res = VaultSync(client, {"fleet": "lab", "vault": {"jwt_mount": "jwt"}, "agents": {}}).revoke(
        ["lab-t-a", "lab-t-none"])
    assert outcomes(res) == [("vault_jwt_role", "lab-t-a", "deleted"), ("vault_policy", "lab-t-a", "deleted"),
                             ("vault_jwt_role", "lab-t-none", "absent"), ("vault_policy", "lab-t-none", "absent")]
    assert client.policies == {} and client.roles == {}
