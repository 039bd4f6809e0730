"""Task group rules.

Source: nomad/structs/structs.go ``TaskGroup.Validate`` (in its order) and
``TaskGroup.validateScalingPolicy`` / ``ScalingPolicy.Validate`` (plus
structs_ce.go ``ScalingPolicy.validateType``). Where Go appends a nested
multierror with ``multierror.Append`` the errors are flattened, as go-multierror
does; where it wraps them in a sentence they stay nested.
"""
from .errors import multierror
from .gofmt import q
from .rules_placement import affinity_errors, constraint_errors, numbered, spread_errors
from .rules_policies import (disconnect_errors, migrate_errors, reschedule_errors,
                             restart_errors, update_errors)
from .rules_resources import disk_errors, network_errors, volume_errors
from .rules_services import group_script_check_errors, group_services_errors
from .rules_task import task_errors


def scaling_errors(group, job):
    """structs.go TaskGroup.validateScalingPolicy (api/agent fill Min=count, Max=-1
    when unset, Type "horizontal")."""
    policy = group.get("Scaling")
    if policy is None:
        return []
    count = group.get("Count") or 0
    low = count if policy.get("Min") is None else policy["Min"]
    high = -1 if policy.get("Max") is None else policy["Max"]
    ptype = policy.get("Type") or "horizontal"
    inner = []
    if ptype != "horizontal":
        inner.append(f'scaling policy type "{ptype}" is not valid')
    if high < 0:
        inner.append("maximum count must be specified and non-negative")
    elif high < low:
        inner.append("maximum count must not be less than minimum count")
    if low < 0:
        inner.append("minimum count must be specified and non-negative")
    errs = [f"Scaling policy invalid: {e}" for e in inner]
    if high < count:
        errs.append("Scaling policy invalid: task group count must not be greater than maximum "
                    "count in scaling policy")
    if count < low:
        errs.append("Scaling policy invalid: task group count must not be less than minimum "
                    "count in scaling policy")
    return errs


def group_errors(group, job):
    """structs.go TaskGroup.Validate for a canonical group of ``job``."""
    jtype = job.get("Type")
    name = group.get("Name") or ""
    errs = []
    if not name:
        errs.append("Missing task group name")
    elif "\x00" in name:
        errs.append("Task group name contains null character")
    count = group.get("Count") or 0
    if count < 0:
        errs.append("Task group count can't be negative")
    tasks = group.get("Tasks") or []
    if not tasks:
        errs.append("Missing tasks for task group")
    if group.get("Disconnect") is not None:
        errs.extend(disconnect_errors(group["Disconnect"], jtype))
    if group.get("MaxRunDuration") is not None:
        if group["MaxRunDuration"] <= 0:
            errs.append("MaxRunDuration must be greater than zero")
        if jtype not in ("batch", "sysbatch"):
            errs.append(f"Job type {q(jtype)} does not allow max_run_duration")
    errs.extend(numbered(group.get("Constraints"), constraint_errors, "Constraint"))
    if jtype == "system":
        if group.get("Affinities"):
            errs.append("System jobs may not have an affinity block")
    else:
        errs.extend(numbered(group.get("Affinities"), affinity_errors, "Affinity"))
    errs.extend(restart_errors(group.get("RestartPolicy") or {}))
    if jtype == "system":
        if group.get("Spreads"):
            errs.append("System jobs may not have a spread block")
    else:
        errs.extend(numbered(group.get("Spreads"), spread_errors, "Spread"))
    resched = group.get("ReschedulePolicy")
    if jtype in ("system", "sysbatch"):
        if resched is not None:
            errs.append("System or sysbatch jobs should not have a reschedule policy")
    elif resched is not None:
        errs.extend(reschedule_errors(resched))
    errs.extend(disk_errors(group.get("EphemeralDisk") or {"SizeMB": 300}))
    update = group.get("Update")
    if update is not None:
        if jtype not in ("service", "system"):
            errs.append(f"Job type {q(jtype)} does not allow update block")
        errs.extend(update_errors(update))
    migrate = group.get("Migrate")
    if migrate is not None:
        if jtype == "service":
            errs.extend(migrate_errors(migrate))
        else:
            errs.append(f"Job type {q(jtype)} does not allow migrate block")
    seen = {}
    leaders = mains = 0
    for i, task in enumerate(tasks, 1):
        tname = task.get("Name") or ""
        if not tname:
            errs.append(f"Task {i} missing name")
        elif tname in seen:
            errs.append(f"Task {i} redefines '{tname}' from task {seen[tname]}")
        else:
            seen[tname] = i
        leaders += bool(task.get("Leader"))
        mains += not (task.get("Lifecycle") or {}).get("Hook")
    if leaders > 1:
        errs.append("Only one task may be marked as leader")
    if tasks and mains == 0:
        errs.append(f"Task group {name} must have at least one main task")
    canaries = (update or {}).get("Canary") or 0
    for vname, vol in sorted((group.get("Volumes") or {}).items()):
        v_errs = volume_errors(vol, jtype, count, canaries)
        if v_errs:
            # an unknown type is returned as a plain error, the rest as a multierror
            plain = vol.get("Type") not in ("host", "csi")
            detail = v_errs[0] if plain else multierror(v_errs)
            errs.append(f"Task group volume validation for {vname} failed: {detail}")
    for what, found in (("Task group network validation failed", network_errors(group)),
                        ("Task group service validation failed", group_services_errors(group)),
                        ("Task group service check validation failed",
                         group_script_check_errors(group)),
                        ("Task group scaling policy validation failed",
                         scaling_errors(group, job))):
        if found:
            errs.append(f"{what}: {multierror(found)}")
    for task in tasks:
        t_errs = task_errors(task, jtype, group)
        if t_errs:
            errs.append(f"Task {task.get('Name') or ''} validation failed: {multierror(t_errs)}")
    return errs
