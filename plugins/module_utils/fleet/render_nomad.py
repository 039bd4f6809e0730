# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render Nomad job register bodies from the nomad-jobs/ Jinja2 templates in the template
sandbox (``templates.py``), then parse and check them (a user template cannot bypass the
guardrails)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import templates
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import SpecError, join
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.guardrails import DIGEST, registry_allowed
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.job_checks import job_problems
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.nomad_context import job_context
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.runtime import ownership_meta

BUILTIN_TEMPLATES = Path(__file__).resolve().parents[3] / "nomad-jobs"
JOB_TYPES = {"service": "service", "batch": "batch", "periodic": "batch", "dispatch": "batch"}
_DURATION_FIELDS = ("KillTimeout", "Interval", "Delay", "MaxDelay", "Timeout", "Grace", "TTL",
                    "MinHealthyTime", "HealthyDeadline", "ProgressDeadline")


class JobRenderer:
    """Renders jobs in the template sandbox (``templates.py``). Kind templates come from
    ``templates_dir`` then the built-in folder; a per-agent ``template`` (and anything it
    imports) from the operator's ``template_dirs``, then ``templates_dir``, then built-in."""

    def __init__(self, templates_dir=None, template_dirs=()):
        self.templates_dir = Path(templates_dir) if templates_dir else BUILTIN_TEMPLATES
        base = [self.templates_dir] + ([BUILTIN_TEMPLATES] if self.templates_dir != BUILTIN_TEMPLATES else [])
        self.kind_folders = base
        self.user_folders = [Path(d) for d in template_dirs] + base
        self.env = templates.environment(self.kind_folders)
        self.user_env = templates.environment(self.user_folders)

    def _template(self, agent):
        user = agent.spec["template"]
        if not user:
            return self.env.get_template(f"{agent.kind}.json.j2")
        return self.user_env.get_template(user)

    def render(self, agent):
        """Return (job dict or None, errors)."""
        user = agent.spec["template"]
        where = join(agent.path, "template") if user else agent.path
        if user:
            problem = templates.template_name_error(user)
            if problem:
                return None, [SpecError(where, problem, user)]
        try:
            text = templates.render(self._template(agent), job_context(agent))
        except templates.errors() as exc:  # pylint: disable=catching-non-exception
            message = getattr(exc, "message", None) or str(exc)
            return None, [SpecError(where, f"job template failed ({type(exc).__name__}): {message}",
                                    user or agent.kind)]
        try:
            body = json.loads(text, parse_constant=_no_constant)
        except ValueError as exc:
            return None, [SpecError(where, f"rendered job is not JSON: {exc}", user or agent.kind)]
        errors = check_job(body, agent, where)
        return (body if not errors else None), errors


def _no_constant(name):
    raise ValueError(f"{name} is not JSON (Nomad's Go decoder refuses NaN and Infinity)")


def _walk(obj, path=""):
    """(parent path, key, value) for every mapping entry, iteratively."""
    stack = [(path, obj)]
    while stack:
        base, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                yield base, key, value
                if isinstance(value, (dict, list)):
                    stack.append((f"{base}.{key}", value))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((f"{base}[{i}]", value))


def check_job(body, agent, where):
    """Structural and governance checks on a rendered ``{"Job": {...}}`` body, then real
    Nomad's register rules (``job_checks.job_problems``), each error naming the JSON path."""
    errs = []

    def bad(msg, value):
        errs.append(SpecError(where, f"rendered job: {msg}", value))

    if not isinstance(body, dict) or set(body) != {"Job"} or not isinstance(body["Job"], dict):
        bad("must be an object with exactly one key, Job", sorted(body) if isinstance(body, dict) else body)
        return errs
    job = body["Job"]
    expect = {"ID": agent.job_id, "Namespace": agent.namespace, "Type": JOB_TYPES[agent.kind]}
    for key, value in expect.items():
        if job.get(key) != value:
            bad(f"Job.{key} must be {value!r}", job.get(key))
    if (agent.kind == "periodic") != ("Periodic" in job):
        bad("Periodic is required for periodic agents and only for them", job.get("Periodic"))
    if (agent.kind == "dispatch") != ("ParameterizedJob" in job):
        bad("ParameterizedJob is required for dispatch agents and only for them", job.get("ParameterizedJob"))
    meta = job.get("Meta") or {}
    for key, value in ownership_meta(agent).items():
        if meta.get(key) != value:
            bad(f"Job.Meta.{key} must be {value!r}", meta.get(key))
    for path, key, value in _walk(job, "Job"):
        if key in ("VaultToken", "ConsulToken", "Policies"):
            bad(f"{path}.{key} is a legacy token field; use workload identity (Identity + Vault.Role)", key)
        if key in _DURATION_FIELDS and not (isinstance(value, int) and not isinstance(value, bool)):
            bad(f"{path}.{key} must be integer nanoseconds", value)
    g = agent.fleet.guardrails
    groups = job.get("TaskGroups")
    if not isinstance(groups, list) or not groups:
        bad("Job.TaskGroups must be a non-empty list", groups)
        return errs
    for gi, group in enumerate(groups):
        gpath = f"Job.TaskGroups[{gi}]"
        count = group.get("Count", 1)
        if not isinstance(count, int) or count > g["max_replicas_per_agent"]:
            bad(f"{gpath}.Count exceeds the guardrail of {g['max_replicas_per_agent']}", count)
        for ti, task in enumerate(group.get("Tasks") or []):
            tpath = f"{gpath}.Tasks[{ti}]"
            image = (task.get("Config") or {}).get("image")
            if not isinstance(image, str):
                bad(f"{tpath}.Config.image must be a string", image)
            else:
                if g["require_image_digest"] and not DIGEST.search(image):
                    bad(f"{tpath}.Config.image must be pinned by digest", image)
                if not registry_allowed(image, g["allowed_registries"]):
                    bad(f"{tpath}.Config.image comes from a registry that is not allowed", image)
            res = task.get("Resources")
            if not isinstance(res, dict):
                bad(f"{tpath}.Resources must be set", res)
                continue
            for key, cap in (("CPU", g["max_cpu_per_task"]), ("MemoryMB", g["max_memory_per_task"]),
                             ("MemoryMaxMB", g["max_memory_per_task"])):
                if key in res and (not isinstance(res[key], int) or res[key] > cap):
                    bad(f"{tpath}.Resources.{key} exceeds the guardrail of {cap}", res[key])
            vault = task.get("Vault")
            if vault is not None and not (isinstance(vault, dict) and vault.get("Role")):
                bad(f"{tpath}.Vault must name a Role (workload identity)", vault)
    for jpath, message in job_problems(job):
        bad(f"{jpath}: {message} (real Nomad would refuse this job at register)", value_at(body, jpath))
    return errs


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def value_at(doc, json_path):
    """The value at a dotted JSON path such as ``Job.TaskGroups[0].Count``, or None."""
    node = doc
    for name, index in _TOKEN.findall(json_path):
        try:
            node = node[int(index)] if index else node[name]
        except (KeyError, IndexError, TypeError, ValueError):
            return None
    return node


def builtin_templates_dir():
    return os.fspath(BUILTIN_TEMPLATES)
