"""Building service-intentions entries from the agent-friendly spec."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import EntryError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.intentions import (
    build_intentions,
    default_deny_entry,
    precedence,
)


def test_allow_deny_and_l7_sources():
    entry = build_intentions("memory", allow=["planner"], deny=["*"], sources=[
        {"name": "researcher", "permissions": [
            {"action": "allow", "path_prefix": "/v1/notes", "methods": ["post", "PUT"]},
            {"action": "deny", "path_regex": "^/admin"},
        ], "description": "notes only"}])
    assert entry["Kind"] == "service-intentions" and entry["Name"] == "memory"
    by_name = {s["Name"]: s for s in entry["Sources"]}
    assert by_name["planner"] == {"Name": "planner", "Action": "allow"}
    assert by_name["*"] == {"Name": "*", "Action": "deny"}
    assert by_name["researcher"]["Permissions"][0] == {
        "Action": "allow", "HTTP": {"PathPrefix": "/v1/notes", "Methods": ["POST", "PUT"]}}
    assert by_name["researcher"]["Description"] == "notes only"
    assert entry["Sources"][-1]["Name"] == "*"  # wildcard last, as Consul orders by precedence


def test_default_deny_is_star_to_star():
    assert default_deny_entry() == {"Kind": "service-intentions", "Name": "*",
                                    "Sources": [{"Name": "*", "Action": "deny"}]}


@pytest.mark.parametrize("dest,src,want", [("a", "b", 9), ("a", "*", 8), ("*", "b", 6), ("*", "*", 5)])
def test_precedence_matches_consul(dest, src, want):
    assert precedence(dest, src) == want


@pytest.mark.parametrize("kwargs,path,fragment", [
    (dict(allow=["planner"], deny=["planner"]), "deny[0]", "listed twice (also at allow[0])"),
    (dict(allow=["a"], sources=[{"name": "a", "action": "deny"}]), "sources[0]", "listed twice"),
    (dict(sources=[{"name": "a"}]), "sources[0].action", "must be 'allow' or 'deny'"),
    (dict(sources=[{"name": "a", "action": "allow", "permissions": [{"action": "allow", "path_prefix": "/"}]}]),
     "sources[0].action", "omit action"),
    (dict(sources=[{"name": "a", "permissions": [{"action": "allow", "path_prefix": "v1"}]}]),
     "sources[0].permissions[0].path_prefix", "must start with '/'"),
    (dict(sources=[{"name": "a", "permissions": [{"action": "allow", "path_exact": "/a", "path_prefix": "/b"}]}]),
     "sources[0].permissions[0]", "at most one of"),
    (dict(sources=[{"name": "a", "permissions": [{"action": "allow", "methods": ["FETCH"]}]}]),
     "sources[0].permissions[0].methods[0]", "not an HTTP method: 'FETCH'"),
    (dict(sources=[{"name": "a", "permissions": [{"action": "allow", "methods": ["GET", "get"]}]}]),
     "sources[0].permissions[0].methods[1]", "more than once"),
    (dict(sources=[{"name": "a", "permissions": [{"action": "allow"}]}]), "sources[0].permissions[0]", "needs a"),
    (dict(sources=[{"name": "a", "permissions": [{"action": "maybe", "path_prefix": "/"}]}]),
     "sources[0].permissions[0].action", "'maybe'"),
    (dict(sources=[{"name": "a", "permissions": [{"action": "allow", "headers": [{"name": "x"}]}]}]),
     "sources[0].permissions[0].headers[0]", "exactly one of"),
    (dict(allow=["web-*"]), "allow[0]", "partial values"),
    (dict(), "sources", "at least one source"),
])
def test_bad_input_names_path_and_value(kwargs, path, fragment):
    with pytest.raises(EntryError) as err:
        build_intentions("api", **kwargs)
    assert err.value.path == path
    assert fragment in str(err.value)


def test_permissions_refused_on_wildcard_destination():
    with pytest.raises(EntryError) as err:
        build_intentions("*", sources=[{"name": "a", "permissions": [{"action": "allow", "path_prefix": "/"}]}])
    assert err.value.path == "sources[0].permissions"


def test_same_name_in_other_peer_is_a_different_source():
    entry = build_intentions("api", sources=[{"name": "a", "action": "allow"},
                                             {"name": "a", "action": "deny", "peer": "east"}])
    assert len(entry["Sources"]) == 2
