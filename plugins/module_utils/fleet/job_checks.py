# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real Nomad's and Consul's register rules applied to rendered API documents, so a user
template (``template:`` per agent, or ``templates_dir``) cannot produce a job or config entry
the real server would refuse half-way through an apply.

``job_problems(job)`` walks one ``Job`` object (Go field names, nanosecond durations) and
returns ``[(json_path, message)]``, e.g. ``("Job.TaskGroups[0].Services[0].Checks[1].Type",
"tcp checks are not valid for Connect enabled services")``; ``entry_problems(entry)`` does
the same for a Consul config entry. The rules live in ``fleet/rules/`` (one source reference
per rule); the spec validator applies the same rules to the spec (``fleet/spec_rules.py``).
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules import consul as consul_rules
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules import job as job_rules
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules import policies, services, tasks, update
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.values import format_duration, integer
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.validate import time_zone_ok


def _at(base, field):
    if not field:
        return base
    return f"{base}{field}" if field.startswith("[") else f"{base}.{field}"


def _policy(api, fields):
    """API-form restart/reschedule policy -> the spec-form dict rules/policies.py checks,
    or None when a field has the wrong type (reported as a type problem instead)."""
    out = {}
    for go, key, is_duration in fields:
        value = api.get(go)
        if is_duration:
            if integer(value) is None or value < 0:
                return None
            value = format_duration(value)
        out[key] = value
    return out


_RESTART = (("Attempts", "attempts", False), ("Interval", "interval", True), ("Delay", "delay", True),
            ("Mode", "mode", False))
_RESCHEDULE = (("Attempts", "attempts", False), ("Interval", "interval", True), ("Delay", "delay", True),
               ("DelayFunction", "delay_function", False), ("MaxDelay", "max_delay", True),
               ("Unlimited", "unlimited", False))


def _policy_problems(group, gpath, job_type):
    out = []
    restart = group.get("RestartPolicy")
    if isinstance(restart, dict):
        policy = _policy(restart, _RESTART)
        if policy is not None and policy["mode"] in ("fail", "delay") and integer(policy["attempts"]) is not None:
            out += [(f"{gpath}.RestartPolicy", p) for p in policies.restart_problems(policy)]
        elif policy is not None:
            out.append((f"{gpath}.RestartPolicy.Mode", f"Unsupported restart mode: {restart.get('Mode')!r}"))
    resched = group.get("ReschedulePolicy")
    if isinstance(resched, dict) and job_type in ("service", "batch"):
        policy = _policy(resched, _RESCHEDULE)
        if policy is not None and policy["delay_function"] in ("constant", "exponential", "fibonacci") \
                and integer(policy["attempts"]) is not None:
            out += [(f"{gpath}.ReschedulePolicy", p) for p in policies.reschedule_problems(policy)]
        elif policy is not None:
            out.append((f"{gpath}.ReschedulePolicy.DelayFunction",
                        f"Invalid delay function {resched.get('DelayFunction')!r}"))
    return out


def _group_problems(group, gpath, job):
    out = []
    job_type = job.get("Type")
    count = group.get("Count", 1)
    if integer(count) is None or count < 0:
        out.append((f"{gpath}.Count", "Task group count can't be negative"))
    tasks_ = group.get("Tasks")
    if not isinstance(tasks_, list) or not tasks_:
        out.append((f"{gpath}.Tasks", "Missing tasks for task group"))
        tasks_ = []
    out += _policy_problems(group, gpath, job_type)
    merged = {}
    if group.get("Update") is not None and job_type not in ("service", "system"):
        out.append((f"{gpath}.Update", f"Job type {job_type!r} does not allow update block"))
    if job_type in ("service", "system"):
        merged = update.effective_update(job.get("Update"), group.get("Update"))
        where = f"{gpath}.Update" if group.get("Update") else "Job.Update"
        out += [(_at(where, f), m) for f, m in update.update_problems(merged)]
    out += [(_at(f"{gpath}.Networks", f), m) for f, m in job_rules.network_problems(group.get("Networks"))]
    out += [(_at(gpath, f), m) for f, m in job_rules.connect_problems(group)]
    out += [(_at(f"{gpath}.Scaling", f), m) for f, m in job_rules.scaling_problems(group.get("Scaling"), count)]
    for kind, affinity in (("Constraints", False), ("Affinities", True)):
        for i, c in enumerate(group.get(kind) or []):
            out += [(_at(f"{gpath}.{kind}[{i}]", f), m) for f, m in job_rules.constraint_problems(c, affinity)]
    for i, s in enumerate(group.get("Spreads") or []):
        out += [(_at(f"{gpath}.Spreads[{i}]", f), m) for f, m in job_rules.spread_problems(s)]
    task_names = set()
    for si, service in enumerate(group.get("Services") or []):
        spath = f"{gpath}.Services[{si}]"
        out += [(_at(spath, f), m) for f, m in services.service_problems(service)]
        for ci, check in enumerate((service or {}).get("Checks") or []):
            name = (check or {}).get("TaskName") if isinstance(check, dict) else None
            if name and name not in {t.get("Name") for t in tasks_ if isinstance(t, dict)}:
                out.append((f"{spath}.Checks[{ci}].TaskName", f"Check refers to non-existent task {name}"))
    for ti, task in enumerate(tasks_):
        tpath = f"{gpath}.Tasks[{ti}]"
        if not isinstance(task, dict):
            out.append((tpath, "a task must be an object"))
            continue
        problem = tasks.task_name_problem(task.get("Name"))
        if problem:
            out.append((f"{tpath}.Name", problem))
        elif task["Name"] in task_names:
            out.append((f"{tpath}.Name", f"Task redefines {task['Name']!r}"))
        task_names.add(task.get("Name"))
        if not task.get("Driver"):
            out.append((f"{tpath}.Driver", "Missing task driver"))
        if job_type == "service":
            problem = update.kill_timeout_problem(task.get("KillTimeout"), merged.get("ProgressDeadline"))
            if problem:
                out.append((f"{tpath}.KillTimeout", problem))
        out += [(_at(f"{tpath}.Resources", f), m) for f, m in tasks.resources_problems(task.get("Resources"))]
        out += [(_at(f"{tpath}.Templates[{i}]", f), m) for i, f, m in tasks.template_problems(task.get("Templates"))]
        out += [(_at(f"{tpath}.Vault", f), m) for f, m in tasks.vault_problems(task.get("Vault"))]
        for ii, ident in enumerate(task.get("Identities") or []):
            out += [(_at(f"{tpath}.Identities[{ii}]", f), m) for f, m in tasks.identity_problems(ident)]
        problem = tasks.dispatch_payload_problem(task.get("DispatchPayload"))
        if problem:
            out.append((f"{tpath}.DispatchPayload.File", problem))
        for kind, affinity in (("Constraints", False), ("Affinities", True)):
            for i, c in enumerate(task.get(kind) or []):
                out += [(_at(f"{tpath}.{kind}[{i}]", f), m) for f, m in job_rules.constraint_problems(c, affinity)]
    return out


def job_problems(job):
    """Every problem real Nomad's register path would report for the ``Job`` object
    ``job`` (what this collection can check offline), as ``[(json_path, message)]``."""
    if not isinstance(job, dict):
        return [("Job", "must be an object")]
    out = [(f"Job.{f}", m) for f, m in job_rules.header_problems(job)]
    for kind, affinity in (("Constraints", False), ("Affinities", True)):
        for i, c in enumerate(job.get(kind) or []):
            out += [(_at(f"Job.{kind}[{i}]", f), m) for f, m in job_rules.constraint_problems(c, affinity)]
    for i, s in enumerate(job.get("Spreads") or []):
        out += [(_at(f"Job.Spreads[{i}]", f), m) for f, m in job_rules.spread_problems(s)]
    if job.get("Periodic") is not None:
        if job.get("Type") not in ("batch", "sysbatch"):
            out.append(("Job.Periodic", "Periodic can only be used with batch or sysbatch scheduler"))
        out += [(f"Job.Periodic.{f}", m) for f, m in job_rules.periodic_problems(job["Periodic"], time_zone_ok)]
    if job.get("ParameterizedJob") is not None:
        if job.get("Type") not in ("batch", "sysbatch"):
            out.append(("Job.ParameterizedJob", "Parameterized job can only be used with batch or sysbatch scheduler"))
        out += [(f"Job.ParameterizedJob.{f}", m) for f, m in job_rules.parameterized_problems(job["ParameterizedJob"])]
    groups = job.get("TaskGroups")
    if not isinstance(groups, list) or not groups:
        out.append(("Job.TaskGroups", "Missing job task groups"))
        return out
    names = {}
    for gi, group in enumerate(groups):
        gpath = f"Job.TaskGroups[{gi}]"
        if not isinstance(group, dict):
            out.append((gpath, "a task group must be an object"))
            continue
        name = group.get("Name")
        if not name:
            out.append((f"{gpath}.Name", f"Job task group {gi + 1} missing name"))
        elif name in names:
            out.append((f"{gpath}.Name", f"Job task group {gi + 1} redefines {name!r} from group {names[name] + 1}"))
        names.setdefault(name, gi)
        out += _group_problems(group, gpath, job)
    return out


def entry_problems(entry):
    """Consul's problems with one rendered config entry, as ``[(json_path, message)]``."""
    return [(f"{entry.get('Kind', '?')}.{f}" if f else str(entry.get("Kind")), m)
            for f, m in consul_rules.entry_problems(entry)]


def namespace_problems(ns):
    """Nomad's problems with one rendered namespace body, as ``[(json_path, message)]``."""
    return [(f"Namespace.{f}", m) for f, m in job_rules.namespace_problems(ns)]
