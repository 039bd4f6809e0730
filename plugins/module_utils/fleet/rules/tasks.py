# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nomad's task-level rules: name, resources, templates, Vault block, workload identities,
dispatch payload.

Sources: nomad/structs/structs.go ``Task.Validate``, ``Resources.Validate`` /
``Resources.MeetsMinResources``, ``Template.Validate``, ``Vault.Validate``,
``DispatchPayloadConfig.Validate``; nomad/structs/workload_id.go ``WorkloadIdentity.Validate``.
"""
from __future__ import annotations

import posixpath
import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.values import integer, requires_object

IDENTITY_NAME = re.compile(r"^[a-zA-Z0-9-_]{1,128}\Z")  # workload_id.go validIdentityName
MIN_CPU = 1        # structs.go MeetsMinResources
MIN_MEMORY_MB = 10
CHANGE_MODES = ("noop", "restart", "signal", "script")
VAULT_CHANGE_MODES = ("noop", "restart", "signal")


def task_name_problem(name):
    """Message when Nomad refuses the task name, else None (Task.Validate)."""
    if not isinstance(name, str) or not name:
        return "Missing task name"
    if name == "alloc":
        return 'Task cannot be named "alloc"'
    if "/" in name or "\\" in name:
        return "Task name cannot include slashes"
    if "\0" in name:
        return "Task name cannot include null characters"
    return None


@requires_object("Missing task resources")
def resources_problems(res):
    """``res``: API-form ``Resources`` (``CPU``, ``MemoryMB``, ``MemoryMaxMB``) -> [(field, message)]."""
    out = []
    cpu, mem, mem_max = integer(res.get("CPU")), integer(res.get("MemoryMB")), integer(res.get("MemoryMaxMB"))
    cores = integer(res.get("Cores")) or 0
    if cores and cpu:
        out.append(("Cores", "Task can only ask for 'cpu' or 'cores' resource, not both."))
    if not cores and cpu is not None and cpu < MIN_CPU:
        out.append(("CPU", f"minimum CPU value is {MIN_CPU}; got {cpu}"))
    if mem is not None and mem < MIN_MEMORY_MB:
        out.append(("MemoryMB", f"minimum MemoryMB value is {MIN_MEMORY_MB}; got {mem}"))
    if mem_max not in (None, 0, -1) and mem is not None and mem_max < mem:
        out.append(("MemoryMaxMB", f"MemoryMaxMB value ({mem_max}) should be larger than MemoryMB value ({mem})"))
    return out


def escapes(prefix, path):
    """True when ``path`` joined under ``prefix`` leaves the allocation directory
    (escapingfs.PathEscapesAllocViaRelative: the joined path, cleaned, starts with ..)."""
    joined = posixpath.normpath(posixpath.join(prefix, path.lstrip("/")))
    return joined == ".." or joined.startswith("../")


def template_problems(templates):
    """``templates``: the task's API-form ``Templates`` list -> [(index, field, message)]
    (Template.Validate and the duplicate-destination check of Task.Validate)."""
    out = []
    seen = {}
    for i, tmpl in enumerate(templates or []):
        if not isinstance(tmpl, dict):
            out.append((i, "", "a template must be an object"))
            continue
        if not tmpl.get("SourcePath") and not tmpl.get("EmbeddedTmpl"):
            out.append((i, "EmbeddedTmpl", "Must specify a source path or have an embedded template"))
        dest = tmpl.get("DestPath")
        if not isinstance(dest, str) or not dest:
            out.append((i, "DestPath", "Must specify a destination for the template"))
        else:
            if escapes("task", dest):
                out.append((i, "DestPath", "destination escapes allocation directory"))
            if dest in seen:
                out.append((i, "DestPath", f"Template {i + 1} has same destination as {seen[dest] + 1}"))
            seen.setdefault(dest, i)
        mode = tmpl.get("ChangeMode") or "restart"
        if mode not in CHANGE_MODES:
            out.append((i, "ChangeMode", f"change mode must be one of {', '.join(CHANGE_MODES)}"))
        if mode == "signal":
            if not tmpl.get("ChangeSignal"):
                out.append((i, "ChangeSignal", "Must specify signal value when change mode is signal"))
            if tmpl.get("Envvars"):
                out.append((i, "ChangeMode", "cannot use signals with env var templates"))
        if mode == "script" and not tmpl.get("ChangeScript"):
            out.append((i, "ChangeScript", "must specify change script configuration value when change mode is script"))
        perms = tmpl.get("Perms")
        if perms:
            try:
                if int(str(perms), 8) >= 1 << 12:
                    raise ValueError
            except ValueError:
                out.append((i, "Perms", f"Failed to parse {perms!r} as octal"))
    return out


def vault_problems(vault):
    """``vault``: API-form task ``Vault`` block -> [(field, message)] (Vault.Validate)."""
    if not isinstance(vault, dict):
        return []
    mode = vault.get("ChangeMode") or "restart"
    if mode not in VAULT_CHANGE_MODES:
        return [("ChangeMode", f"Unknown change mode {mode!r}")]
    if mode == "signal" and not vault.get("ChangeSignal"):
        return [("ChangeSignal", "Signal must be specified when using change mode 'signal'")]
    return []


@requires_object("must not be nil")
def identity_problems(identity):
    """``identity``: API-form ``WorkloadIdentity`` -> [(field, message)] (WorkloadIdentity.Validate)."""
    out = []
    name = identity.get("Name")
    default = name in (None, "", "default")  # Task.Canonicalize treats it as the default identity
    if not default and (not isinstance(name, str) or not IDENTITY_NAME.match(name)):
        out.append(("Name", f"invalid name {name!r}. Must match regex {IDENTITY_NAME.pattern}"))
    for i, aud in enumerate(identity.get("Audience") or []):
        if aud == "":
            out.append((f"Audience[{i}]", f"an empty string is an invalid audience ({i + 1})"))
    ttl = integer(identity.get("TTL"))
    if ttl is not None and ttl < 0:
        out.append(("TTL", "ttl must be >= 0"))
    if ttl and default:
        out.append(("TTL", "ttl for default identity not yet supported"))
    return out


def dispatch_payload_problem(payload):
    """Message when the dispatch payload file escapes task/local/, else None (DispatchPayloadConfig.Validate)."""
    if not isinstance(payload, dict):
        return None
    name = payload.get("File") or ""
    if isinstance(name, str) and escapes("task/local", name):
        return "destination escapes allocation directory"
    return None
