# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nomad's update-strategy rules and the kill-timeout bound they imply.

Sources: nomad/structs/structs.go ``UpdateStrategy.Validate`` and ``Task.Validate``
(kill_timeout against the group's progress deadline).
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.values import integer, show_ns

HEALTH_CHECKS = ("checks", "task_states", "manual")

# api/jobs.go DefaultUpdateStrategy: Job.Canonicalize fills every unset update field of a
# service job with these (and gives a service job without an update block all of them)
# before the group blocks are merged over it (api/tasks.go TaskGroup.Canonicalize).
DEFAULT_UPDATE = {"Stagger": 30_000_000_000, "MaxParallel": 1, "HealthCheck": "checks",
                  "MinHealthyTime": 10_000_000_000, "HealthyDeadline": 300_000_000_000,
                  "ProgressDeadline": 600_000_000_000, "AutoRevert": False, "Canary": 0, "AutoPromote": False}


def effective_update(job_update, group_update):
    """The update strategy Nomad validates for a service group: defaults, then the job's
    block, then the group's (fields set to null count as unset)."""
    out = dict(DEFAULT_UPDATE)
    for block in (job_update, group_update):
        if isinstance(block, dict):
            out.update({k: v for k, v in block.items() if v is not None})
    return out


def update_problems(update):
    """``update``: API-form ``Update`` block (``MaxParallel``, ``Canary``, ``AutoPromote``,
    ``MinHealthyTime``/``HealthyDeadline``/``ProgressDeadline``/``Stagger`` in nanoseconds,
    ``HealthCheck``).
    Returns ``[(field, message)]``; source: structs.go UpdateStrategy.Validate."""
    out = []
    if not isinstance(update, dict):
        return out
    health = update.get("HealthCheck")
    if health is not None and health not in HEALTH_CHECKS:
        out.append(("HealthCheck", f"Nomad accepts only {', '.join(HEALTH_CHECKS)}"))
    parallel, canary = integer(update.get("MaxParallel")), integer(update.get("Canary"))
    if parallel is not None and parallel < 0:
        out.append(("MaxParallel", "Max parallel can not be less than zero"))
    if canary is not None and canary < 0:
        out.append(("Canary", "Canary count can not be less than zero"))
    if not canary and update.get("AutoPromote") is True:
        out.append(("AutoPromote", "Auto Promote requires a Canary count greater than zero"))
    mht = integer(update.get("MinHealthyTime"))
    hd = integer(update.get("HealthyDeadline"))
    pd = integer(update.get("ProgressDeadline"))
    if mht is not None and mht < 0:
        out.append(("MinHealthyTime", "Minimum healthy time may not be less than zero"))
    if hd is not None and hd <= 0:
        out.append(("HealthyDeadline", "Healthy deadline must be greater than zero"))
    if pd is not None and pd < 0:
        out.append(("ProgressDeadline", "Progress deadline must be zero or greater"))
    if mht is not None and hd is not None and mht >= hd:
        out.append(("MinHealthyTime", f"Minimum healthy time must be less than healthy deadline "
                    f"({show_ns(mht)} >= {show_ns(hd)})"))
    if hd is not None and pd and hd >= pd:
        out.append(("HealthyDeadline", f"Healthy deadline must be less than progress deadline "
                    f"({show_ns(hd)} >= {show_ns(pd)})"))
    stagger = integer(update.get("Stagger"))
    if stagger is not None and stagger <= 0:
        out.append(("Stagger", "Stagger must be greater than zero"))
    return out


def kill_timeout_problem(kill_timeout, progress_deadline):
    """Message when a service task's kill timeout exceeds its group's progress deadline
    (0 disables the deadline), else None. Source: structs.go Task.Validate."""
    kill, pd = integer(kill_timeout), integer(progress_deadline)
    if kill is None:
        return None
    if kill < 0:
        return "KillTimeout must be a positive value"
    if pd and kill > pd:
        return f"KillTimeout ({show_ns(kill)}) longer than the group's ProgressDeadline ({show_ns(pd)})"
    return None
