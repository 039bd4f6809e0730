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
    assert J.summarize_plan({"Diff": {"Type": "Added", "ID": "x"}}) == ['+ Job: "x"']
    assert J.summarize_plan({"Diff": {"Type": "None", "ID": "x"}}) == []
    plan = {"Diff": {"Type": "Edited", "ID": "x",
                     "Fields": [{"Type": "Edited", "Name": "Priority", "Old": "50", "New": "60"},
                                {"Type": "None", "Name": "Region", "Old": "global", "New": "global"}],
                     "TaskGroups": [{"Type": "Edited", "Name": "g",
                                     "Fields": [{"Type": "Edited", "Name": "Count", "Old": "1", "New": "2"}],
                                     "Updates": {"create": 1, "ignore": 1},
                                     "Tasks": [{"Type": "None", "Name": "t"}]},
                                    {"Type": "None", "Name": "quiet", "Updates": {"ignore": 3}, "Tasks": []}]}}
    assert J.summarize_plan(plan) == [
        '+/- Job: "x"',
        '  +/- Priority: "50" => "60"',
        '  +/- Task Group: "g" (1 create, 1 ignore)',
        '    +/- Count: "1" => "2"',
    ]


def test_summary_shows_every_annotation_of_nomads_plan():
    """scheduler/annotate.go: group Updates keys and task Annotations, in a fixed order."""
    updates = {"ignore": 1, "canary": 1, "create/destroy update": 2, "in-place update": 3, "migrate": 4,
               "destroy": 5, "create": 6}
    tasks = [{"Type": "Added", "Name": "new", "Annotations": ["forces create"]},
             {"Type": "Deleted", "Name": "old", "Annotations": ["forces destroy"]},
             {"Type": "Edited", "Name": "web", "Annotations": ["forces in-place update"], "Fields": [
                 {"Type": "Edited", "Name": "Env[V]", "Old": "1", "New": "2"}]},
             {"Type": "Edited", "Name": "api", "Annotations": ["forces create/destroy update"], "Fields": [
                 {"Type": "Added", "Name": "Env[NEW]", "Old": "", "New": "x"},
                 {"Type": "Deleted", "Name": "Env[GONE]", "Old": "y", "New": ""}]}]
    plan = {"Diff": {"Type": "Edited", "ID": "j", "TaskGroups": [
        {"Type": "Edited", "Name": "g", "Updates": updates, "Tasks": tasks}]}}
    assert J.summarize_plan(plan) == [
        '+/- Job: "j"',
        '  +/- Task Group: "g" (6 create, 5 destroy, 4 migrate, 3 in-place update, 2 create/destroy update, '
        '1 canary, 1 ignore)',
        '    + Task: "new" (forces create)',
        '    - Task: "old" (forces destroy)',
        '    +/- Task: "web" (forces in-place update)',
        '      +/- Env[V]: "1" => "2"',
        '    +/- Task: "api" (forces create/destroy update)',
        '      + Env[NEW]: "x"',
        '      - Env[GONE]: "y"',
    ]


def test_summary_shows_durations_in_human_form():
    plan = {"Diff": {"Type": "Edited", "ID": "j", "TaskGroups": [{"Type": "Edited", "Name": "g", "Objects": [
        {"Type": "Edited", "Name": "Update", "Fields": [
            {"Type": "Edited", "Name": "MinHealthyTime", "Old": "10000000000", "New": "120000000000"}]},
        {"Type": "Edited", "Name": "Scaling", "Fields": [{"Type": "Edited", "Name": "Max", "Old": "3", "New": "6"}]},
        {"Type": "Edited", "Name": "Wait", "Fields": [{"Type": "Edited", "Name": "Min", "Old": "5000000000",
                                                       "New": "1500000000"}]}],
        "Tasks": [{"Type": "Edited", "Name": "t", "Fields": [
            {"Type": "Edited", "Name": "KillTimeout", "Old": "20000000000", "New": "3600000000000"}]}]}]}}
    lines = J.summarize_plan(plan)
    assert "    +/- Update.MinHealthyTime: 10s => 2m" in lines
    assert '    +/- Scaling.Max: "3" => "6"' in lines  # a count, not a duration
    assert "    +/- Wait.Min: 5s => 1.5s" in lines
    assert "      +/- KillTimeout: 20s => 1h" in lines


def test_summary_keeps_the_changed_part_of_long_values_visible():
    old = "service.namespace=research,service.version=1.4.2,service.instance.id=${NOMAD_ALLOC_ID},agentfleet.fleet=x"
    new = old.replace("1.4.2", "2.0.0")
    plan = {"Diff": {"Type": "Edited", "ID": "j", "Fields": [
        {"Type": "Edited", "Name": "Env[OTEL_RESOURCE_ATTRIBUTES]", "Old": old, "New": new}]}}
    line = J.summarize_plan(plan)[1]
    before, after = line.split(": ", 1)[1].split(" => ")
    assert "1.4.2" in before and "2.0.0" in after and before != after
    assert len(before) <= J.PLAN_VALUE_WIDTH and before.startswith("...") and before.endswith("...")


def test_created_lines_list_groups_with_their_count():
    job_doc = {"ID": "j", "TaskGroups": [{"Name": "a", "Count": 2}, {"Name": "b"}]}
    assert J.created_lines(job_doc) == ['+ Job: "j"', '  + Task Group: "a" (count 2)', '  + Task Group: "b" (count 1)']


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


def test_project_matches_list_items_by_nomads_identity_not_position():
    """A live job whose lists come back in another order, with server defaults the spec never
    set (HostNetwork, Splay, check OnUpdate): nothing reads as removed or changed."""
    live = {"Services": [
        {"Name": "api", "PortLabel": "metrics", "Tags": ["m"], "Provider": "consul"},
        {"Name": "api", "PortLabel": "http", "Tags": ["h"], "Provider": "consul", "Checks": [
            {"Name": "live", "Path": "/live", "OnUpdate": "require_healthy"},
            {"Name": "ready", "Path": "/ready", "OnUpdate": "require_healthy"}]}],
        "Templates": [{"DestPath": "b", "Splay": 5000000000}, {"DestPath": "a", "Splay": 5000000000}],
        "Networks": [{"DynamicPorts": [{"Label": "metrics", "HostNetwork": "default"},
                                       {"Label": "http", "HostNetwork": "default"}]}]}
    desired = {"Services": [
        {"Name": "api", "PortLabel": "http", "Tags": ["h"],
         "Checks": [{"Name": "ready", "Path": "/ready"}, {"Name": "live", "Path": "/live"}]},
        {"Name": "api", "PortLabel": "metrics", "Tags": ["m"]}],
        "Templates": [{"DestPath": "a"}, {"DestPath": "b"}],
        "Networks": [{"DynamicPorts": [{"Label": "http"}, {"Label": "metrics"}]}]}
    assert J.project(live, desired) == desired
    # A check the spec no longer has is a real removal: kept whole.
    desired["Services"][0]["Checks"] = [{"Name": "ready", "Path": "/ready"}]
    kept = J.project(live, desired)["Services"][0]["Checks"]
    assert kept == [{"Name": "ready", "Path": "/ready"}, {"Name": "live", "Path": "/live", "OnUpdate": "require_healthy"}]


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


def test_summary_of_an_object_deleted_and_added_again_shows_only_what_differs():
    """Nomad diffs a group's networks as whole sets: one changed port label reads as the
    whole network deleted and added. Only the differing fields are shown."""
    def network(kind, key, labels):
        return {"Type": kind, "Name": "Network", "Fields": [{"Type": kind, "Name": "Mode", key: "bridge"}],
                "Objects": [{"Type": kind, "Name": "Dynamic Port", "Fields": [
                    {"Type": kind, "Name": "Label", key: label}, {"Type": kind, "Name": "To", key: "-1"}]}
                    for label in labels]}
    for order in (("Deleted", "Added"), ("Added", "Deleted")):
        nets = {"Deleted": network("Deleted", "Old", ["http", "svc_ck_aaa"]),
                "Added": network("Added", "New", ["http", "svc_ck_bbb"])}
        plan = {"Diff": {"Type": "Edited", "ID": "j", "TaskGroups": [
            {"Type": "Edited", "Name": "g", "Objects": [nets[order[0]], nets[order[1]]], "Tasks": []}]}}
        assert J.summarize_plan(plan)[2:] == [
            '    - Network.Dynamic Port.Label: "svc_ck_aaa"',
            '    + Network.Dynamic Port.Label: "svc_ck_bbb"',
        ]
    # A network only deleted is shown whole.
    plan = {"Diff": {"Type": "Edited", "ID": "j", "TaskGroups": [
        {"Type": "Edited", "Name": "g", "Objects": [network("Deleted", "Old", ["http"])], "Tasks": []}]}}
    assert J.summarize_plan(plan)[2:] == ['    - Network.Mode: "bridge"', '    - Network.Dynamic Port.Label: "http"',
                                          '    - Network.Dynamic Port.To: "-1"']
