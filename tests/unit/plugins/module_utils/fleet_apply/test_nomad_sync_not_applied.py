"""NomadSync.not_applied_jobs: after a tenancy failure every job says why it was not applied."""
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.nomad_sync import NomadSync
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeNomad


def job(tenant, agent):
    return {"tenant": tenant, "agent": agent, "kind": "service", "namespace": tenant, "job_id": agent,
            "autoscaled": False, "job": {"Job": {"ID": agent}}}


BUNDLE = {"fleet": "lab", "agents": {}, "namespaces": [{"Name": "a"}, {"Name": "b"}],
          "jobs": [job("a", "x"), job("b", "y")]}


def test_each_job_gets_its_own_namespace_failure_or_the_first_one():
    tenancy = [{"object": "namespace", "name": "a", "agent": None, "outcome": "failed",
                "msg": "namespace 'a' exists and is not owned by fleet 'lab'; refusing to change it"},
               {"object": "namespace", "name": "b", "agent": None, "outcome": "created"}]
    out = NomadSync(FakeNomad(), BUNDLE).not_applied_jobs(tenancy)
    assert [(r["agent"], r["outcome"], r["changed"]) for r in out] == [("a/x", "not_applied", False),
                                                                       ("b/y", "not_applied", False)]
    assert out[0]["msg"] == ("not applied: namespace a failed first: namespace 'a' exists and is not owned "
                             "by fleet 'lab'; refusing to change it")
    assert out[1]["msg"].startswith("not applied: namespace a failed first")  # b's own namespace was fine
    assert NomadSync(FakeNomad(), BUNDLE).not_applied_jobs(tenancy[1:]) == []


def test_when_nomad_is_down_jobs_point_to_the_failure_instead_of_repeating_it():
    long = "Nomad GET /v1/namespace/a: cannot connect to Nomad at http://127.0.0.1:1: connection refused; ..."
    tenancy = [{"object": "namespace", "name": "a", "agent": None, "outcome": "failed", "msg": long}]
    client = FakeNomad()
    client.down = "Nomad at http://127.0.0.1:1 is not answering: 1 calls in a row failed (last: ...)"
    out = NomadSync(client, BUNDLE).not_applied_jobs(tenancy)
    assert [r["msg"] for r in out] == ["not applied: namespace a failed first (Nomad is not answering; that "
                                       "failure says why)"] * 2
    assert all(long not in r["msg"] for r in out)
