"""consul_service_defaults end to end: circuit breakers applied, idempotent, modified, removed."""
import pytest

from tests.integration.consul.helpers import module_defaults, writes
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

MOD = "agentfleet.hashistack.consul_service_defaults"
BREAKERS = {
    "name": "planner", "protocol": "http",
    "upstream_defaults": {"connect_timeout_ms": 5000,
                          "limits": {"max_connections": 100, "max_pending_requests": 50,
                                     "max_concurrent_requests": 100},
                          "passive_health_check": {"interval": "10s", "max_failures": 5,
                                                   "enforcing_consecutive_5xx": 100}},
    "upstream_overrides": [{"name": "llm-gateway", "connect_timeout_ms": 10000,
                            "limits": {"max_concurrent_requests": 20}}],
}


def task(title, check=False, **args):
    out = {"name": title, MOD: args}
    if check:
        out["check_mode"] = True
    return out


def test_lifecycle(consul_api, tmp_path):
    override = {**BREAKERS["upstream_overrides"][0], "limits": {"max_concurrent_requests": 5}}
    tighter = {**BREAKERS, "upstream_overrides": [override]}
    tasks = [
        task("plan", check=True, **BREAKERS),
        task("apply", **BREAKERS),
        task("again", **BREAKERS),
        task("tighten", **tighter),
        task("remove", name="planner", state="absent"),
        task("remove again", name="planner", state="absent"),
    ]
    run = run_playbook(tasks, tmp_path=tmp_path, diff=True, module_defaults=module_defaults(consul_api))
    assert run.rc == 0, run
    assert run.changed == ["plan", "apply", "tighten", "remove"]
    assert run.result("tighten")["differences"] == [
        "UpstreamConfig.Overrides[0].Limits.MaxConcurrentRequests: 20 -> 5"]
    applied = run.result("apply")["entry"]["UpstreamConfig"]["Defaults"]
    assert applied["PassiveHealthCheck"] == {"Interval": "10s", "MaxFailures": 5, "EnforcingConsecutive5xx": 100}
    assert len(writes(consul_api)) == 3 and consul_api.entries == {}


def test_stored_fields_follow_consul_structs(consul_api, tmp_path):
    run = run_playbook([task("apply", **BREAKERS)], tmp_path=tmp_path, module_defaults=module_defaults(consul_api))
    assert run.rc == 0, run
    stored = consul_api.entry("service-defaults", "planner")
    defaults = stored["UpstreamConfig"]["Defaults"]
    assert defaults["Limits"] == {"MaxConnections": 100, "MaxPendingRequests": 50, "MaxConcurrentRequests": 100}
    assert defaults["PassiveHealthCheck"]["Interval"] == 10_000_000_000
    assert stored["UpstreamConfig"]["Overrides"][0]["Name"] == "llm-gateway"


def test_bad_input_and_ce_namespace(consul_api, tmp_path):
    tasks = [
        dict(task("bad interval", name="planner", upstream_defaults={"passive_health_check": {"interval": "often"}}),
             ignore_errors=True),
        dict(task("override twice", name="planner", upstream_overrides=[{"name": "a"}, {"name": "a"}]),
             ignore_errors=True),
        dict(task("namespace on CE", name="planner", protocol="http", namespace="team-a", retries=0),
             ignore_errors=True),
    ]
    run = run_playbook(tasks, tmp_path=tmp_path, module_defaults=module_defaults(consul_api))
    assert run.failed == ["bad interval", "override twice", "namespace on CE"], run
    assert run.result("bad interval")["msg"].startswith("upstream_defaults.passive_health_check.interval:")
    assert "'often'" in run.result("bad interval")["msg"]
    assert "upstream 'a' is listed twice" in run.result("override twice")["msg"]
    assert "Namespaces are a Consul Enterprise feature" in run.result("namespace on CE")["msg"]
    assert writes(consul_api) == []
