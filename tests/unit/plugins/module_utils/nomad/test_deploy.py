"""wait_for_job with a scripted client double and a fake clock."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad import deploy as D


class FakeClient:
    def __init__(self, deployments=(), allocations=()):
        self.deployments = list(deployments)
        self.allocations = list(allocations)
        self.promoted = []
        self.history = []

    def job_deployments(self, job_id, namespace):
        """The scripted deployment of this poll (one per call, the last one repeats), then history."""
        current = self.deployments.pop(0) if len(self.deployments) > 1 else (self.deployments or [None])[0]
        return ([current] if current else []) + list(self.history)

    def job_allocations(self, job_id, namespace):
        return self.allocations.pop(0) if len(self.allocations) > 1 else (self.allocations or [[]])[0]

    def promote_deployment(self, dep_id, namespace, groups=None):
        self.promoted.append(dep_id)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def dep(status, version=1, **groups):
    return {"ID": "d1", "Status": status, "JobVersion": version, "StatusDescription": status + " desc",
            "TaskGroups": groups or {"g": {"DesiredTotal": 1, "HealthyAllocs": 1}}}


def wait(client, job_type="service", promote="never", timeout=10):
    clock = Clock()
    return D.wait_for_job(client, "j", "default", job_type, {"version": 1}, timeout, 1.0, promote,
                          clock=clock, sleep=clock.sleep)


FAILED_ALLOC = {"ID": "a1", "JobVersion": 1, "TaskGroup": "g", "ClientStatus": "failed",
                "TaskStates": {"t": {"Failed": True, "Events": [
                    {"Type": "Driver Failure", "DisplayMessage": "image pull failed"}]}}}


def test_successful_deployment_after_running():
    client = FakeClient([dep("running"), dep("running"), dep("successful")])
    details = wait(client)
    assert details["deployment"]["status"] == "successful"


def test_old_version_deployment_is_ignored():
    client = FakeClient([dep("successful", version=0), dep("successful", version=1)])
    assert wait(client)["deployment"]["job_version"] == 1


def test_failure_is_reported_after_auto_revert_registered_a_newer_version():
    failed = dict(dep("failed", version=1), ID="d1", CreateIndex=10,
                  StatusDescription="Failed due to unhealthy allocations - rolling back to job version 0")
    revert = dict(dep("running", version=2), ID="d2", CreateIndex=12)
    client = FakeClient([revert], [[FAILED_ALLOC]])
    client.history = [revert, failed]
    with pytest.raises(D.WaitFailed) as err:
        wait(client)
    assert "rolling back to job version 0" in str(err.value)
    assert err.value.details["deployment"]["id"] == "d1"
    assert err.value.details["failed_allocations"][0]["id"] == "a1"


def test_failed_deployment_reports_task_events():
    client = FakeClient([dep("failed")], [[FAILED_ALLOC]])
    with pytest.raises(D.WaitFailed) as info:
        wait(client)
    assert "failed" in str(info.value)
    failed = info.value.details["failed_allocations"]
    assert failed[0]["tasks"]["t"] == [{"type": "Driver Failure", "message": "image pull failed"}]


def test_stuck_deployment_times_out_with_status():
    client = FakeClient([dep("running")], [[FAILED_ALLOC]])
    with pytest.raises(D.WaitFailed) as info:
        wait(client, timeout=5)
    assert "timed out after 5s" in str(info.value) and "running" in str(info.value)
    assert info.value.details["failed_allocations"][0]["id"] == "a1"


def test_canaries_promoted_automatically():
    canary = {"g": {"DesiredCanaries": 1, "HealthyAllocs": 1, "Promoted": False}}
    client = FakeClient([dep("running", **canary), dep("successful")])
    details = wait(client, promote="auto")
    assert client.promoted == ["d1"] and details["promoted"] == ["g"]


def test_canaries_left_for_operator_when_not_auto():
    canary = {"g": {"DesiredCanaries": 1, "HealthyAllocs": 1, "Promoted": False}}
    client = FakeClient([dep("running", **canary)])
    details = wait(client)
    assert client.promoted == [] and details["awaiting_promotion"] == ["g"]


def test_batch_complete_and_failed():
    done = {"ID": "a", "JobVersion": 1, "ClientStatus": "complete"}
    client = FakeClient(allocations=[[], [dict(done, ClientStatus="running")], [done]])
    assert wait(client, job_type="batch")["allocations"] == {"complete": 1}
    with pytest.raises(D.WaitFailed, match="failed allocations"):
        wait(FakeClient(allocations=[[done, FAILED_ALLOC]]), job_type="batch")


def test_a_purged_and_recreated_job_is_not_confused_with_its_old_deployment():
    """Drift fixed: the module wait matched by version from the latest deployment, so a
    job purged and registered again (versions restart at 0) saw the old incarnation's
    successful version-0 deployment and returned before its own deployment existed."""
    old = {"ID": "old", "Status": "successful", "JobVersion": 0, "JobCreateIndex": 5, "JobSpecModifyIndex": 5,
           "CreateIndex": 6, "TaskGroups": {}}
    new = dict(old, ID="new", Status="running", JobCreateIndex=40, JobSpecModifyIndex=40, CreateIndex=41)
    client = FakeClient([None, new, dict(new, Status="successful")])
    client.history = [old]  # still listed: LatestDeploymentByJobID does not filter by JobCreateIndex
    client.latest_deployment = lambda job_id, namespace: old
    clock = Clock()
    registration = D.registration_of({"Version": 0, "CreateIndex": 40, "JobModifyIndex": 40})
    details = D.wait_for_job(client, "j", "default", "service", registration, 10, 1.0, clock=clock, sleep=clock.sleep)
    assert details["deployment"]["id"] == "new" and details["deployment"]["status"] == "successful"
    assert clock.now == 2.0  # waited for its own deployment


def test_tracks_by_spec_index_else_version_and_create_index():
    dep_ = {"JobVersion": 2, "JobSpecModifyIndex": 30, "JobModifyIndex": 31, "JobCreateIndex": 10}
    assert D.tracks(dep_, D.registration_of({"Version": 2, "CreateIndex": 10}, job_modify_index=30))
    # the deployment's JobModifyIndex is the job's ModifyIndex, bumped by status updates: not compared
    assert not D.tracks(dep_, {"job_modify_index": 31})
    assert D.tracks(dep_, {"version": 2, "create_index": 10})
    assert not D.tracks(dep_, {"version": 2, "create_index": 3})


def test_auto_promote_canaries_are_left_to_nomad():
    """Drift fixed: the module wait ended with awaiting_promotion even when the groups
    promote themselves (update.auto_promote); the fleet wait kept waiting, as now both do."""
    canary = {"g": {"DesiredCanaries": 1, "HealthyAllocs": 1, "Promoted": False, "AutoPromote": True}}
    client = FakeClient([dep("running", **canary), dep("successful")])
    details = wait(client)
    assert client.promoted == [] and "awaiting_promotion" not in details
    assert details["deployment"]["status"] == "successful"


# -- the one "latest deployment" lookup ---------------------------------------

def test_latest_deployment_is_the_newest_by_create_index_of_the_job_list():
    class Listed:
        def __init__(self, deployments):
            self.deployments = deployments
            self.asked = []

        def job_deployments(self, job_id, namespace):
            self.asked.append((job_id, namespace))
            return self.deployments

    client = Listed([{"ID": "b", "CreateIndex": 7}, {"ID": "c", "CreateIndex": 12}, {"ID": "a", "CreateIndex": 3}])
    assert D.latest_deployment(client, "j", "ns")["ID"] == "c"
    assert client.asked == [("j", "ns")]
    assert D.latest_deployment(Listed([]), "j", "ns") is None
    assert D.latest_deployment(Listed(None), "j", "ns") is None


def test_job_info_reads_the_latest_deployment_from_the_job_list():
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.job_apply import job_info

    class Info(FakeClient):
        def get_job(self, job_id, namespace):
            return {"ID": job_id, "Type": "service", "Status": "running", "Version": 1}

    client = Info([dict(dep("running"), ID="new", CreateIndex=9)], [[]])
    client.history = [dict(dep("successful"), ID="old", CreateIndex=4)]
    assert job_info(client, "j", "default")["deployment"]["id"] == "new"


# -- grouped failures ----------------------------------------------------------

def failed(alloc_id, task="agent", events=(("Driver Failure", "image not found"),
                                           ("Not Restarting", "Exceeded allowed attempts 2"))):
    return {"ID": alloc_id, "JobVersion": 1, "TaskGroup": "g", "ClientStatus": "failed",
            "TaskStates": {task: {"Failed": True, "Events": [{"Type": t, "DisplayMessage": m} for t, m in events]}}}


def test_failure_cause_skips_what_followed_the_failure():
    events = [{"type": "Started", "message": "Task started by client"},
              {"type": "Terminated", "message": "Exit Code: 1"},
              {"type": "Restarting", "message": "Task restarting in 15s"},
              {"type": "Not Restarting", "message": "Exceeded allowed attempts 2"}]
    assert D.failure_cause(events) == ("Terminated", "Exit Code: 1")
    assert D.failure_cause(events[-1:]) == ("Not Restarting", "Exceeded allowed attempts 2")
    assert D.failure_cause([]) == (None, "")


def test_identical_failures_are_counted_once_over_all_allocations():
    allocs = [failed("a%d" % i) for i in range(7)] + [
        failed("b1", events=(("Failed Artifact Download", "404 Not Found"),)),
        failed("c1", task="sidecar")]
    groups = D.failure_groups(D.failed_allocations(allocs, 1, limit=None))
    assert [(g["count"], g["task"], g["event"], g["message"]) for g in groups] == [
        (7, "agent", "Driver Failure", "image not found"),
        (1, "agent", "Failed Artifact Download", "404 Not Found"),
        (1, "sidecar", "Driver Failure", "image not found")]
    assert groups[0]["allocations"] == ["a%d" % i for i in range(7)]
    assert D.failure_line(groups[0]) == "7\u00d7 task 'agent' failed: Driver Failure: image not found"
    assert D.failure_line({"count": 1, "task": "t", "event": None, "message": ""}) == \
        "1\u00d7 task 't' failed: no task event"


def test_a_failed_deployment_groups_every_failed_allocation_and_keeps_five_in_detail():
    client = FakeClient([dep("failed")], [[failed("a%d" % i) for i in range(8)]])
    with pytest.raises(D.WaitFailed) as info:
        wait(client)
    details = info.value.details
    assert len(details["failed_allocations"]) == 5
    assert [g["count"] for g in details["failure_groups"]] == [8]


# -- progress and duration -------------------------------------------------------

def test_progress_is_reported_after_each_poll_that_does_not_end_the_wait():
    seen = []
    client = FakeClient([None, dep("running", g={"DesiredTotal": 2, "PlacedAllocs": 1}), dep("successful")])
    clock = Clock()
    details = D.wait_for_job(client, "j", "default", "service", {"version": 1}, 10, 1.5, clock=clock,
                             sleep=clock.sleep, on_progress=lambda d, s: seen.append(
                                 (s, (d["deployment"] or {}).get("status"))))
    assert seen == [(0.0, None), (1.5, "running")]
    assert details["seconds"] == 3.0 and details["deployment"]["status"] == "successful"


def test_seconds_waited_is_kept_on_timeout():
    client = FakeClient([dep("running")])
    with pytest.raises(D.WaitFailed) as info:
        wait(client, timeout=3)
    assert info.value.details["timed_out"] and info.value.details["seconds"] == 3.0
    assert info.value.details["failure_groups"] == []
