"""Deployment and allocation simulation driven by the control API."""
from tests.unit.support.nomad_api.helpers import batch_job, service_job


def _register(client, job):
    resp = client.call("POST", "/v1/jobs", {"Job": job})
    assert resp.status_code == 200, resp.text
    return resp.json()


def _deployment(client, job_id="web", done=True):
    def latest():
        dep = client.call("GET", f"/v1/job/{job_id}/deployment").json()
        if dep and (not done or dep["Status"] != "running"):
            return dep
        return None
    return client.wait_for(latest)


def test_successful_deployment_marks_version_stable(client):
    _register(client, service_job())
    dep = _deployment(client)
    assert (dep["Status"], dep["StatusDescription"]) == (
        "successful", "Deployment completed successfully")
    assert dep["TaskGroups"]["app"]["HealthyAllocs"] == 2
    job = client.call("GET", "/v1/job/web").json()
    assert job["Stable"] is True and job["Status"] == "running"
    allocs = client.call("GET", "/v1/job/web/allocations").json()
    assert sorted(a["Name"] for a in allocs) == ["web.app[0]", "web.app[1]"]
    assert all(a["DeploymentStatus"]["Healthy"] for a in allocs)
    alloc = client.call("GET", f"/v1/allocation/{allocs[0]['ID']}").json()
    assert alloc["Job"]["ID"] == "web" and alloc["TaskStates"]["main"]["State"] == "running"
    evaluation = client.call("GET", f"/v1/evaluation/{alloc['EvalID']}").json()
    assert evaluation["TriggeredBy"] == "job-register"


def test_update_replaces_old_allocations(client):
    _register(client, service_job())
    _deployment(client)
    _register(client, service_job(Meta={"v": "2"}))
    client.poll("/v1/job/web/deployment",
                lambda d: d["JobVersion"] == 1 and d["Status"] == "successful")
    allocs = client.call("GET", "/v1/job/web/allocations").json()
    live = [a for a in allocs if a["DesiredStatus"] == "run"]
    assert {a["JobVersion"] for a in live} == {1} and len(live) == 2
    assert len(client.call("GET", "/v1/job/web/deployments").json()) == 2


def test_failed_deployment_reports_task_events(nomad_api, client):
    nomad_api.set_deployment_outcome("web", "failed", failed_task_event="Driver Failure")
    _register(client, service_job())
    dep = _deployment(client)
    assert (dep["Status"], dep["StatusDescription"]) == (
        "failed", "Failed due to unhealthy allocations")
    allocs = client.call("GET", "/v1/job/web/allocations").json()
    assert {a["ClientStatus"] for a in allocs} == {"failed"}
    events = [e["Type"] for e in allocs[0]["TaskStates"]["main"]["Events"]]
    assert "Driver Failure" in events and events[-1] == "Not Restarting"
    last = allocs[0]["TaskStates"]["main"]["Events"][-1]
    assert last["DisplayMessage"].startswith("Exceeded allowed attempts 2 in interval 30m0s")


def test_auto_revert_rolls_back_to_stable(nomad_api, client):
    job = service_job(Update={"MaxParallel": 1, "AutoRevert": True})
    _register(client, job)
    _deployment(client)
    nomad_api.set_deployment_outcome("web", "failed")
    bad = service_job(Update={"MaxParallel": 1, "AutoRevert": True})
    bad["TaskGroups"][0]["Tasks"][0]["Config"]["image"] = "broken:latest"
    _register(client, bad)
    failed = client.wait_for(lambda: next(
        (d for d in client.call("GET", "/v1/job/web/deployments").json()
         if d["JobVersion"] == 1 and d["Status"] == "failed"), None))
    assert failed["StatusDescription"] == (
        "Failed due to unhealthy allocations - rolling back to job version 0")
    job_now = client.poll("/v1/job/web", lambda j: j["Version"] == 2 and j["Stable"])
    assert job_now["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == "nginx:1.27"


def test_stuck_deployment_stays_running(nomad_api, client):
    nomad_api.set_deployment_outcome("web", "stuck")
    _register(client, service_job())
    dep = _deployment(client, done=False)
    import time
    time.sleep(0.3)
    dep = client.call("GET", f"/v1/deployment/{dep['ID']}").json()
    assert dep["Status"] == "running"
    fail = client.call("POST", f"/v1/deployment/fail/{dep['ID']}", {"DeploymentID": dep["ID"]})
    assert fail.status_code == 200
    dep = client.call("GET", f"/v1/deployment/{dep['ID']}").json()
    assert (dep["Status"], dep["StatusDescription"]) == ("failed", "Deployment marked as failed")


def test_canary_wait_then_promote(nomad_api, client):
    _register(client, service_job())
    _deployment(client)
    nomad_api.set_deployment_outcome("web", "canary_wait")
    _register(client, service_job(Meta={"v": "2"}))
    dep = client.poll("/v1/job/web/deployment", lambda d: d["JobVersion"] == 1 and d[
        "StatusDescription"] == "Deployment is running but requires manual promotion")
    assert dep["TaskGroups"]["app"]["DesiredCanaries"] == 1
    assert len(dep["TaskGroups"]["app"]["PlacedCanaries"]) == 1
    resp = client.call("POST", f"/v1/deployment/promote/{dep['ID']}",
                       {"DeploymentID": dep["ID"], "All": True})
    assert resp.status_code == 200
    dep = client.call("GET", f"/v1/deployment/{dep['ID']}").json()
    assert dep["Status"] == "successful" and dep["TaskGroups"]["app"]["Promoted"] is True
    again = client.call("POST", f"/v1/deployment/promote/{dep['ID']}",
                        {"DeploymentID": dep["ID"], "All": True})
    assert again.status_code == 500


def test_auto_promote_canaries(client):
    upd = {"MaxParallel": 1, "Canary": 1, "AutoPromote": True}
    _register(client, service_job(Update=upd))
    _deployment(client)
    _register(client, service_job(Update=upd, Meta={"v": "2"}))
    dep = client.poll("/v1/job/web/deployment",
                      lambda d: d["JobVersion"] == 1 and d["Status"] == "successful")
    assert dep["TaskGroups"]["app"]["Promoted"] is True


def test_newer_version_cancels_running_deployment(nomad_api, client):
    nomad_api.set_deployment_outcome("web", "stuck")
    _register(client, service_job())
    first = _deployment(client, done=False)
    _register(client, service_job(count=3))
    dep = client.call("GET", f"/v1/deployment/{first['ID']}").json()
    assert (dep["Status"], dep["StatusDescription"]) == (
        "cancelled", "Cancelled due to newer version of job")


def test_batch_job_completes(client):
    _register(client, batch_job())
    job = client.poll("/v1/job/once", lambda j: j["Status"] == "dead")
    assert job["Type"] == "batch"
    allocs = client.call("GET", "/v1/job/once/allocations").json()
    assert [a["ClientStatus"] for a in allocs] == ["complete"]
    assert client.call("GET", "/v1/job/once/deployment").json() is None


def test_batch_job_fails_on_demand(nomad_api, client):
    nomad_api.set_batch_outcome("once", "failed")
    _register(client, batch_job())
    allocs = client.poll("/v1/job/once/allocations",
                         lambda a: a and a[0]["ClientStatus"] == "failed")
    assert allocs[0]["TaskStates"]["main"]["Failed"] is True
    summary = client.call("GET", "/v1/job/once/summary").json()
    assert summary["Summary"]["app"]["Failed"] == 1


def test_read_only_jobs_view(nomad_api, client):
    _register(client, service_job())
    view = nomad_api.jobs()
    view["web"]["Meta"] = {"tampered": "yes"}
    assert client.call("GET", "/v1/job/web").json().get("Meta") is None


def test_failed_outcome_without_update_block(nomad_api, client):
    job = service_job(Update={"MaxParallel": 0})
    nomad_api.set_deployment_outcome("web", "failed")
    _register(client, job)
    allocs = client.poll("/v1/job/web/allocations",
                         lambda a: a and all(x["ClientStatus"] == "failed" for x in a))
    assert len(allocs) == 2
    assert client.call("GET", "/v1/job/web/deployment").json() is None


def test_failed_task_event_message(nomad_api, client):
    nomad_api.set_deployment_outcome("web", "failed",
                                     failed_task_event="image pull failed: manifest unknown")
    _register(client, service_job())
    _deployment(client)
    alloc = client.call("GET", "/v1/job/web/allocations").json()[0]
    driver = next(e for e in alloc["TaskStates"]["main"]["Events"]
                  if e["Type"] == "Driver Failure")
    assert driver["DisplayMessage"] == "image pull failed: manifest unknown"


def test_canary_wait_skips_a_first_version(nomad_api, client):
    nomad_api.set_deployment_outcome("web", "canary_wait")
    _register(client, service_job())
    assert _deployment(client)["Status"] == "successful"
    _register(client, service_job(Meta={"v": "2"}))
    dep = client.poll("/v1/job/web/deployment", lambda d: d["JobVersion"] == 1 and d[
        "StatusDescription"] == "Deployment is running but requires manual promotion")
    assert dep["TaskGroups"]["app"]["DesiredCanaries"] == 1


def test_registering_stop_true_stops_allocations(client):
    _register(client, service_job())
    _deployment(client)
    _register(client, service_job(Stop=True))
    # the scheduler stops the allocations after the register returns (stop_delay)
    client.poll("/v1/job/web", lambda j: j["Status"] == "dead")
    allocs = client.call("GET", "/v1/job/web/allocations").json()
    assert {a["DesiredStatus"] for a in allocs} == {"stop"}
