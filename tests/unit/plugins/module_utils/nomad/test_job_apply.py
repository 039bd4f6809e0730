"""apply_job against a recording client double: the decision logic, not HTTP."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.job_apply import (
    JobApplyError, JobOptions, apply_job, load_job)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.jobs import JobSpecError


class Recorder:
    namespace = "default"

    def __init__(self, live=None, diff_type="Edited"):
        self.live = live
        self.diff_type = diff_type
        self.calls = []

    def get_job(self, job_id, namespace):
        self.calls.append(("get", job_id, namespace))
        return self.live

    def plan_job(self, job, namespace, diff=True, policy_override=False):
        self.calls.append(("plan", job["ID"], namespace))
        self.planned = job
        return {"Diff": {"Type": self.diff_type, "ID": job["ID"]}, "JobModifyIndex": 3}

    def register_job(self, job, namespace, **kwargs):
        self.calls.append(("register", job["ID"], namespace, kwargs))
        return {"EvalID": "e1", "JobModifyIndex": 4}

    def deregister_job(self, job_id, namespace, purge=False):
        self.calls.append(("deregister", job_id, namespace, purge))
        return {"EvalID": "e2"}


def job(**extra):
    return dict({"ID": "a", "Name": "a", "TaskGroups": [{"Name": "g", "Count": 1}]}, **extra)


def kinds(client):
    return [c[0] for c in client.calls]


def test_unchanged_plan_never_registers():
    client = Recorder(live=job(Meta={"agentfleet_owner": "o"}, JobModifyIndex=3), diff_type="None")
    res = apply_job(client, job(), JobOptions(owner="o"))
    assert res["changed"] is False and res["outcome"] == "unchanged"
    assert kinds(client) == ["get", "plan"]


def test_check_mode_plans_but_does_not_register():
    client = Recorder(live=None, diff_type="Added")
    res = apply_job(client, job(), JobOptions(check_mode=True))
    assert res["changed"] is True and res["outcome"] == "created"
    assert kinds(client) == ["get", "plan"]
    assert client.planned["Meta"]["agentfleet_owner"] == "agentfleet.hashistack"


def test_register_passes_options_and_namespace():
    client = Recorder(live=None, diff_type="Added")
    res = apply_job(client, job(Namespace="agents"), JobOptions(enforce_index=0, preserve_counts=True))
    assert client.calls[-1] == ("register", "a", "agents", {"enforce_index": 0, "preserve_counts": True,
                                                            "policy_override": False})
    assert res["eval_id"] == "e1" and res["namespace"] == "agents"


def test_foreign_owner_refused_before_plan():
    client = Recorder(live=job(Meta={"agentfleet_owner": "other"}))
    with pytest.raises(JobApplyError, match="owner 'other'"):
        apply_job(client, job(), JobOptions())
    assert kinds(client) == ["get"]


def test_enforce_index_mismatch_refused_before_plan():
    client = Recorder(live=job(Meta={"agentfleet_owner": "o"}, JobModifyIndex=9))
    with pytest.raises(JobApplyError, match="enforce_index=8 .* JobModifyIndex 9"):
        apply_job(client, job(), JobOptions(owner="o", enforce_index=8))
    assert kinds(client) == ["get"]


def test_absent_stops_or_purges_and_is_idempotent():
    live = job(Meta={"agentfleet_owner": "o"})
    client = Recorder(live=live)
    assert apply_job(client, None, JobOptions(state="absent", owner="o"), job_id="a")["outcome"] == "deleted"
    assert client.calls[-1] == ("deregister", "a", "default", False)
    stopped = Recorder(live=dict(live, Stop=True))
    assert apply_job(stopped, None, JobOptions(state="absent", owner="o"), job_id="a")["changed"] is False
    purge = Recorder(live=dict(live, Stop=True))
    assert apply_job(purge, None, JobOptions(state="absent", owner="o", purge=True), job_id="a")["changed"] is True
    assert apply_job(Recorder(), None, JobOptions(state="absent"), job_id="a")["outcome"] == "absent"


def test_load_job_from_json_file_and_errors(tmp_path):
    path = tmp_path / "j.json"
    path.write_text('{"Job": {"ID": "f"}}')
    assert load_job(None, job_file=str(path))["ID"] == "f"
    with pytest.raises(JobSpecError, match="job_file: cannot read"):
        load_job(None, job_file=str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    with pytest.raises(JobSpecError, match="job_file .*bad.json: not valid JSON"):
        load_job(None, job_file=str(bad))


class Deploying(Recorder):
    """An unchanged job whose running deployment has healthy canaries to promote."""

    def __init__(self):
        super().__init__(live=job(Meta={"agentfleet_owner": "o"}, Type="service", Version=2, CreateIndex=1,
                                  JobModifyIndex=3, TaskGroups=[{"Name": "g", "Count": 1,
                                                                 "Update": {"MaxParallel": 1, "Canary": 1}}]),
                         diff_type="None")
        self.promoted = []

    def job_deployments(self, job_id, namespace):
        groups = {"g": {"DesiredCanaries": 1, "HealthyAllocs": 1, "Promoted": bool(self.promoted)}}
        return [{"ID": "d1", "JobVersion": 2, "JobSpecModifyIndex": 3, "JobCreateIndex": 1, "TaskGroups": groups,
                 "Status": "successful" if self.promoted else "running"}]

    def job_allocations(self, job_id, namespace):
        return []

    def promote_deployment(self, dep_id, namespace, groups=None):
        self.promoted.append(dep_id)


def test_promotion_during_the_wait_is_an_outcome_of_its_own():
    """Drift fixed: the wait's auto-promotion set changed=True but left outcome "unchanged"."""
    client = Deploying()
    res = apply_job(client, job(Type="service"), JobOptions(owner="o", wait=True, wait_timeout=5, wait_interval=0.01,
                                                            promote="auto"))
    assert client.promoted == ["d1"] and res["promoted"] == ["g"]
    assert res["outcome"] == "promoted" and res["changed"] is True


class TwoDeployments(Deploying):
    """An older, still running deployment listed after the newest one (list order is not trusted)."""

    def job_deployments(self, job_id, namespace):
        groups = {"g": {"DesiredCanaries": 1, "HealthyAllocs": 1, "Promoted": False}}
        old = {"ID": "d0", "JobVersion": 1, "CreateIndex": 5, "TaskGroups": groups, "Status": "running"}
        return [old, dict(old, ID="d2", JobVersion=2, CreateIndex=9)]


def test_promote_now_promotes_the_newest_deployment_by_create_index():
    client = TwoDeployments()
    res = apply_job(client, job(Type="service"), JobOptions(owner="o", promote="now"))
    assert client.promoted == ["d2"] and res["promoted"] == ["g"] and res["outcome"] == "promoted"


def test_promote_now_in_check_mode_reports_without_promoting():
    client = TwoDeployments()
    res = apply_job(client, job(Type="service"), JobOptions(owner="o", promote="now", check_mode=True))
    assert client.promoted == [] and res["promoted"] == ["g"] and res["changed"] is True
