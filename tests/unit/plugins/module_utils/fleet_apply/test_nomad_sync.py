"""NomadSync.wait: each changed job's own deployment decides its outcome."""
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.nomad_sync import NomadSync, job_owner
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeNomad

SERVICE = {"ID": "svc", "Namespace": "t", "Type": "service", "Version": 3,
           "TaskGroups": [{"Name": "svc", "Update": {"MaxParallel": 1}}]}
FAILED_ALLOC = {"ID": "alloc-1234567890", "TaskGroup": "svc", "JobVersion": 2, "ClientStatus": "failed",
                "TaskStates": {"svc": {"Failed": True, "Events": [
                    {"Type": "Driver Failure", "DisplayMessage": "image pull failed: manifest unknown"},
                    {"Type": "Not Restarting", "DisplayMessage": "Exceeded allowed attempts 2"}]}}}


def dep(version, index, status, desc="", groups=None):
    # NewDeployment (nomad/structs/deployment.go): JobSpecModifyIndex is the job's JobModifyIndex.
    return {"ID": "dep-%d" % version, "JobVersion": version, "JobModifyIndex": index, "JobSpecModifyIndex": index,
            "Status": status,
            "StatusDescription": desc, "TaskGroups": groups or {}}


def sync(client):
    return NomadSync(client, {"fleet": "lab", "agents": {}}, concurrency=2)


def ref(index=None):
    out = {"namespace": "t", "job_id": "svc", "agent": "t/svc"}
    if index is not None:
        out["job_modify_index"] = index
    return out


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_reverted_deployment_is_found_by_its_job_modify_index():
    # Version 2 (index 20) failed and auto_revert registered version 3 already.
    client = FakeNomad([SERVICE], {"svc": [dep(3, 30, "successful"), dep(
        2, 20, "failed", "Failed due to unhealthy allocations - rolling back to job version 1")]},
        {"svc": [FAILED_ALLOC]})
    [res] = sync(client).wait([ref(20)], timeout=5)
    assert res["outcome"] == "reverted" and res["job_version"] == 2
    assert "manifest unknown" in res["reason"] and "rolling back" in res["reason"]
    assert res["failed_allocations"][0]["id"] == "alloc-1234567890"


def test_failed_without_revert_and_successful():
    client = FakeNomad([SERVICE], {"svc": [dep(3, 30, "failed", "Failed due to unhealthy allocations")]})
    assert sync(client).wait([ref(30)], timeout=5)[0]["outcome"] == "failed"
    client = FakeNomad([SERVICE], {"svc": [dep(3, 30, "successful")]})
    assert sync(client).wait([ref()], timeout=5)[0]["outcome"] == "successful"


def test_canaries_waiting_for_an_operator_are_not_a_failure():
    groups = {"svc": {"DesiredCanaries": 1, "HealthyAllocs": 1, "Promoted": False, "AutoPromote": False}}
    client = FakeNomad([SERVICE], {"svc": [dep(3, 30, "running", "requires manual promotion", groups)]})
    [res] = sync(client).wait([ref(30)], timeout=5)
    assert res["outcome"] == "awaiting_promotion" and res["groups"] == ["svc"]


def test_timeout_is_reported_with_the_deadline():
    client = FakeNomad([SERVICE], {"svc": [dep(3, 30, "running")]})
    clock = Clock()
    [res] = sync(client).wait([ref(30)], timeout=3, interval=1, clock=clock, sleep=clock.sleep)
    assert res["outcome"] == "timeout" and "within 3s" in res["reason"]
    assert client.calls == 4  # polls at t=0,1,2,3


def test_jobs_without_deployments_need_no_wait():
    batch = dict(SERVICE, Type="batch")
    no_update = dict(SERVICE, TaskGroups=[{"Name": "svc"}])
    for job in (batch, no_update, dict(SERVICE, Periodic={"Spec": "* * * * *"})):
        client = FakeNomad([job])
        assert sync(client).wait([ref(30)], timeout=5)[0]["outcome"] == "successful"
        assert client.calls == 0


def test_job_owner_names_the_fleet():
    assert job_owner("lab") == "agentfleet.fleet/lab"


def test_plan_is_skipped_only_when_nothing_changed_since_the_last_run():
    job = {"ID": "svc", "Name": "svc", "Namespace": "t", "Type": "service", "Meta": {"agentfleet_fleet": "lab"}}
    bundle = {"fleet": "lab", "agents": {"t/svc": {"namespace": "t", "job_id": "svc"}},
              "jobs": [{"tenant": "t", "agent": "svc", "kind": "service", "namespace": "t", "job_id": "svc",
                        "autoscaled": False, "job": {"Job": job}}]}
    client = FakeNomad()
    first = NomadSync(client, bundle)
    assert first.converge_jobs()[0]["outcome"] == "created"
    known = first.observed
    assert known["t/svc"]["index"] == 10
    # Same desired job, same live index: no plan call at all.
    again = NomadSync(client, bundle, known=known)
    res = again.converge_jobs()[0]
    assert res["outcome"] == "unchanged" and "skipped" in res["plan"] and getattr(client, "plans", 0) == 1
    # Someone changed the job (index bumped): planned again, and the change is reverted.
    client.jobs[("t", "svc")].update(JobModifyIndex=99, Priority=10)
    res = NomadSync(client, bundle, known=known).converge_jobs()[0]
    assert res["outcome"] == "updated" and client.plans == 2
    live_index = client.jobs[("t", "svc")]["JobModifyIndex"]
    # A different desired job (digest) is always planned, and check mode never skips.
    NomadSync(client, bundle, known={"t/svc": {"digest": "stale", "index": live_index}}).converge_jobs()
    assert client.plans == 3
    current = NomadSync(client, bundle, known=known)
    current.converge_jobs()
    fresh = current.observed
    assert fresh["t/svc"]["index"] == live_index
    NomadSync(client, bundle, known=fresh).converge_jobs()
    assert client.plans == 4  # the run above planned once more (index changed); this one skipped
    NomadSync(client, bundle, check=True, known=fresh).converge_jobs()
    assert client.plans == 5


def test_progress_lines_while_waiting_then_the_outcome_with_its_duration():
    running = {"svc": {"DesiredTotal": 2, "PlacedAllocs": 2, "HealthyAllocs": 1, "UnhealthyAllocs": 0}}
    done = {"svc": dict(running["svc"], HealthyAllocs=2)}
    client = FakeNomad([SERVICE])
    polls = iter([[]] + [[dep(3, 30, "running", groups=running)]] * 4 + [[dep(3, 30, "successful", groups=done)]])
    client.request = lambda *a, **k: next(polls)
    clock, out = Clock(), []
    [res] = sync(client).wait([ref(30)], timeout=30, interval=1, clock=clock, sleep=clock.sleep,
                              progress=out.append, progress_interval=2)
    assert res["outcome"] == "successful" and res["seconds"] == 5.0
    assert (res["healthy"], res["desired"], res["deployment_id"]) == (2, 2, "dep-3")
    assert out == [
        "t/svc: waiting for Nomad to create the deployment [0.0 s]",
        "t/svc: deployment dep-3 running: svc 2/2 placed, 1 healthy, 0 unhealthy [2.0 s]",
        "t/svc: deployment dep-3 running: svc 2/2 placed, 1 healthy, 0 unhealthy [4.0 s]",
        "t/svc: deployment dep-3 successful in 5.0 s (2/2 healthy)"]


def test_a_failed_deployment_counts_identical_allocation_failures_once():
    allocs = [dict(FAILED_ALLOC, ID="alloc-%d" % i, JobVersion=3) for i in range(3)]
    client = FakeNomad([SERVICE], {"svc": [dep(3, 30, "failed", "Failed due to unhealthy allocations")]},
                       {"svc": allocs})
    out = []
    [res] = sync(client).wait([ref(30)], timeout=5, progress=out.append)
    assert res["outcome"] == "failed"
    assert [(g["count"], g["event"], g["message"]) for g in res["failure_groups"]] == [
        (3, "Driver Failure", "image pull failed: manifest unknown")]
    assert res["reason"] == ("Failed due to unhealthy allocations | "
                             "3\u00d7 task 'svc' failed: Driver Failure: image pull failed: manifest unknown")
    assert out[-1].splitlines()[1] == \
        "t/svc:   3\u00d7 task 'svc' failed: Driver Failure: image pull failed: manifest unknown"


def test_a_wait_that_raises_still_prints_its_outcome():
    client = FakeNomad([SERVICE])

    def broken(*_args, **_kwargs):
        raise RuntimeError("connection reset")
    client.get_job = broken
    out = []
    [res] = sync(client).wait([ref(30)], timeout=5, progress=out.append)
    assert res["outcome"] == "failed" and out == ["t/svc: deployment failed after 0.0 s: RuntimeError: connection reset"]
