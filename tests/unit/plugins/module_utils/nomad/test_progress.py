"""Progress and outcome lines of deployment waits, with a fake clock."""
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad import progress as P
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.deploy import deployment_summary


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def details(status="running", **groups):
    dep = {"ID": "3f2a1b9c-0000-4000-8000-000000000001", "Status": status, "JobVersion": 2,
           "TaskGroups": groups or {"agent": {"DesiredTotal": 3, "PlacedAllocs": 3, "HealthyAllocs": 1,
                                              "UnhealthyAllocs": 0}}}
    return {"deployment": deployment_summary(dep), "allocations": None}


def test_a_line_names_the_agent_the_deployment_and_each_group_counts():
    text = P.state_text(details(agent={"DesiredTotal": 3, "PlacedAllocs": 2, "HealthyAllocs": 1,
                                       "UnhealthyAllocs": 1, "DesiredCanaries": 2,
                                       "PlacedCanaries": ["c1"], "Promoted": False},
                                sidecar={"DesiredTotal": 1, "PlacedAllocs": 1, "HealthyAllocs": 1}))
    assert P.progress_line("research/retriever", text, 4.04) == (
        "research/retriever: deployment 3f2a1b9c running: agent 2/3 placed, 1 healthy, 1 unhealthy, "
        "canaries 1/2 placed, not promoted; sidecar 1/1 placed, 1 healthy, 0 unhealthy [4.0 s]")


def test_before_the_deployment_exists_the_allocations_are_shown():
    assert P.state_text({"deployment": None, "allocations": {"pending": 2}}) == \
        "waiting for Nomad to create the deployment (allocations: 2 pending)"
    assert P.state_text({"deployment": None, "allocations": None}) == "waiting for Nomad to create the deployment"


def test_first_state_at_once_then_at_most_one_line_per_interval_per_agent():
    out, clock = [], Clock()
    lines = P.ProgressLines(out.append, interval=10, clock=clock)
    lines.update("t/a", details(), 0.0)
    lines.update("t/b", details(), 0.0)
    clock.now += 4
    lines.update("t/a", details(agent={"DesiredTotal": 3, "PlacedAllocs": 3, "HealthyAllocs": 2}), 4.0)
    assert [line.split(":")[0] for line in out] == ["t/a", "t/b"]  # the change waits for the interval
    clock.now += 6
    lines.update("t/a", details(agent={"DesiredTotal": 3, "PlacedAllocs": 3, "HealthyAllocs": 2}), 10.0)
    assert len(out) == 3 and "2 healthy" in out[2] and out[2].endswith("[10.0 s]")
    clock.now += 9.9
    lines.update("t/a", details(), 19.9)
    assert len(out) == 3
    clock.now += 0.1
    lines.update("t/a", details(), 20.0)  # nothing changed, but the interval passed: still waiting
    assert len(out) == 4


def test_interval_zero_prints_no_progress_but_the_outcome():
    out = []
    lines = P.ProgressLines(out.append, interval=0, clock=Clock())
    lines.update("t/a", details(), 0.0)
    assert out == []
    lines.outcome({"agent": "t/a", "outcome": "successful", "deployment_id": "3f2a1b9c-1", "seconds": 12.43,
                   "healthy": 3, "desired": 3})
    assert out == ["t/a: deployment 3f2a1b9c successful in 12.4 s (3/3 healthy)"]


def test_no_output_callable_prints_nothing():
    lines = P.ProgressLines(None, interval=1, clock=Clock())
    lines.update("t/a", details(), 0.0)
    lines.outcome({"agent": "t/a", "outcome": "successful"})


def test_failed_outcome_groups_identical_allocation_failures():
    res = {"agent": "research/embedder", "outcome": "failed", "deployment_id": "5e9d0a17-aaaa", "seconds": 8.1,
           "status_description": "Failed due to unhealthy allocations", "healthy": 0, "desired": 2,
           "failure_groups": [{"count": 2, "task": "embedder", "event": "Driver Failure",
                               "message": "image not found", "allocations": ["x", "y"]}]}
    assert P.outcome_lines(res) == [
        "research/embedder: deployment 5e9d0a17 failed after 8.1 s: Failed due to unhealthy allocations",
        "research/embedder:   2\u00d7 task 'embedder' failed: Driver Failure: image not found"]


def test_other_outcomes_read_as_such():
    base = {"agent": "t/a", "deployment_id": "abcdef012345", "seconds": 5.0, "healthy": 1, "desired": 3}
    assert P.outcome_lines(dict(base, outcome="timeout")) == [
        "t/a: deployment abcdef01 not finished after 5.0 s (timeout; 1/3 healthy)"]
    assert P.outcome_lines(dict(base, outcome="awaiting_promotion", groups=["web"])) == [
        "t/a: deployment abcdef01 canaries healthy after 5.0 s, awaiting promotion of web"]
    assert P.outcome_lines(dict(base, outcome="reverted", status_description="Failed - rolling back to job "
                                "version 1")) == [
        "t/a: deployment abcdef01 failed after 5.0 s and was rolled back: Failed - rolling back to job version 1"]
    assert P.outcome_lines({"agent": "t/a", "outcome": "timeout", "seconds": 5.0}) == [
        "t/a: deployment not finished after 5.0 s (timeout)"]
    assert P.outcome_lines({"agent": "t/a", "outcome": "successful", "msg": "no deployment to wait for: x"}) == [
        "t/a: no deployment to wait for: x"]
    assert P.outcome_lines({"agent": "t/a", "outcome": "failed", "msg": "HTTP 500"}) == [
        "t/a: deployment failed after 0.0 s: HTTP 500"]
