"""Job operations on State: register, plan, deregister, dispatch, read views.

Follows nomad/job_endpoint.go (Job.Register: EnforceIndex messages,
PreserveCounts, no eval for periodic/parameterized jobs, a new version only when
the spec changed; Job.Plan; Job.Deregister with purge; Job.Dispatch with
validateDispatchRequest and the idempotency token check) and api/jobs.go for
response shapes (JobRegisterResponse, JobPlanResponse, JobListStub, JobSummary,
JobDispatchResponse, JobVersionsResponse).
"""
import base64
import binascii
import copy
import secrets
import time

from . import cron
from . import diff as jobdiff
from . import sim
from .canonicalize import canonicalize
from .connect import admit_connect
from .errors import ApiError, multierror
from .state import now_ns
from .validate import job_errors

DISPATCH_PAYLOAD_LIMIT = 16 * 1024
SERVER_FIELDS = ("Status", "StatusDescription", "Stable", "Version", "SubmitTime",
                 "CreateIndex", "ModifyIndex", "JobModifyIndex", "VersionTag")
ENFORCE_PREFIX = "Enforcing job modify index"


def spec_of(job):
    """The job without server-managed fields (structs.Job.SpecChanged)."""
    return {k: v for k, v in job.items() if k not in SERVER_FIELDS}


def prepare(job_in):
    """Canonicalize, run the mutating admission hooks (Connect), then validate."""
    canon = admit_connect(canonicalize(job_in))
    errs = job_errors(canon)
    if errs:
        raise ApiError(500, multierror(errs))
    canon["VaultToken"] = ""
    canon["ConsulToken"] = ""
    return canon


def _namespace_exists(st, job):
    """The namespace exists and allows the job's task drivers and network modes
    (jobNamespaceConstraintCheckHook in nomad/job_endpoint_hooks.go)."""
    ns = st.namespaces.get(job["Namespace"])
    if ns is None:
        raise ApiError(500, f'job "{job["ID"]}" is in nonexistent namespace '
                            f'"{job["Namespace"]}"')
    caps = ns.get("Capabilities") or {}
    drivers = []
    modes = []
    for group in job["TaskGroups"]:
        for task in group.get("Tasks") or []:
            if not _allowed(task.get("Driver"), caps, "TaskDrivers"):
                drivers.append(task.get("Driver"))
        for net in group.get("Networks") or []:
            if not _allowed(net.get("Mode") or "host", caps, "NetworkModes"):
                modes.append(net.get("Mode") or "host")
    for found, what in ((drivers, "task driver"), (modes, "network mode")):
        if len(found) == 1:
            raise ApiError(500, f'used {what} "{found[0]}" is not allowed in namespace '
                                f'"{ns["Name"]}"')
        if found:
            quoted = " ".join(f'"{d}"' for d in found)
            raise ApiError(500, f'used {what}s [{quoted}] are not allowed in namespace '
                                f'"{ns["Name"]}"')


def warnings(st, job):
    """Job warnings (nomad/job_endpoint_hooks.go memoryOversubscriptionValidate: a
    task with memory_max while the scheduler configuration has oversubscription off),
    formatted as helper/warning.go MergeMultierrorWarnings does ("1 warning:" or
    "N warnings:", then "\n* <warning>" each); "" when there are none."""
    found = []
    if not st.sched_config["MemoryOversubscriptionEnabled"]:
        for group in job["TaskGroups"]:
            for task in group.get("Tasks") or []:
                if (task.get("Resources") or {}).get("MemoryMaxMB"):
                    found.append(f'Memory oversubscription is not enabled; Task '
                                 f'"{group["Name"]}.{task["Name"]}" memory_max value will be '
                                 f'ignored. Update the Scheduler Configuration to allow '
                                 f'oversubscription.')
    if not found:
        return ""
    head = "1 warning:\n" if len(found) == 1 else f"{len(found)} warnings:\n"
    return head + "".join(f"\n* {w}" for w in found)


def _allowed(value, caps, kind):
    enabled = caps.get(f"Enabled{kind}") or []
    if enabled and value not in enabled:
        return False
    return value not in (caps.get(f"Disabled{kind}") or [])


def register(st, job_in, *, enforce=False, jmi=0, preserve_counts=False,
             token_accessor=""):
    """Job.Register; returns the JobRegisterResponse body."""
    job = prepare(job_in)
    key = (job["Namespace"], job["ID"])
    _namespace_exists(st, job)
    existing = st.jobs.get(key)
    if enforce:
        if existing is not None:
            if jmi == 0:
                raise ApiError(500, f"{ENFORCE_PREFIX} 0: job already exists")
            if jmi != existing["JobModifyIndex"]:
                raise ApiError(500, f"{ENFORCE_PREFIX} {jmi}: job exists with conflicting "
                                    f"job modify index: {existing['JobModifyIndex']}")
        elif jmi != 0:
            raise ApiError(500, f"{ENFORCE_PREFIX} {jmi}: job does not exist")
    if existing is not None and existing.get("Type") != job["Type"]:
        raise ApiError(500, f"cannot update job from type {existing['Type']!r} to "
                            f"{job['Type']!r}")
    if existing is not None and preserve_counts:
        counts = {g["Name"]: g["Count"] for g in existing["TaskGroups"]}
        for group in job["TaskGroups"]:
            if group["Name"] in counts:
                group["Count"] = counts[group["Name"]]
    if token_accessor:
        job["NomadTokenID"] = token_accessor
    parameterized_parent = job.get("ParameterizedJob") and not job.get("Dispatched")
    wants_eval = not (job.get("Periodic") or parameterized_parent)
    changed = existing is None or spec_of(existing) != spec_of(job)
    resp = {"EvalID": "", "EvalCreateIndex": 0, "JobModifyIndex": 0,
            "Warnings": warnings(st, job),
            "Index": 0, "LastContact": 0, "KnownLeader": True, "NextToken": ""}
    if changed:
        index = st.bump("jobs", "job_summary", "job_version")
        job["SubmitTime"] = now_ns()
        job["Version"] = existing["Version"] + 1 if existing else 0
        job["CreateIndex"] = existing["CreateIndex"] if existing else index
        job["ModifyIndex"] = job["JobModifyIndex"] = index
        job["Stable"] = False
        job["Status"] = "pending"
        job["StatusDescription"] = ""
        st.jobs[key] = job
        st.versions.setdefault(key, {})[job["Version"]] = job
        resp["JobModifyIndex"] = resp["Index"] = index
    else:
        resp["JobModifyIndex"] = existing["JobModifyIndex"]
        job = existing
    if wants_eval:
        evaluation = sim.create_eval(st, job, "job-register")
        resp["EvalID"] = evaluation["ID"]
        resp["EvalCreateIndex"] = resp["Index"] = evaluation["CreateIndex"]
        if changed:
            sim.schedule(st, job, previous=existing, evaluation=evaluation)
    sim.refresh_status(st, key)
    return resp


def desired_updates(existing, job):
    """Per group api.DesiredUpdates and the TaskGroupDiff.Updates map."""
    changes = jobdiff.group_changes(existing if existing and not existing["Stop"] else None, job)
    old_counts = {g["Name"]: g["Count"] for g in (existing or {}).get("TaskGroups") or []}
    desired, updates = {}, {}
    for group in job["TaskGroups"]:
        name, count = group["Name"], group["Count"]
        old = old_counts.get(name, 0) if existing and not existing["Stop"] else 0
        du = {"Ignore": 0, "Place": 0, "Migrate": 0, "Stop": 0, "InPlaceUpdate": 0,
              "DestructiveUpdate": 0, "Canary": 0, "Preemptions": 0}
        kind = changes.get(name, "create")
        same = min(old, count)
        canaries = ((group.get("Update") or job.get("Update") or {}).get("Canary") or 0) if count else 0
        if kind == "create":
            du["Place"] = count
        elif kind == "ignore":
            du["Ignore"] = same
        elif kind == "in-place":
            du["InPlaceUpdate"] = same
        elif canaries:
            # scheduler/reconciler/reconcile_cluster.go computeGroup/computeCanaries: a
            # destructive change with update.canary places the canaries first
            # (DesiredUpdates.Canary) and ignores the allocations to replace until promotion.
            du["Canary"], du["Ignore"] = canaries, same
        else:
            du["DestructiveUpdate"] = same
        if kind != "create":
            du["Place"] += max(0, count - old)
            du["Stop"] += max(0, old - count)
        desired[name] = du
        upd = {}
        for field, label in (("Place", "create"), ("Ignore", "ignore"), ("Stop", "destroy"),
                             ("InPlaceUpdate", "in-place update"),
                             ("DestructiveUpdate", "create/destroy update"), ("Canary", "canary")):
            if du[field]:
                upd[label] = du[field]
        updates[name] = upd or None
    return desired, updates


def plan(st, job_in, want_diff):
    """Job.Plan; returns the JobPlanResponse body (nothing is changed)."""
    job = prepare(job_in)
    _namespace_exists(st, job)
    existing = st.jobs.get((job["Namespace"], job["ID"]))
    desired, updates = desired_updates(existing, job)
    try:  # only an enabled periodic job gets a launch time (Job.Plan)
        launch = cron.next_periodic_launch(job.get("Periodic"))
    except cron.CronError as exc:
        raise ApiError(500, f"Failed to parse cron expression: {exc}") from exc
    return {
        "JobModifyIndex": existing["JobModifyIndex"] if existing else 0,
        "CreatedEvals": None,
        "Diff": jobdiff.job_diff(existing, job, updates) if want_diff else None,
        "Annotations": {"DesiredTGUpdates": desired, "PreemptedAllocs": None},
        "FailedTGAllocs": None,
        "NextPeriodicLaunch": launch,
        "Warnings": warnings(st, job),
        "Index": st.index,
    }


def deregister(st, ns, job_id, purge):
    """Job.Deregister: stop (new version with Stop=true) or purge the job."""
    key = (ns, job_id)
    job = st.jobs.get(key)
    resp = {"EvalID": "", "EvalCreateIndex": 0, "JobModifyIndex": 0, "VolumeEvalID": "",
            "VolumeEvalIndex": 0, "Index": st.index, "LastContact": 0, "KnownLeader": True}
    if job is None:
        return resp
    index = st.bump("jobs", "job_summary", "job_version")
    if purge:
        del st.jobs[key]
        st.versions.pop(key, None)
    else:
        stopped = copy.deepcopy(job)
        if not job["Stop"]:
            stopped.update(Stop=True, Version=job["Version"] + 1, JobModifyIndex=index,
                           SubmitTime=now_ns(), Stable=False)
            st.versions[key][stopped["Version"]] = stopped
        stopped["ModifyIndex"] = index
        st.jobs[key] = stopped
        job = stopped
    resp["JobModifyIndex"] = resp["Index"] = index
    evaluation = None
    if not (job.get("Periodic") or (job.get("ParameterizedJob") and not job["Dispatched"])):
        evaluation = sim.create_eval(st, job, "job-deregister")
        resp["EvalID"] = evaluation["ID"]
        resp["EvalCreateIndex"] = resp["Index"] = evaluation["CreateIndex"]
    sim.stop_later(st, key, evaluation)
    if not purge:
        sim.refresh_status(st, key)
    return resp


def dispatch(st, ns, parent_id, body, idempotency_token):
    """Job.Dispatch; returns the JobDispatchResponse body."""
    parent = st.jobs.get((ns, parent_id))
    if parent is None:
        raise ApiError(404, "parameterized job not found")
    if not parent.get("ParameterizedJob") or parent.get("Dispatched"):
        raise ApiError(500, f"Specified job {parent_id!r} is not a parameterized job")
    if parent["Stop"]:
        raise ApiError(500, f"Specified job {parent_id!r} is stopped")
    try:
        payload = base64.b64decode(body.get("Payload") or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, f"Failed to decode payload: {exc}") from exc
    meta = body.get("Meta") or {}
    _check_dispatch(parent["ParameterizedJob"], payload, meta)
    if idempotency_token:
        for (cns, cid), child in st.jobs.items():
            if cns == ns and child.get("ParentID") == parent_id \
                    and child.get("DispatchIdempotencyToken") == idempotency_token:
                return {"DispatchedJobID": cid, "EvalID": "", "EvalCreateIndex": 0,
                        "JobCreateIndex": child["CreateIndex"],
                        "Index": child["ModifyIndex"], "LastContact": 0, "KnownLeader": True}
    child = copy.deepcopy(parent)
    suffix = f"{int(time.time())}-{secrets.token_hex(4)}"
    prefix = body.get("IdPrefixTemplate") or ""
    child_id = f"{parent_id}/dispatch-{prefix + '-' if prefix else ''}{suffix}"
    child.update(ID=child_id, Name=child_id, ParentID=parent_id, Dispatched=True,
                 DispatchIdempotencyToken=idempotency_token or "",
                 Payload=base64.b64encode(payload).decode() if payload else None,
                 Meta={**(parent.get("Meta") or {}), **meta} or None)
    for field in SERVER_FIELDS:
        child.pop(field, None)
    reg = register(st, child)
    created = st.jobs[(ns, child_id)]
    return {"DispatchedJobID": child_id, "EvalID": reg["EvalID"],
            "EvalCreateIndex": reg["EvalCreateIndex"], "JobCreateIndex": created["CreateIndex"],
            "Index": reg["Index"], "LastContact": 0, "KnownLeader": True}


def force_periodic(st, ns, job_id):
    """Periodic.Force: launch a child ``<id>/periodic-<unix>`` now."""
    parent = st.jobs.get((ns, job_id))
    if parent is None:
        raise ApiError(404, "job not found")
    if not parent.get("Periodic"):
        raise ApiError(400, "can't force launch non-periodic job")
    if parent["Stop"]:
        raise ApiError(500, "can't force launch a stopped job")  # not Nomad's exact words
    child_id = f"{job_id}/periodic-{int(time.time())}"
    while (ns, child_id) in st.jobs:  # one launch per second in Nomad; keep IDs unique
        child_id += "0"
    child = copy.deepcopy(parent)
    for field in SERVER_FIELDS:
        child.pop(field, None)
    child.update(ID=child_id, Name=child_id, ParentID=job_id, Periodic=None)
    reg = register(st, child)
    return {"EvalID": reg["EvalID"], "EvalCreateIndex": reg["EvalCreateIndex"],
            "Index": reg["Index"], "LastContact": 0, "KnownLeader": True}


def _check_dispatch(param, payload, meta):
    mode = param.get("Payload") or "optional"
    if mode == "required" and not payload:
        raise ApiError(500, "Payload is not provided but required by parameterized job")
    if mode == "forbidden" and payload:
        raise ApiError(500, "Payload provided but forbidden by parameterized job")
    if len(payload) > DISPATCH_PAYLOAD_LIMIT:
        raise ApiError(500, f"Payload exceeds maximum size; {len(payload)} > "
                            f"{DISPATCH_PAYLOAD_LIMIT}")
    allowed = set(param.get("MetaRequired") or []) | set(param.get("MetaOptional") or [])
    extra = sorted(k for k in meta if k not in allowed)
    if extra:
        raise ApiError(500, f"Dispatch request included unpermitted metadata keys: "
                            f"[{' '.join(extra)}]")
    missing = sorted(k for k in param.get("MetaRequired") or [] if k not in meta)
    if missing:
        raise ApiError(500, f"Dispatch did not provide required meta keys: "
                            f"[{' '.join(missing)}]")


def list_stub(st, job):
    return {
        "ID": job["ID"], "ParentID": job["ParentID"], "Name": job["Name"],
        "Namespace": job["Namespace"], "Datacenters": job["Datacenters"],
        "Type": job["Type"], "Priority": job["Priority"],
        "Periodic": job.get("Periodic") is not None,
        "ParameterizedJob": job.get("ParameterizedJob") is not None,
        "Stop": job["Stop"], "Status": job["Status"],
        "StatusDescription": job["StatusDescription"],
        "JobSummary": summary(st, job), "CreateIndex": job["CreateIndex"],
        "ModifyIndex": job["ModifyIndex"], "JobModifyIndex": job["JobModifyIndex"],
        "SubmitTime": job["SubmitTime"], "Meta": job.get("Meta") or None,
        "NodePool": job["NodePool"], "Multiregion": job.get("Multiregion"),
    }


def summary(st, job):
    """api.JobSummary computed from the job's allocations and children."""
    groups = {g["Name"]: {"Queued": 0, "Complete": 0, "Failed": 0, "Running": 0,
                          "Starting": 0, "Lost": 0, "Unknown": 0}
              for g in job["TaskGroups"]}
    for alloc in st.allocs.values():
        if (alloc["Namespace"], alloc["JobID"]) != (job["Namespace"], job["ID"]):
            continue
        bucket = groups.setdefault(alloc["TaskGroup"], dict.fromkeys(
            ("Queued", "Complete", "Failed", "Running", "Starting", "Lost", "Unknown"), 0))
        field = {"pending": "Starting", "running": "Running", "complete": "Complete",
                 "failed": "Failed", "lost": "Lost", "unknown": "Unknown"}
        bucket[field[alloc["ClientStatus"]]] += 1
    children = None
    if job.get("ParameterizedJob") or job.get("Periodic"):
        children = {"Pending": 0, "Running": 0, "Dead": 0}
        for child in st.jobs.values():
            if child.get("ParentID") == job["ID"] and child["Namespace"] == job["Namespace"]:
                children[{"pending": "Pending", "running": "Running"}.get(
                    child["Status"], "Dead")] += 1
    return {"JobID": job["ID"], "Namespace": job["Namespace"], "Summary": groups,
            "Children": children, "CreateIndex": job["CreateIndex"],
            "ModifyIndex": job["ModifyIndex"]}
