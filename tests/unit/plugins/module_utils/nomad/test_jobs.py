import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad import jobs as J


def job(**extra):
    base = {"ID": "agent-1", "Type": "service", "TaskGroups": [{"Name": "g", "Count": 1, "Tasks": [
        {"Name": "t", "Driver": "docker", "Config": {"image": "a:1"}}]}]}
    base.update(extra)
    return base


def test_unwrap_accepts_bare_and_wrapped_and_json():
    assert J.unwrap_job(job())["ID"] == "agent-1"
    assert J.unwrap_job({"Job": job()})["ID"] == "agent-1"
    assert J.unwrap_job('{"Job": {"ID": "x"}}') == {"ID": "x", "Name": "x"}


def test_unwrap_copies_and_prunes_nulls():
    src = job(Meta={"a": "1"}, Region=None)
    out = J.unwrap_job(src)
    out["Meta"]["a"] = "2"
    assert src["Meta"]["a"] == "1"
    assert "Region" not in out


@pytest.mark.parametrize("doc,message", [
    ([], "jobs[3]: expected a job object, got list"),
    ({"Job": "x"}, "jobs[3].Job: expected a job object"),
    ({"Type": "service"}, "jobs[3].ID: a job needs a non-empty string ID"),
    ({"ID": 5}, "jobs[3].ID: a job needs a non-empty string ID (or Name), got 5"),
    ({"ID": "a", "Meta": {"k": 1}}, "jobs[3].Meta.k: meta values must be strings, got 1"),
    ({"ID": "a", "TaskGroups": {}}, "jobs[3].TaskGroups: expected a list"),
    ("{not json", "jobs[3]: not valid JSON"),
])
def test_unwrap_errors_name_path_and_value(doc, message):
    with pytest.raises(J.JobSpecError) as info:
        J.unwrap_job(doc, where="jobs[3]")
    assert message in str(info.value)


def test_ownership():
    mine = J.stamp_owner(job(), "me")
    assert J.owner_of(mine) == "me"
    assert J.ownership_conflict(mine, "me", False) is None
    assert J.ownership_conflict(None, "me", False) is None
    msg = J.ownership_conflict(dict(mine, Namespace="default"), "other", False)
    assert "owner 'me'" in msg and "force=true" in msg
    assert "no agentfleet_owner meta" in J.ownership_conflict(job(), "me", False)
    assert J.ownership_conflict(job(), "me", True) is None
    assert J.ownership_conflict(job(), "", False) is None
    assert J.stamp_owner(job(), "") == job()


def test_preserve_counts_copies_live_counts_by_group_name():
    desired = job()
    live = job(TaskGroups=[{"Name": "g", "Count": 7}, {"Name": "other", "Count": 3}])
    assert J.preserve_group_counts(desired, live)["TaskGroups"][0]["Count"] == 7


def test_readable_diff_projects_live_job_onto_desired_keys():
    live = job(Status="running", Version=3, JobModifyIndex=40, Priority=50,
               TaskGroups=[{"Name": "g", "Count": 2, "RestartPolicy": {"Attempts": 2},
                            "Tasks": [{"Name": "t", "Driver": "docker", "Config": {"image": "a:0"}}]}])
    diff = J.readable_diff(live, job())
    assert diff["after"] == job()
    assert diff["before"] == {"ID": "agent-1", "Type": "service", "TaskGroups": [
        {"Name": "g", "Count": 2, "Tasks": [{"Name": "t", "Driver": "docker", "Config": {"image": "a:0"}}]}]}
    assert J.readable_diff(None, job())["before"] == {}


def test_plan_changed_and_summary():
    assert not J.plan_changed({"Diff": {"Type": "None"}})
    assert J.plan_changed({"Diff": {"Type": "Added", "ID": "x"}})
    assert J.summarize_plan({"Diff": {"Type": "Added", "ID": "x"}}) == ["Added job 'x'"]
    plan = {"Diff": {"Type": "Edited", "Fields": [{"Type": "Edited", "Name": "Priority", "Old": "50", "New": "60"}],
                     "TaskGroups": [{"Type": "Edited", "Name": "g",
                                     "Fields": [{"Type": "Edited", "Name": "Count", "Old": "1", "New": "2"}],
                                     "Tasks": [{"Type": "None", "Name": "t"}]}]}}
    lines = J.summarize_plan(plan)
    assert 'Edited Priority: "50" => "60"' in lines
    assert "Edited group 'g'" in lines
    assert '  group g: Edited Count: "1" => "2"' in lines


def test_warning_lines_split_nomads_merged_warnings():
    assert J.warning_lines("") == [] and J.warning_lines(None) == []
    assert J.warning_lines("1 warning:\n\n* first one") == ["first one"]
    assert J.warning_lines("2 warnings:\n\n* first\n* second\n") == ["first", "second"]
    assert J.warning_lines("something else entirely") == ["something else entirely"]


def test_project_matches_ports_by_label_and_other_lists_by_position():
    live = {"Networks": [{"Mode": "bridge", "MBits": 0, "DynamicPorts": [
        {"Label": "b", "To": 2, "HostNetwork": "default"}, {"Label": "a", "To": 1, "HostNetwork": "default"}]}],
        "Templates": [{"DestPath": "x", "Splay": 5, "ChangeMode": "restart"}]}
    desired = {"Networks": [{"Mode": "bridge", "DynamicPorts": [{"Label": "a", "To": 1}]}],
               "Templates": [{"DestPath": "x"}]}
    assert J.project(live, desired) == {
        "Networks": [{"Mode": "bridge", "DynamicPorts": [{"Label": "a", "To": 1}, live["Networks"][0]["DynamicPorts"][0]]}],
        "Templates": [{"DestPath": "x"}]}


def test_without_server_additions_keeps_what_the_desired_job_names():
    sidecar = {"Name": "connect-proxy-api", "Kind": "connect-proxy:api"}
    live = {"TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t"}, sidecar],
                            "Networks": [{"DynamicPorts": [{"Label": "http"}, {"Label": "connect-proxy-api"},
                                                           {"Label": "svc_api_ck_abc123"}]}]}]}
    plain = {"TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t"}], "Networks": [{"DynamicPorts": [{"Label": "http"}]}]}]}
    stripped = J.without_server_additions(live, plain)["TaskGroups"][0]
    assert stripped["Tasks"] == [{"Name": "t"}] and stripped["Networks"][0]["DynamicPorts"] == [{"Label": "http"}]
    own = {"TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t"}, {"Name": "connect-proxy-api"}],
                           "Networks": [{"DynamicPorts": [{"Label": "connect-proxy-api"}]}]}]}
    kept = J.without_server_additions(live, own)["TaskGroups"][0]
    assert sidecar in kept["Tasks"] and {"Label": "connect-proxy-api"} in kept["Networks"][0]["DynamicPorts"]
    assert live["TaskGroups"][0]["Tasks"][1] is sidecar  # the live job itself is not changed
