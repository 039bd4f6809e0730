"""Semantic job checks, a subset of nomad/structs Job.Validate,
TaskGroup.Validate and Task.Validate with their messages and nesting
("Task group X validation failed: <multierror>"). Nomad returns these as a
multierror with HTTP 500 (not a CodedError).
"""
import re

from .canonicalize import canonicalize
from .errors import multierror

JOB_TYPES = ("service", "batch", "system", "sysbatch")
_VALID_NAME = re.compile(r"^[a-zA-Z0-9-]{1,128}$")


def job_errors(job):
    """Errors of ``job`` (api.Job JSON, raw or canonical: defaults are filled first)."""
    job = canonicalize(job)
    errs = []
    if not job.get("Region"):
        errs.append("Missing job region")
    if not job.get("ID"):
        errs.append("Missing job ID")
    elif " " in job["ID"]:
        errs.append("Job ID contains a space")
    elif "\x00" in job["ID"]:
        errs.append("Job ID contains a null character")
    if not job.get("Name"):
        errs.append("Missing job name")
    if job.get("Type") not in JOB_TYPES:
        errs.append(f"Invalid job type: {job.get('Type')!r}")
    if not 1 <= job.get("Priority", 50) <= 100:
        errs.append("Job priority must be between [1, 100]")
    if not job.get("Namespace"):
        errs.append("Job must be in a namespace")
    groups = job.get("TaskGroups") or []
    if not groups:
        errs.append("Missing job task groups")
    seen = {}
    for i, group in enumerate(groups, 1):
        name = group.get("Name")
        if not name:
            errs.append(f"Job task group {i} missing name")
        elif name in seen:
            errs.append(f"Job task group {i} redefines '{name}' from group {seen[name]}")
        else:
            seen[name] = i
        group_errs = _group_errors(group, job)
        if group_errs:
            errs.append(f"Task group {name} validation failed: {multierror(group_errs)}")
    param = job.get("ParameterizedJob")
    if param is not None:
        if job["Type"] != "batch" and job["Type"] != "sysbatch":
            errs.append("Parameterized job can only be used with \"batch\" or \"sysbatch\" type")
        if param.get("Payload", "") not in ("", "optional", "required", "forbidden"):
            errs.append(f"Unknown payload requirement: {param.get('Payload')!r}")
        overlap = set(param.get("MetaRequired") or []) & set(param.get("MetaOptional") or [])
        if overlap:
            errs.append(f"Required and optional meta keys should be disjoint. "
                        f"Following keys exist in both: {sorted(overlap)}")
    if job.get("Periodic") is not None and job["Type"] in ("service", "system"):
        errs.append("Periodic can only be used with \"batch\" or \"sysbatch\" scheduler")
    return errs


def _group_errors(group, job):
    errs = []
    if group.get("Count", 0) < 0:
        errs.append("Task group count can't be negative")
    if job["Type"] == "system" and group.get("Count", 1) > 1:
        errs.append("Job task group count can't be greater than 1 for system jobs")
    tasks = group.get("Tasks") or []
    if not tasks:
        errs.append("Missing tasks for task group")
    names = set()
    leaders = 0
    for i, task in enumerate(tasks, 1):
        name = task.get("Name")
        if not name:
            errs.append(f"Task {i} missing name")
        elif name in names:
            errs.append(f"Task {i} redefines '{name}' from task {i - 1}")
        names.add(name)
        if task.get("Leader"):
            leaders += 1
        task_errs = _task_errors(task, job)
        if task_errs:
            errs.append(f"Task {name} validation failed: {multierror(task_errs)}")
    if leaders > 1:
        errs.append("Only one task may be marked as leader")
    update = group.get("Update")
    if update and job["Type"] in ("batch", "sysbatch"):
        errs.append(f"Job type \"{job['Type']}\" does not allow update block")
    if update and update.get("Canary", 0) < 0:
        errs.append("Canary count can not be less than zero")
    if update and update.get("MaxParallel", 0) < 0:
        errs.append("Max parallel can not be less than zero")
    if update and update.get("HealthCheck") not in ("checks", "task_states", "manual"):
        errs.append(f"Invalid health check given: {update.get('HealthCheck')!r}")
    restart = group.get("RestartPolicy") or {}
    if restart.get("Mode") not in ("delay", "fail"):
        errs.append(f"Unsupported restart mode: {restart.get('Mode')!r}")
    return errs


def _task_errors(task, job):
    errs = []
    if not task.get("Driver"):
        errs.append("Missing task driver")
    res = task.get("Resources") or {}
    if res.get("CPU", 100) < 1 and not res.get("Cores"):
        errs.append(f"Minimum CPU value is 1; got {res.get('CPU')}")
    if res.get("MemoryMB", 300) < 10:
        errs.append(f"Minimum MemoryMB value is 10; got {res.get('MemoryMB')}")
    max_mb = res.get("MemoryMaxMB") or 0
    if max_mb and max_mb < res.get("MemoryMB", 300):
        errs.append(f"MemoryMaxMB value ({max_mb}) should be larger than MemoryMB value "
                    f"({res.get('MemoryMB')})")
    if task.get("KillTimeout", 0) < 0:
        errs.append("KillTimeout must be a positive value")
    lifecycle = task.get("Lifecycle")
    if lifecycle and lifecycle.get("Hook") not in ("prestart", "poststart", "poststop"):
        errs.append(f"invalid hook: {lifecycle.get('Hook')}")
    if task.get("DispatchPayload") and job.get("ParameterizedJob") is None:
        errs.append("Dispatch payload block requires a parameterized job")
    return errs


def valid_name(name):
    return bool(_VALID_NAME.match(name or ""))
