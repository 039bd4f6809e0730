"""Property: whatever the builders produce, Consul's answer for it normalises back equal.

The answer is produced by the contract server's own decode/normalise/render path (the
encoding Consul's structs use), so a normaliser that missed some server noise, or a
builder that emitted a shape Consul rewrites, makes re-runs report a change.
"""
from hypothesis import given, settings, strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import normalise
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.intentions import build_intentions
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.service_defaults import (
    build_service_defaults,
)
from tests.support.consul_api import schema

names = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
counts = st.none() | st.integers(min_value=0, max_value=10_000)
durations = st.none() | st.sampled_from(["0s", "500ms", "1s", "10s", "1m30s", "2h", "250us"])
upstream = st.fixed_dictionaries({}, optional={
    "connect_timeout_ms": counts,
    "protocol": st.none() | st.sampled_from(["tcp", "http", "http2", "grpc"]),
    "limits": st.fixed_dictionaries({}, optional={"max_connections": counts, "max_pending_requests": counts,
                                                  "max_concurrent_requests": counts}),
    "passive_health_check": st.fixed_dictionaries({}, optional={
        "interval": durations, "max_failures": counts,
        "enforcing_consecutive_5xx": st.none() | st.integers(min_value=0, max_value=100)}),
})


def answered(entry, lookup=lambda kind, name: None):
    kind, decoded = schema.decode_entry(entry)
    schema.validate(schema.normalise(decoded), lookup)  # Consul normalises before validating
    return schema.render(decoded, 7, 9)


@settings(max_examples=150, deadline=None)
@given(name=names, protocol=st.none() | st.sampled_from(["tcp", "http"]), defaults=st.none() | upstream,
       overrides=st.lists(st.tuples(names, upstream), max_size=3, unique_by=lambda t: t[0]),
       local=counts)
def test_service_defaults_round_trip(name, protocol, defaults, overrides, local):
    entry = build_service_defaults(name, protocol=protocol, upstream_defaults=defaults,
                                   upstream_overrides=[dict(spec, name=n) for n, spec in overrides],
                                   local_request_timeout_ms=local)
    assert normalise(answered(entry)) == normalise(entry)


@settings(max_examples=150, deadline=None)
@given(dest=names, srcs=st.lists(st.tuples(names, st.sampled_from(["allow", "deny", "l7"])),
                                 min_size=1, max_size=5, unique_by=lambda t: t[0]),
       wildcard=st.booleans(),
       methods=st.lists(st.sampled_from(["get", "POST", "Put", "DELETE"]), unique_by=str.upper, max_size=3))
def test_intentions_round_trip(dest, srcs, wildcard, methods):
    allow = [n for n, how in srcs if how == "allow"]
    deny = [n for n, how in srcs if how == "deny"] + (["*"] if wildcard else [])
    sources = [{"name": n, "permissions": [{"action": "allow", "path_prefix": "/v1", "methods": methods}]}
               for n, how in srcs if how == "l7"]
    entry = build_intentions(dest, allow=allow, deny=deny, sources=sources)
    http = {"Kind": "service-defaults", "Name": dest, "Protocol": "http"}
    assert normalise(answered(entry, lambda kind, name: http if kind == "service-defaults" else None)) == \
        normalise(entry)
