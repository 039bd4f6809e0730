# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Consul's config-entry rules for the kinds the fleet renders.

Sources (hashicorp/consul): agent/structs/config_entry.go ``ServiceConfigEntry.Validate``,
``ProxyConfigEntry.Validate``, ``UpstreamConfig.validate``, ``PassiveHealthCheck.Validate``,
``UpstreamLimits.Validate``, ``validateConfigEntryMeta``;
agent/structs/config_entry_intentions.go ``ServiceIntentionsConfigEntry.validate``;
agent/structs/config_entry_discoverychain.go ``ServiceResolverConfigEntry.Validate``.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.values import integer, parse_duration, requires_object

META_MAX_PAIRS = 64        # agent/structs/structs.go metaMaxKeyPairs
META_KEY_MAX = 128         # metaKeyMaxLength
META_VALUE_MAX = 512       # metaValueMaxLength
ACTIONS = ("allow", "deny")


def _meta_problems(meta):
    out = []
    if not isinstance(meta, dict):
        return out
    if len(meta) > META_MAX_PAIRS:
        out.append(("Meta", f"Meta exceeds maximum element count {META_MAX_PAIRS}"))
    for key, value in meta.items():
        if len(key) > META_KEY_MAX:
            out.append((f"Meta.{key}", f"Meta key exceeds maximum length {META_KEY_MAX}"))
        if isinstance(value, str) and len(value) > META_VALUE_MAX:
            out.append((f"Meta.{key}", f"Meta value exceeds maximum length {META_VALUE_MAX}"))
    return out


def _duration(value):
    """Consul decodes durations from Go text or integer nanoseconds; None when neither."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValueError:
            return None
    return None


def _upstream_problems(up, where):
    out = []
    if not up.get("Name"):
        out.append((f"{where}.Name", "Name is required"))
    elif up["Name"] == "*":
        out.append((f"{where}.Name", "Wildcard name is not supported"))
    phc = up.get("PassiveHealthCheck")
    if isinstance(phc, dict) and "Interval" in phc:
        interval = _duration(phc["Interval"])
        if interval is None:
            out.append((f"{where}.PassiveHealthCheck.Interval", "must be a duration"))
        elif interval < 0:
            out.append((f"{where}.PassiveHealthCheck.Interval", "passive health check interval cannot be negative"))
    for key in ("MaxConnections", "MaxPendingRequests", "MaxConcurrentRequests"):
        value = integer((up.get("Limits") or {}).get(key))
        if value is not None and value < 0:
            out.append((f"{where}.Limits.{key}", f"{key} cannot be negative"))
    return out


@requires_object("a config entry must be an object")
def entry_problems(entry):
    """``entry``: a config-entry API body -> [(field, message)]."""
    kind, name = entry.get("Kind"), entry.get("Name")
    out = _meta_problems(entry.get("Meta"))
    if not name:
        out.append(("Name", "Name is required"))
    if kind == "service-defaults":
        if name == "*":
            out.append(("Name", "service-defaults name must be the name of a service, and not a wildcard"))
        upstreams = entry.get("UpstreamConfig") or {}
        for i, up in enumerate(upstreams.get("Overrides") or []):
            out += _upstream_problems(up, f"UpstreamConfig.Overrides[{i}]")
    elif kind == "proxy-defaults":
        if name != "global":
            out.append(("Name", f"invalid name ({name!r}), only 'global' is supported"))
    elif kind == "service-resolver":
        timeout = entry.get("RequestTimeout")
        if timeout is not None:
            value = _duration(timeout)
            if value is None or value < 0:
                out.append(("RequestTimeout", "RequestTimeout must be a non-negative duration"))
    elif kind == "service-intentions":
        sources = entry.get("Sources") or []
        seen = set()
        for i, src in enumerate(sources):
            if not src.get("Name"):
                out.append((f"Sources[{i}].Name", "Name is required"))
            if src.get("Action") not in ACTIONS:
                out.append((f"Sources[{i}].Action", "Action must be set to 'allow' or 'deny'"))
            key = (src.get("Name"), src.get("Peer"), src.get("Partition"), src.get("Namespace"))
            if key in seen:
                out.append((f"Sources[{i}].Name", f"Sources[{i}] defines {src.get('Name')!r} more than once"))
            seen.add(key)
    else:
        out.append(("Kind", f"the fleet renders no config entry of kind {kind!r}"))
    return out
