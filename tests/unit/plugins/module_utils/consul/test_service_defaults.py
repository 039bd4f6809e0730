"""service-defaults with upstream circuit breakers, in Consul's field names."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import EntryError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.service_defaults import (
    build_service_defaults,
)


def test_full_circuit_breaker_entry():
    entry = build_service_defaults(
        "planner", protocol="http", local_request_timeout_ms=30000,
        upstream_defaults={"connect_timeout_ms": 5000,
                           "limits": {"max_connections": 100, "max_pending_requests": 50,
                                      "max_concurrent_requests": 0},
                           "passive_health_check": {"interval": "1m30s", "max_failures": 5,
                                                    "enforcing_consecutive_5xx": 100}},
        upstream_overrides=[{"name": "llm", "connect_timeout_ms": 10000, "limits": {"max_concurrent_requests": 20}}],
        meta={"fleet": "demo"})
    assert entry == {
        "Kind": "service-defaults", "Name": "planner", "Protocol": "http", "LocalRequestTimeoutMs": 30000,
        "UpstreamConfig": {
            "Defaults": {"ConnectTimeoutMs": 5000,
                         "Limits": {"MaxConnections": 100, "MaxPendingRequests": 50, "MaxConcurrentRequests": 0},
                         "PassiveHealthCheck": {"Interval": "1m30s", "MaxFailures": 5, "EnforcingConsecutive5xx": 100}},
            "Overrides": [{"Name": "llm", "ConnectTimeoutMs": 10000, "Limits": {"MaxConcurrentRequests": 20}}]},
        "Meta": {"fleet": "demo"}}


@pytest.mark.parametrize("kwargs,path", [
    (dict(protocol="udp"), "protocol"),
    (dict(upstream_defaults={"limits": {"max_connections": -1}}), "upstream_defaults.limits.max_connections"),
    (dict(upstream_defaults={"passive_health_check": {"interval": "often"}}),
     "upstream_defaults.passive_health_check.interval"),
    (dict(upstream_defaults={"passive_health_check": {"enforcing_consecutive_5xx": 101}}),
     "upstream_defaults.passive_health_check.enforcing_consecutive_5xx"),
    (dict(upstream_overrides=[{"name": "a"}, {"name": "a"}]), "upstream_overrides[1].name"),
    (dict(upstream_overrides=[{"connect_timeout_ms": 1}]), "upstream_overrides[0].name"),
])
def test_bad_input_names_the_option(kwargs, path):
    with pytest.raises(EntryError) as err:
        build_service_defaults("planner", **kwargs)
    assert err.value.path == path


def test_wildcard_name_refused():
    with pytest.raises(EntryError):
        build_service_defaults("*")
