from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.resources import (
    HIDDEN, differences, masked, view)


def test_differences_compare_only_given_keys():
    live = {"Name": "n", "Description": "d", "Meta": {"a": "1"}, "Capabilities": {
        "EnabledTaskDrivers": ["docker", "exec"], "DisabledTaskDrivers": []}, "CreateIndex": 5}
    assert differences({"Name": "n", "Capabilities": {"EnabledTaskDrivers": ["exec", "docker"]}}, live) == []
    assert differences({"Description": "x"}, live) == ["Description"]
    assert differences({"Capabilities": {"DisabledTaskDrivers": ["raw_exec"]}}, live) == \
        ["Capabilities.DisabledTaskDrivers"]
    assert differences({"Meta": {"a": "1", "b": "2"}}, live, exact=("Meta",)) == ["Meta"]
    assert differences({"Meta": {}}, {"Meta": None}, exact=("Meta",)) == []


def test_view_restricts_to_desired_keys():
    assert view({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": 0}}) == {"b": {"c": 2}}
    assert view(None, {"a": 1}) == {}


def test_masked_never_shows_values():
    out = masked({"k": "secret", "j": "same"}, {"k": "other", "j": "same"})
    assert out == {"k": HIDDEN + " (changed)", "j": HIDDEN}
    assert "secret" not in repr(out)


def test_plan_object_present_and_absent():
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.resources import plan_object
    desired = {"Name": "t", "Description": "d", "Meta": {"a": "1"}}
    assert plan_object(None, desired) == {"changed": True, "differences": [], "before": {}, "after": desired}
    live = {"Name": "t", "Description": "d", "Meta": {"a": "1", "b": "2"}, "ModifyIndex": 9}
    same = plan_object(live, {"Name": "t", "Description": "d", "Meta": {"a": "1"}})
    assert same["changed"] is False and same["differences"] == []
    exact = plan_object(live, desired, exact=("Meta",))
    assert exact["changed"] is True and exact["differences"] == ["Meta"]
    assert exact["before"] == {"Name": "t", "Description": "d", "Meta": {"a": "1", "b": "2"}}
    assert plan_object(live, desired, exact=("Meta",), present=False) == {
        "changed": True, "differences": [], "before": exact["before"], "after": {}}
    assert plan_object(None, desired, present=False)["changed"] is False
