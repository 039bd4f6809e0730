# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-agent report of one fleet apply (plain Python).

Inputs are the result lists of the Vault, Consul and Nomad phases (each entry has
``agent``, ``object``, ``name``, ``outcome``), the deployment waits and the prune.
Each agent ends as exactly one of: unchanged, updated, failed (with a reason),
reverted (a failed deployment rolled back by auto_revert), pruned.
"""
from __future__ import annotations

CHANGED = ("created", "updated", "deleted", "stopped", "promoted")
STATUSES = ("unchanged", "updated", "failed", "reverted", "pruned")


def build_report(agents, applied=(), waits=(), pruned=()):
    """``agents``: agent keys of the spec. Returns {"agents": {key: {...}}, "fleet": {...}, "counts": {...}}."""
    report = {key: {"status": "unchanged", "changed_objects": []} for key in sorted(agents)}
    fleet = {"changed_objects": [], "failed": []}
    for res in list(applied) + list(pruned):
        key = res.get("agent")
        label = "%s %s" % (res.get("object"), res.get("name"))
        target = report.get(key)
        if res.get("outcome") == "failed":
            reason = "%s: %s" % (label, res.get("msg") or "failed")
            if target is None:
                fleet["failed"].append(reason)
            else:
                target["status"] = "failed"
                target.setdefault("reasons", []).append(reason)
            continue
        if res.get("outcome") not in CHANGED:
            continue
        if target is None:
            if key and res in pruned:
                report.setdefault(key, {"status": "pruned", "changed_objects": []})["changed_objects"].append(
                    "%s (%s)" % (label, res["outcome"]))
            else:
                fleet["changed_objects"].append("%s (%s)" % (label, res["outcome"]))
            continue
        target["changed_objects"].append("%s (%s)" % (label, res["outcome"]))
        if target["status"] == "unchanged":
            target["status"] = "updated"
    for res in waits:
        target = report.get(res.get("agent"))
        if target is None:
            continue
        outcome = res.get("outcome")
        if outcome in ("failed", "timeout", "reverted"):
            target["status"] = "reverted" if outcome == "reverted" else "failed"
            target.setdefault("reasons", []).append(res.get("reason") or res.get("msg") or outcome)
            if res.get("failed_allocations"):
                target["failed_allocations"] = res["failed_allocations"]
        elif outcome == "awaiting_promotion":
            target["awaiting_promotion"] = res.get("groups") or []
    counts = {s: 0 for s in STATUSES}
    for entry in report.values():
        counts[entry["status"]] += 1
    return {"agents": report, "fleet": fleet, "counts": counts,
            "ok": not fleet["failed"] and counts["failed"] == 0 and counts["reverted"] == 0}


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
        lines.append(line)
    for reason in report["fleet"]["failed"]:
        lines.append("fleet: failed - " + reason)
    for obj in report["fleet"]["changed_objects"]:
        lines.append("fleet: " + obj)
    counts = report["counts"]
    lines.append(", ".join("%d %s" % (counts[s], s) for s in STATUSES))
    return lines
