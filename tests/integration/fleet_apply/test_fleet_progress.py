"""Progress while fleet.yml waits for deployments, and how each one ended, as an operator
sees them: the text of ``ansible-playbook`` under the default callback, normal verbosity."""
import copy
import re

import pytest

from tests.integration.fleet_apply.conftest import Stack
from tests.integration.fleet_apply.helpers import agent, run_fleet

WAIT_BANNER = "TASK [agentfleet.hashistack.agent_fleet : Wait for the deployments of the changed jobs]"
SETTLE_S = 4  # every simulated deployment takes this long to become healthy


@pytest.fixture
def slow_stack(openbao, nomad_api_factory, consul_api):
    return Stack(openbao, nomad_api_factory(settle_delay=SETTLE_S), consul_api, "progress")


def wait_output(run):
    """The lines printed while the wait task ran: after its banner, before the next one."""
    text = run.stdout
    assert WAIT_BANNER in text, run
    after = text.split(WAIT_BANNER, 1)[1]
    return after.split("\nTASK [", 1)[0].splitlines()


def test_a_slow_deployment_shows_progress_lines_then_its_duration(slow_stack, tmp_path):
    stack = slow_stack
    run = run_fleet(stack.spec(), tmp_path / "apply", stack.env, callback="default",
                    extra={"agent_fleet_progress_interval": 1})
    assert run.rc == 0, run
    lines = wait_output(run)
    progress = [line for line in lines if re.fullmatch(
        r"research/retriever: deployment [0-9a-f]{8} running: retriever 2/2 placed, \d healthy, 0 unhealthy "
        r"\[\d+\.\d s\]", line)]
    assert len(progress) >= 2, "\n".join(lines)
    done = [re.fullmatch(r"research/retriever: deployment ([0-9a-f]{8}) successful in (\d+\.\d) s \(2/2 healthy\)",
                         line) for line in lines]
    done = [m for m in done if m]
    assert len(done) == 1, "\n".join(lines)
    assert float(done[0].group(2)) > 0
    # the progress lines come before the outcome and name the same deployment
    outcome_at = next(i for i, line in enumerate(lines) if done[0].group(0) == line)
    assert all(lines.index(line) < outcome_at and done[0].group(1) in line for line in progress)
    # every changed agent's wait ends with one outcome line (jobs without a deployment at once)
    ended = [re.match(r"(\S+/\S+): (deployment [0-9a-f]{8} successful in|nothing to wait for)", line)
             for line in lines]
    ended = sorted(m.group(1) for m in ended if m)
    spec = stack.spec()
    assert ended == sorted("%s/%s" % (tenant, a["name"]) for tenant, t in spec["tenants"].items()
                           for a in t["agents"]), "\n".join(lines)
    # and the report keeps the duration
    assert re.search(r"research/retriever: (created|updated) \[deployed in \d+\.\d s\]", run.stdout), run


def test_identical_allocation_failures_are_printed_once_with_a_count(stack, tmp_path):
    spec = stack.spec()
    assert run_fleet(spec, tmp_path / "apply", stack.env).rc == 0
    broken = copy.deepcopy(spec)
    agent(broken, "research", "embedder").update(version="0.9.1", update={"auto_revert": False})
    stack.nomad.set_deployment_outcome("embedder", "failed", namespace="research",
                                       failed_task_event="image not found: embedder:0.9.1")
    run = run_fleet(broken, tmp_path / "broken", stack.env, callback="default")
    assert run.rc != 0, run
    lines = wait_output(run)
    head = [line for line in lines if re.fullmatch(
        r"research/embedder: deployment [0-9a-f]{8} failed after \d+\.\d s: Failed due to unhealthy allocations",
        line)]
    assert len(head) == 1, "\n".join(lines)
    # both allocations (count 2) failed alike: one line per task (the simulated client fails
    # the Connect sidecar task with the same event), each with the count
    grouped = [line for line in lines if line.startswith("research/embedder:   ")]
    assert "research/embedder:   2\u00d7 task 'embedder' failed: Driver Failure: image not found: embedder:0.9.1" \
        in grouped, "\n".join(lines)
    assert grouped and all(re.match(r"research/embedder:   2\u00d7 task '", line) for line in grouped), grouped
    assert len(grouped) == len(set(grouped))


def test_the_report_keeps_durations_and_grouped_failures(stack, tmp_path):
    spec = stack.spec()
    assert run_fleet(spec, tmp_path / "apply", stack.env).rc == 0
    broken = copy.deepcopy(spec)
    agent(broken, "research", "embedder").update(version="0.9.1", update={"auto_revert": False})
    agent(broken, "research", "retriever")["version"] = "1.4.3"
    stack.nomad.set_deployment_outcome("embedder", "failed", namespace="research",
                                       failed_task_event="image not found: embedder:0.9.1")
    run = run_fleet(broken, tmp_path / "broken", stack.env)
    assert run.rc != 0, run
    rep = run.result("agentfleet.hashistack.agent_fleet : Build the per-agent report")["ansible_facts"][
        "agent_fleet_report"]
    embedder, retriever = rep["agents"]["research/embedder"], rep["agents"]["research/retriever"]
    assert embedder["status"] == "failed" and embedder["deployment"]["outcome"] == "failed"
    by_task = {g["task"]: g for g in embedder["failure_groups"]}
    assert (by_task["embedder"]["count"], by_task["embedder"]["event"], by_task["embedder"]["message"]) == \
        (2, "Driver Failure", "image not found: embedder:0.9.1")
    assert all(len(g["allocations"]) == g["count"] == 2 for g in embedder["failure_groups"])
    assert "2\u00d7 task 'embedder' failed" in " ".join(embedder["reasons"])
    assert retriever["status"] == "updated" and retriever["deployment"]["outcome"] == "successful"
    assert retriever["deployment"]["seconds"] >= 0 and retriever["deployment"]["healthy"] == 2
    assert rep["counts"]["failed"] == 1 and rep["counts"]["updated"] == 1 and rep["total"] == 7
