"""Dispatch, variables, quotas, scheduler config, faults, status, agent."""
import base64

import pytest
import requests

from tests.unit.support.nomad_api.helpers import Client, batch_job


def _param_job(**param):
    job = batch_job("tasks")
    job["ParameterizedJob"] = {"Payload": "optional", "MetaRequired": ["agent"],
                               "MetaOptional": ["prio"], **param}
    return job


def test_parameterized_job_waits_for_dispatch(client):
    resp = client.call("POST", "/v1/jobs", {"Job": _param_job()}).json()
    assert resp["EvalID"] == ""  # no evaluation for a parameterized job
    assert client.call("GET", "/v1/job/tasks/allocations").json() == []
    assert client.call("GET", "/v1/job/tasks").json()["Status"] == "running"


def test_dispatch_and_idempotency_token(client):
    client.call("POST", "/v1/jobs", {"Job": _param_job()})
    payload = base64.b64encode(b"hello").decode()
    first = client.call("POST", "/v1/job/tasks/dispatch",
                        {"Payload": payload, "Meta": {"agent": "a1"}}, idempotency_token="t-1")
    assert first.status_code == 200
    child_id = first.json()["DispatchedJobID"]
    assert child_id.startswith("tasks/dispatch-") and first.json()["EvalID"]
    again = client.call("POST", "/v1/job/tasks/dispatch",
                        {"Payload": payload, "Meta": {"agent": "a1"}}, idempotency_token="t-1")
    assert again.json()["DispatchedJobID"] == child_id and again.json()["EvalID"] == ""
    other = client.call("POST", "/v1/job/tasks/dispatch", {"Meta": {"agent": "a2"}},
                        idempotency_token="t-2")
    assert other.json()["DispatchedJobID"] != child_id
    child = client.call("GET", "/v1/job/" + requests.utils.quote(child_id, safe="")).json()
    assert child["ParentID"] == "tasks" and child["Dispatched"] is True
    assert child["Meta"] == {"agent": "a1"} and child["Payload"] == payload
    summary = client.call("GET", "/v1/job/tasks/summary").json()
    assert sum(summary["Children"].values()) == 2


@pytest.mark.parametrize("body, param, message", [
    ({"Meta": {}}, {}, "Dispatch did not provide required meta keys: [agent]"),
    ({"Meta": {"agent": "a", "x": "1"}}, {},
     "Dispatch request included unpermitted metadata keys: [x]"),
    ({"Meta": {"agent": "a"}}, {"Payload": "required"},
     "Payload is not provided but required by parameterized job"),
    ({"Meta": {"agent": "a"}, "Payload": base64.b64encode(b"x").decode()},
     {"Payload": "forbidden"}, "Payload provided but forbidden by parameterized job"),
    ({"Meta": {"agent": "a"}, "Payload": base64.b64encode(b"x" * 16385).decode()}, {},
     "Payload exceeds maximum size; 16385 > 16384"),
])
def test_dispatch_validation(client, body, param, message):
    client.call("POST", "/v1/jobs", {"Job": _param_job(**param)})
    resp = client.call("POST", "/v1/job/tasks/dispatch", body)
    assert (resp.status_code, resp.text) == (500, message)


def test_dispatch_of_non_parameterized_job(client):
    client.call("POST", "/v1/jobs", {"Job": batch_job()})
    resp = client.call("POST", "/v1/job/once/dispatch", {})
    assert resp.status_code == 500 and "is not a parameterized job" in resp.text
    assert client.call("POST", "/v1/job/none/dispatch", {}).status_code == 404


def test_variables_cas(client):
    put = client.call("PUT", "/v1/var/fleet/agent-1", {"Items": {"k": "v"}}, cas="0")
    assert put.status_code == 200
    var = put.json()
    assert var["Items"] == {"k": "v"} and var["ModifyIndex"] > 0
    conflict = client.call("PUT", "/v1/var/fleet/agent-1", {"Items": {"k": "w"}}, cas="0")
    assert conflict.status_code == 409
    assert conflict.json()["ModifyIndex"] == var["ModifyIndex"]
    ok = client.call("PUT", "/v1/var/fleet/agent-1", {"Items": {"k": "w"}},
                     cas=str(var["ModifyIndex"]))
    assert ok.status_code == 200 and ok.json()["Items"] == {"k": "w"}
    listed = client.call("GET", "/v1/vars", prefix="fleet/").json()
    assert [v["Path"] for v in listed] == ["fleet/agent-1"] and "Items" not in listed[0]
    stale = client.call("DELETE", "/v1/var/fleet/agent-1", cas=str(var["ModifyIndex"]))
    assert stale.status_code == 409
    gone = client.call("DELETE", "/v1/var/fleet/agent-1", cas=str(ok.json()["ModifyIndex"]))
    assert gone.status_code == 204
    assert client.call("GET", "/v1/var/fleet/agent-1").status_code == 404


def test_variables_validation_and_acl(nomad_api, client):
    assert client.call("PUT", "/v1/var/x", {"Items": {}}).status_code == 400
    assert client.call("PUT", "/v1/var/x", {"Items": {"a": 1}}).status_code == 400
    rules = ('namespace "default" { variables { path "fleet/*" '
             '{ capabilities = ["read", "list"] } } }')
    reader = Client(nomad_api, nomad_api.make_token(["v"], {"v": rules}))
    client.call("PUT", "/v1/var/fleet/a", {"Items": {"k": "v"}})
    client.call("PUT", "/v1/var/other/b", {"Items": {"k": "v"}})
    assert reader.call("GET", "/v1/var/fleet/a").status_code == 200
    assert reader.call("GET", "/v1/var/other/b").status_code == 403
    assert reader.call("PUT", "/v1/var/fleet/a", {"Items": {"k": "x"}}).status_code == 403
    assert [v["Path"] for v in reader.call("GET", "/v1/vars").json()] == ["fleet/a"]


def test_quotas_are_enterprise_only(client, nomad_api_factory):
    resp = client.call("GET", "/v1/quotas")
    assert (resp.status_code, resp.text) == (501, "Nomad Enterprise only endpoint")
    assert client.call("POST", "/v1/quota/q", {"Name": "q"}).status_code == 501
    ent = nomad_api_factory(enterprise=True)
    ec = Client(ent, ent.management_token)
    spec = {"Name": "small", "Description": "", "Limits": [
        {"Region": "global", "RegionLimit": {"CPU": 1000, "MemoryMB": 1024}}]}
    assert ec.call("POST", "/v1/quota/small", spec).status_code == 200
    assert ec.call("GET", "/v1/quota/small").json()["Limits"][0]["RegionLimit"]["CPU"] == 1000
    assert ec.call("POST", "/v1/namespace/t", {"Name": "t", "Quota": "small"}).status_code == 200
    assert ec.call("DELETE", "/v1/quota/small").status_code == 500  # in use
    assert client.call("POST", "/v1/namespace/t", {"Name": "t", "Quota": "small"}
                       ).status_code == 500


def test_scheduler_configuration(nomad_api, client):
    cfg = client.call("GET", "/v1/operator/scheduler/configuration").json()
    assert cfg["SchedulerConfig"]["MemoryOversubscriptionEnabled"] is False
    new = dict(cfg["SchedulerConfig"], MemoryOversubscriptionEnabled=True)
    stale = client.call("PUT", "/v1/operator/scheduler/configuration", new,
                        cas=str(cfg["SchedulerConfig"]["ModifyIndex"] + 100))
    assert stale.json()["Updated"] is False
    ok = client.call("PUT", "/v1/operator/scheduler/configuration", new,
                     cas=str(cfg["SchedulerConfig"]["ModifyIndex"]))
    assert ok.json()["Updated"] is True
    after = client.call("GET", "/v1/operator/scheduler/configuration").json()
    assert after["SchedulerConfig"]["MemoryOversubscriptionEnabled"] is True
    reader = Client(nomad_api, nomad_api.make_token(["o"], {"o": 'operator { policy = "read" }'}))
    assert reader.call("GET", "/v1/operator/scheduler/configuration").status_code == 200
    assert reader.call("PUT", "/v1/operator/scheduler/configuration", new).status_code == 403


def test_faults(nomad_api, client):
    nomad_api.inject_fault("status", path_prefix="/v1/jobs", status=503, count=2)
    assert client.call("GET", "/v1/jobs").status_code == 503
    assert client.call("GET", "/v1/status/leader").status_code == 200  # other path
    assert client.call("GET", "/v1/jobs").status_code == 503
    assert client.call("GET", "/v1/jobs").status_code == 200
    nomad_api.inject_fault("drop", path_prefix="/v1/jobs", method="GET")
    with pytest.raises(requests.ConnectionError):
        client.call("GET", "/v1/jobs")
    assert client.call("GET", "/v1/jobs").status_code == 200
    nomad_api.inject_fault("latency", delay=0.3)
    with pytest.raises(requests.Timeout):
        requests.get(nomad_api.addr + "/v1/status/leader", timeout=0.1)
    statuses = [s for _method, p, s in nomad_api.request_log if p == "/v1/jobs"]
    assert statuses[:4] == [503, 503, 200, 0]


def test_status_and_agent(client):
    assert client.call("GET", "/v1/status/leader").json() == "127.0.0.1:4647"
    agent = client.call("GET", "/v1/agent/self").json()
    assert agent["config"]["ACL"]["Enabled"] is True
    assert agent["member"]["Tags"]["region"] == "global"


def test_drop_after_applies_the_request(nomad_api, client):
    client.call("POST", "/v1/jobs", {"Job": _param_job()})
    nomad_api.inject_fault("drop_after", path_prefix="/v1/job/tasks/dispatch")
    with pytest.raises(requests.ConnectionError):
        client.call("POST", "/v1/job/tasks/dispatch", {"Meta": {"agent": "a"}},
                    idempotency_token="retry-1")
    retry = client.call("POST", "/v1/job/tasks/dispatch", {"Meta": {"agent": "a"}},
                        idempotency_token="retry-1")
    assert retry.status_code == 200 and retry.json()["EvalID"] == ""  # the existing child
    children = list(client.call("GET", "/v1/jobs", prefix="tasks/").json())
    assert len(children) == 1


def test_periodic_job_runs_only_when_forced(client):
    job = batch_job("nightly", Periodic={"Spec": "0 3 * * *"})
    assert client.call("POST", "/v1/jobs", {"Job": job}).json()["EvalID"] == ""
    stored = client.call("GET", "/v1/job/nightly").json()
    assert stored["Periodic"]["TimeZone"] == "UTC" and stored["Status"] == "running"
    forced = client.call("POST", "/v1/job/nightly/periodic/force")
    assert forced.status_code == 200 and forced.json()["EvalID"]
    children = client.call("GET", "/v1/jobs", prefix="nightly/periodic-").json()
    assert len(children) == 1 and children[0]["ParentID"] == "nightly"
    client.call("POST", "/v1/jobs", {"Job": batch_job("plain")})
    assert client.call("POST", "/v1/job/plain/periodic/force").status_code == 400


def test_memory_max_warns_until_oversubscription_is_enabled(client):
    from tests.unit.support.nomad_api.helpers import service_job
    job = service_job()
    job["TaskGroups"][0]["Tasks"][0]["Resources"]["MemoryMaxMB"] = 512
    warned = client.call("POST", "/v1/jobs", {"Job": job}).json()["Warnings"]
    assert warned.startswith("1 warning:\n") and '"app.main" memory_max' in warned
    cfg = client.call("GET", "/v1/operator/scheduler/configuration").json()["SchedulerConfig"]
    client.call("PUT", "/v1/operator/scheduler/configuration",
                dict(cfg, MemoryOversubscriptionEnabled=True))
    plan = client.call("POST", "/v1/job/web/plan", {"Job": job}).json()
    assert plan["Warnings"] == ""
