# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Schema, cross-reference and real-server checks (``spec_rules``); every error is collected
with its dotted path."""
from __future__ import annotations

import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import (
    build_records, isolation, naming, presets, schema, spec_rules)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet._schema_engine import (
    normalize, normalize_struct)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.cron import check_cron
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import SpecError, join
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.guardrails import check_guardrails
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.model import resolve_upstream
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules import policies
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.runtime import META_PREFIX, is_reserved_env

# Sub-directories of <render_dir>/nomad/ that a namespace may not shadow.
RESERVED_NAMESPACES = {"acl", "namespaces", "quotas"}


def time_zone_ok(name):
    if name == "UTC" or name == "Local":
        return True
    if not re.match(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*\Z", name):
        return False
    try:
        import zoneinfo
        zoneinfo.ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError, ValueError, missing tzdata
        return False
    return True


def normalize_spec(data):
    """Return (normalized spec or None, errors). ``data`` is the raw mapping."""
    errors = []
    if not isinstance(data, dict):
        return None, [SpecError("", "the fleet spec must be a mapping", type(data).__name__)]
    spec = normalize_struct(data, schema.FLEET.fields, "", errors)
    tenants = spec.get("tenants") or {}
    for tname, tenant in tenants.items():
        if tenant is None:
            continue
        raw_agents = tenant.get("agents") or []
        tenant["agents"] = _normalize_agents(tname, raw_agents, errors)
    return spec, errors


def _normalize_agents(tname, raw_agents, errors):
    out = []
    seen = {}
    base = f"tenants.{tname}.agents"
    for index, raw in enumerate(raw_agents):
        name = raw.get("name") if isinstance(raw, dict) else None
        named = isinstance(name, str) and re.fullmatch(schema.NAME, name)
        path = join(base, name) if named else join(base, index)
        if not isinstance(raw, dict):
            errors.append(SpecError(path, "an agent must be a mapping", raw))
            continue
        if named and name in seen:
            errors.append(SpecError(join(path, "name"),
                                    f"duplicate agent name (agents[{seen[name]}] and agents[{index}])", name))
            continue
        if named:
            seen[name] = index
        kind = raw.get("kind")
        if kind in schema.KINDS:
            for key, kinds in schema.KIND_ONLY.items():
                if raw.get(key) is not None and kind not in kinds:
                    errors.append(SpecError(join(path, key), f"is not allowed for kind {kind} "
                                            f"(only {', '.join(kinds)})", raw[key]))
            for key in schema.REQUIRED_FOR_KIND.get(kind, ()):
                if raw.get(key) is None:
                    errors.append(SpecError(join(path, key), f"is required for kind {kind}", None))
        agent = normalize(raw, schema.AGENT, path, errors)
        if agent is not None and named:
            agent["_path"] = path
            out.append(agent)
    return out


def _is_set(block):
    return bool(block) and any(v is not None for v in block.values())


_POLICY_FIX = {
    "restart": "real Nomad refuses this: nomad/structs/structs.go RestartPolicy.Validate; write instead: "
               "an interval of at least 5s that holds attempts x delay, or another preset",
    "reschedule": "real Nomad refuses this: nomad/structs/structs.go ReschedulePolicy.Validate; write instead: "
                  "a delay of at least 5s, max_delay >= delay, an interval of at least 15s with room for "
                  "every attempt, or preset: none",
}


def _check_policies(agent, defaults, path, errors):
    """Nomad's restart/reschedule rules on the effective (preset + defaults + agent) policies."""
    if not defaults or any(defaults.get(k) is None for k in ("restart", "reschedule")):
        return
    batch = agent["kind"] != "service"
    if agent["retry"]:
        restart, reschedule = presets.retry_policies(agent["retry"])
        where = {"restart": join(path, "retry"), "reschedule": join(path, "retry")}
    else:
        restart = presets.layered(presets.RESTART, defaults["restart"], agent["restart"], batch)
        reschedule = presets.layered(presets.RESCHEDULE, defaults["reschedule"], agent["reschedule"], batch)
        where = {k: join(path, k) if _is_set(agent[k]) else f"defaults.{k}" for k in ("restart", "reschedule")}
    for key, policy, check in (("restart", restart, policies.restart_problems),
                               ("reschedule", reschedule, policies.reschedule_problems)):
        try:
            problems = check(policy)
        except (TypeError, ValueError):
            continue  # a value already failed its schema check (reported there)
        for problem in problems:
            errors.append(SpecError(where[key], f"effective {key} policy: {problem} ({_POLICY_FIX[key]})",
                                    dict(sorted(policy.items()))))


def _check_agent(tname, agent, agents_by_key, errors, defaults=None):
    path = agent["_path"]
    _check_policies(agent, defaults, path, errors)
    kind = agent["kind"]
    ports = agent["ports"] or {}
    checks = agent["checks"] or {}
    for role in ("readiness", "liveness"):
        check = checks.get(role)
        if not check:
            continue
        cpath = join(join(path, "checks"), role)
        if check["type"] == "http" and not check["path"]:
            errors.append(SpecError(join(cpath, "path"), "is required for http checks", None))
        if check["type"] == "script" and not check["command"]:
            errors.append(SpecError(join(cpath, "command"), "is required for script checks", None))
        if check["type"] in ("http", "tcp"):
            if not ports:
                errors.append(SpecError(join(path, "ports"), f"{role} check needs a port", ports))
            elif check["port"] and check["port"] not in ports:
                errors.append(SpecError(join(cpath, "port"), f"names no port of this agent ({', '.join(sorted(ports))})",
                                        check["port"]))
        if role == "readiness" and check.get("check_restart"):
            errors.append(SpecError(join(cpath, "check_restart"), "only liveness checks restart tasks",
                                    check["check_restart"]))
    if kind == "service" and not ports:
        errors.append(SpecError(join(path, "ports"), "a service agent must expose at least one port", ports))
    scaling = agent["scaling"]
    if scaling and scaling["min"] is not None and scaling["max"] is not None:
        if scaling["min"] > scaling["max"]:
            errors.append(SpecError(join(path, "scaling.min"), f"is above scaling.max ({scaling['max']})",
                                    scaling["min"]))
        elif not scaling["min"] <= agent["count"] <= scaling["max"]:
            errors.append(SpecError(join(path, "count"), f"must lie within scaling min..max "
                                    f"({scaling['min']}..{scaling['max']})", agent["count"]))
    names = [p["name"] for p in agent["partitions"] or [] if p]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        errors.append(SpecError(join(path, "partitions"), "duplicate partition name", dup))
    sched = agent["schedule"]
    if sched:
        for i, cron in enumerate(sched["crons"] or []):
            try:
                check_cron(cron)
            except ValueError as exc:
                errors.append(SpecError(join(join(path, "schedule.crons"), i), f"cron does not parse: {exc}", cron))
        if sched["time_zone"] and not time_zone_ok(sched["time_zone"]):
            errors.append(SpecError(join(path, "schedule.time_zone"), "unknown time zone", sched["time_zone"]))
    disp = agent["dispatch"]
    if disp:
        both = sorted(set(disp["meta_required"]) & set(disp["meta_optional"]))
        if both:
            errors.append(SpecError(join(path, "dispatch.meta_optional"), "repeats keys from meta_required", both))
    if agent["retry"] and (_is_set(agent["restart"]) or _is_set(agent["reschedule"])):
        errors.append(SpecError(join(path, "retry"), "use either retry or restart/reschedule, not both",
                                agent["retry"]))
    for key in sorted(agent["meta"] or {}):
        if key.startswith(META_PREFIX):
            errors.append(SpecError(join(join(path, "meta"), key), f"the {META_PREFIX} prefix is reserved "
                                    "for ownership metadata", key))
    for key in sorted(agent["env"] or {}):
        if is_reserved_env(key):
            errors.append(SpecError(join(join(path, "env"), key), "is reserved for the runtime contract", key))
    secret_env = {}
    for i, secret in enumerate(agent["secrets"] or []):
        spath = join(join(path, "secrets"), i)
        if secret is None:
            continue
        if not secret["env"] and not secret["files"]:
            errors.append(SpecError(spath, "exposes nothing: set env and/or files", secret["path"]))
        if secret["change_mode"] == "signal" and not secret["change_signal"]:
            errors.append(SpecError(join(spath, "change_signal"), "is required when change_mode is signal", None))
        for key in sorted(secret["env"] or {}):
            where = join(join(spath, "env"), key)
            if is_reserved_env(key):
                errors.append(SpecError(where, "is reserved for the runtime contract", key))
            elif key in (agent["env"] or {}):
                errors.append(SpecError(where, "is also set in env", key))
            elif key in secret_env:
                errors.append(SpecError(where, f"is also exposed by {secret_env[key]}", key))
            secret_env.setdefault(key, spath)
    seen_ports = {}
    for i, up in enumerate(agent["upstreams"] or []):
        upath = join(join(path, "upstreams"), i)
        if up is None or up["service"] is None:
            continue
        target_key = resolve_upstream(tname, up["service"])
        target = agents_by_key.get(target_key)
        if target is None:
            errors.append(SpecError(join(upath, "service"), "names no agent of this fleet", up["service"]))
        elif target["kind"] != "service":
            errors.append(SpecError(join(upath, "service"), f"names a {target['kind']} agent; "
                                    "only service agents can be upstreams", up["service"]))
        elif target_key == f"{tname}/{agent['name']}":
            errors.append(SpecError(join(upath, "service"), "an agent cannot be its own upstream", up["service"]))
        if up["local_port"] in seen_ports:
            errors.append(SpecError(join(upath, "local_port"), f"already used by upstreams[{seen_ports[up['local_port']]}]",
                                    up["local_port"]))
        seen_ports.setdefault(up["local_port"], i)
        if up["local_port"] in {p["to"] for p in ports.values() if p}:
            errors.append(SpecError(join(upath, "local_port"), "collides with one of the agent's ports", up["local_port"]))
    if agent["upstreams"] and kind != "service" and not ports:
        errors.append(SpecError(join(path, "ports"), "an agent with upstreams joins the service mesh "
                                "and needs a port for its Consul service", ports))


def _add_new_paths(errors, check, *args):
    """Run ``check(*args, found)`` and keep only findings at paths no earlier error names
    (a value the schema already refused is not reported twice)."""
    found = []
    check(*args, found)
    taken = {e.path for e in errors}
    errors.extend(e for e in found if e.path not in taken)


def validate_spec(data, records=None):
    """Return (normalized spec, errors). The spec is only safe to render when errors is empty.
    ``records``: the operator's ``build_records.BuildRecords`` that ``image: {build: NAME}``
    resolves from (None: no folder configured, such an image is an error)."""
    spec, errors = normalize_spec(data)
    if spec is None:
        return None, errors
    build_records.resolve_spec(spec, records, errors)
    tenants = spec.get("tenants") or {}
    agents_by_key = {}
    for tname, tenant in tenants.items():
        for agent in (tenant or {}).get("agents") or []:
            agents_by_key[f"{tname}/{agent['name']}"] = agent
    namespaces = {}
    for tname in sorted(tenants):
        tenant = tenants[tname]
        if tenant is None:
            continue
        ns = tenant["namespace"] or tname
        if ns in RESERVED_NAMESPACES:
            errors.append(SpecError(f"tenants.{tname}.namespace", "is a reserved name", ns))
        if ns in namespaces:
            errors.append(SpecError(f"tenants.{tname}.namespace", f"is also used by tenant {namespaces[ns]}", ns))
        namespaces.setdefault(ns, tname)
        for key in sorted(tenant["meta"] or {}):
            if key.startswith(META_PREFIX):
                errors.append(SpecError(f"tenants.{tname}.meta.{key}", f"the {META_PREFIX} prefix is reserved "
                                        "for ownership metadata", key))
        if tenant["quota"] and not tenant["budget"]:
            errors.append(SpecError(f"tenants.{tname}.quota", "needs a budget to render a quota", True))
        for agent in tenant["agents"]:
            before = len(errors)
            try:
                _check_agent(tname, agent, agents_by_key, errors, spec.get("defaults"))
                _add_new_paths(errors, spec_rules.check_agent, tname, agent, spec.get("defaults") or {})
            except (TypeError, KeyError, AttributeError):
                # Only reachable when a value already failed its schema check (reported).
                if len(errors) == before and not any(e.path.startswith(agent.get("_path", "~")) for e in errors):
                    raise
    try:
        _add_new_paths(errors, spec_rules.check_fleet, spec)
    except (TypeError, KeyError, AttributeError):
        if not errors:  # only reachable when a value already failed its schema check (reported)
            raise
    # Derived names are unambiguous by construction (naming.py); tenants stay isolated (isolation.py).
    errors.extend(SpecError(*e) for e in naming.spec_errors(spec) + isolation.errors(spec))
    if not errors:
        errors.extend(check_guardrails(spec, data))
    else:
        # Guardrails still run on what normalized, so one pass reports everything it can.
        errors.extend(check_guardrails(spec, data, partial=True))
    for tenant in tenants.values():
        for agent in (tenant or {}).get("agents") or []:
            agent.pop("_path", None)
            agent.pop("_image_build", None)
    return spec, _dedupe(errors)


def _dedupe(errors):
    seen = set()
    out = []
    for e in errors:
        if str(e) not in seen:
            seen.add(str(e))
            out.append(e)
    return out
