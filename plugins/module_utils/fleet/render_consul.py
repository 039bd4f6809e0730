# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Consul config entries in API JSON form: service-intentions (allow only declared
callers, plus a default deny), service-defaults (upstream limits = circuit breakers)
and service-resolver (request timeouts)."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import format_duration, parse as parse_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.model import resolve_upstream
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.ownership import OWNER_META, TENANT_META


def _meta(fleet, extra=None):
    meta = {OWNER_META: fleet.name}
    meta.update(extra or {})
    return meta


def default_deny(fleet):
    return {"Kind": "service-intentions", "Name": "*", "Meta": _meta(fleet),
            "Sources": [{"Name": "*", "Action": "deny", "Description": "agentfleet default deny"}]}


def _callers(fleet):
    """destination agent key -> [(caller agent, upstream spec)]"""
    out = {}
    for agent in fleet.agents:
        for up in agent.spec["upstreams"]:
            out.setdefault(resolve_upstream(agent.tenant.name, up["service"]), []).append((agent, up))
    return out


def intentions(fleet):
    entries = []
    for key, callers in sorted(_callers(fleet).items()):
        dest = fleet.agent(key)
        sources = sorted({caller.service_name for caller, _up in callers})
        entries.append({"Kind": "service-intentions", "Name": dest.service_name,
                        "Meta": _meta(fleet, {TENANT_META: dest.tenant.name}),
                        "Sources": [{"Name": s, "Action": "allow",
                                     "Description": "declared upstream in the fleet spec"} for s in sources]})
    return entries


def _override(target, up):
    out = {"Name": target.service_name, "ConnectTimeoutMs": parse_duration(up["connect_timeout"]) // 1_000_000}
    limits = {k: v for k, v in (("MaxConnections", up["limits"]["max_connections"]),
                                ("MaxPendingRequests", up["limits"]["max_pending_requests"]),
                                ("MaxConcurrentRequests", up["limits"]["max_concurrent_requests"]))
              if v is not None}
    if limits:
        out["Limits"] = limits
    phc = up["passive_health_check"]
    if phc:
        out["PassiveHealthCheck"] = {"Interval": phc["interval"], "MaxFailures": phc["max_failures"],
                                     "EnforcingConsecutive5xx": phc["enforcing_consecutive_5xx"]}
    return out


def service_defaults(fleet):
    protocol = fleet.defaults["consul"]["protocol"]
    entries = []
    for agent in fleet.agents:
        if not agent.in_mesh:
            continue
        overrides = []
        for up in agent.spec["upstreams"]:
            overrides.append(_override(fleet.agent(resolve_upstream(agent.tenant.name, up["service"])), up))
        entry = {"Kind": "service-defaults", "Name": agent.service_name,
                 "Protocol": _protocol(agent, protocol), "Meta": _meta(fleet, {TENANT_META: agent.tenant.name})}
        if overrides:
            entry["UpstreamConfig"] = {"Overrides": sorted(overrides, key=lambda o: o["Name"])}
        entries.append(entry)
    return entries


def _protocol(agent, default):
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.nomad_context import main_port
    port = main_port(agent)
    return (agent.spec["ports"][port]["protocol"] if port else None) or default


def resolvers(fleet):
    """RequestTimeout is per destination in Consul: the strictest caller's value wins."""
    timeouts = {}
    for key, callers in _callers(fleet).items():
        values = [parse_duration(up["request_timeout"]) for _caller, up in callers if up["request_timeout"]]
        if values:
            timeouts[key] = min(values)
    return [{"Kind": "service-resolver", "Name": fleet.agent(key).service_name,
             "RequestTimeout": format_duration(nanos), "Meta": _meta(fleet)}
            for key, nanos in sorted(timeouts.items())]


def config_entries(fleet):
    entries = []
    if fleet.defaults["consul"]["default_deny"]:
        entries.append(default_deny(fleet))
    entries += intentions(fleet) + service_defaults(fleet) + resolvers(fleet)
    return entries


def entry_filename(entry):
    if entry["Kind"] == "service-intentions" and entry["Name"] == "*":
        return "default-deny.json"
    return f"{entry['Kind']}-{entry['Name']}.json"
