"""VaultSync: normalised comparison, exact ownership, prune and revoke over a fake client."""
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.ownership import policy_header
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.vault_sync import VaultSync
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeVault

HEADER = "# Managed by agentfleet: fleet=lab tenant=t agent=a\n"
POLICY = HEADER + 'path "secret/data/t/a" {\n  capabilities = ["read"]\n}\n'
ROLE = {"role_type": "jwt", "bound_audiences": ["vault.io"], "user_claim": "/nomad_job_id",
        "bound_claims": {"nomad_namespace": "t", "nomad_job_id": "a"}, "token_policies": ["lab--t--a"],
        "token_ttl": 1800, "token_max_ttl": 7200, "token_type": "service"}


def policy(fleet, tenant, agent):
    return policy_header(fleet, tenant, agent) + "\n"


def bundle(**extra):
    data = {"fleet": "lab", "vault": {"jwt_mount": "jwt", "kv_mount": "secret"},
            "agents": {"t/a": {"vault_name": "lab--t--a"}},
            "vault_policies": [{"name": "lab--t--a", "policy": POLICY}],
            "vault_roles": [{"name": "lab--t--a", "mount": "jwt", "role": ROLE}]}
    data.update(extra)
    return data


def outcomes(results):
    return [(r["object"], r["name"], r["outcome"]) for r in results]


def test_header_is_the_renderers():
    assert HEADER == policy("lab", "t", "a")


def test_create_then_unchanged_with_server_noise():
    client = FakeVault()
    first = VaultSync(client, bundle(), diff=True).converge()
    assert outcomes(first) == [("vault_policy", "lab--t--a", "created"), ("vault_jwt_role", "lab--t--a", "created")]
    assert first[0]["agent"] == "t/a" and "diff" in first[0]
    # The server answers TTLs in seconds, lists reordered, policy re-indented: no change.
    client.roles[("jwt", "lab--t--a")]["token_ttl"] = "30m"
    client.roles[("jwt", "lab--t--a")]["extra_server_field"] = 1
    client.policies["lab--t--a"] = POLICY.replace("  capabilities", "    capabilities")
    writes = len(client.writes)
    assert {r["outcome"] for r in VaultSync(client, bundle()).converge()} == {"unchanged"}
    assert len(client.writes) == writes


def test_check_mode_writes_nothing_and_diff_shows_role_change():
    client = FakeVault(policies={"lab--t--a": POLICY}, roles={("jwt", "lab--t--a"): dict(ROLE, token_ttl=60)})
    res = VaultSync(client, bundle(), check=True, diff=True).converge()
    assert outcomes(res)[1] == ("vault_jwt_role", "lab--t--a", "updated")
    assert res[1]["differences"] == ["token_ttl"]
    assert res[1]["diff"]["before"]["token_ttl"] == 60 and res[1]["diff"]["after"]["token_ttl"] == 1800
    assert client.writes == []


def test_refuses_to_overwrite_unowned_policy():
    client = FakeVault(policies={"lab--t--a": 'path "x" { capabilities = ["deny"] }'})
    res = VaultSync(client, bundle()).converge()
    assert res[0]["outcome"] == "failed" and "'lab--t--a'" in res[0]["msg"]
    assert "has no agentfleet ownership marker" in res[0]["msg"] and "not owned by fleet 'lab'" in res[0]["msg"]
    assert ("POST", "sys/policies/acl/lab--t--a") not in client.writes
    # Its role is refused too: a role is owned only together with its owned policy.
    assert res[1]["outcome"] == "failed"


def test_refuses_policy_of_another_fleet_and_a_header_that_does_not_match_the_name():
    for text, owner in ((policy("lab-eu", "t", "a"), "fleet 'lab-eu'"),
                        (policy("lab", "t", "b"), "fleet 'lab'"),  # header names another policy
                        ("# Managed by agentfleet: fleet lab, agent t/a.\n", "no agentfleet")):  # legacy header
        client = FakeVault(policies={"lab--t--a": text})
        res = VaultSync(client, bundle()).converge()
        assert res[0]["outcome"] == "failed", text
        assert owner in res[0]["msg"], res[0]["msg"]
        assert client.writes == []


def test_refuses_a_role_it_does_not_own():
    # Role with our name but granting another policy, or granting ours while that policy is not ours.
    for roles, policies in (({("jwt", "lab--t--a"): dict(ROLE, token_policies=["admin"])}, {"lab--t--a": POLICY}),
                            ({("jwt", "lab--t--a"): ROLE}, {})):
        client = FakeVault(policies=policies, roles=roles)
        res = VaultSync(client, bundle()).converge()
        role = [r for r in res if r["object"] == "vault_jwt_role"][0]
        assert role["outcome"] == "failed" and "grants exactly its own policy" in role["msg"], role
        assert ("POST", "auth/jwt/role/lab--t--a") not in client.writes


def test_prune_deletes_only_owned_objects_no_longer_wanted():
    client = FakeVault(
        policies={"lab--t--a": POLICY, "lab--t--old": policy("lab", "t", "old"), "lab--t--hand": "# hand-made",
                  "other--t--a": HEADER, "lab-eu--t--old": policy("lab-eu", "t", "old"),
                  "lab-t-old": "# Managed by agentfleet: fleet lab, agent t/old.\n"},
        roles={("jwt", "lab--t--a"): ROLE, ("jwt", "lab--t--old"): dict(ROLE, token_policies=["lab--t--old"]),
               ("jwt", "lab--t--hand"): dict(ROLE, token_policies=["admin"]),
               ("jwt", "lab-eu--t--old"): dict(ROLE, token_policies=["lab-eu--t--old"]),
               ("jwt", "lab-t-old"): dict(ROLE, token_policies=["lab-t-old"])})
    plan = VaultSync(client, bundle(), check=True).prune()
    assert outcomes(plan) == [("vault_jwt_role", "lab--t--old", "deleted"), ("vault_policy", "lab--t--old", "deleted")]
    assert client.writes == []
    VaultSync(client, bundle()).prune()
    assert sorted(client.policies) == ["lab--t--a", "lab--t--hand", "lab-eu--t--old", "lab-t-old", "other--t--a"]
    assert sorted(n for _mount, n in client.roles) == ["lab--t--a", "lab--t--hand", "lab-eu--t--old", "lab-t-old"]


def test_prune_of_prefix_fleet_leaves_the_longer_fleet_alone():
    """Fleet ``lab`` does not own fleet ``lab-eu``'s objects (nor the reverse)."""
    mine = {"lab--eu-team--a": policy("lab", "eu-team", "a")}
    theirs = {"lab-eu--team--a": policy("lab-eu", "team", "a")}
    roles = {("jwt", n): dict(ROLE, token_policies=[n]) for n in list(mine) + list(theirs)}
    for fleet, kept in (("lab", theirs), ("lab-eu", mine)):
        client = FakeVault(policies=dict(mine, **theirs), roles=dict(roles))
        VaultSync(client, dict(bundle(), fleet=fleet, vault_policies=[], vault_roles=[])).prune()
        assert client.policies == kept
        assert sorted(n for _m, n in client.roles) == sorted(kept)


def test_revoke_deletes_role_and_policy_of_named_agents():
    client = FakeVault(policies={"lab--t--a": POLICY, "lab-eu--t--a": policy("lab-eu", "t", "a")},
                       roles={("jwt", "lab--t--a"): ROLE,
                              ("jwt", "lab-eu--t--a"): dict(ROLE, token_policies=["lab-eu--t--a"])})
    res = VaultSync(client, {"fleet": "lab", "vault": {"jwt_mount": "jwt"}, "agents": {}}).revoke(
        ["lab--t--a", "lab--t--none", "lab-eu--t--a"])
    assert outcomes(res) == [("vault_jwt_role", "lab--t--a", "deleted"), ("vault_policy", "lab--t--a", "deleted"),
                             ("vault_jwt_role", "lab--t--none", "absent"), ("vault_policy", "lab--t--none", "absent"),
                             ("vault_jwt_role", "lab-eu--t--a", "absent"), ("vault_policy", "lab-eu--t--a", "absent")]
    assert list(client.policies) == ["lab-eu--t--a"] and list(client.roles) == [("jwt", "lab-eu--t--a")]
