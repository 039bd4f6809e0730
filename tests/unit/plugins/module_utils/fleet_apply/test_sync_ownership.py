"""Apply refuses, prune and the kill switch skip, objects of a fleet whose name has ours as a
prefix (``prod`` vs ``prod-eu``), for Nomad tenancy objects, jobs and Consul entries."""
import copy

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import ownership
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.consul_sync import ConsulSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.nomad_sync import NomadSync
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeConsul


class TenancyNomad:
    """Namespaces, ACL policies and job stubs as the Nomad HTTP API answers them."""

    def __init__(self, namespaces=(), policies=(), jobs=()):
        self.namespaces = {n["Name"]: copy.deepcopy(n) for n in namespaces}
        self.policies = {p["Name"]: copy.deepcopy(p) for p in policies}
        self.jobs = [copy.deepcopy(j) for j in jobs]
        self.writes = []

    def request(self, method, path, params=None, body=None, namespace=None, missing_ok=False):
        if method != "GET":
            self.writes.append((method, path))
            raise AssertionError("unexpected write %s %s" % (method, path))
        if path == "/v1/jobs":
            return copy.deepcopy(self.jobs)
        if path == "/v1/acl/policies":
            return [{"Name": p["Name"], "Description": p["Description"]} for p in self.policies.values()]
        if path == "/v1/namespaces":
            return list(copy.deepcopy(self.namespaces).values())
        kind, name = path.rsplit("/", 1)
        table = {"/v1/acl/policy": self.policies, "/v1/namespace": self.namespaces}[kind]
        return copy.deepcopy(table.get(name))


def _policy(fleet, tenant):
    return {"Name": "%s--%s" % (fleet, tenant), "Rules": "",
            "Description": ownership.description(fleet, "tenant %s: submit/read jobs" % tenant)}


def _ns(fleet, name):
    return {"Name": name, "Description": "", "Meta": {"agentfleet_fleet": fleet, "agentfleet_tenant": name}}


def _job(fleet, tenant, agent):
    return {"ID": agent, "Namespace": tenant, "Type": "service", "Stop": False,
            "Meta": {"agentfleet_fleet": fleet, "agentfleet_owner": ownership.owner_token(fleet),
                     "agentfleet_tenant": tenant, "agentfleet_agent": agent}}


def _bundle(fleet, namespaces=(), policies=()):
    return {"fleet": fleet, "agents": {}, "jobs": [], "quotas": [], "namespaces": list(namespaces),
            "acl_policies": list(policies)}


def test_nomad_apply_refuses_the_other_fleets_policy_and_namespace_naming_their_owner():
    # A namespace of prod-eu's and an ACL policy with prod-eu's description, under the names prod wants.
    theirs_pol = dict(_policy("prod-eu", "team"), Name="prod--team")
    client = TenancyNomad(namespaces=[_ns("prod-eu", "team")], policies=[theirs_pol])
    sync = NomadSync(client, _bundle("prod", [_ns("prod", "team")], [_policy("prod", "team")]))
    res = sync.converge_tenancy()
    assert [r["outcome"] for r in res] == ["failed", "failed"]
    for r in res:
        assert "owned by fleet 'prod-eu'" in r["msg"] and "not owned by fleet 'prod'" in r["msg"], r["msg"]
    assert client.writes == []


def test_legacy_description_is_not_owned():
    legacy = {"Name": "prod--team", "Rules": "", "Description": "agentfleet prod: submit/read jobs in namespace team"}
    client = TenancyNomad(policies=[legacy])
    res = NomadSync(client, _bundle("prod", [], [_policy("prod", "team")])).converge_tenancy()
    assert res[0]["outcome"] == "failed" and "has no agentfleet ownership marker" in res[0]["msg"]


def test_nomad_prune_and_kill_switch_skip_the_prefix_fleet():
    client = TenancyNomad(namespaces=[_ns("prod-eu", "team")], policies=[_policy("prod-eu", "team")],
                          jobs=[_job("prod-eu", "team", "api"),
                                dict(_job("prod", "team", "x"), Meta=dict(_job("prod", "team", "x")["Meta"],
                                                                          agentfleet_owner="agentfleet.fleet/prod-eu"))])
    sync = NomadSync(client, _bundle("prod"))
    assert sync.owned_jobs(include_stopped=True) == []
    # prod's own job (both exact markers) is the only one it sees once present.
    client.jobs.append(_job("prod", "eu-team", "api"))
    assert [(j["Namespace"], j["ID"]) for j in sync.owned_jobs(include_stopped=True)] == [("eu-team", "api")]
    client.jobs.pop()
    assert sync.prune() == []
    assert sync.stop(tenants=["team"], agents=["team/api"]) == []
    assert client.writes == []


def test_consul_apply_refuses_and_prune_skips_the_prefix_fleets_entries():
    theirs = {"Kind": "service-defaults", "Name": "prod--eu-team--api", "Protocol": "http",
              "Meta": {"agentfleet_fleet": "prod-eu"}}
    client = FakeConsul([theirs])
    bundle = {"fleet": "prod", "agents": {}, "consul_entries": [dict(theirs, Meta={"agentfleet_fleet": "prod"})]}
    res = ConsulSync(client, bundle).converge()
    assert res[0]["outcome"] == "failed" and "owned by fleet 'prod-eu'" in res[0]["msg"]
    assert ConsulSync(client, dict(bundle, consul_entries=[])).prune() == []
    assert client.writes == []


def test_an_identical_default_deny_of_another_fleet_is_left_alone():
    deny = {"Kind": "service-intentions", "Name": "*",
            "Sources": [{"Name": "*", "Action": "deny", "Description": "agentfleet default deny"}]}
    client = FakeConsul([dict(deny, Meta={"agentfleet_fleet": "prod-eu"})])
    bundle = {"fleet": "prod", "agents": {}, "consul_entries": [dict(deny, Meta={"agentfleet_fleet": "prod"})]}
    res = ConsulSync(client, bundle).converge()
    assert res[0]["outcome"] == "unchanged" and "held by fleet 'prod-eu'" in res[0]["msg"]
    # A different one (or one without an agentfleet marker) is refused.
    client = FakeConsul([dict(deny, Meta={"agentfleet_fleet": "prod-eu"},
                              Sources=[{"Name": "*", "Action": "allow"}])])
    assert ConsulSync(client, bundle).converge()[0]["outcome"] == "failed"
    client = FakeConsul([deny])
    assert ConsulSync(client, bundle).converge()[0]["outcome"] == "failed"
    assert client.writes == []
