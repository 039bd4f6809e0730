"""playbooks/runbooks/nomad-drain.yml against the Nomad contract server with three clients
(c1, c2 in pool default; g1 alone in pool gpu)."""
import time

import pytest
import requests

from tests.integration.runbooks.hashistack import failure, run_runbook

pytestmark = pytest.mark.integration

NODES = [{"Name": "c1"}, {"Name": "c2"}, {"Name": "g1", "NodePool": "gpu"}]
JOB = {"ID": "web", "Name": "web", "Type": "service", "Datacenters": ["dc1"],
       "TaskGroups": [{"Name": "app", "Count": 2, "Tasks": [
           {"Name": "main", "Driver": "docker", "Config": {"image": "nginx:1.27"}}]}]}


def _get(api, path):
    answer = requests.get(api.addr + path, headers={"X-Nomad-Token": api.management_token}, timeout=5)
    answer.raise_for_status()
    return answer.json()


def _live(api, node_id):
    return [a for a in _get(api, f"/v1/node/{node_id}/allocations")
            if a["DesiredStatus"] == "run" and a["ClientStatus"] not in ("complete", "failed", "lost")]


@pytest.fixture
def cluster(nomad_api_factory):
    api = nomad_api_factory(nodes=NODES)
    requests.post(api.addr + "/v1/jobs", json={"Job": JOB}, timeout=5,
                  headers={"X-Nomad-Token": api.management_token}).raise_for_status()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if [a["ClientStatus"] for a in _get(api, "/v1/job/web/allocations")] == ["running", "running"]:
            break
        time.sleep(0.05)
    ids = {n["Name"]: n["ID"] for n in _get(api, "/v1/nodes")}
    return api, ids


def _run(api, tmp_path, check=False, verbosity=0, callback="json", **extra):
    return run_runbook("nomad-drain.yml", tmp_path, api.env, check=check, verbosity=verbosity,
                       callback=callback, extra_vars={"drain_deadline_seconds": 60, "drain_wait_seconds": 20,
                                                      "drain_poll_seconds": 1, **extra})


def test_drain_and_return(cluster, tmp_path):
    api, ids = cluster
    assert len(_live(api, ids["c1"])) == 1
    marker = tmp_path / "hook-ran"

    run = _run(api, tmp_path / "check", check=True, node="c1")
    assert run.rc == 0, run
    assert run.result("Show the plan")["msg"].startswith(f"Would drain node c1 ({ids['c1']}, pool default, 1 live")
    node = _get(api, f"/v1/node/{ids['c1']}")
    assert node["SchedulingEligibility"] == "eligible" and node["LastDrain"] is None

    run = _run(api, tmp_path / "apply", verbosity=3, callback="default", node="c1",
               maintenance_command=f"touch {marker}")
    assert run.rc == 0, run
    assert api.management_token not in run.output
    assert marker.exists()
    node = _get(api, f"/v1/node/{ids['c1']}")
    assert node["SchedulingEligibility"] == "eligible" and node["DrainStrategy"] is None
    assert node["LastDrain"]["Status"] == "complete"
    assert node["LastDrain"]["Meta"] == {"message": "drained by playbooks/runbooks/nomad-drain.yml"}
    assert _live(api, ids["c1"]) == []
    assert len(_live(api, ids["c2"])) == 2


def test_refuses_the_last_eligible_client_of_a_pool_and_an_unhealthy_cluster(cluster, tmp_path):
    api, ids = cluster
    # c2 made ineligible: c1 is the last eligible client of pool default (g1 is in pool gpu)
    requests.post(f"{api.addr}/v1/node/{ids['c2']}/eligibility", json={"Eligibility": "ineligible"},
                  headers={"X-Nomad-Token": api.management_token}, timeout=5).raise_for_status()
    run = _run(api, tmp_path / "last", node="c1")
    assert run.rc != 0
    assert failure(run).startswith(
        'refusing to drain node c1: it is the last eligible client of node pool "default", so its 1 '), run
    node = _get(api, f"/v1/node/{ids['c1']}")
    assert node["SchedulingEligibility"] == "eligible" and node["LastDrain"] is None

    api.set_leader("")
    run = _run(api, tmp_path / "leaderless", node="g1")
    assert run.rc != 0 and failure(run).startswith("cluster not healthy, nothing changed: nomad at"), run
    assert _get(api, f"/v1/node/{ids['g1']}")["LastDrain"] is None
