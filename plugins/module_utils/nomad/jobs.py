# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Job documents in plain Python: unwrap, prune, ownership meta, readable diffs.

No Ansible imports: reused by modules, the many-jobs executor and unit tests.
"""
from __future__ import annotations

import copy
import json
import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import format_human
from ansible_collections.agentfleet.hashistack.plugins.module_utils.text_window import shorten, window

OWNER_KEY = "agentfleet_owner"
DEFAULT_OWNER = "agentfleet.hashistack"

# Fields Nomad sets on a stored job that a job submitter never writes.
SERVER_FIELDS = frozenset([
    "Status", "StatusDescription", "Stable", "Version", "SubmitTime", "CreateIndex",
    "ModifyIndex", "JobModifyIndex", "Dispatched", "DispatchIdempotencyToken",
    "ParentID", "VersionTag", "NomadTokenID", "VaultNamespace",
])
# The fields that identify an item of each list of objects, as Nomad's own job diff
# matches them (nomad/structs/diff.go): task groups and tasks by Name (taskGroupDiffs,
# taskDiffs), services by Name and PortLabel (serviceDiffs/findServiceMatch scores exactly
# these two), checks by Name (serviceCheckDiffs), templates by DestPath (templateDiffs/
# findTemplateMatch, Template.DiffID in structs.go), ports by Label (portDiffs), upstreams
# by Datacenter/DestinationName (consulProxyUpstreamsDiff), identities, secrets and actions
# by Name. Other lists (networks, constraints, ...) are matched by position.
LIST_IDENTITY = {
    "TaskGroups": ("Name",), "Tasks": ("Name",), "Services": ("Name", "PortLabel"), "Checks": ("Name",),
    "Templates": ("DestPath",), "DynamicPorts": ("Label",), "ReservedPorts": ("Label",),
    "Upstreams": ("Datacenter", "DestinationName"), "Identities": ("Name",), "Secrets": ("Name",),
    "Actions": ("Name",),
}
# Fields of Nomad's job API that are time.Duration (integer nanoseconds in JSON and in plan
# diffs; api/tasks.go, api/services.go, api/jobs.go, api/resources.go): shown as durations.
DURATION_FIELDS = frozenset((
    "KillTimeout", "ShutdownDelay", "Interval", "Timeout", "Grace", "MinHealthyTime", "HealthyDeadline",
    "ProgressDeadline", "Stagger", "Delay", "MaxDelay", "Splay", "StopAfterClientDisconnect",
    "MaxClientDisconnect", "StopOnClientAfter", "LostAfter", "MaxKillTimeout",
))
# Template wait bounds (api/tasks.go WaitConfig) are durations; Min/Max elsewhere are counts.
DURATION_IN = {"Wait": ("Min", "Max"), "WaitConfig": ("Min", "Max")}
# Nomad's plan annotations of a task group, in the order shown (scheduler/annotate.go
# UpdateType*: the keys of TaskGroupDiff.Updates).
UPDATE_TYPES = ("create", "destroy", "migrate", "in-place update", "create/destroy update", "canary", "ignore")
# Marks of a diff type, as `nomad job plan` prints them (command/job_plan.go).
DIFF_MARKS = {"Added": "+", "Deleted": "-", "Edited": "+/-", "None": " "}
PLAN_VALUE_WIDTH = 50  # characters of each side of a changed value in a plan line
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


def _identity(item, fields):
    return tuple(item.get(f) or "" for f in fields)


def project(current, desired, field=""):
    """The part of ``current`` that ``desired`` talks about (for a readable before/after).

    Dict keys absent from ``desired`` are dropped (server defaults such as a port's
    ``HostNetwork`` or a template's ``Splay`` that the spec never set). Items of a list
    of objects are matched by the fields Nomad's own diff matches them by
    (``LIST_IDENTITY``, keyed by the list's field name) or, for other lists, by
    position; each matched item is projected; live items that ``desired`` lacks are
    kept whole (they are real differences: the apply removes them).
    """
    if isinstance(desired, dict) and isinstance(current, dict):
        return {k: project(current[k], v, k) for k, v in desired.items() if k in current}
    if isinstance(desired, list) and isinstance(current, list) and desired \
            and all(isinstance(d, dict) for d in desired) and all(isinstance(c, dict) for c in current):
        fields = LIST_IDENTITY.get(field)
        if fields is None:
            return [project(c, d) for c, d in zip(current, desired)] + current[len(desired):]
        by_key = {_identity(c, fields): c for c in current}
        wanted = {_identity(d, fields) for d in desired}
        return [project(by_key[_identity(d, fields)], d) for d in desired if _identity(d, fields) in by_key] + \
            [c for c in current if _identity(c, fields) not in wanted]
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


def plan_value(name, value, parent=""):
    """A plan diff value (Nomad sends strings; durations as integer nanoseconds) as people
    read it: durations as ``30s``/``2m`` (go_duration.format_human), other values quoted."""
    text = "" if value is None else str(value)
    if (name in DURATION_FIELDS or name in DURATION_IN.get(parent, ())) and re.fullmatch(r"-?[0-9]+", text):
        return format_human(int(text))
    return json.dumps(text)


def plan_field_line(fld, parent="", prefix=""):
    """One changed FieldDiff as ``+/- Name: "old" => "new"`` (``+ Name: "new"`` when added,
    ``- Name: "old"`` when deleted), named ``prefix + Name``, inside object ``parent``;
    long values are cut around the first difference."""
    name, kind = fld.get("Name"), fld.get("Type")
    old, new = plan_value(name, fld.get("Old"), parent), plan_value(name, fld.get("New"), parent)
    name = prefix + str(name)
    if kind == "Added":
        return "+ %s: %s" % (name, shorten(new, PLAN_VALUE_WIDTH))
    if kind == "Deleted":
        return "- %s: %s" % (name, shorten(old, PLAN_VALUE_WIDTH))
    old, new = window(old, new, PLAN_VALUE_WIDTH)
    return "+/- %s: %s => %s" % (name, old, new)


def group_updates(group):
    """Nomad's annotations of a task group diff (``Updates``: {update type: count}) as
    ``2 create/destroy update, 1 canary`` in UPDATE_TYPES order ("" when none)."""
    updates = group.get("Updates") or {}
    known = [k for k in UPDATE_TYPES if updates.get(k)] + sorted(k for k in updates if k not in UPDATE_TYPES and updates[k])
    return ", ".join("%d %s" % (updates[k], k) for k in known)


def _flat_fields(obj, prefix, parent, out):
    """(dotted name, FieldDiff, parent object name) of every field of ``obj``, depth first."""
    for fld in obj.get("Fields") or []:
        out.append((prefix + str(fld.get("Name")), fld, parent))
    for sub in obj.get("Objects") or []:
        _flat_fields(sub, "%s%s." % (prefix, sub.get("Name")), sub.get("Name") or "", out)
    return out


def _replaced_lines(old, new, indent, prefix, lines):
    """A sub-object Nomad reports as Deleted and Added again (it diffs networks and expose
    paths as whole sets, nomad/structs/diff.go networkDiffs / primitiveObjectSetDiff): only
    the fields whose value differs between the two, so one changed port label does not
    read as every port removed and added."""
    def side(obj, key):
        flat = _flat_fields(obj, "%s%s." % (prefix, obj.get("Name")), obj.get("Name") or "", [])
        return [(name, fld.get(key), parent) for name, fld, parent in flat]
    gone, came = side(old, "Old"), side(new, "New")
    came_left, gone_left = list(came), list(gone)
    for item in gone:
        if item in came_left:
            came_left.remove(item)
            gone_left.remove(item)
    for mark, items in (("-", gone_left), ("+", came_left)):
        for name, value, parent in items:
            text = plan_value(name.rsplit(".", 1)[-1], value, parent)
            lines.append(indent + "%s %s: %s" % (mark, name, shorten(text, PLAN_VALUE_WIDTH)))


def _object_lines(obj, indent, prefix, lines):
    """Changed fields of a diff object and its sub-objects, depth first, with dotted names;
    a sub-object deleted and added again under the same name shows only what differs."""
    for fld in obj.get("Fields") or []:
        if fld.get("Type", "None") != "None":
            lines.append(indent + plan_field_line(fld, obj.get("Name") or "", prefix))
    subs = [sub for sub in obj.get("Objects") or [] if sub.get("Type", "None") != "None"]
    by_type = {"Deleted": {}, "Added": {}}
    for sub in subs:
        if sub.get("Type") in by_type:
            by_type[sub["Type"]].setdefault(sub.get("Name"), []).append(sub)
    twin = {}  # id of each half of a (deleted, added) pair of the same name -> the pair
    for name, gone in by_type["Deleted"].items():
        for pair in zip(gone, by_type["Added"].get(name, [])):
            twin[id(pair[0])] = twin[id(pair[1])] = pair
    done = set()
    for sub in subs:
        pair = twin.get(id(sub))
        if pair is None:
            _object_lines(sub, indent, "%s%s." % (prefix, sub.get("Name")), lines)
        elif id(pair[0]) not in done:
            done.add(id(pair[0]))
            _replaced_lines(pair[0], pair[1], indent, prefix, lines)


def summarize_plan(plan):
    """Human lines of a /v1/job/:id/plan answer's annotated Diff, in the shape of
    ``nomad job plan`` (command/job_plan.go): the job, its changed fields, each task group
    with Nomad's update annotations (``(1 create/destroy update, 1 canary)``), each task
    with its annotation (``(forces create/destroy update)``), and field changes with
    durations in human form and long values cut around the change. A job or group that
    is wholly added or deleted lists its groups and tasks, not every field."""
    diff = (plan or {}).get("Diff") or {}
    kind = diff.get("Type", "None")
    if kind == "None":
        return []
    lines = ['%s Job: "%s"' % (DIFF_MARKS.get(kind, kind), diff.get("ID"))]
    if kind == "Edited":
        _object_lines(diff, "  ", "", lines)
    for group in diff.get("TaskGroups") or []:
        gkind = group.get("Type", "None")
        updates = group_updates(group)
        if gkind == "None" and not any(n for k, n in (group.get("Updates") or {}).items() if k != "ignore"):
            continue  # nothing happens to this group
        lines.append('  %s Task Group: "%s"%s' % (DIFF_MARKS.get(gkind, gkind), group.get("Name"),
                                                  " (%s)" % updates if updates else ""))
        if gkind == "Edited":
            _object_lines(group, "    ", "", lines)
        for task in group.get("Tasks") or []:
            tkind = task.get("Type", "None")
            if tkind == "None":
                continue
            notes = ", ".join(task.get("Annotations") or [])
            lines.append('    %s Task: "%s"%s' % (DIFF_MARKS.get(tkind, tkind), task.get("Name"),
                                                  " (%s)" % notes if notes else ""))
            if tkind == "Edited":
                _object_lines(task, "      ", "", lines)
    return lines


def created_lines(job):
    """Plan lines for a job that will be created without a Nomad plan (its namespace does
    not exist yet, so Nomad cannot plan it): the job and each group with its count."""
    lines = ['+ Job: "%s"' % job.get("ID")]
    for group in job.get("TaskGroups") or []:
        count = group.get("Count", 1)
        lines.append('  + Task Group: "%s" (count %s)' % (group.get("Name"), count))
    return lines
