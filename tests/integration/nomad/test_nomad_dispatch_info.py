"""nomad_job_dispatch and nomad_job_info."""
import base64

import pytest

from tests.integration.nomad.helpers import api, parameterized_job, play, service_job, task

pytestmark = pytest.mark.integration


def children(server):
    return sorted(j for j in server.jobs("default") if j.startswith("work/"))


def test_dispatch_idempotency_and_wait(nomad_api, tmp_path):
    api(nomad_api, "POST", "/v1/jobs", json={"Job": parameterized_job("work")})
    run = play([task("nomad_job_dispatch", "check", check=True, name="work", payload="hello",
                     idempotency_token="t-1")], tmp_path / "a", nomad_api)
    assert run.rc == 0, run
    assert run.result("check")["changed"] is True and children(nomad_api) == []

    run = play([task("nomad_job_dispatch", "first", name="work", payload="hello", meta={"task_id": "1"},
                     idempotency_token="t-1"),
                task("nomad_job_dispatch", "same token", name="work", payload="hello", meta={"task_id": "1"},
                     idempotency_token="t-1"),
                task("nomad_job_dispatch", "same token check", check=True, name="work", idempotency_token="t-1"),
                task("nomad_job_dispatch", "new token", name="work", payload="again", idempotency_token="t-2")],
               tmp_path / "b", nomad_api)
    assert run.rc == 0, run
    assert run.changed == ["first", "new token"]
    first = run.result("first")["dispatched_job_id"]
    assert run.result("same token")["dispatched_job_id"] == first and run.result("same token")["existing"]
    assert run.result("same token check")["dispatched_job_id"] == first
    assert len(children(nomad_api)) == 2
    child = api(nomad_api, "GET", "/v1/job/%s?namespace=default" % first.replace("/", "%2F"))
    assert base64.b64decode(child["Payload"]) == b"hello" and child["Meta"]["task_id"] == "1"


def test_dispatch_wait_and_failures(nomad_api, tmp_path):
    api(nomad_api, "POST", "/v1/jobs", json={"Job": parameterized_job("work")})
    api(nomad_api, "POST", "/v1/jobs", json={"Job": service_job("plain")})
    count_before = len([r for r in nomad_api.request_log if "/dispatch" in str(r)])
    run = play([task("nomad_job_dispatch", "too big", ignore_errors=True, name="work", payload="x" * 16385),
                task("nomad_job_dispatch", "bad b64", ignore_errors=True, name="work", payload_base64="@@"),
                task("nomad_job_dispatch", "missing", ignore_errors=True, name="nope"),
                task("nomad_job_dispatch", "not parameterized", ignore_errors=True, name="plain")],
               tmp_path / "a", nomad_api)
    assert run.failed == ["too big", "bad b64", "missing", "not parameterized"]
    assert "16385 bytes is over" in run.result("too big")["msg"]
    assert "not valid base64" in run.result("bad b64")["msg"]
    assert "does not exist" in run.result("missing")["msg"]
    assert "not a parameterized job" in run.result("not parameterized")["msg"]
    assert len([r for r in nomad_api.request_log if "/dispatch" in str(r)]) == count_before
    assert children(nomad_api) == []


def test_job_info(nomad_api, tmp_path):
    for i in range(3):
        api(nomad_api, "POST", "/v1/jobs", json={"Job": service_job("info-%d" % i)})
    run = play([task("nomad_job_info", "one", name="info-1", include_spec=True),
                task("nomad_job_info", "list", name=["info-0", "info-2", "ghost"]),
                task("nomad_job_info", "prefix", prefix="info-")], tmp_path, nomad_api)
    assert run.rc == 0, run
    one = run.result("one")["jobs"][0]
    assert one["id"] == "info-1" and one["job"]["ID"] == "info-1" and "allocations" in one
    assert [j["id"] for j in run.result("list")["jobs"]] == ["info-0", "info-2"]
    assert run.result("list")["missing"] == ["ghost"]
    assert sorted(j["id"] for j in run.result("prefix")["jobs"]) == ["info-0", "info-1", "info-2"]
    assert not run.changed
