"""Every kind of bad input is reported with its dotted path and the offending value."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError

from . import specs

P = "tenants.team.agents"


def _errors(spec):
    return [str(e) for e in api.validate(spec)]


def _one_fleet():
    return specs.fleet([specs.service("api"), specs.batch(), specs.periodic(), specs.dispatch()])


def test_the_reference_fleet_is_valid():
    assert _errors(_one_fleet()) == []


def _set(path_keys, value):
    def mutate(spec):
        node = spec
        for key in path_keys[:-1]:
            node = node[key]
        node[path_keys[-1]] = value
    return mutate


def _agent(index, key, value):
    def mutate(spec):
        spec["tenants"]["team"]["agents"][index][key] = value
    return mutate


CASES = [
    ("memory over the per-task cap", _agent(0, "resources", {"cpu": 500, "memory": 16384}),
     f"{P}.api.resources.memory: exceeds the guardrail of 8192 per task (got 16384)"),
    ("cpu over the per-task cap", _agent(1, "resources", {"cpu": 9000, "memory": 64}),
     f"{P}.crunch.resources.cpu: exceeds the guardrail of 4000 per task (got 9000)"),
    ("unknown key", _agent(0, "replicas", 3), f"{P}.api.replicas: unknown key (got 3)"),
    ("unknown top-level key", _set(["colour"], "blue"), "colour: unknown key"),
    ("unknown key close to a known one", _agent(0, "cuont", 3),
     f"{P}.api.cuont: unknown key; did you mean 'count'? (got 3)"),
    ("unknown top-level key close to a known one", _set(["guardrail"], {}),
     "guardrail: unknown key; did you mean 'guardrails'? (got {})"),
    # Go's regexp "$" (and JSON Schema's) ends at the end of the text; Python's re "$" also
    # matches before a final newline, so every pattern must be checked as a whole-string match.
    ("kill signal with a trailing newline", _agent(0, "kill_signal", "SIGTERM\n"),
     f"{P}.api.kill_signal: must match"),
    ("image digest with a trailing newline", _agent(0, "image", "registry.example.com/agents/api@sha256:" + "a" * 64 + "\n"),
     f"{P}.api.image: must be pinned by digest"),
    ("wrong type", _agent(0, "count", "two"), f"{P}.api.count: must be an integer (got \"two\")"),
    ("bad duration", _agent(1, "max_run_duration", "ten minutes"), f"{P}.crunch.max_run_duration: must be a duration"),
    ("image not pinned", _agent(0, "image", "registry.example.com/agents/api:latest"),
     f"{P}.api.image: must be pinned by digest"),
    ("short digest", _agent(0, "image", "registry.example.com/agents/api@sha256:abc123"),
     f"{P}.api.image: must be pinned by digest"),
    ("registry not allowed", _agent(0, "image", "docker.io/evil/api@sha256:" + "a" * 64),
     f"{P}.api.image: comes from a registry not in guardrails.allowed_registries"),
    ("registry prefix trick", _agent(0, "image", "registry.example.com/agents-evil/api@sha256:" + "a" * 64),
     f"{P}.api.image: comes from a registry not in guardrails.allowed_registries"),
    ("missing liveness check", _agent(0, "checks", {"readiness": {"type": "http", "path": "/r"}}),
     f"{P}.api.checks.liveness: every service agent must have readiness and liveness checks"),
    ("missing resources", _agent(2, "resources", None), f"{P}.nightly.resources: every agent must declare resources"),
    ("replicas per agent", _agent(0, "scaling", {"min": 1, "max": 40, "policy": {"type": "latency", "query": "q", "target": 1}}),
     f"{P}.api.scaling.max: allows 40 replicas; the guardrail is 10 per agent (got 40)"),
    ("upstream to nothing", _agent(1, "upstreams", [{"service": "ghost", "local_port": 9000}]),
     f"{P}.crunch.upstreams[0].service: names no agent of this fleet (got \"ghost\")"),
    ("upstream to a batch agent", _agent(0, "upstreams", [{"service": "crunch", "local_port": 9000}]),
     f"{P}.api.upstreams[0].service: names a batch agent"),
    ("cron does not parse", _agent(2, "schedule", {"crons": ["61 * * * *"]}),
     f"{P}.nightly.schedule.crons[0]: cron does not parse: minute: 61 is outside 0-59"),
    ("cron with too few fields", _agent(2, "schedule", {"crons": ["* * *"]}),
     f"{P}.nightly.schedule.crons[0]: cron does not parse: needs 5 fields"),
    ("unknown time zone", _agent(2, "schedule", {"crons": ["@daily"], "time_zone": "Mars/Olympus"}),
     f"{P}.nightly.schedule.time_zone: unknown time zone (got \"Mars/Olympus\")"),
    ("key of another kind", _agent(0, "schedule", {"crons": ["@daily"]}),
     f"{P}.api.schedule: is not allowed for kind service"),
    ("required for kind", _agent(3, "dispatch", None), f"{P}.worker.dispatch: is required for kind dispatch"),
    ("inline secret by name", _agent(0, "env", {"OPENAI_API_KEY": "abc"}),
     f"{P}.api.env.OPENAI_API_KEY: looks like a secret value inline"),
    ("inline secret by shape", _agent(1, "args", ["--key", "sk-" + "x" * 30]),
     f"{P}.crunch.args[1]: contains what looks like a credential"),
    ("reserved env", _agent(0, "env", {"AGENT_NAME": "x"}), f"{P}.api.env.AGENT_NAME: is reserved for the runtime contract"),
    ("ttl over the cap", _set(["defaults", "vault"], {"token_ttl": "1h", "token_max_ttl": "48h"}),
     "defaults.vault.token_max_ttl: exceeds guardrails.max_secret_ttl (24h) (got \"48h\")"),
    ("ttl above max ttl", _agent(0, "vault", {"token_ttl": "3h", "token_max_ttl": "2h"}),
     f"{P}.api.vault.token_ttl: exceeds token_max_ttl (got \"3h\")"),
    ("budget exceeded", _set(["tenants", "team", "budget"], {"memory": 1000}),
     "tenants.team.budget.memory: exceeded"),
    ("replicas per tenant", _set(["guardrails", "max_replicas_per_tenant"], 3),
     "tenants.team.agents: allow 8 replicas in total; the guardrail is 3 per tenant (got 8)"),
    ("count outside scaling", _agent(0, "count", 9), f"{P}.api.count: must lie within scaling min..max (1..4) (got 9)"),
    ("no registries", _set(["guardrails", "allowed_registries"], []), "guardrails.allowed_registries: needs at least 1 item"),
    ("quota without budget", _set(["tenants", "team", "quota"], True), "tenants.team.quota: needs a budget"),
    ("http check without path", _agent(0, "checks", {"readiness": {"type": "http"}, "liveness": {"type": "tcp"}}),
     f"{P}.api.checks.readiness.path: is required for http checks"),
    ("signal without signal", _agent(3, "secrets", [{"path": "a/b", "env": {"X": "y"}, "change_mode": "signal"}]),
     f"{P}.worker.secrets[0].change_signal: is required when change_mode is signal"),
    ("reserved namespace", _set(["tenants", "team", "namespace"], "acl"), "tenants.team.namespace: is a reserved name"),
    ("reserved meta", _agent(0, "meta", {"agentfleet_fleet": "other"}),
     f"{P}.api.meta.agentfleet_fleet: the agentfleet_ prefix is reserved"),
    ("restart cannot fit", _agent(0, "restart", {"attempts": 10, "delay": "1m", "interval": "5m"}),
     f"{P}.api.restart: effective restart policy: Nomad cannot restart 10 times in an interval of 5m"),
    ("reschedule delay too short", _set(["defaults", "reschedule"], {"delay": "1s"}),
     "defaults.reschedule: effective reschedule policy: delay cannot be less than 5s (got 1s)"),
    ("reschedules cannot fit", _agent(1, "retry", {"reschedule_attempts": 5, "delay": "1h", "backoff": "constant",
                                                   "interval": "2h"}),
     f"{P}.crunch.retry: effective reschedule policy: Nomad can only make 2 of 5 attempts in 2h"),
    ("memory below Nomad's minimum", _agent(2, "resources", {"cpu": 100, "memory": 5}),
     f"{P}.nightly.resources.memory: must be at least 10 (got 5)"),
    ("bad agent name", _agent(0, "name", "API_1"), f"{P}[0].name: must match"),
]


@pytest.mark.parametrize("label,mutate,expected", CASES, ids=[c[0] for c in CASES])
def test_each_violation_names_its_path_and_value(label, mutate, expected):
    spec = _one_fleet()
    mutate(spec)
    errors = _errors(spec)
    assert any(e.startswith(expected) for e in errors), f"{label}: {expected!r} not in {errors}"
    with pytest.raises(FleetSpecError):
        api.load_spec(spec)


def test_duplicate_agent_names_are_reported():
    spec = specs.fleet([specs.service("api"), specs.batch("api")])
    assert any(e.startswith(f"{P}.api.name: duplicate agent name (agents[0] and agents[1])") for e in _errors(spec))


def test_every_violation_is_reported_together():
    spec = _one_fleet()
    agents = spec["tenants"]["team"]["agents"]
    agents[0]["resources"]["memory"] = 99999
    agents[0]["colour"] = "blue"
    agents[1]["upstreams"] = [{"service": "nobody", "local_port": 9000}]
    agents[2]["schedule"]["crons"] = ["not a cron"]
    spec["tenants"]["team"]["budget"] = {"cpu": 10}
    with pytest.raises(FleetSpecError) as info:
        api.load_spec(spec)
    paths = {e.path for e in info.value.errors}
    assert {f"{P}.api.resources.memory", f"{P}.api.colour", f"{P}.crunch.upstreams[0].service",
            f"{P}.nightly.schedule.crons[0]", "tenants.team.budget.cpu"} <= paths
    assert "5 error(s)" in str(info.value) or len(info.value.errors) >= 5


def test_secret_values_are_redacted_in_errors():
    spec = _one_fleet()
    spec["tenants"]["team"]["agents"][0]["env"] = {"DB_PASSWORD": "hunter2-very-secret"}
    spec["tenants"]["team"]["meta"] = {"note": "-----BEGIN RSA PRIVATE KEY-----abc"}
    with pytest.raises(FleetSpecError) as info:
        api.load_spec(spec)
    text = str(info.value)
    assert "hunter2" not in text and "BEGIN RSA" not in text
    assert "tenants.team.meta.note" in text and f"{P}.api.env.DB_PASSWORD" in text


def test_benign_names_are_not_mistaken_for_secrets():
    spec = _one_fleet()
    spec["tenants"]["team"]["agents"][0]["env"] = {"MAX_TOKENS": "2048", "TOKEN_LIMIT": "9", "SECRET_NAME": "x"}
    assert _errors(spec) == []


def test_not_a_mapping():
    errors = api.validate(["not", "a", "spec"])
    assert [str(e) for e in errors] == ['<root>: the fleet spec must be a mapping (got "list")']


def test_duplicate_yaml_keys_are_errors(tmp_path):
    path = tmp_path / "fleet.yml"
    path.write_text("name: a\nname: b\ntenants: {}\n")
    with pytest.raises(FleetSpecError) as info:
        api.load_spec_file(path)
    assert "duplicate key (first at line 1)" in str(info.value) and ":2" in str(info.value)
