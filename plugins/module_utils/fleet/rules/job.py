# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nomad's job- and group-level rules: header, task groups, networks, Connect wiring,
placement (constraint/affinity/spread), periodic and parameterized blocks, scaling,
namespaces.

Sources: nomad/structs/structs.go ``Job.Validate``, ``TaskGroup.Validate``,
``TaskGroup.validateNetworks``, ``TaskGroup.validateScalingPolicy``,
``ScalingPolicy.Validate``, ``Constraint.Validate``, ``Affinity.Validate``,
``Spread.Validate``, ``PeriodicConfig.Validate``, ``ParameterizedJobConfig.Validate``,
``Namespace.Validate``; nomad/job_endpoint_hooks.go ``jobValidate.Validate`` (priority);
nomad/job_endpoint_hook_connect.go ``groupConnectNetworkModeValidate``,
``groupConnectUpstreamsValidate``.
"""
from __future__ import annotations

import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.values import integer, requires_object

JOB_TYPES = ("service", "batch", "system", "sysbatch")
MIN_PRIORITY, MAX_PRIORITY = 1, 100  # structs.JobMinPriority, default job_max_priority
JOB_MAX_COUNT = 50000  # structs.JobDefaultMaxCount (server job_max_count default), jobValidate.Validate
NAMESPACE_NAME = re.compile(r"^[a-zA-Z0-9-]{1,128}\Z")  # structs.go validNamespaceName
NAMESPACE_DESCRIPTION_MAX = 256  # structs.go maxNamespaceDescriptionLength
PAYLOADS = ("optional", "required", "forbidden")
_NEEDS_RTARGET = ("=", "==", "is", "!=", "not", "<", "<=", ">", ">=")
_SET_OPS = ("set_contains", "set_contains_all", "set_contains_any")
CONSTRAINT_OPS = _NEEDS_RTARGET + _SET_OPS + ("regexp", "version", "semver", "distinct_hosts",
                                              "distinct_property", "is_set", "is_not_set")
AFFINITY_OPS = _NEEDS_RTARGET + _SET_OPS + ("regexp", "version", "semver")


def header_problems(job):
    """Job-level fields -> [(field, message)] (Job.Validate, jobValidate.Validate), after the
    defaults the HTTP register path applies: an empty Region becomes the agent's region
    (command/agent/job_endpoint.go regionForJob), an empty Namespace ``default`` and an
    empty datacenter list ``["*"]`` (structs.go Job.Canonicalize), a missing Name the ID
    and a missing or zero Priority the default (api/jobs.go Job.Canonicalize)."""
    out = []
    jid = job.get("ID")
    if not isinstance(jid, str) or not jid:
        out.append(("ID", "Missing job ID"))
    elif " " in jid or "\0" in jid:
        out.append(("ID", "Job ID contains a space or a null character"))
    name = job.get("Name")
    if name is not None and (not isinstance(name, str) or not name or "\0" in name):
        out.append(("Name", "Missing job name (or it contains a null character)"))
    if job.get("Type", "service") not in JOB_TYPES:
        out.append(("Type", f"Invalid job type: {job.get('Type')!r}"))
    dcs = job.get("Datacenters") or []
    if not isinstance(dcs, list):
        out.append(("Datacenters", "Datacenters must be a list"))
    else:
        for i, dc in enumerate(dcs):
            if not isinstance(dc, str) or not dc:
                out.append((f"Datacenters[{i}]", "Job datacenter must be non-empty string"))
    total = sum(integer(g.get("Count", 1)) or 0 for g in job.get("TaskGroups") or [] if isinstance(g, dict))
    if total > JOB_MAX_COUNT:
        out.append(("TaskGroups", f"total count was greater than configured job_max_count: {total} > {JOB_MAX_COUNT}"))
    priority = integer(job.get("Priority"))
    if priority and not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        out.append(("Priority", f"job priority must be between [{MIN_PRIORITY}, {MAX_PRIORITY}]"))
    return out


@requires_object("must be an object")
def constraint_problems(c, affinity=False):
    """One constraint (or affinity) -> [(field, message)] (Constraint.Validate / Affinity.Validate)."""
    out = []
    op = c.get("Operand") or ""
    rtarget = c.get("RTarget") or ""
    ops = AFFINITY_OPS if affinity else CONSTRAINT_OPS
    if not op:
        out.append(("Operand", "Missing operand"))
    elif op not in ops:
        out.append(("Operand", f"Unknown {'affinity operator' if affinity else 'constraint type'} {op!r}"))
    elif op in _NEEDS_RTARGET + _SET_OPS and not rtarget:
        out.append(("RTarget", f"Operator {op!r} requires an RTarget"))
    elif op == "regexp":
        try:
            re.compile(rtarget)
        except re.error as exc:
            out.append(("RTarget", f"Regular expression failed to compile: {exc}"))
    elif op in ("is_set", "is_not_set") and rtarget:
        out.append(("RTarget", f"Operator {op!r} does not support an RTarget"))
    elif op == "distinct_property" and rtarget and not (rtarget.isdigit() and int(rtarget) >= 1):
        out.append(("RTarget", "Distinct Property must have an allowed count of 1 or greater"))
    if op != "distinct_hosts" and not c.get("LTarget"):
        out.append(("LTarget", "no attribute provided but is required by operator"))
    if affinity:
        weight = integer(c.get("Weight", 50))  # api/tasks.go Affinity.Canonicalize: unset -> 50
        if not weight:
            out.append(("Weight", "Affinity weight cannot be zero"))
        elif not -100 <= weight <= 100:
            out.append(("Weight", "Affinity weight must be within the range [-100,100]"))
    return out


@requires_object("must be an object")
def spread_problems(s):
    """One spread -> [(field, message)] (Spread.Validate)."""
    out = []
    if not s.get("Attribute"):
        out.append(("Attribute", "Missing spread attribute"))
    weight = integer(s.get("Weight", 50))  # api/tasks.go Spread.Canonicalize: unset -> 50
    if weight is None or weight <= 0 or weight > 100:
        out.append(("Weight", "Spread block must have a positive weight from 0 to 100"))
    seen, total = set(), 0
    for i, target in enumerate(s.get("SpreadTarget") or []):
        value, pct = target.get("Value"), integer(target.get("Percent")) or 0
        if value in seen:
            out.append((f"SpreadTarget[{i}]", f"Spread target value {value!r} already defined"))
        seen.add(value)
        if pct > 100 or pct < 0:
            out.append((f"SpreadTarget[{i}].Percent", "Spread target percentage must be between 0 and 100"))
        total += pct
    if total > 100:
        out.append(("SpreadTarget", f"Sum of spread target percentages must not be greater than 100%; got {total}%"))
    return out


def periodic_problems(p, time_zone_ok):
    """``Periodic`` block -> [(field, message)] (PeriodicConfig.Validate; cron syntax is
    checked on the spec). ``time_zone_ok(name)`` answers whether Go can load the zone."""
    if not isinstance(p, dict) or p.get("Enabled") is False:
        return []
    out = []
    if p.get("Spec") and p.get("Specs"):
        out.append(("Specs", "Only cron or crons may be used"))
    if not p.get("Spec") and not p.get("Specs"):
        out.append(("Spec", "Must specify a spec"))
    tz = p.get("TimeZone")
    if tz and not time_zone_ok(tz):
        out.append(("TimeZone", f"Invalid time zone {tz!r}"))
    if p.get("SpecType", "cron") not in ("cron", "_internal_test"):
        out.append(("SpecType", f"Unknown periodic specification type {p.get('SpecType')!r}"))
    return out


def parameterized_problems(p):
    """``ParameterizedJob`` block -> [(field, message)] (ParameterizedJobConfig.Validate)."""
    if not isinstance(p, dict):
        return []
    out = []
    if (p.get("Payload") or "optional") not in PAYLOADS:
        out.append(("Payload", f"Unknown payload requirement: {p.get('Payload')!r}"))
    both = sorted(set(p.get("MetaRequired") or []) & set(p.get("MetaOptional") or []))
    if both:
        out.append(("MetaOptional", f"Required and optional meta keys should be disjoint. "
                    f"Following keys exist in both: {both}"))
    return out


def scaling_problems(scaling, count):
    """Group ``Scaling`` against the group count -> [(field, message)]
    (ScalingPolicy.Validate, TaskGroup.validateScalingPolicy)."""
    if not isinstance(scaling, dict):
        return []
    out = []
    lo, hi = integer(scaling.get("Min")), integer(scaling.get("Max"))
    if scaling.get("Min") is None and isinstance(count, int):
        lo = count  # api/scaling.go ScalingPolicy.Canonicalize: unset min -> the group count
    if hi is None or hi < 0:
        out.append(("Max", "maximum count must be specified and non-negative"))
    elif lo is not None and hi < lo:
        out.append(("Max", "maximum count must not be less than minimum count"))
    if lo is None or lo < 0:
        out.append(("Min", "minimum count must be specified and non-negative"))
    if isinstance(count, int):
        if hi is not None and hi < count:
            out.append(("Max", "task group count must not be greater than maximum count in scaling policy"))
        if lo is not None and count < lo:
            out.append(("Min", "task group count must not be less than minimum count in scaling policy"))
    return out


def network_problems(networks):
    """Group ``Networks`` -> [(field, message)] (TaskGroup.validateNetworks)."""
    out = []
    labels = set()
    for ni, net in enumerate(networks or []):
        for kind in ("ReservedPorts", "DynamicPorts"):
            for pi, port in enumerate(net.get(kind) or []):
                where = f"[{ni}].{kind}[{pi}]"
                label = port.get("Label")
                if label in labels:
                    out.append((where + ".Label", f"Port label {label} already in use"))
                labels.add(label)
                to = integer(port.get("To"))
                if to is not None and to < -1:
                    out.append((where + ".To", f"Port {label!r} cannot be mapped to negative value {to}"))
                elif to is not None and to > 65535:
                    out.append((where + ".To", f"Port {label!r} cannot be mapped to a port greater than 65535"))
    return out


def connect_problems(group):
    """Connect wiring of a group -> [(field, message)]: a sidecar or an exposed check needs
    exactly one bridge (or cni/*) network; upstream listeners must not collide
    (groupConnectNetworkModeValidate, groupConnectUpstreamsValidate)."""
    out = []
    services = [s for s in group.get("Services") or [] if isinstance(s, dict)]
    sidecars = [s for s in services if isinstance(s.get("Connect"), dict)
                and s["Connect"].get("SidecarService") is not None]
    exposes = any(c.get("Expose") for s in services for c in s.get("Checks") or [] if isinstance(c, dict))
    if sidecars or exposes:
        nets = group.get("Networks") or []
        if len(nets) != 1:
            out.append(("Networks", f"must have exactly one network for Consul Connect (group has {len(nets)})"))
        else:
            mode = nets[0].get("Mode") or "host"
            if mode != "bridge" and not mode.startswith("cni/"):
                out.append(("Networks[0].Mode", f"invalid network mode for Consul Connect: {mode!r}; "
                            "must be \"bridge\" or \"cni/*\""))
    listeners = {}
    for si, s in enumerate(services):
        proxy = ((s.get("Connect") or {}).get("SidecarService") or {}).get("Proxy") or {}
        for ui, up in enumerate(proxy.get("Upstreams") or []):
            key = up.get("LocalBindSocketPath") or f"{up.get('LocalBindAddress') or ''}:{up.get('LocalBindPort')}"
            if key in listeners:
                out.append((f"Services[{si}].Connect.SidecarService.Proxy.Upstreams[{ui}].LocalBindPort",
                            f"Consul Connect services using same address for upstreams ({key})"))
            listeners.setdefault(key, s.get("Name"))
    return out


def namespace_problems(ns):
    """Namespace API body -> [(field, message)] (Namespace.Validate)."""
    out = []
    if not isinstance(ns.get("Name"), str) or not NAMESPACE_NAME.match(ns["Name"]):
        out.append(("Name", f"invalid name {ns.get('Name')!r}. Must match regex {NAMESPACE_NAME.pattern}"))
    desc = ns.get("Description") or ""
    if len(desc) > NAMESPACE_DESCRIPTION_MAX:
        out.append(("Description", f"description longer than {NAMESPACE_DESCRIPTION_MAX}"))
    return out
