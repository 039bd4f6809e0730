"""diff.job_diff and canonicalize without HTTP."""
import pytest

from tests.support.nomad_api.canonicalize import canonicalize
from tests.support.nomad_api.diff import go_duration, job_diff
from tests.unit.support.nomad_api.helpers import batch_job, service_job


@pytest.mark.parametrize("ns, text", [
    (0, "0s"), (1_500_000_000, "1.5s"), (30 * 10**9, "30s"), (300 * 10**9, "5m0s"),
    (3600 * 10**9, "1h0m0s"), (5_000_000, "5ms"), (-2 * 10**9, "-2s")])
def test_go_duration(ns, text):
    assert go_duration(ns) == text


@pytest.mark.parametrize("job", [service_job(), batch_job(), service_job(
    Update={"Canary": 1}, Meta={"a": "b"}, Periodic=None)])
def test_canonicalize_is_idempotent(job):
    once = canonicalize(job)
    assert canonicalize(once) == once
    assert job_diff(once, canonicalize(job))["Type"] == "None"


def test_defaults_depend_on_type():
    svc = canonicalize(service_job())["TaskGroups"][0]
    bat = canonicalize(batch_job())["TaskGroups"][0]
    assert svc["RestartPolicy"]["Attempts"] == 2 and bat["RestartPolicy"]["Attempts"] == 3
    assert svc["ReschedulePolicy"]["Unlimited"] is True
    assert bat["ReschedulePolicy"]["Attempts"] == 1
    assert "Update" not in bat and svc["Update"]["HealthyDeadline"] == 300 * 10**9
    assert canonicalize(batch_job())["Update"] is None


def test_group_update_merges_over_job_update():
    job = service_job(Update={"MaxParallel": 3, "AutoRevert": True})
    job["TaskGroups"][0]["Update"] = {"Canary": 2}
    group = canonicalize(job)["TaskGroups"][0]
    assert (group["Update"]["MaxParallel"], group["Update"]["AutoRevert"],
            group["Update"]["Canary"]) == (3, True, 2)


def test_added_and_deleted_groups_and_tasks():
    old = canonicalize(service_job())
    new = canonicalize(service_job())
    new["TaskGroups"].append(dict(new["TaskGroups"][0], Name="extra"))
    new["TaskGroups"][0]["Tasks"].append(dict(new["TaskGroups"][0]["Tasks"][0], Name="side"))
    diff = job_diff(old, new)
    groups = {g["Name"]: g for g in diff["TaskGroups"]}
    assert diff["Type"] == "Edited" and groups["extra"]["Type"] == "Added"
    tasks = {t["Name"]: t for t in groups["app"]["Tasks"]}
    assert tasks["side"]["Type"] == "Added" and tasks["side"]["Annotations"] == ["forces create"]
    assert tasks["main"]["Type"] == "None"
    assert job_diff(new, old)["TaskGroups"][1]["Type"] == "Deleted"
    assert job_diff(None, new)["Type"] == "Added" and job_diff(old, None)["Type"] == "Deleted"


def test_set_diffs_for_lists():
    old = canonicalize(service_job(Datacenters=["dc1"], Constraints=[
        {"LTarget": "${attr.kernel.name}", "RTarget": "linux", "Operand": "="}]))
    new = canonicalize(service_job(Datacenters=["dc1", "dc2"]))
    diff = job_diff(old, new)
    dcs = next(o for o in diff["Objects"] if o["Name"] == "Datacenters")
    assert {(f["Type"], f["New"]) for f in dcs["Fields"]} == {("None", "dc1"), ("Added", "dc2")}
    cons = [o for o in diff["Objects"] if o["Name"] == "Constraint"]
    assert [c["Type"] for c in cons] == ["Deleted"]


def test_server_fields_are_not_diffed():
    old = canonicalize(service_job())
    new = dict(old, Version=7, JobModifyIndex=99, Status="running", SubmitTime=1, Stable=True)
    assert job_diff(old, new)["Type"] == "None"
