"""Real-cluster behaviours the contract server simulates (each traced to Nomad's
source in the server module that implements it)."""
import datetime

import pytest

from tests.support.nomad_api import cron
from tests.support.nomad_api.state import State
from tests.unit.support.nomad_api.helpers import service_job


def _register(client, job):
    resp = client.call("POST", "/v1/jobs", {"Job": job})
    assert resp.status_code == 200, resp.text
    return resp.json()


def _running(client, job_id="web", namespace="default"):
    client.poll(f"/v1/job/{job_id}?namespace={namespace}", lambda j: j["Status"] == "running")


# -- stop: asynchronous, non-terminal until the allocations stop ---------------
def test_stopped_job_stays_running_until_its_allocations_stop(nomad_api_factory):
    from tests.unit.support.nomad_api.helpers import Client
    api = nomad_api_factory(stop_delay=0.5)
    client = Client(api, api.management_token)
    _register(client, service_job())
    _running(client)
    assert client.call("DELETE", "/v1/job/web").status_code == 200
    job = client.call("GET", "/v1/job/web").json()
    assert job["Stop"] is True and job["Status"] == "running"
    allocs = client.call("GET", "/v1/job/web/allocations").json()
    assert {a["ClientStatus"] for a in allocs} == {"running"}
    evals = client.call("GET", "/v1/job/web/evaluations").json()
    assert any(e["TriggeredBy"] == "job-deregister" and e["Status"] == "pending" for e in evals)
    job = client.poll("/v1/job/web", lambda j: j["Status"] == "dead", timeout=5)
    allocs = client.call("GET", "/v1/job/web/allocations").json()
    assert {(a["DesiredStatus"], a["ClientStatus"]) for a in allocs} == {("stop", "complete")}


def test_stop_delay_is_bounded():
    with pytest.raises(ValueError, match="stop_delay must be a number of seconds"):
        State(stop_delay=-1)
    with pytest.raises(ValueError, match="stop_delay"):
        State(stop_delay=10_000)


# -- namespace delete ------------------------------------------------------------
def test_namespace_with_non_terminal_job_cannot_be_deleted(nomad_api_factory):
    from tests.unit.support.nomad_api.helpers import Client
    api = nomad_api_factory(stop_delay=0.5)
    client = Client(api, api.management_token)
    assert client.call("POST", "/v1/namespace/team", {"Name": "team"}).status_code == 200
    _register(client, service_job(Namespace="team"))
    _running(client, namespace="team")
    client.call("DELETE", "/v1/job/web", namespace="team")
    refused = client.call("DELETE", "/v1/namespace/team")
    assert refused.status_code == 500
    assert refused.text == ('2 errors occurred:\n'
                            '\t* namespace "team" has non-terminal jobs in regions: [global]\n'
                            '\t* namespace "team" has non-terminal allocations in regions: '
                            '[global]\n\n')
    client.poll("/v1/job/web?namespace=team", lambda j: j["Status"] == "dead", timeout=5)
    assert client.call("DELETE", "/v1/namespace/team").status_code == 200
    assert client.call("GET", "/v1/namespace/team").status_code == 404


def test_purged_job_allocations_still_block_the_namespace_until_they_stop(nomad_api_factory):
    from tests.unit.support.nomad_api.helpers import Client
    api = nomad_api_factory(stop_delay=0.5)
    client = Client(api, api.management_token)
    client.call("POST", "/v1/namespace/team", {"Name": "team"})
    _register(client, service_job(Namespace="team"))
    _running(client, namespace="team")
    client.call("DELETE", "/v1/job/web", namespace="team", purge="true")
    assert client.call("GET", "/v1/job/web", namespace="team").status_code == 404
    refused = client.call("DELETE", "/v1/namespace/team")
    assert refused.status_code == 500 and refused.text == (
        '1 error occurred:\n\t* namespace "team" has non-terminal allocations in regions: [global]\n\n')
    client.wait_for(lambda: client.call("DELETE", "/v1/namespace/team").status_code == 200, timeout=5)


def test_default_and_missing_namespace_delete_errors(client):
    default = client.call("DELETE", "/v1/namespace/default")
    assert (default.status_code, default.text) == (500, "can not delete default namespace")
    missing = client.call("DELETE", "/v1/namespace/nope")
    assert (missing.status_code, missing.text) == (500, "namespace not found")


# -- count 0: no deployment ------------------------------------------------------
def test_service_group_with_count_zero_gets_no_deployment(client):
    resp = _register(client, service_job(count=0))
    assert resp["EvalID"]
    job = client.poll("/v1/job/web", lambda j: j["Status"] == "dead")
    assert job["Stop"] is False
    assert client.call("GET", "/v1/job/web/deployment").json() is None
    assert client.call("GET", "/v1/job/web/allocations").json() == []


def test_scaling_to_zero_stops_allocations_without_a_deployment(client):
    _register(client, service_job())
    client.poll("/v1/job/web/deployment", lambda d: d and d["Status"] == "successful")
    _register(client, service_job(count=0))
    deps = client.call("GET", "/v1/job/web/deployments").json()
    assert [d["JobVersion"] for d in deps] == [0]
    allocs = client.call("GET", "/v1/job/web/allocations").json()
    assert {a["DesiredStatus"] for a in allocs} == {"stop"}


def test_zero_count_group_is_left_out_of_the_deployment(client):
    job = service_job()
    job["TaskGroups"].append(dict(job["TaskGroups"][0], Name="idle", Count=0))
    _register(client, job)
    dep = client.poll("/v1/job/web/deployment", lambda d: d and d["Status"] == "successful")
    assert sorted(dep["TaskGroups"]) == ["app"]


# -- Connect admission -----------------------------------------------------------
def _mesh_job():
    job = service_job(count=1)
    group = job["TaskGroups"][0]
    group["Networks"] = [{"Mode": "bridge", "DynamicPorts": [{"Label": "metrics", "To": 9102}]}]
    group["Services"] = [{
        "Name": "api", "PortLabel": "8080", "Provider": "consul",
        "Checks": [{"Name": "ready", "Type": "http", "Path": "/health", "Protocol": "http",
                    "Interval": 10_000_000_000, "Timeout": 2_000_000_000, "Expose": True}],
        "Connect": {"SidecarService": {"Proxy": {"Upstreams": [
            {"DestinationName": "db", "LocalBindPort": 5432}]}}}}]
    return job


def test_connect_sidecar_task_and_ports_are_injected(client):
    _register(client, _mesh_job())
    job = client.call("GET", "/v1/job/web").json()
    group = job["TaskGroups"][0]
    sidecar = next(t for t in group["Tasks"] if t["Name"] == "connect-proxy-api")
    assert sidecar["Kind"] == "connect-proxy:api"
    assert sidecar["Lifecycle"] == {"Hook": "prestart", "Sidecar": True}
    assert (sidecar["Resources"]["CPU"], sidecar["Resources"]["MemoryMB"]) == (250, 128)
    assert sidecar["Config"]["image"] == "${meta.connect.sidecar_image}"
    labels = [p["Label"] for p in group["Networks"][0]["DynamicPorts"]]
    assert labels[0] == "metrics" and "connect-proxy-api" in labels
    check_port = next(label for label in labels if label.startswith("svc_api_ck_"))
    check = group["Services"][0]["Checks"][0]
    assert check["PortLabel"] == check_port
    paths = group["Services"][0]["Connect"]["SidecarService"]["Proxy"]["Expose"]["Paths"]
    assert paths == [{"Path": "/health", "Protocol": "http", "LocalPathPort": 8080,
                      "ListenerPort": check_port}]


def test_resubmitted_mesh_job_plans_no_change(client):
    _register(client, _mesh_job())
    version = client.call("GET", "/v1/job/web").json()["Version"]
    plan = client.call("POST", "/v1/job/web/plan", {"Job": _mesh_job(), "Diff": True}).json()
    assert plan["Diff"]["Type"] == "None"
    _register(client, _mesh_job())
    assert client.call("GET", "/v1/job/web").json()["Version"] == version


# -- plan: NextPeriodicLaunch ------------------------------------------------------
def _periodic(spec, **periodic):
    job = service_job("nightly", count=1, Type="batch")
    job["Periodic"] = dict({"Spec": spec, "SpecType": "cron"}, **periodic)
    return job


def test_plan_computes_next_periodic_launch(client):
    plan = client.call("POST", "/v1/job/nightly/plan", {"Job": _periodic("*/5 * * * *")}).json()
    launch = datetime.datetime.fromisoformat(plan["NextPeriodicLaunch"].replace("Z", "+00:00"))
    now = datetime.datetime.now(datetime.timezone.utc)
    assert now < launch <= now + datetime.timedelta(minutes=5)
    assert launch.minute % 5 == 0 and launch.second == 0
    off = client.call("POST", "/v1/job/nightly/plan",
                      {"Job": _periodic("*/5 * * * *", Enabled=False)}).json()
    assert off["NextPeriodicLaunch"] == cron.ZERO_TIME
    plain = client.call("POST", "/v1/job/web/plan", {"Job": service_job()}).json()
    assert plain["NextPeriodicLaunch"] == cron.ZERO_TIME


@pytest.mark.parametrize("spec, zone, expected", [
    ("0 3 * * mon-fri", "UTC", "2026-11-30T03:00:00Z"),  # 2026-11-29 is a Sunday
    ("0 3 * * *", "Europe/Berlin", "2026-11-30T03:00:00+01:00"),
    ("@monthly", "UTC", "2026-12-01T00:00:00Z"),
    ("30 20 1 * sun", "UTC", "2026-11-29T20:30:00Z"),  # both day fields: either matches
    ("0 0 29 2 * 2027-2031", "UTC", "2028-02-29T00:00:00Z"),
])
def test_next_launch_rules(spec, zone, expected):
    now = datetime.datetime(2026, 11, 29, 19, 45, 30, tzinfo=datetime.timezone.utc)
    got = cron.next_periodic_launch({"Spec": spec, "SpecType": "cron", "Enabled": True,
                                     "TimeZone": zone}, now)
    assert got == expected


def test_multiple_specs_take_the_earliest():
    now = datetime.datetime(2026, 11, 29, 19, 45, 30, tzinfo=datetime.timezone.utc)
    got = cron.next_periodic_launch({"Specs": ["0 5 * * *", "30 20 * * *"], "SpecType": "cron",
                                     "Enabled": True, "TimeZone": "UTC"}, now)
    assert got == "2026-11-29T20:30:00Z"


def test_unsimulated_cron_syntax_is_an_error():
    with pytest.raises(cron.CronError, match="bad value"):
        cron.next_time("0 0 L * *", datetime.datetime.now(datetime.timezone.utc))


# -- register warnings ---------------------------------------------------------------
def test_memory_max_warns_while_oversubscription_is_off(client):
    job = service_job()
    job["TaskGroups"][0]["Tasks"][0]["Resources"]["MemoryMaxMB"] = 512
    resp = _register(client, job)
    assert resp["Warnings"] == (
        "1 warning:\n\n* Memory oversubscription is not enabled; Task \"app.main\" "
        "memory_max value will be ignored. Update the Scheduler Configuration to allow "
        "oversubscription.")
    validated = client.call("PUT", "/v1/validate/job", {"Job": job}).json()
    assert validated["Warnings"] == resp["Warnings"]
    conf = client.call("GET", "/v1/operator/scheduler/configuration").json()["SchedulerConfig"]
    conf["MemoryOversubscriptionEnabled"] = True
    assert client.call("PUT", "/v1/operator/scheduler/configuration", conf).status_code == 200
    job["TaskGroups"][0]["Tasks"][0]["Resources"]["MemoryMaxMB"] = 600
    assert _register(client, job)["Warnings"] == ""
