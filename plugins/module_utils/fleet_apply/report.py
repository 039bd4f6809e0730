# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-agent report of one fleet apply (plain Python).

Inputs are the result lists of the Vault, Consul and Nomad phases (each entry has
``agent``, ``object``, ``name``, ``outcome``), the deployment waits, the prune, and
what each phase task returned as a whole (``phases``: did it run, did it fail, why).
Each agent ends as exactly one of:

- ``failed``: one of its own objects (or its deployment) failed, with the reason;
- ``not_applied``: its Nomad job was never applied because something before it failed
  (preflight, a whole phase, its namespace, the Vault or Consul phase), with the reason;
- ``reverted``: a failed deployment rolled back by auto_revert;
- ``updated`` / ``unchanged``: its objects were applied;
- ``pruned``: an agent no longer in the spec whose objects were removed.

The counts always add up: sum of the counts == agents of the spec + pruned agents.
"""
from __future__ import annotations

CHANGED = ("created", "updated", "adopted", "deleted", "stopped", "promoted")
STATUSES = ("unchanged", "updated", "failed", "not_applied", "reverted", "pruned")
# Phase tasks of the role, in run order (register names in roles/agent_fleet/tasks/*.yml).
PHASES = ("preflight", "vault", "consul", "nomad", "wait", "prune_nomad", "prune_consul", "prune_vault")
REASON_LIMIT = 600  # characters of a phase message kept in the fleet line (a whole connection message)
AGENT_REASON_LIMIT = 160  # ... and in each agent's reason (the fleet line has the rest)


def phase_states(phases):
    """``phases``: {phase name: the registered task result, or None when it did not run}
    plus optional ``error`` ({"task", "msg"}: a failure caught outside a phase task).
    Returns [{"phase", "state" (ok / failed / skipped / not_run), "msg", "failures",
    "has_results"}] in run order; ``failures`` is the failed task's list of messages, one per
    backend (the preflight's), else []."""
    phases = phases or {}
    out = []
    for name in PHASES:
        res = phases.get(name)
        if not isinstance(res, dict):
            state = "not_run"
        elif res.get("skipped"):
            state = "skipped"
        elif res.get("failed"):
            state = "failed"
        else:
            state = "ok"
        out.append({"phase": name, "state": state, "msg": (res or {}).get("msg") if state == "failed" else None,
                    "failures": list((res or {}).get("failures") or []) if state == "failed" else [],
                    "has_results": bool((res or {}).get("results")) if isinstance(res, dict) else False})
    error = phases.get("error")
    if isinstance(error, dict) and error.get("msg") is not None:
        known = {_text(p["msg"]) for p in out if p["state"] == "failed"}
        if _text(error["msg"]) not in known:  # not already the result of a failed phase task
            out.append({"phase": "task '%s'" % (error.get("task") or "?"), "state": "failed",
                        "msg": _text(error["msg"]), "failures": [], "has_results": False})
    return out


def _text(msg):
    if isinstance(msg, (list, tuple)):
        return "; ".join(str(m) for m in msg)
    return str(msg)


def _short(msg, limit=REASON_LIMIT):
    msg = " ".join(_text(msg or "failed").split())  # one line
    return msg if len(msg) <= limit else msg[:limit] + "..."


def build_report(agents, applied=(), waits=(), pruned=(), phases=None):
    """``agents``: agent keys of the spec; ``phases``: see ``phase_states`` (None: results only).
    An agent whose deployment was waited for gets ``deployment`` (``deployment_outcome``)
    and, when it failed, ``failure_groups`` (identical allocation failures once, counted).

    Returns {"agents": {key: {"status", "changed_objects", "reasons"?, ...}}, "fleet":
    {"changed_objects", "failed"}, "phases": [...], "counts": {status: n}, "total": n, "ok": bool}.
    """
    report = {key: {"status": "unchanged", "changed_objects": []} for key in sorted(agents)}
    fleet = {"changed_objects": [], "failed": []}
    applied, waits, pruned = list(applied or ()), list(waits or ()), list(pruned or ())
    with_job = set()
    spec_agents = set(agents)
    for source, res in [("applied", r) for r in applied] + [("pruned", r) for r in pruned]:
        key = res.get("agent")
        label = "%s %s" % (res.get("object"), res.get("name"))
        target = report[key] if key in spec_agents else None
        outcome = res.get("outcome")
        if res.get("object") == "job" and key in report and source == "applied":
            with_job.add(key)
        if outcome == "failed":
            reason = "%s: %s" % (label, res.get("msg") or "failed")
            if target is None:  # fleet-wide object, or one of an agent no longer in the spec
                fleet["failed"].append(reason if key in (None, "") else "%s: %s" % (key, reason))
            else:
                target["status"] = "failed"
                target.setdefault("reasons", []).append(reason)
            continue
        if outcome == "not_applied":
            if target is not None and target["status"] != "failed":
                target["status"] = "not_applied"
                target.setdefault("reasons", []).append("%s: %s" % (label, res.get("msg") or "not applied"))
            continue
        if outcome not in CHANGED:
            continue
        if target is None:
            if key and source == "pruned":
                report.setdefault(key, {"status": "pruned", "changed_objects": []})["changed_objects"].append(
                    "%s (%s)" % (label, outcome))
            else:
                fleet["changed_objects"].append("%s (%s)" % (label, res.get("adoption") or outcome))
            continue
        # an adopted object says "would adopt" in check mode (``ownership.adoption``)
        target["changed_objects"].append("%s (%s)" % (label, res.get("adoption") or outcome))
        if target["status"] == "unchanged":
            target["status"] = "updated"
    for res in waits:  # deployments of this run's jobs: agents of the spec only
        target = report.get(res.get("agent")) if res.get("agent") in spec_agents else None
        if target is None:
            continue
        outcome = res.get("outcome")
        target["deployment"] = deployment_outcome(res)
        if outcome in ("failed", "timeout", "reverted"):
            if target["status"] not in ("failed", "not_applied"):
                target["status"] = "reverted" if outcome == "reverted" else "failed"
            target.setdefault("reasons", []).append(res.get("reason") or res.get("msg") or outcome)
            if res.get("failed_allocations"):
                target["failed_allocations"] = res["failed_allocations"]
            if res.get("failure_groups"):
                target["failure_groups"] = res["failure_groups"]
        elif outcome == "awaiting_promotion":
            target["awaiting_promotion"] = res.get("groups") or []
    states = phase_states(phases) if phases is not None else []
    _mark_not_applied(report, agents, with_job, states, fleet)
    counts = {s: 0 for s in STATUSES}
    for entry in report.values():
        counts[entry["status"]] += 1
    total = sum(counts.values())
    # Every agent of the spec has exactly one status; pruned agents are the only extra keys.
    if total != len(spec_agents) + counts["pruned"]:  # not `assert`: kept under python -O
        raise AssertionError("report counts %r do not add up to %d agents + %d pruned"
                             % (counts, len(spec_agents), counts["pruned"]))
    failed_phases = [p for p in states if p["state"] == "failed"]
    return {"agents": report, "fleet": fleet, "phases": states, "counts": counts, "total": total,
            "ok": not fleet["failed"] and not failed_phases
            and counts["failed"] == 0 and counts["not_applied"] == 0 and counts["reverted"] == 0}


def deployment_outcome(res):
    """An agent's ``deployment`` entry from its wait result: ``{"outcome", "seconds"}``
    (seconds waited, 0.1 s resolution) plus, when a deployment was found, ``id``,
    ``healthy`` and ``desired`` (allocations summed over its task groups)."""
    out = {"outcome": res.get("outcome"), "seconds": res.get("seconds") or 0.0}
    for key in ("deployment_id", "healthy", "desired"):
        if res.get(key) is not None:
            out["id" if key == "deployment_id" else key] = res[key]
    return out


def _mark_not_applied(report, agents, with_job, states, fleet):
    """Agents without a Nomad job result become not_applied, with the first cause found,
    when the run was halted by a failure or the Nomad phase ran (not on a tag-limited run)."""
    halted = next((p for p in states if p["state"] == "failed"), None)
    nomad = next((p for p in states if p["phase"] == "nomad"), None)
    for phase in states:
        if phase["state"] == "failed" and not phase["has_results"]:
            # one line per failed backend when the task gave them (preflight), else its message
            for msg in phase["failures"] or [phase["msg"]]:
                fleet["failed"].append("%s failed: %s" % (_label(phase), _short(msg)))
    if halted is not None and halted["phase"] in ("wait",) + PHASES[5:]:
        halted = None  # the jobs were applied before that failure; their results say how
    if halted is None and (nomad is None or nomad["state"] != "ok"):
        return
    if halted is not None and not halted["has_results"]:
        # its message is the one "fleet: failed" line; not repeated once per agent
        cause = "not applied: %s failed before the Nomad job was applied (its message: the 'fleet: failed' line)" \
            % _label(halted)
    elif halted is not None:
        cause = "not applied: %s failed before the Nomad job was applied: %s" % (
            _label(halted), _short(halted["msg"], AGENT_REASON_LIMIT))
    else:
        cause = "not applied: the Nomad phase returned no result for this agent's job"
    for key in sorted(set(agents)):
        entry = report[key]
        if key in with_job or entry["status"] in ("failed", "not_applied"):
            continue
        entry["status"] = "not_applied"
        entry.setdefault("reasons", []).append(cause)


def _label(phase):
    name = phase["phase"]
    return name if name.startswith("task ") else "the %s phase" % name


def summary_lines(report):
    """Human lines, one per agent that is not unchanged, plus a count line."""
    lines = []
    for key, entry in sorted(report["agents"].items()):
        if entry["status"] == "unchanged":
            continue
        line = "%s: %s" % (key, entry["status"])
        if entry.get("reasons"):
            line += " - " + " | ".join(entry["reasons"])
        elif entry.get("changed_objects"):
            line += " (" + ", ".join(entry["changed_objects"]) + ")"
        if entry.get("awaiting_promotion"):
            line += " [canaries awaiting promotion: %s]" % ", ".join(entry["awaiting_promotion"])
        elif (entry.get("deployment") or {}).get("outcome") == "successful" and entry["deployment"].get("id"):
            line += " [deployed in %.1f s]" % entry["deployment"]["seconds"]
        lines.append(line)
    for reason in report["fleet"]["failed"]:
        lines.append("fleet: failed - " + reason)
    for obj in report["fleet"]["changed_objects"]:
        lines.append("fleet: " + obj)
    counts = report["counts"]
    lines.append("%d agents: " % report.get("total", sum(counts.values()))
                 + ", ".join("%d %s" % (counts[s], s) for s in STATUSES))
    return lines
