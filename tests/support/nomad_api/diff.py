"""Plan diffs shaped like Nomad's api.JobDiff (api/jobs.go JobDiff,
TaskGroupDiff, TaskDiff, ObjectDiff, FieldDiff; computed as in
nomad/structs/diff.go with contextual=true, which `Job.Plan` uses).

Type is one of None / Added / Deleted / Edited. Primitive fields (and maps of
primitives, flattened as ``Name[key]``) are FieldDiffs; nested structs and lists
are ObjectDiffs; task groups and tasks are matched by name. Server-managed job
fields are left out, as Nomad's Job.Diff does.
"""
NONE, ADDED, DELETED, EDITED = "None", "Added", "Deleted", "Edited"

# Job fields structs.Job.Diff filters out (server-managed or secret).
JOB_EXCLUDED = {"ID", "Status", "StatusDescription", "Version", "Stable", "CreateIndex",
                "ModifyIndex", "JobModifyIndex", "Update", "SubmitTime", "NomadTokenID",
                "VaultToken", "ConsulToken", "Payload", "TaskGroups",
                "DispatchIdempotencyToken", "VersionTag"}
GROUP_EXCLUDED = {"Name", "Tasks"}
TASK_EXCLUDED = {"Name"}
_SINGULAR = {"Constraints": "Constraint", "Affinities": "Affinity", "Spreads": "Spread",
             "Services": "Service", "Checks": "Check", "Templates": "Template",
             "Artifacts": "Artifact", "Networks": "Network", "ReservedPorts": "Static Port",
             "DynamicPorts": "Dynamic Port", "VolumeMounts": "VolumeMount",
             "Identities": "Identity", "Devices": "Device", "Actions": "Action",
             "ScalingPolicies": "ScalingPolicy", "SpreadTarget": "SpreadTarget",
             "Links": "Link"}


def go_duration(ns):
    """Format integer nanoseconds like Go's time.Duration.String()."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _trim(ns / size) + unit
    hours, rem = divmod(ns, 3_600_000_000_000)
    minutes, rem = divmod(rem, 60_000_000_000)
    seconds = _trim(rem / 1_000_000_000) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _trim(number):
    text = f"{number:.9f}".rstrip("0").rstrip(".")
    return text or "0"


def _fmt(name, value):
    """Values as helper/flatmap prints them: %v of the Go value, so durations
    are integer nanoseconds ("30000000000") and bools "true"/"false"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_primitive(value):
    return value is None or isinstance(value, (str, int, float, bool))


FREEFORM = {"Config", "Policy", "Target"}  # map[string]any fields, diffed as flatmaps
# map[string]string fields, flattened into FieldDiffs named Name[key]
STRING_MAPS = {"Meta", "Env", "CanaryMeta", "TaggedAddresses", "GetterOptions",
               "GetterHeaders"}


def _flatmap(value, prefix, out):
    """Flatten free-form config like Nomad's flatmap: a.b, list[0]."""
    if isinstance(value, dict):
        for key, item in value.items():
            _flatmap(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _flatmap(item, f"{prefix}[{i}]", out)
    else:
        out[prefix] = value
    return out


def _freeform_diff(name, old, new):
    old_flat, new_flat = _flatmap(old or {}, "", {}), _flatmap(new or {}, "", {})
    fields = []
    for key in sorted(set(old_flat) | set(new_flat)):
        ov, nv = old_flat.get(key), new_flat.get(key)
        if key in old_flat and key in new_flat:
            typ = NONE if _fmt(key, ov) == _fmt(key, nv) else EDITED
        else:
            typ = ADDED if key in new_flat else DELETED
        fields.append({"Type": typ, "Name": key, "Old": _fmt(key, ov) if key in old_flat else "",
                       "New": _fmt(key, nv) if key in new_flat else "", "Annotations": None})
    typ = ADDED if old is None else DELETED if new is None else EDITED
    return {"Type": typ, "Name": name, "Fields": fields, "Objects": []}


def _flatten(obj, excluded):
    """Primitive fields (maps of primitives flattened as Name[key])."""
    flat = {}
    for key, value in (obj or {}).items():
        if key in excluded or key in FREEFORM:
            continue
        if _is_primitive(value):
            flat[key] = value
        elif key in STRING_MAPS and isinstance(value, dict):
            for sub, item in value.items():
                flat[f"{key}[{sub}]"] = item
    return flat


def _field_diffs(old, new, excluded):
    old_flat, new_flat = _flatten(old, excluded), _flatten(new, excluded)
    out = []
    for name in sorted(set(old_flat) | set(new_flat)):
        in_old, in_new = name in old_flat, name in new_flat
        base = name.split("[")[0]
        ov, nv = _fmt(base, old_flat.get(name)), _fmt(base, new_flat.get(name))
        if in_old and in_new:
            typ = NONE if ov == nv else EDITED
        elif in_new:
            typ = ADDED if nv != "" else NONE
        else:
            typ = DELETED if ov != "" else NONE
        out.append({"Type": typ, "Name": name, "Old": ov if in_old else "",
                    "New": nv if in_new else "", "Annotations": None})
    return out


def _object_diffs(old, new, excluded):
    out = []
    keys = sorted(set(old or {}) | set(new or {}))
    for key in keys:
        if key in excluded:
            continue
        ov, nv = (old or {}).get(key), (new or {}).get(key)
        if key in FREEFORM and (isinstance(ov, dict) or isinstance(nv, dict)):
            if ov != nv:
                out.append(_freeform_diff(key, ov, nv))
            continue
        if _is_primitive(ov) and _is_primitive(nv):
            continue
        if key in STRING_MAPS:
            continue  # flattened into fields
        if ov == nv:
            continue
        out.extend(_value_diff(key, ov, nv))
    return out


def _value_diff(name, ov, nv):
    if isinstance(ov, list) or isinstance(nv, list):
        return _list_diff(name, ov or [], nv or [])
    return [_struct_diff(name, ov, nv)]


def _struct_diff(name, ov, nv):
    typ = ADDED if ov is None else DELETED if nv is None else EDITED
    fields = _field_diffs(ov, nv, set()) if isinstance(ov or nv, dict) else []
    objects = _object_diffs(ov, nv, set()) if isinstance(ov or nv, dict) else []
    if not isinstance(ov or nv, dict):  # opaque value of an `any` field
        fields = [{"Type": typ, "Name": name, "Old": _fmt(name, ov), "New": _fmt(name, nv),
                   "Annotations": None}]
    return {"Type": typ, "Name": name, "Fields": fields, "Objects": objects}


def _list_diff(name, old, new):
    singular = _SINGULAR.get(name, name)
    if all(_is_primitive(v) for v in old + new):
        fields = []
        for value in sorted({_fmt(name, v) for v in old + new}):
            was = value in {_fmt(name, v) for v in old}
            now = value in {_fmt(name, v) for v in new}
            typ = NONE if was and now else ADDED if now else DELETED
            fields.append({"Type": typ, "Name": name, "Old": value if was else "",
                           "New": value if now else "", "Annotations": None})
        return [{"Type": EDITED, "Name": name, "Fields": fields, "Objects": []}]
    key = "Name" if all(isinstance(v, dict) and v.get("Name") for v in old + new) else None
    if key is None and all(isinstance(v, dict) and v.get("Label") for v in old + new):
        key = "Label"
    out = []
    if key:
        old_by = {v[key]: v for v in old}
        new_by = {v[key]: v for v in new}
        for item in sorted(set(old_by) | set(new_by)):
            if old_by.get(item) != new_by.get(item):
                out.append(_struct_diff(singular, old_by.get(item), new_by.get(item)))
        return out
    for item in old:
        if item not in new:
            out.append(_struct_diff(singular, item, None))
    for item in new:
        if item not in old:
            out.append(_struct_diff(singular, None, item))
    return out


def _overall(fields, objects, children=()):
    changed = any(f["Type"] != NONE for f in fields) or bool(objects) \
        or any(c["Type"] != NONE for c in children)
    return EDITED if changed else NONE


def _task_diff(old, new):
    name = (old or new)["Name"]
    fields = _field_diffs(old, new, TASK_EXCLUDED)
    objects = _object_diffs(old, new, TASK_EXCLUDED)
    if old is None or new is None:
        typ = ADDED if old is None else DELETED
    else:
        typ = _overall(fields, objects)
    annotations = None
    if typ == ADDED:
        annotations = ["forces create"]
    elif typ == DELETED:
        annotations = ["forces destroy"]
    elif typ == EDITED:
        annotations = ["forces create/destroy update"]
    return {"Type": typ, "Name": name, "Fields": fields, "Objects": objects,
            "Annotations": annotations}


def _group_diff(old, new, updates):
    name = (old or new)["Name"]
    fields = _field_diffs(old, new, GROUP_EXCLUDED)
    objects = _object_diffs(old, new, GROUP_EXCLUDED)
    old_tasks = {t["Name"]: t for t in (old or {}).get("Tasks") or []}
    new_tasks = {t["Name"]: t for t in (new or {}).get("Tasks") or []}
    tasks = [_task_diff(old_tasks.get(n), new_tasks.get(n))
             for n in sorted(set(old_tasks) | set(new_tasks))]
    if old is None or new is None:
        typ = ADDED if old is None else DELETED
    else:
        typ = _overall(fields, objects, tasks)
    return {"Type": typ, "Name": name, "Fields": fields, "Objects": objects,
            "Tasks": tasks, "Updates": updates.get(name)}


def job_diff(old, new, updates=None):
    """api.JobDiff between two canonical jobs (either may be None)."""
    updates = updates or {}
    job_id = (new or old)["ID"]
    fields = _field_diffs(old, new, JOB_EXCLUDED)
    objects = _object_diffs(old, new, JOB_EXCLUDED)
    old_groups = {g["Name"]: g for g in (old or {}).get("TaskGroups") or []}
    new_groups = {g["Name"]: g for g in (new or {}).get("TaskGroups") or []}
    groups = [_group_diff(old_groups.get(n), new_groups.get(n), updates)
              for n in sorted(set(old_groups) | set(new_groups))]
    if old is None:
        typ = ADDED
    elif new is None:
        typ = DELETED
    else:
        typ = _overall(fields, objects, groups)
    return {"Type": typ, "ID": job_id, "Fields": fields, "Objects": objects,
            "TaskGroups": groups}


def group_changes(old, new):
    """Per task group: 'create' | 'destroy' | 'ignore' | 'in-place' | 'destructive'."""
    old_groups = {g["Name"]: g for g in (old or {}).get("TaskGroups") or []}
    new_groups = {g["Name"]: g for g in (new or {}).get("TaskGroups") or []}
    out = {}
    for name in set(old_groups) | set(new_groups):
        og, ng = old_groups.get(name), new_groups.get(name)
        if og is None:
            out[name] = "create"
        elif ng is None:
            out[name] = "destroy"
        elif og.get("Tasks") != ng.get("Tasks") or _strip(og) != _strip(ng):
            out[name] = "destructive"
        elif og != ng:
            out[name] = "in-place"
        else:
            out[name] = "ignore"
    return out


def _strip(group):
    return {k: v for k, v in group.items() if k not in ("Count", "Update", "Tasks")}
