# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build a service-defaults entry with upstream circuit breakers. Plain Python.

Field names follow Consul's API structs (api/config_entry.go: ServiceConfigEntry,
UpstreamConfiguration, UpstreamConfig, UpstreamLimits, PassiveHealthCheck).
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import canonical as canonical_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import EntryError

KIND = "service-defaults"
PROTOCOLS = ("tcp", "http", "http2", "grpc")
_LIMITS = (("max_connections", "MaxConnections"), ("max_pending_requests", "MaxPendingRequests"),
           ("max_concurrent_requests", "MaxConcurrentRequests"))
_TOP_INTS = (("max_inbound_connections", "MaxInboundConnections"),
             ("local_connect_timeout_ms", "LocalConnectTimeoutMs"),
             ("local_request_timeout_ms", "LocalRequestTimeoutMs"))


def _non_negative(path, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise EntryError(path, "must be a whole number >= 0, got %r" % (value,))
    return value


def _upstream(path, spec, named):
    out = {}
    if named:
        if not spec.get("name"):
            raise EntryError(path + ".name", "an upstream service name is required")
        out["Name"] = spec["name"]
        for key_in, key_out in (("namespace", "Namespace"), ("partition", "Partition"), ("peer", "Peer")):
            if spec.get(key_in):
                out[key_out] = spec[key_in]
    if spec.get("protocol"):
        if spec["protocol"] not in PROTOCOLS:
            raise EntryError(path + ".protocol", "must be one of %s, got %r" % (", ".join(PROTOCOLS), spec["protocol"]))
        out["Protocol"] = spec["protocol"]
    timeout = _non_negative(path + ".connect_timeout_ms", spec.get("connect_timeout_ms"))
    if timeout:
        out["ConnectTimeoutMs"] = timeout
    limits = spec.get("limits") or {}
    lim_out = {}
    for key_in, key_out in _LIMITS:
        value = _non_negative("%s.limits.%s" % (path, key_in), limits.get(key_in))
        if value is not None:
            lim_out[key_out] = value
    if lim_out:
        out["Limits"] = lim_out
    phc = spec.get("passive_health_check") or {}
    phc_out = {}
    if phc.get("interval") is not None:
        try:
            phc_out["Interval"] = canonical_duration(phc["interval"])
        except ValueError as exc:
            raise EntryError(path + ".passive_health_check.interval", str(exc))
    failures = _non_negative(path + ".passive_health_check.max_failures", phc.get("max_failures"))
    if failures is not None:
        phc_out["MaxFailures"] = failures
    enforcing = _non_negative(path + ".passive_health_check.enforcing_consecutive_5xx",
                              phc.get("enforcing_consecutive_5xx"))
    if enforcing is not None:
        if enforcing > 100:
            raise EntryError(path + ".passive_health_check.enforcing_consecutive_5xx",
                             "is a percentage (0-100), got %r" % (enforcing,))
        phc_out["EnforcingConsecutive5xx"] = enforcing
    if phc_out:
        out["PassiveHealthCheck"] = phc_out
    return out


def build_service_defaults(name, protocol=None, upstream_defaults=None, upstream_overrides=None,
                           max_inbound_connections=None, local_connect_timeout_ms=None,
                           local_request_timeout_ms=None, meta=None):
    """Return the service-defaults entry for ``name``; raise EntryError on bad input."""
    if not name or "/" in name or "*" in name:
        raise EntryError("name", "a service name without '/' or '*' is required, got %r" % (name,))
    entry = {"Kind": KIND, "Name": name}
    if protocol:
        if protocol not in PROTOCOLS:
            raise EntryError("protocol", "must be one of %s, got %r" % (", ".join(PROTOCOLS), protocol))
        entry["Protocol"] = protocol
    values = {"max_inbound_connections": max_inbound_connections,
              "local_connect_timeout_ms": local_connect_timeout_ms,
              "local_request_timeout_ms": local_request_timeout_ms}
    for key_in, key_out in _TOP_INTS:
        value = _non_negative(key_in, values[key_in])
        if value:
            entry[key_out] = value
    upstream = {}
    if upstream_defaults:
        defaults = _upstream("upstream_defaults", upstream_defaults, named=False)
        if defaults:
            upstream["Defaults"] = defaults
    seen = {}
    overrides = []
    for i, spec in enumerate(upstream_overrides or []):
        path = "upstream_overrides[%d]" % i
        item = _upstream(path, spec, named=True)
        key = (item.get("Peer"), item.get("Partition"), item.get("Namespace"), item["Name"])
        if key in seen:
            raise EntryError(path + ".name", "upstream %r is listed twice (also at %s)" % (item["Name"], seen[key]))
        seen[key] = path
        overrides.append(item)
    if overrides:
        upstream["Overrides"] = overrides
    if upstream:
        entry["UpstreamConfig"] = upstream
    if meta:
        entry["Meta"] = dict(meta)
    return entry
