"""Job-level rules.

Source: nomad/structs/structs.go ``Job.Validate`` (in its order),
``PeriodicConfig.Validate``, ``ParameterizedJobConfig.Validate`` and
structs_ce.go ``Multiregion.Validate``. The job is canonical (api defaults filled).
"""
import re
import zoneinfo

from .errors import multierror
from .gofmt import q, vlist
from .rules_group import group_errors
from .rules_placement import affinity_errors, constraint_errors, numbered, spread_errors

JOB_TYPES = ("core", "service", "batch", "system", "sysbatch")
MAX_DESCRIPTION = 1000
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,\-LW#]+$")
_CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                "@hourly")


def cron_ok(spec):
    """gorhill/cronexpr.Parse, roughly: a macro or 5 to 7 well-formed fields."""
    spec = (spec or "").strip()
    if spec in _CRON_MACROS:
        return True
    fields = spec.split()
    return 5 <= len(fields) <= 7 and all(_CRON_FIELD.match(f) for f in fields)


def periodic_errors(p):
    """structs.go PeriodicConfig.Validate (only when enabled)."""
    if not p.get("Enabled", True):
        return []
    errs = []
    spec, specs = p.get("Spec") or "", p.get("Specs") or []
    if spec and specs:
        errs.append("Only cron or crons may be used")
    if not spec and not specs:
        errs.append("Must specify a spec")
    tz = p.get("TimeZone") or ""
    if tz:
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errs.append(f"Invalid time zone {q(tz)}: unknown time zone {tz}")
    spec_type = p.get("SpecType") or "cron"
    if spec_type == "cron":
        for one in ([spec] if spec else []) + list(specs):
            if not cron_ok(one):
                errs.append(f"Invalid cron spec {q(one)}: syntax error in cron expression")
    elif spec_type != "test":
        errs.append(f"Unknown periodic specification type {q(spec_type)}")
    return errs


def parameterized_errors(p):
    """structs.go ParameterizedJobConfig.Validate (Payload "" means optional)."""
    errs = []
    payload = p.get("Payload") or "optional"
    if payload not in ("optional", "required", "forbidden"):
        errs.append(f"Unknown payload requirement: {q(payload)}")
    both = [k for k in p.get("MetaRequired") or [] if k in (p.get("MetaOptional") or [])]
    if both:
        errs.append(f"Required and optional meta keys should be disjoint. Following keys exist "
                    f"in both: {vlist(both)}")
    return errs


def job_validate_errors(job):
    """structs.go Job.Validate for a canonical api.Job JSON object."""
    errs = []
    jtype = job.get("Type") or ""
    if not job.get("Region") and job.get("Multiregion") is None:
        errs.append("Missing job region")
    jid = job.get("ID") or ""
    if not jid:
        errs.append("Missing job ID")
    elif " " in jid:
        errs.append("Job ID contains a space")
    elif "\x00" in jid:
        errs.append("Job ID contains a null character")
    name = job.get("Name") or ""
    if not name:
        errs.append("Missing job name")
    elif "\x00" in name:
        errs.append("Job Name contains a null character")
    if not job.get("Namespace"):
        errs.append("Job must be in a namespace")
    if jtype == "":
        errs.append("Missing job type")
    elif jtype not in JOB_TYPES:
        errs.append(f"Invalid job type: {q(jtype)}")
    if not job.get("Datacenters") and job.get("Multiregion") is None:
        errs.append("Missing job datacenters")
    elif any(dc == "" for dc in job.get("Datacenters") or []):
        errs.append("Job datacenter must be non-empty string")
    groups = job.get("TaskGroups") or []
    if not groups:
        errs.append("Missing job task groups")
    errs.extend(numbered(job.get("Constraints"), constraint_errors, "Constraint"))
    if jtype == "system":
        if job.get("Affinities"):
            errs.append("System jobs may not have an affinity block")
        if job.get("Spreads"):
            errs.append("System jobs may not have a spread block")
    else:
        errs.extend(numbered(job.get("Affinities"), affinity_errors, "Affinity"))
        errs.extend(numbered(job.get("Spreads"), spread_errors, "Spread"))
    ui_desc = (job.get("UI") or {}).get("Description") or ""
    if len(ui_desc) > MAX_DESCRIPTION:
        errs.append(f"UI description must be under 1000 characters, currently {len(ui_desc)}")
    tag_desc = (job.get("VersionTag") or {}).get("Description") or ""
    if len(tag_desc) > MAX_DESCRIPTION:
        errs.append(f"Tagged version description must be under 1000 characters, currently "
                    f"{len(tag_desc)}")
    seen = {}
    for i, group in enumerate(groups, 1):
        gname = group.get("Name") or ""
        if not gname:
            errs.append(f"Job task group {i} missing name")
        elif gname in seen:
            errs.append(f"Job task group {i} redefines '{gname}' from group {seen[gname]}")
        else:
            seen[gname] = i
        if (group.get("ShutdownDelay") or 0) < 0:
            errs.append("ShutdownDelay must be a positive value")
        if jtype == "system" and (group.get("Count") or 0) > 1:
            errs.append(f"Job task group {gname} has count {group['Count']}. Count cannot "
                        f"exceed 1 with system scheduler")
    for group in groups:
        g_errs = group_errors(group, job)
        if g_errs:
            errs.append(f"Task group {group.get('Name') or ''} validation failed: "
                        f"{multierror(g_errs)}")
    periodic = job.get("Periodic")
    if periodic is not None and periodic.get("Enabled", True):
        if jtype not in ("batch", "sysbatch"):
            errs.append('Periodic can only be used with "batch" or "sysbatch" scheduler')
        p_errs = periodic_errors(periodic)
        if p_errs:
            errs.append(multierror(p_errs))
    param = job.get("ParameterizedJob")
    if param is not None:
        if jtype not in ("batch", "sysbatch"):
            errs.append('Parameterized job can only be used with "batch" or "sysbatch" '
                        'scheduler')
        p_errs = parameterized_errors(param)
        if p_errs:
            errs.append(multierror(p_errs))
    if (job.get("Multiregion") or {}).get("Regions"):  # Job.IsMultiregion; CE refuses
        errs.append("Multiregion jobs are unlicensed.")
    return errs
