"""Job endpoints: strict decoding, register/read/list/plan/delete bookkeeping."""
import threading
import time

from tests.unit.support.nomad_api.helpers import service_job


def register(client, job, **body):
    return client.call("POST", "/v1/jobs", {"Job": job, **body})


def test_register_read_and_list(client):
    resp = register(client, service_job())
    assert resp.status_code == 200
    body = resp.json()
    assert body["EvalID"] and body["JobModifyIndex"] > 0
    assert int(resp.headers["X-Nomad-Index"]) >= body["JobModifyIndex"]
    job = client.call("GET", "/v1/job/web").json()
    assert job["Version"] == 0 and job["Namespace"] == "default"
    assert job["TaskGroups"][0]["RestartPolicy"]["Mode"] == "fail"  # canonicalised
    assert job["Update"]["MaxParallel"] == 1
    listed = client.call("GET", "/v1/jobs", prefix="we").json()
    assert [j["ID"] for j in listed] == ["web"]
    assert client.call("GET", "/v1/jobs", prefix="zz").json() == []


def test_unknown_job_is_404_plain_text(client):
    resp = client.call("GET", "/v1/job/missing")
    assert resp.status_code == 404
    assert resp.text == "job not found"
    assert resp.headers["Content-Type"].startswith("text/plain")


def test_unknown_field_and_wrong_type_are_400(client):
    job = service_job()
    job["TaskGroups"][0]["Tasks"][0]["Resources"]["Memory"] = 128
    resp = register(client, job)
    assert resp.status_code == 400
    assert "Job.TaskGroups[0].Tasks[0].Resources.Memory: unknown field" in resp.text
    job = service_job()
    job["TaskGroups"][0]["Count"] = "2"
    resp = register(client, job)
    assert resp.status_code == 400 and "Count: expected integer" in resp.text
    resp = client.call("POST", "/v1/jobs", {"Job": service_job(), "Bogus": True})
    assert resp.status_code == 400 and "JobRegisterRequest.Bogus" in resp.text
    assert client.call("GET", "/v1/jobs").json() == []


def test_semantic_validation_is_500_multierror(client):
    job = service_job()
    job["TaskGroups"][0]["Tasks"][0]["Driver"] = ""
    resp = register(client, job)
    assert resp.status_code == 500
    assert resp.text.startswith("1 error occurred:")
    assert "Missing task driver" in resp.text


def test_path_id_must_match(client):
    resp = client.call("POST", "/v1/job/other", {"Job": service_job()})
    assert resp.status_code == 400 and resp.text == "Job ID does not match name"


def test_resubmitted_job_plans_as_none_and_keeps_version(client):
    register(client, service_job())
    plan = client.call("POST", "/v1/job/web/plan", {"Job": service_job(), "Diff": True}).json()
    assert plan["Diff"]["Type"] == "None"
    assert plan["Annotations"]["DesiredTGUpdates"]["app"]["Ignore"] == 2
    # the job as read back (with server fields and defaults) is no change either
    stored = client.call("GET", "/v1/job/web").json()
    plan = client.call("POST", "/v1/job/web/plan", {"Job": stored, "Diff": True}).json()
    assert plan["Diff"]["Type"] == "None"
    first = stored["JobModifyIndex"]
    again = register(client, service_job()).json()
    assert again["JobModifyIndex"] == first
    assert client.call("GET", "/v1/job/web").json()["Version"] == 0


def test_plan_of_new_job_is_added(client):
    plan = client.call("POST", "/v1/job/web/plan", {"Job": service_job(), "Diff": True}).json()
    assert plan["Diff"]["Type"] == "Added"
    assert plan["JobModifyIndex"] == 0
    assert plan["Annotations"]["DesiredTGUpdates"]["app"]["Place"] == 2
    assert client.call("GET", "/v1/job/web").status_code == 404  # nothing written


def test_plan_of_a_destructive_change_with_canaries_places_canaries_and_ignores_the_rest(client):
    """scheduler/reconciler/reconcile_cluster.go computeCanaries: DesiredUpdates.Canary =
    update.canary, and while canarying the allocations to replace are ignored; without
    canaries they are create/destroy updates."""
    register(client, service_job())
    changed = service_job()
    changed["TaskGroups"][0]["Tasks"][0]["Config"]["image"] = "nginx:1.28"
    plan = client.call("POST", "/v1/job/web/plan", {"Job": changed, "Diff": True}).json()
    assert plan["Diff"]["TaskGroups"][0]["Updates"] == {"create/destroy update": 2}
    canary = service_job(Update={"Canary": 1, "MaxParallel": 1})
    canary["TaskGroups"][0]["Tasks"][0]["Config"]["image"] = "nginx:1.28"
    plan = client.call("POST", "/v1/job/web/plan", {"Job": canary, "Diff": True}).json()
    assert plan["Annotations"]["DesiredTGUpdates"]["app"]["Canary"] == 1
    assert plan["Diff"]["TaskGroups"][0]["Updates"] == {"canary": 1, "ignore": 2}


def test_modification_diff_names_fields(client):
    register(client, service_job())
    changed = service_job(count=3, Meta={"owner": "fleet"})
    changed["TaskGroups"][0]["Tasks"][0]["Config"]["image"] = "nginx:1.28"
    diff = client.call("POST", "/v1/job/web/plan", {"Job": changed, "Diff": True}).json()["Diff"]
    assert diff["Type"] == "Edited"
    job_fields = {f["Name"]: f for f in diff["Fields"] if f["Type"] != "None"}
    assert job_fields["Meta[owner]"]["Type"] == "Added"
    (group,) = diff["TaskGroups"]
    count = next(f for f in group["Fields"] if f["Name"] == "Count")
    assert (count["Type"], count["Old"], count["New"]) == ("Edited", "2", "3")
    (task,) = group["Tasks"]
    assert task["Type"] == "Edited"
    config = next(o for o in task["Objects"] if o["Name"] == "Config")
    image = next(f for f in config["Fields"] if f["Name"] == "image")
    assert (image["Old"], image["New"]) == ("nginx:1.27", "nginx:1.28")


def test_version_bookkeeping_and_versions_endpoint(client):
    register(client, service_job())
    resp = register(client, service_job(count=3)).json()
    job = client.call("GET", "/v1/job/web").json()
    assert job["Version"] == 1 and job["JobModifyIndex"] == resp["JobModifyIndex"]
    versions = client.call("GET", "/v1/job/web/versions", diffs="true").json()
    assert [v["Version"] for v in versions["Versions"]] == [1, 0]
    assert versions["Diffs"][0]["Type"] == "Edited"


def test_enforce_index(client):
    resp = register(client, service_job(), EnforceIndex=True, JobModifyIndex=5)
    assert resp.status_code == 500
    assert resp.text == "Enforcing job modify index 5: job does not exist"
    first = register(client, service_job(), EnforceIndex=True, JobModifyIndex=0).json()
    resp = register(client, service_job(count=3), EnforceIndex=True,
                    JobModifyIndex=first["JobModifyIndex"] + 100)
    assert resp.status_code == 500 and "conflicting job modify index" in resp.text
    ok = register(client, service_job(count=3), EnforceIndex=True,
                  JobModifyIndex=first["JobModifyIndex"])
    assert ok.status_code == 200


def test_preserve_counts(client):
    register(client, service_job(count=5))
    register(client, service_job(count=1, Meta={"x": "y"}), PreserveCounts=True)
    job = client.call("GET", "/v1/job/web").json()
    assert job["TaskGroups"][0]["Count"] == 5 and job["Meta"] == {"x": "y"}


def test_stop_then_purge(client):
    register(client, service_job())
    stop = client.call("DELETE", "/v1/job/web").json()
    assert stop["EvalID"]
    job = client.call("GET", "/v1/job/web").json()
    assert job["Stop"] is True and job["Status"] != "dead" and job["Version"] == 1
    job = client.poll("/v1/job/web", lambda j: j["Status"] == "dead")
    plan = client.call("POST", "/v1/job/web/plan", {"Job": service_job(), "Diff": True}).json()
    assert plan["Diff"]["Type"] == "Edited"  # Stop true -> false
    client.call("DELETE", "/v1/job/web", purge="true")
    assert client.call("GET", "/v1/job/web").status_code == 404


def test_namespaces_and_wildcard_listing(client):
    assert client.call("POST", "/v1/namespace/prod", {"Name": "prod"}).status_code == 200
    register(client, service_job("a"))
    register(client, service_job("b", Namespace="prod"))
    assert [j["ID"] for j in client.call("GET", "/v1/jobs").json()] == ["a"]
    everything = client.call("GET", "/v1/jobs", namespace="*").json()
    assert sorted((j["Namespace"], j["ID"]) for j in everything) == [
        ("default", "a"), ("prod", "b")]
    assert client.call("GET", "/v1/job/b").status_code == 404
    assert client.call("GET", "/v1/job/b", namespace="prod").status_code == 200
    resp = register(client, service_job("c", Namespace="nope"))
    assert resp.status_code == 500 and "nonexistent namespace" in resp.text


def _settled(client):
    client.wait_for(lambda: client.call("GET", "/v1/job/web").json()["Status"] == "running")


def test_blocking_query_returns_on_change(client):
    register(client, service_job())
    _settled(client)
    index = int(client.call("GET", "/v1/jobs").headers["X-Nomad-Index"])
    timer = threading.Timer(0.3, lambda: register(client, service_job("late")))
    timer.start()
    started = time.monotonic()
    resp = client.call("GET", "/v1/jobs", index=str(index), wait="5s")
    elapsed = time.monotonic() - started
    timer.join()
    assert 0.2 < elapsed < 4
    assert int(resp.headers["X-Nomad-Index"]) > index
    assert {j["ID"] for j in resp.json()} == {"web", "late"}


def test_blocking_query_times_out_with_same_index(client):
    register(client, service_job())
    _settled(client)
    index = int(client.call("GET", "/v1/jobs").headers["X-Nomad-Index"])
    started = time.monotonic()
    resp = client.call("GET", "/v1/jobs", index=str(index), wait="300ms")
    assert 0.25 < time.monotonic() - started < 3
    assert int(resp.headers["X-Nomad-Index"]) == index
    assert client.call("GET", "/v1/jobs", index="1", wait="bogus").status_code == 400


def test_summary_and_list_stub(client):
    register(client, service_job(count=2))
    summary = client.poll("/v1/job/web/summary", lambda s: s["Summary"]["app"]["Running"] == 2)
    assert summary["JobID"] == "web" and summary["Children"] is None
    stub = client.call("GET", "/v1/jobs").json()[0]
    assert stub["Status"] == "running" and stub["JobSummary"]["Summary"]["app"]["Running"] == 2


def test_unknown_route_and_method(client):
    assert client.call("GET", "/v1/nothing").status_code == 404
    assert client.call("DELETE", "/v1/jobs").status_code == 405
    assert client.call("GET", "/v1/jobs", region="elsewhere").status_code == 500


def test_scale_then_preserve_counts(client):
    register(client, service_job(count=2))
    _settled(client)
    resp = client.call("POST", "/v1/job/web/scale", {"Count": 4, "Target": {"Group": "app"}})
    assert resp.status_code == 200 and resp.json()["EvalID"]
    job = client.call("GET", "/v1/job/web").json()
    assert job["TaskGroups"][0]["Count"] == 4 and job["Version"] == 1
    status = client.call("GET", "/v1/job/web/scale").json()
    assert status["TaskGroups"]["app"]["Desired"] == 4
    plan = client.call("POST", "/v1/job/web/plan", {"Job": service_job(count=2), "Diff": True})
    assert plan.json()["Diff"]["Type"] == "Edited"  # count 4 -> 2 without preserve_counts
    register(client, service_job(count=2), PreserveCounts=True)
    assert client.call("GET", "/v1/job/web").json()["TaskGroups"][0]["Count"] == 4
    bad = client.call("POST", "/v1/job/web/scale", {"Count": 1, "Target": {"Group": "nope"}})
    assert bad.status_code == 400
    ghost = client.call("POST", "/v1/job/ghost/scale", {"Count": 1, "Target": {"Group": "app"}})
    assert (ghost.status_code, ghost.text) == (404, 'job "ghost" not found')


def test_sub_resources_of_unknown_job(client):
    assert client.call("GET", "/v1/job/ghost/allocations").json() == []
    assert client.call("GET", "/v1/job/ghost/deployments").json() == []
    assert client.call("GET", "/v1/job/ghost/deployment").json() is None
    assert client.call("GET", "/v1/job/ghost/summary").status_code == 404
    versions = client.call("GET", "/v1/job/ghost/versions")
    assert (versions.status_code, versions.text) == (404, "job versions not found")


def test_keys_match_fields_case_insensitively_like_go(client):
    job = service_job()
    job["datacenters"] = job.pop("Datacenters")
    plan = client.call("POST", "/v1/job/web/plan", {"job": job, "diff": True})
    assert plan.status_code == 200 and plan.json()["Diff"]["Type"] == "Added"
    assert client.call("POST", "/v1/jobs", {"job": job}).status_code == 200
    stored = client.call("GET", "/v1/job/web").json()
    assert stored["Datacenters"] == ["dc1"] and "datacenters" not in stored
    # still strict about names that match no field, and about types
    resp = client.call("POST", "/v1/jobs", {"job": dict(job, datacenter=["x"])})
    assert resp.status_code == 400 and "job.datacenter: unknown field of Job" in resp.text


def test_validate_endpoint(client):
    ok = client.call("PUT", "/v1/validate/job", {"Job": service_job()}).json()
    assert ok["ValidationErrors"] is None and ok["Error"] == ""
    job = service_job()
    job["TaskGroups"][0]["Tasks"] = []
    bad = client.call("PUT", "/v1/validate/job", {"Job": job}).json()
    assert bad["ValidationErrors"] == [
        "Task group app validation failed: 1 error occurred:\n"
        "\t* Missing tasks for task group\n\n"]


def test_unimplemented_query_parameters_say_so(client):
    resp = client.call("GET", "/v1/jobs", filter='Status == "running"')
    assert resp.status_code == 501 and "filter" in resp.text


def test_blocking_read_of_one_job_wakes_on_its_change(client):
    register(client, service_job())
    _settled(client)
    index = int(client.call("GET", "/v1/job/web").headers["X-Nomad-Index"])
    timer = threading.Timer(0.3, lambda: register(client, service_job(count=3)))
    timer.start()
    started = time.monotonic()
    resp = client.call("GET", "/v1/job/web", index=str(index), wait="5s")
    timer.join()
    assert 0.2 < time.monotonic() - started < 4
    assert resp.json()["TaskGroups"][0]["Count"] == 3


def test_namespace_capabilities_limit_drivers(client):
    client.call("POST", "/v1/namespace/sandbox", {
        "Name": "sandbox", "Capabilities": {"EnabledTaskDrivers": ["exec"],
                                            "DisabledNetworkModes": ["host"]}})
    resp = register(client, service_job("a", Namespace="sandbox"))
    assert resp.status_code == 500
    assert resp.text == 'used task driver "docker" is not allowed in namespace "sandbox"'
    job = service_job("b", Namespace="sandbox")
    job["TaskGroups"][0]["Tasks"][0]["Driver"] = "exec"
    assert register(client, job).status_code == 200
    job["TaskGroups"][0]["Networks"] = [{"Mode": "host"}]
    resp = client.call("POST", "/v1/job/b/plan", {"Job": job}, namespace="sandbox")
    assert resp.status_code == 500 and 'network mode "host"' in resp.text
