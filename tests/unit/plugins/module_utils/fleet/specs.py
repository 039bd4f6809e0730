"""Small spec builders shared by the fleet tests (one agent per kind, a base fleet)."""
import copy
import hashlib

REGISTRY = "registry.example.com/agents"


def image(name):
    return f"{REGISTRY}/{name}@sha256:{hashlib.sha256(name.encode()).hexdigest()}"


def service(name="api", **extra):
    agent = {
        "name": name, "kind": "service", "image": image(name), "version": "1.0.0", "count": 2,
        "resources": {"cpu": 500, "memory": 512, "memory_max": 1024},
        "ports": {"http": {"to": 8080}},
        "checks": {"readiness": {"type": "http", "path": "/ready"},
                   "liveness": {"type": "http", "path": "/live"}},
        "update": {"canary": 1, "auto_promote": True},
        "scaling": {"min": 1, "max": 4, "policy": {"type": "queue_depth", "query": "sum(q)", "target": 10}},
        "env": {"MODEL": "small"},
        "secrets": [{"path": f"team/{name}/llm", "env": {"LLM_KEY": "api_key"}}],
    }
    agent.update(extra)
    return agent


def batch(name="crunch", **extra):
    agent = {
        "name": name, "kind": "batch", "image": image(name), "version": "2.0.0",
        "resources": {"cpu": 200, "memory": 256},
        "partitions": [{"name": "p0", "meta": {"SHARD": "0"}}, {"name": "p1", "meta": {"SHARD": "1"}}],
        "max_run_duration": "1h",
        "retry": {"attempts": 1, "reschedule_attempts": 2, "delay": "10s"},
    }
    agent.update(extra)
    return agent


def periodic(name="nightly", **extra):
    agent = {
        "name": name, "kind": "periodic", "image": image(name), "version": "0.3.0",
        "resources": {"cpu": 100, "memory": 128},
        "schedule": {"crons": ["0 3 * * *", "30 12 * * sat"], "time_zone": "Europe/Paris"},
        "restart": {"preset": "fail-fast"},
    }
    agent.update(extra)
    return agent


def dispatch(name="worker", **extra):
    agent = {
        "name": name, "kind": "dispatch", "image": image(name), "version": "1.2.3",
        "command": "/bin/worker",
        "resources": {"cpu": 250, "memory": 256},
        "dispatch": {"payload": "required", "meta_required": ["item_id"], "meta_optional": ["priority"]},
        "max_run_duration": "15m",
        "secrets": [{"path": f"team/{name}/db", "files": {"db.pass": "password"},
                     "change_mode": "signal", "change_signal": "SIGHUP"}],
    }
    agent.update(extra)
    return agent


KINDS = {"service": service, "batch": batch, "periodic": periodic, "dispatch": dispatch}


def fleet(agents=None, tenants=None, **extra):
    """A valid fleet; ``agents`` go to tenant 'team', or pass ``tenants`` whole."""
    spec = {
        "name": "lab",
        "revision": "r1",
        "defaults": {"datacenters": ["dc1"],
                     "telemetry": {"endpoint": "http://otel:4317"}},
        "guardrails": {"allowed_registries": [REGISTRY]},
        "tenants": tenants if tenants is not None else {"team": {"agents": agents or []}},
    }
    spec.update(extra)
    return copy.deepcopy(spec)
