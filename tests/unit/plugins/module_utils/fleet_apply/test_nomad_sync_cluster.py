"""NomadSync against the Nomad contract server: warnings per agent, no wait for a
deployment that never comes (count 0), prune that waits for stopped jobs."""
import time

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import nomad_sync as NS
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.nomad_sync import NomadSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadClient

FLEET = "lab"


def _job(tenant, name, count=1, memory_max=None):
    resources = {"CPU": 100, "MemoryMB": 128}
    if memory_max:
        resources["MemoryMaxMB"] = memory_max
    return {"ID": name, "Name": name, "Type": "service", "Namespace": tenant, "Datacenters": ["dc1"],
            "Meta": {"agentfleet_fleet": FLEET, "agentfleet_tenant": tenant, "agentfleet_agent": name},
            "TaskGroups": [{"Name": name, "Count": count,
                            "Tasks": [{"Name": name, "Driver": "docker", "Resources": resources,
                                       "Config": {"image": "registry.local/agent:1"}}]}]}


def bundle(*jobs):
    tenants = sorted({j["Namespace"] for j in jobs})
    return {"fleet": FLEET, "agents": {}, "quotas": [], "acl_policies": [],
            "namespaces": [{"Name": t, "Description": "agentfleet %s tenant %s" % (FLEET, t),
                            "Meta": {"agentfleet_fleet": FLEET}} for t in tenants],
            "jobs": [{"namespace": j["Namespace"], "job_id": j["ID"], "tenant": j["Namespace"],
                      "agent": j["ID"], "kind": "service", "job": {"Job": j}} for j in jobs]}


def make_sync(server, data):
    client = NomadClient({"address": server.addr, "token": server.management_token, "retries": 0,
                          "timeout": 10})
    return NomadSync(client, data, concurrency=4)


def apply(server, data):
    sync = make_sync(server, data)
    results = sync.converge_tenancy() + sync.converge_jobs()
    assert not [r for r in results if r["outcome"] == "failed"], results
    return sync, results


def test_nomad_warnings_reach_the_operator_per_agent(nomad_api):
    _sync, results = apply(nomad_api, bundle(_job("t1", "big", memory_max=512), _job("t1", "small")))
    jobs = {r["name"]: r for r in results if r["object"] == "job"}
    assert "nomad_warnings" not in jobs["small"]
    assert NS.warning_messages(results) == [
        'agent t1/big (Nomad job t1/big): Memory oversubscription is not enabled; Task "big.big" '
        'memory_max value will be ignored. Update the Scheduler Configuration to allow oversubscription.']


def test_count_zero_agent_does_not_wait_for_a_deployment(nomad_api):
    sync, results = apply(nomad_api, bundle(_job("t1", "idle", count=0)))
    job = next(r for r in results if r["object"] == "job")
    assert job["outcome"] == "created"
    started = time.monotonic()
    waits = sync.wait([{"namespace": "t1", "job_id": "idle", "agent": "t1/idle",
                        "job_modify_index": job["job_modify_index"]}], timeout=3, interval=0.05)
    assert time.monotonic() - started < 1
    assert waits[0]["outcome"] == "successful"
    assert waits[0]["msg"] == ("no deployment to wait for: every task group has count 0: nothing to place, "
                               "so Nomad creates no deployment")


@pytest.fixture
def slow_stop(nomad_api_factory):
    return nomad_api_factory(stop_delay=0.6)


def test_prune_waits_for_stopped_jobs_before_deleting_their_namespace(slow_stop):
    apply(slow_stop, bundle(_job("t1", "keep"), _job("t2", "gone-a"), _job("t2", "gone-b")))
    sync = make_sync(slow_stop, bundle(_job("t1", "keep")))
    results = sync.prune(timeout=10, interval=0.05)
    outcomes = {(r["object"], r["name"]): r for r in results}
    assert outcomes[("job", "gone-a")]["outcome"] == "deleted"
    waited = outcomes[("prune_wait", "stopped jobs")]
    assert waited["outcome"] == "waited" and waited["jobs"] == 2 and 0.3 <= waited["seconds"] < 10
    assert "for 2 stopped job(s) to become terminal" in waited["msg"]
    assert outcomes[("namespace", "t2")]["outcome"] == "deleted"
    assert sync.client.request("GET", "/v1/namespace/t2", missing_ok=True) is None
    assert sync.client.request("GET", "/v1/namespace/t1", missing_ok=True) is not None


def test_prune_wait_is_bounded_and_names_the_jobs(nomad_api_factory):
    server = nomad_api_factory(stop_delay=30)
    apply(server, bundle(_job("t1", "keep"), _job("t2", "stuck")))
    sync = make_sync(server, bundle(_job("t1", "keep")))
    started = time.monotonic()
    results = sync.prune(timeout=0.5, interval=0.05)
    assert time.monotonic() - started < 3
    outcomes = {(r["object"], r["name"]): r for r in results}
    waited = outcomes[("prune_wait", "stopped jobs")]
    assert waited["outcome"] == "failed" and waited["pending"] == ["t2/stuck (status running)"]
    assert waited["msg"].startswith("timed out after 0.5s waiting for 1 of 1 stopped job(s) to become terminal")
    ns = outcomes[("namespace", "t2")]
    assert ns["outcome"] == "failed" and "t2/stuck (status running)" in ns["msg"]
    assert sync.client.request("GET", "/v1/namespace/t2", missing_ok=True) is not None
