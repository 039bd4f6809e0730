"""Adopt (``agent_fleet_adopt``): existing objects with NO agentfleet marker are taken over
(check mode first: nothing written), objects of another fleet never are, and without the
switch nothing changes from the refusal (which now says how to adopt)."""
import copy

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import ownership
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.consul_sync import ConsulSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.nomad_sync import NomadSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.report import build_report
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.vault_sync import VaultSync
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeConsul, FakeNomad, FakeVault
from tests.unit.plugins.module_utils.fleet_apply.test_sync_ownership import TenancyNomad
from tests.unit.plugins.module_utils.fleet_apply.test_vault_sync import POLICY, ROLE, bundle as vault_bundle

HINT = "set agent_fleet_adopt=true (-e fleet_adopt=true) to take it over"


class WritableNomad(TenancyNomad):
    """TenancyNomad that stores namespace and ACL policy writes."""

    def request(self, method, path, params=None, body=None, namespace=None, missing_ok=False):
        if method == "POST":
            self.writes.append((method, path))
            kind, name = path.rsplit("/", 1)
            {"/v1/acl/policy": self.policies, "/v1/namespace": self.namespaces}[kind][name] = copy.deepcopy(body)
            return {}
        return super().request(method, path, params, body, namespace, missing_ok)


def _tenancy_bundle():
    ns = {"Name": "team", "Description": "lab tenant team", "Meta": {"agentfleet_fleet": "lab", "agentfleet_tenant": "team"}}
    pol = {"Name": "lab--team", "Rules": "", "Description": ownership.description("lab", "tenant team")}
    return {"fleet": "lab", "agents": {}, "jobs": [], "quotas": [], "namespaces": [ns], "acl_policies": [pol]}


def _unmarked_client():
    return WritableNomad(namespaces=[{"Name": "team", "Description": "made by the platform team", "Meta": {"cost": "1"}}],
                         policies=[{"Name": "lab--team", "Rules": "", "Description": "platform team policy"}])


def test_without_the_switch_unmarked_objects_are_refused_with_the_hint():
    client = _unmarked_client()
    res = NomadSync(client, _tenancy_bundle()).converge_tenancy()
    assert [r["outcome"] for r in res] == ["failed", "failed"]
    for r in res:
        assert "has no agentfleet ownership marker" in r["msg"] and r["msg"].endswith(HINT), r["msg"]
    assert client.writes == []


def test_check_mode_reports_would_adopt_and_writes_nothing_then_apply_adopts_then_unchanged():
    client = _unmarked_client()
    planned = NomadSync(client, _tenancy_bundle(), check=True, adopt=True).converge_tenancy()
    assert [(r["name"], r["outcome"], r["adoption"]) for r in planned] == [
        ("team", "adopted", "would adopt"), ("lab--team", "adopted", "would adopt")]
    assert all(r["changed"] and r["msg"].startswith("would adopt nomad ") for r in planned)
    assert client.writes == []

    applied = NomadSync(client, _tenancy_bundle(), adopt=True).converge_tenancy()
    assert [(r["outcome"], r["adoption"]) for r in applied] == [("adopted", "adopted")] * 2
    assert ownership.meta_owned(client.namespaces["team"], "lab")
    # Taken over: from now on it matches the spec exactly (its Meta is the spec's, as for any owned namespace).
    assert client.namespaces["team"]["Meta"] == _tenancy_bundle()["namespaces"][0]["Meta"]
    assert ownership.description_owned(client.policies["lab--team"], "lab")

    for adopt in (True, False):  # owned now: unchanged with or without the switch
        again = NomadSync(client, _tenancy_bundle(), adopt=adopt).converge_tenancy()
        assert [r["outcome"] for r in again] == ["unchanged", "unchanged"]


def test_another_fleets_objects_are_never_adopted():
    client = WritableNomad(namespaces=[{"Name": "team", "Meta": {"agentfleet_fleet": "other"}}],
                           policies=[{"Name": "lab--team", "Rules": "",
                                      "Description": ownership.description("other", "tenant team")}])
    res = NomadSync(client, _tenancy_bundle(), adopt=True).converge_tenancy()
    assert [r["outcome"] for r in res] == ["failed", "failed"]
    assert all("owned by fleet 'other'" in r["msg"] and HINT not in r["msg"] for r in res)
    assert client.writes == []


def test_a_namespace_with_any_marker_key_is_not_adopted():
    # A marker key of an unexpected shape still names some owner: never "no marker at all".
    client = WritableNomad(namespaces=[{"Name": "team", "Meta": {"agentfleet_fleet": ""}}])
    bundle = dict(_tenancy_bundle(), acl_policies=[])
    res = NomadSync(client, bundle, adopt=True).converge_tenancy()
    assert res[0]["outcome"] == "failed" and client.writes == []


def _job(meta):
    return {"ID": "a", "Namespace": "team", "Type": "service", "Meta": dict(meta), "TaskGroups": []}


def _job_bundle():
    desired = _job({"agentfleet_fleet": "lab", "agentfleet_tenant": "team", "agentfleet_agent": "a"})
    return {"fleet": "lab", "agents": {}, "namespaces": [], "acl_policies": [], "quotas": [],
            "jobs": [{"tenant": "team", "agent": "a", "kind": "service", "namespace": "team", "job_id": "a",
                      "autoscaled": False, "job": {"Job": desired}}]}


@pytest.mark.parametrize("meta, adopted", [
    ({"team": "platform"}, True),
    ({"agentfleet_owner": "agentfleet.hashistack"}, False),  # nomad_job's owner: a marker
    ({"agentfleet_fleet": "other", "agentfleet_owner": "agentfleet.fleet/other"}, False),
])
def test_jobs_are_adopted_only_without_any_marker(meta, adopted):
    client = FakeNomad(jobs=[_job(meta)])
    planned = NomadSync(client, _job_bundle(), check=True, adopt=True).converge_jobs()[0]
    assert planned["outcome"] == ("adopted" if adopted else "failed"), planned
    assert client.jobs[("team", "a")]["Meta"] == meta  # check mode: nothing registered
    res = NomadSync(client, _job_bundle(), adopt=True).converge_jobs()[0]
    if adopted:
        assert res["outcome"] == "adopted" and res["adoption"] == "adopted"
        assert ownership.job_owned(client.jobs[("team", "a")], "lab")
        assert NomadSync(client, _job_bundle()).converge_jobs()[0]["outcome"] == "unchanged"
    else:
        assert res["outcome"] == "failed" and client.jobs[("team", "a")]["Meta"] == meta


def test_unmarked_job_refusal_says_how_to_adopt():
    client = FakeNomad(jobs=[_job({"team": "platform"})])
    res = NomadSync(client, _job_bundle()).converge_jobs()[0]
    assert res["outcome"] == "failed" and res["msg"] == (
        "nomad job 'team/a' exists and is not owned by fleet 'lab' (it has no agentfleet ownership marker); "
        "refusing to change it; " + HINT)
    # A job with a marker of someone else keeps the job module's message (no adopt hint).
    marked = FakeNomad(jobs=[_job({"agentfleet_owner": "agentfleet.hashistack"})])
    res = NomadSync(marked, _job_bundle()).converge_jobs()[0]
    assert res["outcome"] == "failed" and HINT not in res["msg"] and "agentfleet.hashistack" in res["msg"]


def test_vault_unmarked_policy_and_its_role_are_adopted_another_fleets_never():
    unmarked = 'path "secret/data/t/a" { capabilities = ["read"] }'
    foreign_role = dict(ROLE, token_policies=["default", "lab--t--a"])
    client = FakeVault(policies={"lab--t--a": unmarked}, roles={("jwt", "lab--t--a"): foreign_role})
    refused = VaultSync(client, vault_bundle()).converge()
    assert [r["outcome"] for r in refused] == ["failed", "failed"] and refused[0]["msg"].endswith(HINT)
    planned = VaultSync(client, vault_bundle(), check=True, adopt=True).converge()
    assert [(r["outcome"], r["adoption"]) for r in planned] == [("adopted", "would adopt")] * 2
    assert client.writes == []
    applied = VaultSync(client, vault_bundle(), adopt=True).converge()
    assert [r["outcome"] for r in applied] == ["adopted", "adopted"]
    assert client.policies["lab--t--a"] == POLICY
    assert client.roles[("jwt", "lab--t--a")]["token_policies"] == ["lab--t--a"]
    assert [r["outcome"] for r in VaultSync(client, vault_bundle()).converge()] == ["unchanged", "unchanged"]

    other = FakeVault(policies={"lab--t--a": ownership.policy_header("other", "t", "a") + "\n"})
    res = VaultSync(other, vault_bundle(), adopt=True).converge()
    assert [r["outcome"] for r in res] == ["failed", "failed"] and other.writes == []
    assert "owned by fleet 'other'" in res[0]["msg"]


def test_consul_unmarked_entry_is_adopted_another_fleets_never():
    desired = {"Kind": "service-defaults", "Name": "lab--t--a", "Protocol": "http",
               "Meta": {"agentfleet_fleet": "lab", "agentfleet_tenant": "t"}}
    bundle = {"fleet": "lab", "agents": {"t/a": {"service": "lab--t--a"}}, "consul_entries": [desired]}
    client = FakeConsul([{"Kind": "service-defaults", "Name": "lab--t--a", "Protocol": "tcp"}])
    assert ConsulSync(client, bundle).converge()[0]["msg"].endswith(HINT)
    planned = ConsulSync(client, bundle, check=True, adopt=True).converge()[0]
    assert (planned["outcome"], planned["adoption"], client.writes) == ("adopted", "would adopt", [])
    assert ConsulSync(client, bundle, adopt=True).converge()[0]["outcome"] == "adopted"
    assert ownership.meta_owned(client.entries[("service-defaults", "lab--t--a")], "lab")
    assert ConsulSync(client, bundle).converge()[0]["outcome"] == "unchanged"

    theirs = FakeConsul([dict(desired, Meta={"agentfleet_fleet": "other"})])
    res = ConsulSync(theirs, bundle, adopt=True).converge()[0]
    assert res["outcome"] == "failed" and theirs.writes == [] and "owned by fleet 'other'" in res["msg"]


def test_report_counts_adopted_objects_as_changes_and_says_would_adopt_in_check_mode():
    applied = [{"object": "vault_policy", "name": "lab--t--a", "agent": "t/a", "outcome": "adopted",
                "adoption": "would adopt"},
               {"object": "namespace", "name": "t", "agent": None, "outcome": "adopted", "adoption": "would adopt"},
               {"object": "job", "name": "a", "agent": "t/a", "outcome": "unchanged"}]
    rep = build_report(["t/a"], applied)
    assert rep["agents"]["t/a"]["status"] == "updated"
    assert rep["agents"]["t/a"]["changed_objects"] == ["vault_policy lab--t--a (would adopt)"]
    assert rep["fleet"]["changed_objects"] == ["namespace t (would adopt)"]
