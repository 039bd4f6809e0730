"""Hypothesis strategies: valid fleet specs of every kind, and ways to break them."""
from hypothesis import strategies as st

from . import specs

NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
HEX64 = st.text("0123456789abcdef", min_size=64, max_size=64)
DURATIONS = st.sampled_from(["5s", "10s", "30s", "1m", "90s", "5m", "1h"])
ZONES = st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo"])


@st.composite
def crons(draw):
    minute = draw(st.sampled_from(["*", "0", "*/5", "15,45", "0-30/10"]))
    hour = draw(st.sampled_from(["*", "3", "0-23/2", "9-17"]))
    dom = draw(st.sampled_from(["*", "1", "1,15", "?"]))
    month = draw(st.sampled_from(["*", "jan", "1-6", "*/3"]))
    dow = draw(st.sampled_from(["*", "mon-fri", "0", "sat,sun"] if dom != "?" else ["*", "1"]))
    return draw(st.sampled_from([f"{minute} {hour} {dom} {month} {dow}", "@daily", "@hourly"]))


def _resources(draw):
    cpu = draw(st.integers(1, 4000))
    memory = draw(st.integers(16, 4096))
    res = {"cpu": cpu, "memory": memory}
    if draw(st.booleans()):
        res["memory_max"] = draw(st.integers(memory, 8192))
    return res


def _env(draw):
    keys = draw(st.lists(st.from_regex(r"[A-Z][A-Z0-9]{0,8}", fullmatch=True), max_size=3, unique=True))
    return {f"CFG_{k}": draw(st.text("abcdefgh0123 -_", max_size=12)) for k in keys}


def _check(draw, ports):
    """Checks real Nomad accepts on a service agent. Every service agent is a Connect (mesh)
    service, and Nomad refuses tcp checks on those (services.go validateConsulService), so
    only http (exposed through the sidecar) and script checks are generated."""
    kind = draw(st.sampled_from(["http", "script"]))
    check = {"type": kind, "interval": draw(DURATIONS), "timeout": draw(st.sampled_from(["1s", "2s", "5s"]))}
    if kind == "http":
        check["path"] = draw(st.sampled_from(["/health", "/ready", "/v1/live", "/a%20b"]))
        if len(ports) > 1 and draw(st.booleans()):
            check["port"] = draw(st.sampled_from(sorted(ports)))
    else:
        check["command"] = "/bin/check"
    return check


def _update(draw):
    """Update blocks real Nomad accepts (structs.go UpdateStrategy.Validate): auto_promote
    only with canaries; min_healthy_time < healthy_deadline < progress_deadline."""
    canary = draw(st.integers(0, 2))
    update = {"canary": canary, "auto_promote": canary > 0 and draw(st.booleans())}
    if draw(st.booleans()):
        mht, hd, pd = sorted(draw(st.lists(st.integers(1, 1200), min_size=3, max_size=3, unique=True)))
        update.update({"min_healthy_time": f"{mht}s", "healthy_deadline": f"{hd}s",
                       "progress_deadline": draw(st.sampled_from([f"{pd}s", "0s"]))})
    return update


@st.composite
def agent(draw, name, kind):
    a = {"name": name, "kind": kind, "image": f"{specs.REGISTRY}/{name}@sha256:{draw(HEX64)}",
         "version": draw(st.from_regex(r"[0-9]\.[0-9]{1,2}\.[0-9]", fullmatch=True)),
         "resources": _resources(draw), "env": _env(draw)}
    ports = {}
    if kind == "service" or draw(st.booleans()):
        for label in draw(st.lists(st.sampled_from(["http", "grpc", "admin", "metrics"]), min_size=1,
                                   max_size=3, unique=True)):
            ports[label] = {"to": draw(st.integers(1024, 8999))}
        a["ports"] = ports
    if kind == "service":
        a["count"] = draw(st.integers(1, 4))
        a["checks"] = {"readiness": _check(draw, ports), "liveness": _check(draw, ports)}
        a["update"] = _update(draw)
        if a["update"].get("progress_deadline") not in (None, "0s"):
            a["kill_timeout"] = "2s"  # Task.Validate: kill_timeout <= progress_deadline (>= 3s here)
        if draw(st.booleans()):
            a["scaling"] = {"min": 1, "max": draw(st.integers(a["count"], 8)),
                            "policy": {"type": draw(st.sampled_from(["queue_depth", "latency"])),
                                       "query": "sum(x)", "target": draw(st.floats(0.1, 100))}}
    if kind == "batch":
        if draw(st.booleans()):
            a["partitions"] = [{"name": f"p{i}", "meta": {"PART": str(i)}} for i in range(draw(st.integers(1, 3)))]
        else:
            a["count"] = draw(st.integers(1, 3))
    if kind in ("batch", "periodic", "dispatch"):
        if draw(st.booleans()):
            a["max_run_duration"] = draw(DURATIONS)
        if draw(st.booleans()):
            a["retry"] = {"attempts": draw(st.integers(0, 3)), "backoff": draw(st.sampled_from(["constant", "exponential"]))}
        elif draw(st.booleans()):
            a["restart"] = {"preset": draw(st.sampled_from(["standard", "resilient", "fail-fast"]))}
    if kind == "periodic":
        a["schedule"] = {"crons": draw(st.lists(crons(), min_size=1, max_size=3)), "time_zone": draw(ZONES),
                         "prohibit_overlap": draw(st.booleans())}
    if kind == "dispatch":
        req = draw(st.lists(st.sampled_from(["item", "queue", "tenant_ref"]), max_size=2, unique=True))
        a["dispatch"] = {"payload": draw(st.sampled_from(["required", "optional", "forbidden"])),
                         "meta_required": req, "meta_optional": [k for k in ["prio", "trace"] if draw(st.booleans())]}
    if draw(st.booleans()):
        secret = {"path": f"{name}/creds", "change_mode": draw(st.sampled_from(["restart", "noop", "signal"]))}
        if secret["change_mode"] == "signal":
            secret["change_signal"] = "SIGHUP"
        if secret["change_mode"] != "signal" and draw(st.booleans()):
            secret["env"] = {"APP_KEY": "key"}  # Template.Validate: no signals with env templates
        else:
            secret["files"] = {"cred.json": "json"}
        a["secrets"] = [secret]
    return a


@st.composite
def valid_fleets(draw):
    tenant_names = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    tenants = {}
    for tname in tenant_names:
        names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
        agents = [draw(agent(n, draw(st.sampled_from(sorted(specs.KINDS))))) for n in names]
        tenants[tname] = {"agents": agents}
    service_names = sorted({f"{t}-{a['name']}" for t, v in tenants.items() for a in v["agents"]})
    if len(service_names) != sum(len(v["agents"]) for v in tenants.values()):
        tenant_names = tenant_names[:1]  # derived Consul names collide: keep one tenant
        tenants = {tenant_names[0]: tenants[tenant_names[0]]}
    services = [(t, a) for t, v in tenants.items() for a in v["agents"] if a["kind"] == "service"]
    for tname, tenant in tenants.items():
        for a in tenant["agents"]:
            if not services or not a.get("ports") or not draw(st.booleans()):
                continue
            used = {p["to"] for p in a["ports"].values()}
            targets = [(t, s) for t, s in services if (t, s["name"]) != (tname, a["name"])]
            picks = draw(st.lists(st.sampled_from(targets), max_size=2, unique_by=lambda x: (x[0], x[1]["name"]))) \
                if targets else []
            ups = []
            for i, (t, s) in enumerate(picks):
                port = 9100 + i
                if port in used:
                    continue
                ref = s["name"] if t == tname else f"{t}/{s['name']}"
                if t != tname:  # tenant isolation: the called tenant accepts this caller
                    tenants[t].setdefault("allow_upstream_from", [])
                    if tname not in tenants[t]["allow_upstream_from"]:
                        tenants[t]["allow_upstream_from"].append(tname)
                up = {"service": ref, "local_port": port, "connect_timeout": draw(DURATIONS)}
                if draw(st.booleans()):
                    up["request_timeout"] = draw(DURATIONS)
                    up["limits"] = {"max_connections": draw(st.integers(1, 500))}
                ups.append(up)
            a["upstreams"] = ups
    for tname, tenant in tenants.items():  # tenant isolation: secrets under the tenant's prefix
        for a in tenant["agents"]:
            for secret in a.get("secrets") or []:
                secret["path"] = f"{tname}/{secret['path']}"
    spec = specs.fleet(tenants=tenants)
    spec["guardrails"].update({"max_replicas_per_tenant": 100})
    if draw(st.booleans()):
        # Fleet-wide update timing Nomad accepts: min_healthy_time < healthy_deadline <
        # progress_deadline (or 0s), and the default kill_timeout (30s) within the deadline.
        mht, hd, pd = sorted(draw(st.lists(st.integers(1, 900), min_size=3, max_size=3, unique=True)))
        spec["defaults"]["update"] = {"min_healthy_time": f"{mht}s", "healthy_deadline": f"{hd}s",
                                      "progress_deadline": draw(st.sampled_from([f"{pd + 30}s", "0s"]))}
    return spec
