"""Applying part of a fleet (``agent_fleet_tenants`` / ``agent_fleet_agents``): the bundle is
narrowed to the selected agents and their tenants' objects, unknown names are refused
before anything is written, and a subset prune never touches anything outside it."""
import pytest
import yaml

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import ownership
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import bundle as bundles
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.consul_sync import ConsulSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.nomad_sync import NomadSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.vault_sync import VaultSync
from tests.support.playbook import REPO
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeConsul, FakeVault
from tests.unit.plugins.module_utils.fleet_apply.test_adopt import WritableNomad

EXAMPLE = REPO / "inventories" / "local" / "group_vars" / "all" / "fleet.yml"


@pytest.fixture(scope="module")
def built():
    return bundles.build(yaml.safe_load(EXAMPLE.read_text())["agentfleet_fleet"])


@pytest.mark.parametrize("value, names", [
    (None, []), ("", []), ("research", ["research"]), ("research, support,", ["research", "support"]),
    (["research", " support "], ["research", "support"]),
])
def test_selection_names_accept_lists_and_comma_strings(value, names):
    assert bundles.selection_names(value) == names


def test_full_run_is_the_bundle_itself(built):
    assert bundles.narrow(built) is built and "selection" not in built


def test_tenant_subset_holds_the_tenants_objects_and_no_fleet_wide_ones(built):
    part = bundles.narrow(built, tenants=["support"])
    assert part["selection"] == {"tenants": ["support"], "agents": []}
    assert sorted(part["agents"]) == ["support/nightly-report", "support/ticket-worker", "support/triage"]
    assert [n["Name"] for n in part["namespaces"]] == ["support"]
    assert [p["Name"] for p in part["acl_policies"]] == ["agents-lab--support"]
    assert {j["agent"] for j in part["jobs"]} == {"nightly-report", "ticket-worker", "triage"}
    assert all(p["name"].startswith("agents-lab--support--") for p in part["vault_policies"] + part["vault_roles"])
    names = {e["Name"] for e in part["consul_entries"]}
    assert "*" not in names and names and all(n.startswith("agents-lab--support--") for n in names)
    assert len(built["jobs"]) == 7  # the whole bundle is untouched


def test_agent_subset_brings_its_tenants_namespace_but_only_its_own_objects(built):
    part = bundles.narrow(built, agents=["research/retriever"])
    assert list(part["agents"]) == ["research/retriever"]
    assert [n["Name"] for n in part["namespaces"]] == ["research"]
    assert [j["agent"] for j in part["jobs"]] == ["retriever"]
    assert [p["name"] for p in part["vault_policies"]] == ["agents-lab--research--retriever"]
    assert {e["Name"] for e in part["consul_entries"]} == {"agents-lab--research--retriever"}


def test_unknown_names_are_errors_naming_them_and_the_known_ones(built):
    errors = bundles.selection_errors(built, tenants=["reserch"], agents=["research/retreiver", "nope"])
    assert errors[0] == ("agent_fleet_tenants: 'reserch' is not a tenant of fleet 'agents-lab'; "
                         "known tenants: research, support")
    assert errors[1].startswith("agent_fleet_agents: 'research/retreiver' is not an agent of fleet 'agents-lab'; "
                                "known agents: research/digest, research/embedder")
    assert errors[2].startswith("agent_fleet_agents: 'nope': write each agent as <tenant>/<agent>")
    assert bundles.selection_errors(built, ["research"], ["support/triage"]) == []


def test_prune_accepts_names_the_spec_no_longer_has_but_not_malformed_ones(built):
    assert bundles.selection_errors(built, ["gone"], ["research/removed"], allow_absent=True) == []
    errors = bundles.selection_errors(built, ["Bad--Name"], ["a/b/c"], allow_absent=True)
    assert len(errors) == 2 and "write tenant names" in errors[0] and "<tenant>/<agent>" in errors[1]


def _job(tenant, agent, fleet="lab"):
    return {"ID": agent, "Namespace": tenant, "Type": "service", "Stop": False, "Status": "running",
            "Meta": {"agentfleet_fleet": fleet, "agentfleet_owner": ownership.owner_token(fleet),
                     "agentfleet_tenant": tenant, "agentfleet_agent": agent}}


class PruneNomad(WritableNomad):
    """Records stops (job deregistration through apply_job) and deletes."""

    def get_job(self, job_id, namespace=None):
        return next((dict(j) for j in self.jobs if j["ID"] == job_id and j["Namespace"] == namespace), None)

    def deregister_job(self, job_id, namespace=None, purge=False):
        self.writes.append(("DELETE", "/v1/job/%s/%s" % (namespace, job_id)))
        for job in self.jobs:
            if job["ID"] == job_id and job["Namespace"] == namespace:
                job.update(Stop=True, Status="dead")
        return {"EvalID": "e"}

    def job_allocations(self, job_id, namespace=None):
        return []

    def request(self, method, path, params=None, body=None, namespace=None, missing_ok=False):
        if method == "DELETE":
            self.writes.append((method, path))
            return {}
        return super().request(method, path, params, body, namespace, missing_ok)


def _empty(fleet="lab"):
    return {"fleet": fleet, "agents": {}, "tenants": {}, "jobs": [], "quotas": [], "namespaces": [],
            "acl_policies": [], "vault": {"jwt_mount": "jwt", "kv_mount": "kv"}, "vault_policies": [],
            "vault_roles": [], "consul_entries": []}


def _nomad_with_two_removed_agents():
    ns = {"Name": "t", "Meta": {"agentfleet_fleet": "lab", "agentfleet_tenant": "t"}}
    ns2 = {"Name": "u", "Meta": {"agentfleet_fleet": "lab", "agentfleet_tenant": "u"}}
    pols = [{"Name": "lab--t", "Description": ownership.description("lab", "t")},
            {"Name": "lab--u", "Description": ownership.description("lab", "u")}]
    return PruneNomad(namespaces=[ns, ns2], policies=pols, jobs=[_job("t", "a"), _job("t", "b"), _job("u", "c")])


def test_agent_subset_prune_stops_only_the_selected_agent_and_no_tenant_object():
    client = _nomad_with_two_removed_agents()
    data = bundles.narrow(_empty(), agents=["t/a"])  # the spec has none of them any more
    res = NomadSync(client, data).prune(timeout=1, interval=0)
    assert [(r["object"], r["name"], r["outcome"]) for r in res] == [("job", "a", "deleted")]
    assert client.writes == [("DELETE", "/v1/job/t/a")]


def test_tenant_subset_prune_removes_that_tenant_only():
    client = _nomad_with_two_removed_agents()
    res = NomadSync(client, bundles.narrow(_empty(), tenants=["u"])).prune(timeout=1, interval=0)
    done = {(r["object"], r["name"]) for r in res if r["outcome"] == "deleted"}
    assert done == {("job", "c"), ("acl_policy", "lab--u"), ("namespace", "u")}
    assert ("DELETE", "/v1/job/t/a") not in client.writes and ("DELETE", "/v1/namespace/t") not in client.writes


def test_full_prune_still_removes_everything_stale():
    client = _nomad_with_two_removed_agents()
    res = NomadSync(client, _empty()).prune(timeout=1, interval=0)
    assert {r["name"] for r in res if r["outcome"] == "deleted"} == {"a", "b", "c", "lab--t", "lab--u", "t", "u"}


def test_consul_and_vault_subset_prune_by_name():
    meta = {"agentfleet_fleet": "lab"}
    client = FakeConsul([{"Kind": "service-defaults", "Name": "lab--t--a", "Meta": meta},
                         {"Kind": "service-defaults", "Name": "lab--t--b", "Meta": meta},
                         {"Kind": "service-intentions", "Name": "*", "Meta": meta}])
    res = ConsulSync(client, bundles.narrow(_empty(), agents=["t/a"])).prune()
    assert [(r["name"], r["outcome"]) for r in res] == [("lab--t--a", "deleted")]
    assert ("service-intentions", "*") in client.entries  # fleet-wide: only a full run prunes it

    policies = {n: ownership.policy_header("lab", "t", n[-1]) + "\n" for n in ("lab--t--a", "lab--t--b")}
    roles = {("jwt", n): {"token_policies": [n]} for n in policies}
    vault = FakeVault(policies=policies, roles=roles)
    res = VaultSync(vault, bundles.narrow(_empty(), agents=["t/a"])).prune()
    assert sorted((r["object"], r["name"]) for r in res) == [("vault_jwt_role", "lab--t--a"),
                                                             ("vault_policy", "lab--t--a")]
    assert "lab--t--b" in vault.policies and ("jwt", "lab--t--b") in vault.roles
