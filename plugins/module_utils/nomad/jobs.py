# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Job documents in plain Python: unwrap, prune, ownership meta, readable diffs.

No Ansible imports: reused by modules, the many-jobs executor and unit tests.
"""
from __future__ import annotations

import copy
import json

OWNER_KEY = "agentfleet_owner"
DEFAULT_OWNER = "agentfleet.hashistack"

# Fields Nomad sets on a stored job that a job submitter never writes.
SERVER_FIELDS = frozenset([
    "Status", "StatusDescription", "Stable", "Version", "SubmitTime", "CreateIndex",
    "ModifyIndex", "JobModifyIndex", "Dispatched", "DispatchIdempotencyToken",
    "ParentID", "VersionTag", "NomadTokenID", "VaultNamespace",
])
# Keys that identify an item of a list of objects, tried in this order (ports have a
# Label, upstreams a DestinationName); lists without one are matched by position.
ITEM_KEYS = ("Name", "Label", "DestinationName")
# Task kinds Nomad's Connect admission adds a task for (nomad/job_endpoint_hook_connect.go
# groupConnectHook: newConnectSidecarTask, newConnectGatewayTask).
ADDED_TASK_KINDS = ("connect-proxy:", "connect-ingress:", "connect-terminating:", "connect-mesh:")
# Dynamic port labels the same hooks add: envoy.PortLabel("connect-proxy"|"connect-terminating"|
# "connect-mesh", service, suffix), and svc_<service>_ck_<hash> for an exposed check
# (nomad/job_endpoint_hook_expose_check.go exposePathForCheck).
ADDED_PORT_PREFIXES = ("connect-proxy-", "connect-terminating-", "connect-mesh-", "svc_")


class JobSpecError(ValueError):
    """A job document that cannot be submitted; the message names the path and value."""


def _short(value, limit=80):
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def prune_nulls(value):
    """Drop None values from dicts recursively (Nomad treats null as unset)."""
    if isinstance(value, dict):
        return {k: prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune_nulls(v) for v in value]
    return value


def unwrap_job(document, where="job"):
    """Return a copy of the job from a bare job dict or an API ``{"Job": {...}}`` wrapper."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise JobSpecError("%s: not valid JSON (%s)" % (where, exc))
    if not isinstance(document, dict):
        raise JobSpecError("%s: expected a job object, got %s %s" % (where, type(document).__name__, _short(document)))
    if set(document) == {"Job"} or ("Job" in document and "ID" not in document):
        document, where = document["Job"], where + ".Job"
        if not isinstance(document, dict):
            raise JobSpecError("%s: expected a job object, got %s" % (where, _short(document)))
    job = prune_nulls(copy.deepcopy(document))
    job_id = job.get("ID") or job.get("Name")
    if not isinstance(job_id, str) or not job_id:
        raise JobSpecError("%s.ID: a job needs a non-empty string ID (or Name), got %s"
                           % (where, _short(job.get("ID"))))
    job["ID"] = job_id
    job.setdefault("Name", job_id)
    meta = job.get("Meta")
    if meta is not None:
        if not isinstance(meta, dict):
            raise JobSpecError("%s.Meta: expected a map of strings, got %s" % (where, _short(meta)))
        for key, val in meta.items():
            if not isinstance(val, str):
                raise JobSpecError("%s.Meta.%s: meta values must be strings, got %s" % (where, key, _short(val)))
    groups = job.get("TaskGroups")
    if groups is not None and not isinstance(groups, list):
        raise JobSpecError("%s.TaskGroups: expected a list, got %s" % (where, _short(groups)))
    return job


def job_namespace(job, default):
    return job.get("Namespace") or default or "default"


def owner_of(job):
    return ((job or {}).get("Meta") or {}).get(OWNER_KEY)


def stamp_owner(job, owner):
    """Write the ownership key into the job's Meta (no-op when owner is empty)."""
    if owner:
        job.setdefault("Meta", {})[OWNER_KEY] = owner
    return job


def ownership_conflict(existing, owner, force):
    """A refusal message when ``existing`` is owned by someone other than ``owner``."""
    if existing is None or not owner or force:
        return None
    current = owner_of(existing)
    if current == owner:
        return None
    who = "owner %r" % current if current else "no %s meta (not created by this collection)" % OWNER_KEY
    return ("job %r in namespace %r has %s, not %r; refusing to change it (set force=true to take it over)"
            % (existing.get("ID"), existing.get("Namespace"), who, owner))


def preserve_group_counts(desired, existing):
    """Copy the live Count of each existing task group into the desired job."""
    live = {g.get("Name"): g.get("Count") for g in (existing or {}).get("TaskGroups") or []}
    for group in desired.get("TaskGroups") or []:
        if group.get("Name") in live and live[group.get("Name")] is not None:
            group["Count"] = live[group["Name"]]
    return desired


def project(current, desired):
    """The part of ``current`` that ``desired`` talks about (for a readable before/after).

    Dict keys absent from ``desired`` are dropped (server defaults). Lists of objects are
    matched by their identifying key (ITEM_KEYS) or, without one, by position; each
    matched item is projected; live items that ``desired`` lacks are kept whole (they
    are real differences).
    """
    if isinstance(desired, dict) and isinstance(current, dict):
        return {k: project(current[k], v) for k, v in desired.items() if k in current}
    if isinstance(desired, list) and isinstance(current, list) and desired \
            and all(isinstance(d, dict) for d in desired) and all(isinstance(c, dict) for c in current):
        key = next((k for k in ITEM_KEYS if all(d.get(k) is not None for d in desired)), None)
        if key is None:
            return [project(c, d) for c, d in zip(current, desired)] + current[len(desired):]
        by_key = {c.get(key): c for c in current}
        wanted = {d[key] for d in desired}
        return [project(by_key[d[key]], d) for d in desired if d[key] in by_key] + \
            [c for c in current if c.get(key) not in wanted]
    return current


def without_server_additions(live, desired):
    """A copy of the ``live`` job without what Nomad's admission hooks added and the
    ``desired`` job does not ask for: Connect sidecar and gateway tasks (by Kind) and
    their dynamic ports (by label). Used so a diff shows only what the submitter manages."""
    live = copy.deepcopy(live)
    wanted_groups = {g.get("Name"): g for g in (desired or {}).get("TaskGroups") or []}
    for group in live.get("TaskGroups") or []:
        want = wanted_groups.get(group.get("Name")) or {}
        want_tasks = {t.get("Name") for t in want.get("Tasks") or []}
        if group.get("Tasks"):
            group["Tasks"] = [t for t in group["Tasks"] if t.get("Name") in want_tasks
                              or not str(t.get("Kind") or "").startswith(ADDED_TASK_KINDS)]
        want_ports = {p.get("Label") for net in want.get("Networks") or []
                      for p in (net.get("DynamicPorts") or []) + (net.get("ReservedPorts") or [])}
        for net in group.get("Networks") or []:
            if net.get("DynamicPorts"):
                net["DynamicPorts"] = [p for p in net["DynamicPorts"] if p.get("Label") in want_ports
                                       or not str(p.get("Label") or "").startswith(ADDED_PORT_PREFIXES)]
    return live


def readable_diff(existing, desired):
    """before/after dicts for Ansible's diff mode: the live job restricted to what the
    desired job manages (no server-only fields, defaults or admission additions)."""
    before = {} if existing is None else project(
        without_server_additions({k: v for k, v in existing.items() if k not in SERVER_FIELDS}, desired),
        desired)
    return {"before": before, "after": desired}


def warning_lines(text):
    """Nomad's ``Warnings`` string as a list of warnings.

    Nomad formats them with helper/warning.go MergeMultierrorWarnings: a header
    ("1 warning:" / "N warnings:") then one "\n* <warning>" each. Text in another shape
    is returned whole, as one warning.
    """
    text = (text or "").strip()
    if not text:
        return []
    head, sep, rest = text.partition("\n* ")
    if not sep or not head.rstrip().endswith(":"):
        return [text]
    return [item.strip() for item in rest.split("\n* ") if item.strip()]


def plan_changed(plan):
    """True when a /v1/job/:id/plan answer's Diff says the job would change."""
    diff = (plan or {}).get("Diff") or {}
    return diff.get("Type", "None") != "None"


def summarize_plan(plan):
    """Short human lines from a plan Diff: 'Edited TaskGroup "web": Count 1 => 2'."""
    lines = []

    def fields(prefix, obj):
        for fld in obj.get("Fields") or []:
            if fld.get("Type") != "None":
                lines.append("%s%s %s: %s => %s" % (prefix, fld.get("Type"), fld.get("Name"),
                                                    _short(fld.get("Old"), 40), _short(fld.get("New"), 40)))
        for sub in obj.get("Objects") or []:
            if sub.get("Type") != "None":
                fields("%s%s." % (prefix, sub.get("Name")), sub)

    diff = (plan or {}).get("Diff") or {}
    if diff.get("Type") in ("Added", "Deleted"):
        return ["%s job %r" % (diff["Type"], diff.get("ID"))]
    fields("", diff)
    for group in diff.get("TaskGroups") or []:
        if group.get("Type") == "None":
            continue
        lines.append("%s group %r" % (group.get("Type"), group.get("Name")))
        fields("  group %s: " % group.get("Name"), group)
        for task in group.get("Tasks") or []:
            if task.get("Type") != "None":
                lines.append("  %s task %r" % (task.get("Type"), task.get("Name")))
                fields("    task %s: " % task.get("Name"), task)
    return lines
