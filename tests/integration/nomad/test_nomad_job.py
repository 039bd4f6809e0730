"""nomad_job driven through ansible-playbook against the Nomad contract server."""
import json

import pytest

from tests.integration.nomad.helpers import api, play, service_job, batch_job, task
from tests.support.net import free_port

pytestmark = pytest.mark.integration


def live(server, job_id, ns="default"):
    return api(server, "GET", "/v1/job/%s?namespace=%s" % (job_id, ns))


def test_lifecycle_check_apply_reapply_modify_remove(nomad_api, tmp_path):
    job = service_job("web")
    run = play([task("nomad_job", "check", check=True, job={"Job": job})], tmp_path / "a", nomad_api)
    assert run.rc == 0, run
    res = run.result("check")
    assert res["changed"] is True and res["outcome"] == "created"
    assert res["plan"]["diff_type"] == "Added"
    assert live(nomad_api, "web") is None

    modified = service_job("web", image="registry.local/agent:2")
    run = play([task("nomad_job", "apply", job=job), task("nomad_job", "reapply", job={"Job": job}),
                task("nomad_job", "modify", diff=True, job=modified)], tmp_path / "b", nomad_api)
    assert run.rc == 0, run
    assert run.changed == ["apply", "modify"]
    assert run.result("reapply")["outcome"] == "unchanged"
    assert run.result("reapply")["plan"]["diff_type"] == "None"
    diff = run.result("modify")["diff"]
    assert diff["before"]["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == "registry.local/agent:1"
    assert diff["after"]["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == "registry.local/agent:2"
    assert any("image" in line for line in run.result("modify")["plan"]["changes"])
    stored = live(nomad_api, "web")
    assert stored["Meta"]["agentfleet_owner"] == "agentfleet.hashistack"
    assert stored["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == "registry.local/agent:2"

    run = play([task("nomad_job", "remove check", check=True, name="web", state="absent", purge=True),
                task("nomad_job", "remove", name="web", state="absent", purge=True),
                task("nomad_job", "remove again", name="web", state="absent", purge=True)],
               tmp_path / "c", nomad_api)
    assert run.rc == 0, run
    assert run.changed == ["remove check", "remove"]
    assert live(nomad_api, "web") is None


def test_ownership_refusal_and_force(nomad_api, tmp_path):
    foreign = service_job("theirs", Meta={"agentfleet_owner": "someone-else"})
    api(nomad_api, "POST", "/v1/jobs", json={"Job": foreign})
    before = live(nomad_api, "theirs")["JobModifyIndex"]
    run = play([task("nomad_job", "take", ignore_errors=True, job=service_job("theirs", count=3)),
                task("nomad_job", "remove", ignore_errors=True, name="theirs", state="absent"),
                task("nomad_job", "forced", job=service_job("theirs", count=3), force=True)],
               tmp_path, nomad_api)
    assert run.failed == ["take", "remove"]
    assert "owner 'someone-else'" in run.result("take")["msg"] and "force=true" in run.result("take")["msg"]
    assert run.changed == ["forced"]
    stored = live(nomad_api, "theirs")
    assert stored["JobModifyIndex"] > before and stored["Meta"]["agentfleet_owner"] == "agentfleet.hashistack"


def test_hcl_with_variables_and_json_file(nomad_api, tmp_path):
    hcl = '''
variable "image" {
  type = string
}
job "hcl-job" {
  datacenters = ["dc1"]
  group "agent" {
    task "agent" {
      driver = "docker"
      config {
        image = var.image
      }
    }
  }
}
'''
    jobfile = tmp_path / "job.json"
    jobfile.write_text(json.dumps({"Job": service_job("file-job")}))
    run = play([task("nomad_job", "hcl", hcl=hcl, hcl_variables={"image": "registry.local/hcl:1"}),
                task("nomad_job", "hcl again", hcl=hcl, hcl_variables={"image": "registry.local/hcl:1"}),
                task("nomad_job", "file", job_file=str(jobfile)),
                task("nomad_job", "file again", job_file=str(jobfile))], tmp_path, nomad_api)
    assert run.rc == 0, run
    assert run.changed == ["hcl", "file"]
    assert live(nomad_api, "hcl-job")["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == "registry.local/hcl:1"
    assert live(nomad_api, "file-job") is not None


def test_preserve_counts_and_enforce_index(nomad_api, tmp_path):
    run = play([task("nomad_job", "create", job=service_job("scaled", count=2))], tmp_path / "a", nomad_api)
    assert run.rc == 0, run
    stored = live(nomad_api, "scaled")
    stored["TaskGroups"][0]["Count"] = 5  # an autoscaler scaled it up
    api(nomad_api, "POST", "/v1/jobs", json={"Job": stored})
    index = live(nomad_api, "scaled")["JobModifyIndex"]
    run = play([task("nomad_job", "same spec", job=service_job("scaled", count=2), preserve_counts=True),
                task("nomad_job", "stale index", ignore_errors=True, enforce_index=index - 1,
                     job=service_job("scaled", image="x:2"), preserve_counts=True),
                task("nomad_job", "right index", enforce_index=index,
                     job=service_job("scaled", image="x:2"), preserve_counts=True)], tmp_path / "b", nomad_api)
    assert run.result("same spec")["changed"] is False
    assert run.failed == ["stale index"]
    assert "enforce_index=%d" % (index - 1) in run.result("stale index")["msg"]
    assert run.changed == ["right index"]
    stored = live(nomad_api, "scaled")
    assert stored["TaskGroups"][0]["Count"] == 5
    assert stored["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == "x:2"


def test_wait_success_failure_and_canary_promotion(nomad_api, tmp_path):
    nomad_api.set_deployment_outcome("good", "successful")
    nomad_api.set_deployment_outcome("bad", "failed", failed_task_event="image pull failed: manifest unknown")
    canary = service_job("canary", Update={"Canary": 1, "MaxParallel": 1})
    nomad_api.set_deployment_outcome("canary", "canary_wait")
    nomad_api.set_batch_outcome("oneshot", "complete")
    run = play([
        task("nomad_job", "good", job=service_job("good"), wait=True, wait_timeout=20, wait_interval=0.1),
        task("nomad_job", "bad", ignore_errors=True, job=service_job("bad"), wait=True, wait_timeout=20,
             wait_interval=0.1),
        task("nomad_job", "batch", job=batch_job("oneshot"), wait=True, wait_timeout=20, wait_interval=0.1),
        task("nomad_job", "canary v1", job=canary, wait=True, wait_timeout=20, wait_interval=0.1),
        task("nomad_job", "canary v2", job=dict(canary, Meta={"v": "2"}), wait=True, wait_timeout=20,
             wait_interval=0.1, promote="auto"),
    ], tmp_path, nomad_api)
    assert run.failed == ["bad"], run
    assert run.result("good")["deployment"]["status"] == "successful"
    bad = run.result("bad")
    assert "failed" in bad["msg"]
    events = json.dumps(bad["failed_allocations"])
    assert "image pull failed: manifest unknown" in events
    assert run.result("batch")["allocations"].get("complete", 0) >= 1
    assert run.result("canary v2")["promoted"] == ["agent"]


def test_wait_reports_the_failure_when_auto_revert_rolled_back(nomad_api, tmp_path):
    update = {"MaxParallel": 1, "AutoRevert": True}
    v1 = service_job("revert", Update=update)
    nomad_api.set_deployment_outcome("revert", "successful")
    first = play([task("nomad_job", "v1", job=v1, wait=True, wait_timeout=20, wait_interval=0.1)],
                 tmp_path / "a", nomad_api)
    assert first.rc == 0, first
    nomad_api.set_deployment_outcome("revert", "failed", failed_task_event="exec format error")
    run = play([task("nomad_job", "v2", ignore_errors=True, job=service_job("revert", image="x:bad", Update=update),
                     wait=True, wait_timeout=20, wait_interval=0.1)], tmp_path / "b", nomad_api)
    bad = run.result("v2")
    assert bad.get("failed"), run
    assert "timed out" not in bad["msg"] and "failed" in bad["msg"]
    assert bad["deployment"]["job_version"] == 1
    assert "exec format error" in json.dumps(bad["failed_allocations"])
    live = api(nomad_api, "GET", "/v1/job/revert?namespace=default")
    assert live["Version"] == 2  # auto_revert re-registered version 0 as version 2
    assert live["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == "registry.local/agent:1"


def test_wait_times_out_on_stuck_deployment(nomad_api, tmp_path):
    nomad_api.set_deployment_outcome("stuck", "stuck")
    run = play([task("nomad_job", "stuck", job=service_job("stuck"), wait=True, wait_timeout=2, wait_interval=0.2)],
               tmp_path, nomad_api)
    assert run.rc != 0
    assert "timed out after 2s" in run.result("stuck")["msg"]


def test_bad_input_changes_nothing(nomad_api, tmp_path):
    run = play([task("nomad_job", "no id", ignore_errors=True, job={"Job": {"Type": "service"}}),
                task("nomad_job", "bad meta", ignore_errors=True, job=service_job("m", Meta={"n": 1})),
                task("nomad_job", "strict 400", ignore_errors=True,
                     job=service_job("typo", TaskGroupz=[])),
                task("nomad_job", "bad hcl", ignore_errors=True, hcl="job {")], tmp_path, nomad_api)
    assert run.failed == ["no id", "bad meta", "strict 400", "bad hcl"]
    assert "job.Job.ID: a job needs a non-empty string ID" in run.result("no id")["msg"]
    assert "job.Meta.n: meta values must be strings, got 1" in run.result("bad meta")["msg"]
    assert "HTTP 400" in run.result("strict 400")["msg"] and "TaskGroupz" in run.result("strict 400")["msg"]
    assert "could not parse the HCL" in run.result("bad hcl")["msg"]
    assert nomad_api.jobs("default") == {}


def test_forbidden_token_and_server_down(nomad_api, tmp_path):
    secret = nomad_api.make_token(["readonly"], rules={"readonly": 'namespace "default" { policy = "read" }'})
    run = play([task("nomad_job", "forbidden", ignore_errors=True, job=service_job("nope"))],
               tmp_path / "a", nomad_api, token=secret)
    res = run.result("forbidden")
    assert res["failed"] and res["nomad_error"]["status"] == 403
    assert "HTTP 403" in res["msg"] and "ACL" in res["msg"]
    assert secret not in run.output

    down = {"NOMAD_ADDR": "http://127.0.0.1:%d" % free_port(), "NOMAD_TOKEN": "x"}
    from tests.support.playbook import run_playbook
    run = run_playbook([task("nomad_job", "down", ignore_errors=True, job=service_job("x"), retries=1,
                             retry_delay=0.05)], tmp_path=tmp_path / "b", env=down)
    res = run.result("down")
    assert res["failed"] and res["nomad_error"]["status"] is None and res["nomad_error"]["attempts"] == 2
    assert res["msg"].startswith("Nomad GET /v1/job/")
    assert ("cannot connect to Nomad at %s (address from environment variable NOMAD_ADDR): connection refused; "
            "check that Nomad is running" % down["NOMAD_ADDR"]) in res["msg"], res["msg"]


def test_token_never_in_verbose_output_or_diff(nomad_api, tmp_path):
    run = play([task("nomad_job", "apply", job=service_job("quiet")),
                task("nomad_job", "modify", job=service_job("quiet", count=2))],
               tmp_path, nomad_api, callback="default", verbosity=3, diff=True)
    assert run.rc == 0, run
    assert nomad_api.management_token not in run.output


def test_retries_through_injected_5xx_and_dropped_connections(nomad_api, tmp_path):
    nomad_api.inject_fault("status", path_prefix="/v1/job/flaky/plan", status=503, count=2)
    nomad_api.inject_fault("drop", path_prefix="/v1/jobs", method="POST", count=1)
    run = play([task("nomad_job", "flaky", job=service_job("flaky"), retry_delay=0.05)], tmp_path, nomad_api)
    assert run.rc == 0, run
    assert run.result("flaky")["changed"] is True
    assert live(nomad_api, "flaky") is not None


def test_canaries_wait_for_operator_then_promote_now(nomad_api, tmp_path):
    canary = service_job("manual", Update={"Canary": 1, "MaxParallel": 1})
    run = play([task("nomad_job", "v1", job=canary, wait=True, wait_timeout=20, wait_interval=0.1)],
               tmp_path / "a", nomad_api)
    assert run.rc == 0, run
    nomad_api.set_deployment_outcome("manual", "canary_wait")
    v2 = dict(canary, Meta={"v": "2"})
    run = play([task("nomad_job", "v2", job=v2, wait=True, wait_timeout=20, wait_interval=0.1),
                task("nomad_job", "promote check", check=True, job=v2, promote="now"),
                task("nomad_job", "promote", job=v2, promote="now"),
                task("nomad_job", "promote again", job=v2, promote="now")], tmp_path / "b", nomad_api)
    assert run.rc == 0, run
    assert run.result("v2")["awaiting_promotion"] == ["agent"]
    assert run.changed == ["v2", "promote check", "promote"]
    assert run.result("promote")["outcome"] == "promoted" and run.result("promote")["promoted"] == ["agent"]
    dep = api(nomad_api, "GET", "/v1/job/manual/deployment?namespace=default")
    assert dep["TaskGroups"]["agent"]["Promoted"] is True
