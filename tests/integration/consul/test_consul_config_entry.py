"""consul_config_entry end to end: check mode, apply, idempotence, modify, remove, errors."""
import pytest

from tests.integration.consul.helpers import module_defaults, writes
from tests.support.net import free_port
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

MOD = "agentfleet.hashistack.consul_config_entry"
CIRCUIT = {"Protocol": "http", "UpstreamConfig": {"Defaults": {
    "ConnectTimeoutMs": 5000,
    "Limits": {"MaxConnections": 100, "MaxPendingRequests": 50, "MaxConcurrentRequests": 0},
    "PassiveHealthCheck": {"Interval": "10s", "MaxFailures": 5, "EnforcingConsecutive5xx": 100}}}}


def task(title, check=False, **args):
    out = {"name": title, MOD: args, "register": "r"}
    if check:
        out["check_mode"] = True
    return out


def test_lifecycle(consul_api, tmp_path):
    modified = {**CIRCUIT, "Protocol": "grpc"}
    tasks = [
        task("plan", check=True, kind="service-defaults", name="planner", config=CIRCUIT),
        task("create", kind="service-defaults", name="planner", config=CIRCUIT),
        task("again", kind="service-defaults", name="planner", config=CIRCUIT),
        task("modify", kind="service-defaults", name="planner", config=modified),
        task("resolver", kind="service-resolver", name="tools", config={"ConnectTimeout": "5s", "RequestTimeout": "30s"}),
        task("resolver again", kind="service-resolver", name="tools",
             config={"ConnectTimeout": "5000ms", "RequestTimeout": "30s"}),
        task("plan removal", check=True, kind="service-defaults", name="planner", state="absent"),
        task("remove", kind="service-defaults", name="planner", state="absent"),
        task("remove again", kind="service-defaults", name="planner", state="absent"),
    ]
    run = run_playbook(tasks, tmp_path=tmp_path, diff=True, module_defaults=module_defaults(consul_api))
    assert run.rc == 0, run
    assert run.changed == ["plan", "create", "modify", "resolver", "plan removal", "remove"]
    assert run.result("create")["entry"]["UpstreamConfig"]["Defaults"]["PassiveHealthCheck"]["Interval"] == "10s"
    modify = run.result("modify")
    assert modify["differences"] == ['Protocol: "http" -> "grpc"']
    assert modify["diff"]["before"]["Protocol"] == "http" and modify["diff"]["after"]["Protocol"] == "grpc"
    assert run.result("again")["differences"] == []
    # Only the real changes were written; check mode wrote nothing; CAS was used.
    assert writes(consul_api) == [("PUT", "/v1/config"), ("PUT", "/v1/config"), ("PUT", "/v1/config"),
                                  ("DELETE", "/v1/config/service-defaults/planner")]
    puts = consul_api.writes()
    assert puts[0]["query"] == {"cas": "0"} and int(puts[1]["query"]["cas"]) > 0
    assert list(consul_api.entries) == [("service-resolver", "tools")]
    assert consul_api.entry("service-resolver", "tools")["RequestTimeout"] == "30s"


def test_bad_input_fails_clearly_and_writes_nothing(consul_api, tmp_path):
    tasks = [
        dict(task("unknown kind", kind="service-frobnicator", name="x", config={}), ignore_errors=True),
        dict(task("snake case", kind="service-defaults", name="x", config={"upstream_config": {}}), ignore_errors=True),
        dict(task("kind mismatch", kind="service-defaults", name="x", config={"Kind": "proxy-defaults"}),
             ignore_errors=True),
        dict(task("bad duration", kind="service-resolver", name="x", config={"RequestTimeout": "soon"}),
             ignore_errors=True),
        dict(task("server refuses", kind="service-defaults", name="x", config={"Protocol": "http", "Bogus": 1},
                  retries=0), ignore_errors=True),
    ]
    run = run_playbook(tasks, tmp_path=tmp_path, module_defaults=module_defaults(consul_api))
    assert run.failed == [t["name"] for t in tasks], run
    assert "value of kind must be one of" in run.result("unknown kind")["msg"]
    assert "service-frobnicator" in run.result("unknown kind")["msg"]
    assert run.result("snake case")["msg"].startswith("config.upstream_config: use Consul's CamelCase")
    assert "config.Kind: must equal the kind option 'service-defaults', got 'proxy-defaults'" in \
        run.result("kind mismatch")["msg"]
    assert "RequestTimeout" in run.result("bad duration")["msg"] and "soon" in run.result("bad duration")["msg"]
    refused = run.result("server refuses")
    assert refused["status"] == 400 and 'invalid config key "Bogus"' in refused["msg"]
    assert consul_api.entries == {}


def test_permission_denied_and_server_down(consul_api, tmp_path):
    reader = consul_api.make_token('service_prefix "" { policy = "read" }')
    tasks = [
        dict(task("denied", kind="service-defaults", name="planner", config={"Protocol": "http"}), ignore_errors=True),
        dict(task("down", kind="service-defaults", name="planner", config={"Protocol": "http"},
                  url="http://127.0.0.1:%d" % free_port(), retries=1, timeout=1), ignore_errors=True),
    ]
    run = run_playbook(tasks, tmp_path=tmp_path, module_defaults=module_defaults(consul_api, token=reader))
    assert run.failed == ["denied", "down"], run
    denied = run.result("denied")
    assert denied["status"] == 403 and "lacks permission 'service:write' on \"planner\"" in denied["msg"]
    assert "cannot connect to Consul at http://127.0.0.1:" in run.result("down")["msg"]
    assert "(address from task option url): connection refused; check that Consul is running" \
        in run.result("down")["msg"]
    assert consul_api.entries == {}
    assert reader not in run.output


def test_environment_fallbacks(consul_api, tmp_path):
    tasks = [task("create", kind="proxy-defaults", name="global", config={"Config": {"protocol": "http"}})]
    run = run_playbook(tasks, tmp_path=tmp_path, env=consul_api.env)
    assert run.rc == 0, run
    assert consul_api.request_log[-1]["token"] == consul_api.management_token
    assert consul_api.entry("proxy-defaults", "global")["Config"] == {"protocol": "http"}
