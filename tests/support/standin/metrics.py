"""TEST INFRASTRUCTURE: the metrics endpoints of the stand-ins (a few gauges, not the
real metric set).

Consul ``GET /v1/agent/metrics`` (agent/agent_endpoint.go ``AgentMetrics``: agent:read;
``?format=prometheus`` answers 415 "Prometheus is not enabled since its retention time is
not positive" unless ``telemetry.prometheus_retention_time`` is set) and Nomad
``GET /v1/metrics`` (command/agent/metrics_endpoint.go ``MetricsRequest``: no ACL; 415
"Prometheus is not enabled" unless ``telemetry.prometheus_metrics``). JSON answers have
go-metrics' ``DisplayMetrics`` shape (Timestamp, Gauges, Points, Counters, Samples).
"""
import datetime
import json
import resource
import threading

from . import loader


def _gauges(prefix, agent):
    table = agent.membership.table()
    leader = agent.membership.leader()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return [
        ("%s.runtime.alloc_bytes" % prefix, float(usage.ru_maxrss * 1024)),
        ("%s.runtime.num_goroutines" % prefix, float(threading.active_count())),
        ("%s.standin.members_alive" % prefix,
         float(sum(1 for m in table if m.get("status") == "alive"))),
        ("%s.standin.leader" % prefix,
         1.0 if leader and leader["name"] == agent.rt.node_name else 0.0),
    ]


def answer(prefix, agent, query, prometheus_enabled, disabled_reason):
    """``(status, headers, body)`` for a metrics request of product ``prefix``."""
    gauges = _gauges(prefix, agent)
    if query.get("format") == "prometheus":
        if not prometheus_enabled:
            return 415, {"Content-Type": "text/plain"}, disabled_reason.encode()
        lines = []
        for name, value in gauges:
            metric = name.replace(".", "_")
            lines += ["# HELP %s %s (stand-in)" % (metric, name), "# TYPE %s gauge" % metric,
                      "%s %s" % (metric, value)]
        return 200, {"Content-Type": "text/plain; version=0.0.4"}, ("\n".join(lines) + "\n").encode()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")
    body = {"Timestamp": now, "Gauges": [{"Name": n, "Value": v, "Labels": {}} for n, v in gauges],
            "Points": [], "Counters": [], "Samples": []}
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def consul_prometheus_enabled(raw):
    """``telemetry.prometheus_retention_time`` set to a positive duration."""
    value = loader.lookup(raw, "telemetry.prometheus_retention_time")
    return bool(value) and loader.is_duration(value) and value.strip("0.nsuµmh") != ""
