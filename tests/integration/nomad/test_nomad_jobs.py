"""nomad_jobs: a fleet of jobs in one task."""
import pytest

from tests.integration.nomad.helpers import play, service_job, task

pytestmark = pytest.mark.integration


def test_two_hundred_jobs_apply_then_noop(nomad_api, tmp_path):
    jobs = [{"Job": service_job("agent-%03d" % i, Meta={"agentfleet_fleet": "research"})} for i in range(200)]
    run = play([task("nomad_jobs", "check", check=True, jobs=jobs[:10], concurrency=8)], tmp_path / "a", nomad_api)
    assert run.rc == 0, run
    assert run.result("check")["summary"]["created"] == 10
    assert len(nomad_api.jobs("default")) == 0

    run = play([task("nomad_jobs", "apply", jobs=jobs, concurrency=8),
                task("nomad_jobs", "noop", jobs=jobs, concurrency=8)], tmp_path / "b", nomad_api)
    assert run.rc == 0, run
    applied, noop = run.result("apply"), run.result("noop")
    assert applied["changed"] is True and applied["summary"]["created"] == 200
    assert [r["job_id"] for r in applied["results"]] == ["agent-%03d" % i for i in range(200)]
    assert noop["changed"] is False and noop["summary"]["unchanged"] == 200
    assert all(not r["changed"] for r in noop["results"])
    assert len(nomad_api.jobs("default")) == 200


def test_modify_diff_and_removal(nomad_api, tmp_path):
    jobs = [service_job("svc-%d" % i) for i in range(5)]
    changed = [service_job("svc-%d" % i, count=2 if i == 3 else 1) for i in range(5)]
    run = play([task("nomad_jobs", "apply", jobs=jobs),
                task("nomad_jobs", "modify", diff=True, jobs=changed),
                task("nomad_jobs", "remove", jobs=changed, state="absent", purge=True),
                task("nomad_jobs", "remove again", jobs=changed, state="absent", purge=True)], tmp_path, nomad_api)
    assert run.rc == 0, run
    assert run.changed == ["apply", "modify", "remove"]
    modify = run.result("modify")
    assert modify["summary"]["updated"] == 1 and modify["summary"]["unchanged"] == 4
    assert len(modify["diff"]) == 1
    assert modify["diff"][0]["before"]["TaskGroups"][0]["Count"] == 1
    assert modify["diff"][0]["after"]["TaskGroups"][0]["Count"] == 2
    assert run.result("remove")["summary"]["deleted"] == 5
    assert len(nomad_api.jobs("default")) == 0


def test_one_bad_job_fails_the_task_but_not_the_others(nomad_api, tmp_path):
    jobs = [service_job("ok-1"), service_job("bad-1", TaskGroupz=[]), service_job("ok-2")]
    run = play([task("nomad_jobs", "mixed", ignore_errors=True, jobs=jobs)], tmp_path / "a", nomad_api)
    res = run.result("mixed")
    assert res["failed"] and "1 of 3 jobs failed: bad-1" in res["msg"]
    assert [r["failed"] for r in res["results"]] == [False, True, False]
    assert "HTTP 400" in res["results"][1]["msg"]
    assert set(nomad_api.jobs("default")) == {"ok-1", "ok-2"}

    run = play([task("nomad_jobs", "invalid", ignore_errors=True, jobs=[service_job("x"), {"Type": "batch"}])],
               tmp_path / "b", nomad_api)
    assert "jobs[1].ID" in run.result("invalid")["msg"]
    assert set(nomad_api.jobs("default")) == {"ok-1", "ok-2"}  # nothing written
