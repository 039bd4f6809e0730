# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The human plan of a fleet apply, in the style of ``terraform plan`` / ``nomad job plan``.

Plain Python. Inputs are what the phases already return: the per-object results of the
Vault, Consul and Nomad apply (and prune) phases (``object``, ``name``, ``agent``,
``outcome``, and ``differences`` / a Nomad job's ``plan.changes``), plus the per-agent
report (``fleet_apply.report.build_report``). Output, at normal verbosity:

- one block per agent that changes (or fails), headed by its status, then one line per
  changed object with what changes, field by field (a Nomad job: Nomad's own plan with
  its annotations, see ``nomad.jobs.summarize_plan``);
- one block ``fleet`` for objects of no agent (namespaces, ACL policies, mounts, the
  default deny);
- a footer line per backend, terraform's wording: ``Nomad: 1 to add, 2 to change, 0 to
  destroy (10 unchanged).`` in check mode, ``Nomad: 1 added, 2 changed, 0 destroyed
  (10 unchanged).`` after an apply.

A no-change plan is exactly the three footer lines. Words follow the mode: ``would
create`` / ``would update`` in check mode, ``created`` / ``updated`` after an apply.
Secrets never reach a plan: results carry no secret values (Consul secret fields are
``changed`` only, Vault policy text is not included, tokens are never in results).
"""
from __future__ import annotations

BACKENDS = ("vault", "consul", "nomad")
BACKEND_TITLES = {"vault": "Vault", "consul": "Consul", "nomad": "Nomad"}
# What each object outcome counts as in the footer (object_result.CHANGED_OUTCOMES and
# the failure outcomes); anything else (unchanged, absent, waited) counts as unchanged.
ACTIONS = {"created": "add", "updated": "change", "adopted": "change", "promoted": "change", "deleted": "destroy",
           "stopped": "destroy", "failed": "failed", "not_applied": "not_applied"}
MARKS = {"add": "+", "change": "~", "destroy": "-", "failed": "!", "not_applied": "!"}
MARKS_FAILED = ("failed", "not_applied")
# (check mode, after an apply) words of each outcome.
WORDS = {
    "created": ("would create", "created"), "updated": ("would update", "updated"),
    "adopted": ("would adopt", "adopted"),
    "promoted": ("would promote canaries", "promoted canaries"), "deleted": ("would delete", "deleted"),
    "stopped": ("would stop", "stopped"), "failed": ("failed", "failed"),
    "not_applied": ("would not be applied", "not applied"),
}
STATUS_WORDS = {
    "updated": ("would be updated", "updated"), "failed": ("failed", "failed"),
    "not_applied": ("would not be applied", "not applied"), "reverted": ("reverted", "reverted"),
    "pruned": ("would be pruned", "pruned"),
}
DETAIL_LIMIT = 15  # detail lines shown per object at normal verbosity; the JSON plan has all
REASON_WIDTH = 300  # characters of a failure reason shown in a block
OBJECT_WORDS = {
    "vault_policy": "policy", "vault_jwt_role": "jwt role", "vault_mount": "mount", "namespace": "namespace",
    "acl_policy": "acl policy", "quota": "quota", "job": "job", "tenancy": "tenancy object",
    "prune_wait": "prune wait",
}


def backend_of(result):
    """``vault``, ``consul`` or ``nomad`` for one object result (by its ``object``)."""
    obj = str(result.get("object") or "")
    if obj.startswith("vault_"):
        return "vault"
    if obj.startswith("consul_"):
        return "consul"
    return "nomad"


def object_label(result):
    """``vault policy <name>``, ``consul service-defaults <name>``, ``nomad job <ns>/<id>``."""
    backend, obj = backend_of(result), result.get("object")
    if backend == "consul":
        kind = result.get("kind") or str(obj)[len("consul_"):].replace("_", "-")
        return "consul %s %s" % (kind, result.get("name"))
    if obj == "job" and result.get("namespace"):
        return "nomad job %s/%s" % (result["namespace"], result.get("name"))
    return "%s %s %s" % (backend, OBJECT_WORDS.get(obj, str(obj).replace("_", " ")), result.get("name"))


def _one_line(text, width=REASON_WIDTH):
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 3] + "..."


def object_details(result):
    """Detail lines (list of str) of one changed or failed object: a job's Nomad plan lines
    (without the first ``Job:`` line, which the object line names), a Consul entry's
    changed paths, the changed settings of a Vault role or a Nomad namespace / ACL policy,
    or the failure message."""
    outcome = result.get("outcome")
    if outcome in ("failed", "not_applied"):
        return [_one_line(result.get("msg") or outcome)]
    if outcome not in ("updated", "adopted") and result.get("object") != "job":
        return []
    if result.get("object") == "job":
        changes = list((result.get("plan") or {}).get("changes") or [])
        if changes and changes[0].lstrip("+-/ ").startswith("Job:"):
            changes = [line[2:] if line.startswith("  ") else line for line in changes[1:]]
        return changes
    diffs = [str(d) for d in result.get("differences") or []]
    if backend_of(result) == "consul":
        return diffs
    return ["changed: " + ", ".join(diffs)] if diffs else []


def _entry(result, check):
    outcome = result.get("outcome")
    words = WORDS.get(outcome, (outcome, outcome))[0 if check else 1]
    return {"backend": backend_of(result), "object": result.get("object"), "name": result.get("name"),
            "label": object_label(result), "outcome": outcome, "action": ACTIONS.get(outcome),
            "words": words, "details": object_details(result)}


def build_plan(report, applied=(), pruned=(), check=True, ran=None):
    """The plan of one run as data.

    ``report``: ``build_report`` output (its ``agents`` statuses and reasons are shown);
    ``applied`` / ``pruned``: object results of the apply / prune phases (list of dict);
    ``check``: check mode (bool); ``ran``: {backend: bool} whether that backend's apply
    phase returned results (a backend that did not run says so in its footer; None:
    every backend with results ran).

    Returns {"mode": "plan" | "apply", "changes": bool, "agents": {key: {"status",
    "objects": [entry], "reasons", "awaiting_promotion", "deployment"}}, "fleet": [entry], "totals":
    {backend: {"add", "change", "destroy", "unchanged", "failed", "not_applied", "ran"}}},
    where an entry is {"backend", "object", "name", "label", "outcome", "action", "words",
    "details"}, and "fleet_failed" (the report's fleet-wide failures, e.g. a failed
    phase). ``changes`` is True when any object would be (or was) added, changed or
    destroyed.
    """
    results = list(applied or ()) + list(pruned or ())
    totals = {b: {"add": 0, "change": 0, "destroy": 0, "unchanged": 0, "failed": 0, "not_applied": 0}
              for b in BACKENDS}
    agents, fleet = {}, []
    report_agents = (report or {}).get("agents") or {}
    for res in results:
        action = ACTIONS.get(res.get("outcome"))
        backend = backend_of(res)
        if res.get("object") == "prune_wait":
            continue  # a wait, not an object: the report and the prune result say how long
        totals[backend][action or "unchanged"] += 1
        if action is None:
            continue
        entry = _entry(res, check)
        key = res.get("agent")
        if key:
            agents.setdefault(key, {"objects": []})["objects"].append(entry)
        else:
            fleet.append(entry)
    for key, status in report_agents.items():
        if status.get("status") in STATUS_WORDS or status.get("awaiting_promotion"):
            agents.setdefault(key, {"objects": []})
    order = {b: i for i, b in enumerate(BACKENDS)}
    for key, block in agents.items():
        rep = report_agents.get(key) or {}
        block["status"] = rep.get("status") or ("pruned" if any(
            e["action"] == "destroy" for e in block["objects"]) else "updated")
        block["reasons"] = list(rep.get("reasons") or [])
        block["awaiting_promotion"] = list(rep.get("awaiting_promotion") or [])
        block["deployment"] = rep.get("deployment")
        block["objects"].sort(key=lambda e: order[e["backend"]])  # stable: apply order within a backend
    fleet.sort(key=lambda e: order[e["backend"]])
    has_results = {b: False for b in BACKENDS}
    for res in results:
        has_results[backend_of(res)] = True
    for backend in BACKENDS:
        totals[backend]["ran"] = bool((ran or has_results).get(backend))
    changes = any(t["add"] or t["change"] or t["destroy"] for t in totals.values())
    return {"mode": "plan" if check else "apply", "changes": changes,
            "agents": dict(sorted(agents.items())), "fleet": fleet, "totals": totals,
            "fleet_failed": list(((report or {}).get("fleet") or {}).get("failed") or [])}


def _object_lines(entry, limit):
    mark = MARKS.get(entry["action"], " ")
    lines = ["  %s %s: %s" % (mark, entry["label"], entry["words"])]
    details = entry["details"]
    if entry["action"] == "add" and entry["object"] != "job":
        details = []  # a new object is all new: its name says it
    shown = details if limit is None else details[:limit]
    lines += ["      " + line for line in shown]
    if len(details) > len(shown):
        lines.append("      ... %d more line(s) in the plan file (agent_fleet_plan_file) or with -v"
                     % (len(details) - len(shown)))
    return lines


def footer(backend, totals, check):
    """``Nomad: 1 to add, 2 to change, 0 to destroy (10 unchanged).`` (check mode) or
    ``Nomad: 1 added, 2 changed, 0 destroyed (10 unchanged).`` (after an apply), with
    ``, N failed`` / ``, N not applied`` when there are any."""
    title = BACKEND_TITLES[backend]
    if not totals["ran"]:
        return "%s: no objects %s (the phase did not run)." % (title, "planned" if check else "applied")
    if check:
        text = "%s: %d to add, %d to change, %d to destroy" % (title, totals["add"], totals["change"],
                                                               totals["destroy"])
    else:
        text = "%s: %d added, %d changed, %d destroyed" % (title, totals["add"], totals["change"], totals["destroy"])
    for key, word in (("failed", "failed"), ("not_applied", "not applied")):
        if totals[key]:
            text += ", %d %s" % (totals[key], word)
    return text + " (%d unchanged)." % totals["unchanged"]


def plan_lines(plan, limit=DETAIL_LIMIT):
    """The plan as human lines: the fleet block, one block per agent, one footer per backend.
    ``limit``: detail lines shown per object (None: all)."""
    check = plan["mode"] == "plan"
    # The report bounds fleet-wide reasons already (report.REASON_LIMIT); shown whole.
    lines = ["fleet: failed - " + _one_line(reason, 4 * REASON_WIDTH) for reason in plan.get("fleet_failed") or []]
    if plan["fleet"]:
        lines.append("fleet:")
        for entry in plan["fleet"]:
            lines += _object_lines(entry, limit)
    for key, block in plan["agents"].items():
        words = STATUS_WORDS.get(block["status"], (block["status"], block["status"]))[0 if check else 1]
        if block["status"] == "updated" and block["objects"] and all(e["action"] == "add" for e in block["objects"]):
            words = "would be created" if check else "created"  # a new agent: every object is new
        deployed = block.get("deployment") or {}
        if not check and deployed.get("outcome") == "successful" and deployed.get("id"):
            words += " [deployed in %.1f s]" % deployed["seconds"]  # report.py: the wait's own clock
        lines.append("%s: %s" % (key, words))
        for entry in block["objects"]:
            lines += _object_lines(entry, limit)
        shown = ["%s %s:" % (e["object"], e["name"]) for e in block["objects"] if e["action"] in MARKS_FAILED]
        for reason in block["reasons"]:  # those not already shown under their object
            if not reason.startswith(tuple(shown)):
                lines.append("  ! " + _one_line(reason))
        if block["awaiting_promotion"]:
            lines.append("  canaries awaiting promotion: %s" % ", ".join(block["awaiting_promotion"]))
    lines += [footer(b, plan["totals"][b], check) for b in BACKENDS]
    return lines
