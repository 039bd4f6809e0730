# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real Nomad's register rules checked on the fleet spec, offline, before anything is
written: each refusal names the spec path, the value and what to write instead.

The rules themselves live in ``fleet/rules/`` (API form, one source reference each); this
module builds the API-form values the spec produces (as the renderer does), runs the same
rules and maps every problem back to the spec key that caused it. Restart/reschedule
policies are checked in ``validate._check_policies``; cron, time zone, dispatch meta,
scaling bounds, upstream ports and ``memory_max`` by the schema checks in ``validate.py``
and ``guardrails.py``.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import SpecError, join
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.nomad_context import secret_destinations
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules import job as job_rules
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules import services, tasks, update
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.values import parse_duration

STRUCTS = "nomad/structs/structs.go"
SERVICES = "nomad/structs/services.go"
_UPDATE_KEYS = {"MaxParallel": "max_parallel", "Canary": "canary", "AutoPromote": "auto_promote",
                "MinHealthyTime": "min_healthy_time", "HealthyDeadline": "healthy_deadline",
                "ProgressDeadline": "progress_deadline"}
_CHECK_KEYS = {"Type": "type", "Path": "path", "Command": "command", "Interval": "interval",
               "Timeout": "timeout", "CheckRestart.Limit": "check_restart.limit",
               "CheckRestart.Grace": "check_restart.grace"}


def refusal(path, message, source, instead, value):
    """A SpecError for a rule of real Nomad (``source``: file + function in the Nomad
    source): ``real Nomad refuses this: <message> (<source>); write instead: <fix>``."""
    return SpecError(path, f"real Nomad refuses this: {message} ({source}); write instead: {instead}", value)


def _effective_update(agent, defaults):
    """(API-form update, {spec key: path it comes from}, spec-form effective values)."""
    base = defaults.get("update") or {}
    own = agent.get("update") or {}
    effective, where = {}, {}
    for key in _UPDATE_KEYS.values():
        if own.get(key) is not None:
            effective[key], where[key] = own[key], join(join(agent["_path"], "update"), key)
        else:
            effective[key], where[key] = base.get(key), f"defaults.update.{key}"
    api = {}
    for go, key in _UPDATE_KEYS.items():
        value = effective[key]
        api[go] = parse_duration(value) if key.endswith(("_time", "_deadline")) else value
    return api, where, effective


def _update_hint(field, effective):
    mht, hd, pd = effective["min_healthy_time"], effective["healthy_deadline"], effective["progress_deadline"]
    return {
        "AutoPromote": "update.canary: 1 (or more) with auto_promote, or auto_promote: false",
        "MinHealthyTime": f"a min_healthy_time shorter than healthy_deadline ({hd})",
        "HealthyDeadline": f"a healthy_deadline longer than min_healthy_time ({mht}) and shorter than "
                           f"progress_deadline ({pd}), or progress_deadline: 0s (no progress deadline)",
        "ProgressDeadline": f"a progress_deadline longer than healthy_deadline ({hd}), or 0s",
    }.get(field, "a value of 0 or more")


def _check_update(agent, defaults, errors):
    try:
        api, where, effective = _effective_update(agent, defaults)
    except (TypeError, ValueError, AttributeError):
        return  # a value already failed its schema check
    for field, message in update.update_problems(api):
        key = _UPDATE_KEYS.get(field)
        if key:
            errors.append(refusal(where[key], message, f"{STRUCTS} UpdateStrategy.Validate",
                                  _update_hint(field, effective), effective[key]))
    own_kill = agent.get("kill_timeout")
    kill = own_kill or defaults.get("kill_timeout")
    try:
        problem = update.kill_timeout_problem(parse_duration(kill), api["ProgressDeadline"])
    except (TypeError, ValueError):
        return
    if problem:
        path = join(agent["_path"], "kill_timeout") if own_kill else "defaults.kill_timeout"
        errors.append(refusal(path, problem, f"{STRUCTS} Task.Validate",
                              f"a kill_timeout of at most update.progress_deadline ({effective['progress_deadline']}), "
                              "or a longer progress_deadline", kill))


def _api_check(check, task):
    api = {"Type": check["type"], "Interval": parse_duration(check["interval"]),
           "Timeout": parse_duration(check["timeout"])}
    if check["type"] == "http":
        api.update({"Path": check["path"], "Expose": True})
    if check["type"] == "script":
        api.update({"Command": check["command"], "TaskName": task})
    cr = check.get("check_restart")
    if cr:
        api["CheckRestart"] = {"Limit": cr["limit"], "Grace": parse_duration(cr["grace"])}
    return api


def _check_hint(field):
    if field == "Type":
        return ("type: http with a path (Nomad exposes it through the sidecar with expose) "
                "or type: script (runs inside the task)")
    if field == "Path":
        return "a relative URL path such as /health, with valid %-escapes"
    if field in ("Interval", "Timeout"):
        return "a duration of at least 1s"
    return "a value of 0 or more"


def _check_checks(agent, errors):
    for role in ("readiness", "liveness"):
        check = (agent.get("checks") or {}).get(role)
        if not check:
            continue
        cpath = join(join(agent["_path"], "checks"), role)
        try:
            api = _api_check(check, agent["name"])
        except (TypeError, ValueError, KeyError):
            continue
        # Every service agent is a Connect (mesh) service with a sidecar.
        for field, message in services.check_problems(api, "consul", connect_sidecar=True):
            key = _CHECK_KEYS.get(field)
            if key:
                source = "Service.validateConsulService" if field == "Type" and check.get("type") == "tcp" \
                    else "ServiceCheck.validateCommon"
                errors.append(refusal(join(cpath, key), message, f"{SERVICES} {source}",
                                      _check_hint(field), check.get(key.split(".")[0])))


def _check_templates(agent, errors):
    secrets = agent.get("secrets") or []
    api, origin = [], []
    for i, secret in enumerate(secrets):
        if not secret:
            continue
        for name, dest in secret_destinations(i, secret):
            api.append({"EmbeddedTmpl": "-", "DestPath": dest, "Envvars": name is None,
                        "ChangeMode": secret["change_mode"], "ChangeSignal": secret["change_signal"]})
            origin.append((i, name, secret))
    for index, field, message in tasks.template_problems(api):
        i, name, secret = origin[index]
        spath = join(join(agent["_path"], "secrets"), i)
        if field == "ChangeMode":
            errors.append(refusal(join(spath, "change_mode"), message, f"{STRUCTS} Template.Validate",
                                  "change_mode: restart or noop for a secret exposed as env "
                                  "(or expose its keys under files: to reload on a signal)", secret["change_mode"]))
        elif field == "DestPath" and name is not None:
            errors.append(refusal(join(join(spath, "files"), name), message, f"{STRUCTS} Task.Validate",
                                  "a file name no other secret of this agent uses (agentfleet-<n>.env "
                                  "is taken by env secrets)", name))


def check_agent(tname, agent, defaults, errors):
    """Append refusals of the real servers for one normalized agent (``agent["_path"]`` set)."""
    path = agent["_path"]
    problem = tasks.task_name_problem(agent["name"])
    if problem:
        errors.append(refusal(join(path, "name"), problem, f"{STRUCTS} Task.Validate",
                              "another agent name (the agent name is the Nomad task name)", agent["name"]))
    # The derived service name's length is checked where names are built (naming.spec_errors).
    if agent["kind"] == "service" and defaults:
        _check_update(agent, defaults, errors)
        _check_checks(agent, errors)
    _check_templates(agent, errors)
    groups = len(agent.get("partitions") or []) if agent["kind"] == "batch" and agent.get("partitions") else 1
    total = (agent.get("count") or 0) * groups
    if total > job_rules.JOB_MAX_COUNT:
        errors.append(refusal(join(path, "count"), f"total count was greater than job_max_count: {total} > "
                              f"{job_rules.JOB_MAX_COUNT}", "nomad/job_endpoint_hooks.go jobValidate.Validate",
                              f"a count of at most {job_rules.JOB_MAX_COUNT // groups} (times {groups} group(s))",
                              agent.get("count")))
    for i, dc in enumerate(agent.get("datacenters") or []):
        if not dc:
            errors.append(refusal(join(join(path, "datacenters"), i), "Job datacenter must be non-empty string",
                                  f"{STRUCTS} Job.Validate", "a datacenter name, or \"*\" for all", dc))


def check_fleet(spec, errors):
    """Append refusals for fleet-wide keys: datacenters, Vault identity, namespaces. (An
    empty region is not refused: Nomad's HTTP register path gives the job the agent's region.)"""
    defaults = spec.get("defaults") or {}
    for i, dc in enumerate(defaults.get("datacenters") or []):
        if dc == "":
            errors.append(refusal(f"defaults.datacenters[{i}]", "Job datacenter must be non-empty string",
                                  f"{STRUCTS} Job.Validate", "a datacenter name, or \"*\" for all", dc))
    tenants = spec.get("tenants") or {}
    vault = defaults.get("vault") or {}
    uses_vault = any(a.get("secrets") for t in tenants.values() if t for a in t.get("agents") or [])
    if uses_vault and isinstance(vault.get("cluster"), str):
        identity = {"Name": f"vault_{vault['cluster']}", "Audience": vault.get("audience") or []}
        for field, message in tasks.identity_problems(identity):
            if field == "Name":
                errors.append(refusal("defaults.vault.cluster", message, "nomad/structs/workload_id.go "
                                      "WorkloadIdentity.Validate", "a cluster name of letters, digits, - and _ "
                                      "(at most 122 characters; the identity is vault_<cluster>)", vault["cluster"]))
            elif field.startswith("Audience["):
                index = field[len("Audience["):-1]
                errors.append(refusal(f"defaults.vault.audience[{index}]", message, "nomad/structs/workload_id.go "
                                      "WorkloadIdentity.Validate", "a non-empty audience such as vault.io", ""))
    for tname in sorted(tenants):
        tenant = tenants[tname]
        if not tenant or not isinstance(tenant.get("description"), str):
            continue
        ns = {"Name": tenant.get("namespace") or tname, "Description": tenant["description"]}
        for field, message in job_rules.namespace_problems(ns):
            if field == "Description":
                errors.append(refusal(f"tenants.{tname}.description", message, f"{STRUCTS} Namespace.Validate",
                                      f"a description of at most {job_rules.NAMESPACE_DESCRIPTION_MAX} characters",
                                      tenant["description"]))
