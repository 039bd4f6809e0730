"""consul_intentions end to end: default deny, exact sources, L7, errors, ACLs, no leaks."""
import pytest

from tests.integration.consul.helpers import module_defaults, writes
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

MOD = "agentfleet.hashistack.consul_intentions"
L7 = [{"name": "researcher", "permissions": [
    {"action": "deny", "path_prefix": "/v1/notes/private"},
    {"action": "allow", "path_prefix": "/v1/notes", "methods": ["get", "POST"]}]}]


def task(title, check=False, **args):
    out = {"name": title, MOD: args}
    if check:
        out["check_mode"] = True
    return out


def test_lifecycle(consul_api, tmp_path):
    tasks = [
        task("plan default deny", check=True, default_deny=True),
        task("default deny", default_deny=True),
        {"name": "memory speaks http", "agentfleet.hashistack.consul_service_defaults": {"name": "memory", "protocol": "http"}},
        task("memory", destination="memory", allow=["planner"], deny=["scraper"], sources=L7),
        task("memory again", destination="memory", allow=["planner"], deny=["scraper"], sources=L7),
        task("drop scraper", destination="memory", allow=["planner"], sources=L7),
        task("default deny again", default_deny=True),
        task("plan removal", check=True, destination="memory", state="absent"),
        task("remove", destination="memory", state="absent"),
        task("remove again", destination="memory", state="absent"),
    ]
    run = run_playbook(tasks, tmp_path=tmp_path, diff=True, module_defaults=module_defaults(consul_api))
    assert run.rc == 0, run
    assert run.changed == ["plan default deny", "default deny", "memory speaks http", "memory", "drop scraper",
                           "plan removal", "remove"]
    created = run.result("memory")
    assert [(i["name"], i["precedence"]) for i in created["intentions"]] == [
        ("planner", 9), ("researcher", 9), ("scraper", 9)]
    assert run.result("default deny")["intentions"] == [{"name": "*", "action": "deny", "precedence": 5}]
    dropped = run.result("drop scraper")
    (change,) = dropped["differences"]  # one changed path: the source list lost "scraper"
    assert change.startswith("Sources: ") and "scraper" in change.split(" -> ")[0]
    assert "scraper" not in change.split(" -> ")[1]
    assert [s["Name"] for s in dropped["diff"]["before"]["Sources"]] == ["planner", "researcher", "scraper"]
    assert [s["Name"] for s in dropped["diff"]["after"]["Sources"]] == ["planner", "researcher"]
    assert writes(consul_api) == [("PUT", "/v1/config")] * 4 + [("DELETE", "/v1/config/service-intentions/memory")]
    remaining = consul_api.entries
    assert ("service-intentions", "*") in remaining and ("service-intentions", "memory") not in remaining
    perms = remaining[("service-defaults", "memory")]  # untouched by intentions
    assert perms["Protocol"] == "http"


def test_stored_entry_is_what_consul_would_hold(consul_api, tmp_path):
    tasks = [{"name": "http", "agentfleet.hashistack.consul_service_defaults": {"name": "memory", "protocol": "http"}},
             task("memory", destination="memory", allow=["planner"], sources=L7)]
    run = run_playbook(tasks, tmp_path=tmp_path, module_defaults=module_defaults(consul_api))
    assert run.rc == 0, run
    stored = consul_api.entry("service-intentions", "memory")
    by_name = {s["Name"]: s for s in stored["Sources"]}
    assert by_name["planner"]["Action"] == "allow"
    assert by_name["researcher"]["Permissions"][1]["HTTP"] == {"PathPrefix": "/v1/notes", "Methods": ["GET", "POST"]}
    assert by_name["researcher"]["Permissions"][0]["Action"] == "deny"


def test_bad_input_fails_clearly_and_writes_nothing(consul_api, tmp_path):
    bad = [
        ("malformed permission", dict(destination="memory", sources=[
            {"name": "planner", "permissions": [{"action": "allow", "path_prefix": "notes"}]}]),
         "sources[0].permissions[0].path_prefix: must start with '/', got 'notes'"),
        ("listed twice", dict(destination="memory", allow=["planner", "planner"]),
         "allow[1]: source 'planner' is listed twice (also at allow[0])"),
        ("allowed and denied", dict(destination="memory", allow=["planner"], deny=["planner"]),
         "deny[0]: source 'planner' is listed twice (also at allow[0])"),
        ("bad method", dict(destination="memory", sources=[
            {"name": "planner", "permissions": [{"action": "allow", "methods": ["FETCH"]}]}]),
         "sources[0].permissions[0].methods[0]: not an HTTP method: 'FETCH'"),
        ("no sources", dict(destination="memory"), "sources: at least one source is required"),
        ("l7 on tcp service", dict(destination="tcp-only", sources=L7, retries=0), 'protocol "tcp"'),
    ]
    tasks = [dict(task(title, **args), ignore_errors=True) for title, args, dummy in bad]
    run = run_playbook(tasks, tmp_path=tmp_path, module_defaults=module_defaults(consul_api))
    assert run.failed == [case[0] for case in bad], run
    for title, dummy, message in bad:
        assert message in run.result(title)["msg"], (title, run.result(title)["msg"])
    assert consul_api.entries == {}
    assert writes(consul_api) == [("PUT", "/v1/config")]  # only the one the server refused


def test_acl_and_no_secret_leaks(consul_api, tmp_path):
    can_write = consul_api.make_token('service "memory" { policy = "read"\n intentions = "write" }')
    cannot = consul_api.make_token('service "memory" { policy = "write" }')
    # Tokens come from variables, as they would from a vault: the playbook text holds none.
    tasks = [
        task("allowed", destination="memory", allow=["planner"], token="{{ writer_token }}"),
        dict(task("denied", destination="memory", allow=["planner", "researcher"], token="{{ reader_token }}"),
             ignore_errors=True),
    ]
    run = run_playbook(tasks, tmp_path=tmp_path, diff=True, verbosity=3, callback="default",
                       extra_vars={"writer_token": can_write, "reader_token": cannot},
                       module_defaults=module_defaults(consul_api, token="{{ writer_token }}"))
    assert run.rc == 0, run
    assert "lacks permission 'intentions:write'" in run.output
    for secret in (can_write, cannot, consul_api.management_token):
        assert secret not in run.output
    assert [s["Name"] for s in consul_api.entry("service-intentions", "memory")["Sources"]] == ["planner"]
