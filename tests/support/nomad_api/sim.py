"""The scheduler and client simulation: evaluations, allocations, deployments.

Shapes follow api/evaluations.go (Evaluation), api/allocations.go (Allocation,
AllocationListStub, TaskState, TaskEvent, AllocDeploymentStatus) and
api/deployments.go (Deployment, DeploymentState). Behaviour follows the
"Job Specification: update" docs page (deployments for service jobs, canaries
awaiting promotion unless auto_promote, auto_revert to the last stable version on
failure) and the deployment watcher's status descriptions.

Every state change runs under State.lock (callers hold it; timers take it).
"""
import copy
import datetime

from . import nodes
from .diff import go_duration
from .state import new_id, now_ns

DESC_RUNNING = "Deployment is running"
DESC_NEEDS_PROMOTION = "Deployment is running but requires manual promotion"
DESC_SUCCESS = "Deployment completed successfully"
DESC_FAILED_ALLOCS = "Failed due to unhealthy allocations"
DESC_FAILED_MANUAL = "Deployment marked as failed"
DESC_CANCELLED_NEWER = "Cancelled due to newer version of job"
DESC_STOPPED = "Cancelled because job is stopped"
TERMINAL_CLIENT = ("complete", "failed", "lost")
# api/tasks.go TaskEvent types that a failed allocation may show
EVENT_TYPES = {"Setup Failure", "Driver Failure", "Failed Validation", "Terminated",
               "Killed", "Not Restarting", "Failed Artifact Download", "Sibling Task Failed",
               "Leader Task Dead", "Template", "Task hook failed", "Restarting"}


def create_eval(st, job, trigger):
    index = st.bump("evals")
    now = now_ns()
    evaluation = {
        "ID": new_id(), "Namespace": job["Namespace"], "Priority": job["Priority"],
        "Type": job["Type"], "TriggeredBy": trigger, "JobID": job["ID"],
        "JobModifyIndex": job["JobModifyIndex"], "NodeID": "", "NodeModifyIndex": 0,
        "DeploymentID": "", "Status": "complete", "StatusDescription": "",
        "Wait": 0, "WaitUntil": "0001-01-01T00:00:00Z", "NextEval": "", "PreviousEval": "",
        "BlockedEval": "", "RelatedEvals": None, "FailedTGAllocs": None,
        "ClassEligibility": None, "EscapedComputedClass": False, "QuotaLimitReached": "",
        "AnnotatePlan": False, "QueuedAllocations": {g["Name"]: 0 for g in job["TaskGroups"]},
        "SnapshotIndex": index, "CreateIndex": index, "ModifyIndex": index,
        "CreateTime": now, "ModifyTime": now,
    }
    st.evals[evaluation["ID"]] = evaluation
    return evaluation


def _event(kind, message="", **extra):
    event = {"Type": kind, "Time": now_ns(), "Message": message, "DisplayMessage": message,
             "Details": {}, "FailsTask": False, "RestartReason": "", "SetupError": "",
             "DriverError": "", "DriverMessage": "", "ExitCode": 0, "Signal": 0,
             "KillReason": "", "KillTimeout": 0, "KillError": "", "StartDelay": 0,
             "DownloadError": "", "ValidationError": "", "DiskLimit": 0,
             "FailedSibling": "", "VaultError": "", "TaskSignalReason": "",
             "TaskSignal": "", "GenericSource": ""}
    event.update(extra)
    return event


def _task_state(state="pending", failed=False, events=None):
    return {"State": state, "Failed": failed, "Restarts": 0, "LastRestart": None,
            "StartedAt": None, "FinishedAt": None,
            "Events": events or [_event("Received", "Task received by client")],
            "TaskHandle": None}


def _new_alloc(st, job, group, idx, evaluation, deployment, canary=False):
    index = st.bump("allocs")
    now = now_ns()
    node = nodes.place(st, job) or {"ID": "", "Name": ""}  # none eligible: stays pending
    alloc = {
        "ID": new_id(), "EvalID": evaluation["ID"] if evaluation else "",
        "Name": f"{job['ID']}.{group['Name']}[{idx}]", "Namespace": job["Namespace"],
        "NodeID": node["ID"], "NodeName": node["Name"], "JobID": job["ID"],
        "JobType": job["Type"], "JobVersion": job["Version"], "TaskGroup": group["Name"],
        "DesiredStatus": "run", "DesiredDescription": "", "ClientStatus": "pending",
        "ClientDescription": "No tasks have started",
        "TaskStates": {t["Name"]: _task_state() for t in group["Tasks"]},
        "DeploymentID": deployment["ID"] if deployment else "",
        "DeploymentStatus": ({"Healthy": None, "Timestamp": "0001-01-01T00:00:00Z",
                              "Canary": canary, "ModifyIndex": index}
                             if deployment else None),
        "FollowupEvalID": "", "RescheduleTracker": None, "PreemptedAllocations": None,
        "PreemptedByAllocation": "", "CreateIndex": index, "ModifyIndex": index,
        "AllocModifyIndex": index, "CreateTime": now, "ModifyTime": now,
        "Job": job,
    }
    st.allocs[alloc["ID"]] = alloc
    return alloc


def _touch(st, alloc):
    alloc["ModifyIndex"] = st.bump("allocs")
    alloc["ModifyTime"] = now_ns()


def _run(st, alloc, healthy=True):
    if not alloc["NodeID"]:  # not placed (no eligible node in its pool): stays pending
        return
    for state in alloc["TaskStates"].values():
        state.update(State="running", StartedAt=_rfc3339())
        state["Events"] += [_event("Task Setup", "Building Task Directory"),
                            _event("Started", "Task started by client")]
    alloc.update(ClientStatus="running", ClientDescription="Tasks are running")
    if alloc["DeploymentStatus"] is not None:
        alloc["DeploymentStatus"].update(Healthy=healthy, Timestamp=_rfc3339())
    _touch(st, alloc)


def _finish(st, alloc, failed, failed_event=None):
    for state in alloc["TaskStates"].values():
        state.update(State="dead", Failed=failed, FinishedAt=_rfc3339())
        if failed:
            state["Events"] += _failure_events(alloc, failed_event)
        else:
            state["Events"] += [_event("Terminated", "Exit Code: 0", ExitCode=0)]
    alloc.update(ClientStatus="failed" if failed else "complete",
                 ClientDescription="Failed tasks" if failed else "All tasks have completed")
    if alloc["DeploymentStatus"] is not None and failed:
        alloc["DeploymentStatus"].update(Healthy=False, Timestamp=_rfc3339())
    _touch(st, alloc)


def _failure_events(alloc, failed_event):
    group = next((g for g in alloc["Job"]["TaskGroups"] if g["Name"] == alloc["TaskGroup"]), {})
    restart = group.get("RestartPolicy") or {}
    attempts, interval = restart.get("Attempts", 2), restart.get("Interval", 0)
    driver = _event("Driver Failure", "failed to start task: simulated driver failure",
                    DriverError="failed to start task: simulated driver failure",
                    FailsTask=False)
    if isinstance(failed_event, str) and failed_event in EVENT_TYPES:
        driver.update(Type=failed_event)
    elif isinstance(failed_event, str):  # a message: the driver's error text
        driver.update(Message=failed_event, DisplayMessage=failed_event,
                      DriverError=failed_event)
    elif isinstance(failed_event, dict):
        driver.update(failed_event)
    limit = (f"Exceeded allowed attempts {attempts} in interval "
             f"{go_duration(interval)} and mode is \"fail\"")
    return [driver, _event("Not Restarting", limit, FailsTask=True, RestartReason=limit)]


def _stop_alloc(st, alloc, description):
    if alloc["DesiredStatus"] == "stop" and alloc["ClientStatus"] in TERMINAL_CLIENT:
        return
    alloc.update(DesiredStatus="stop", DesiredDescription=description)
    if alloc["ClientStatus"] not in TERMINAL_CLIENT:
        for state in alloc["TaskStates"].values():
            state.update(State="dead", FinishedAt=_rfc3339())
            state["Events"].append(_event("Killed", "Task successfully killed"))
        alloc.update(ClientStatus="complete", ClientDescription="All tasks have completed")
    _touch(st, alloc)


def _rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _job_allocs(st, key, live_only=False):
    out = [a for a in st.allocs.values() if (a["Namespace"], a["JobID"]) == key]
    if live_only:
        out = [a for a in out if a["DesiredStatus"] == "run"
               and a["ClientStatus"] not in TERMINAL_CLIENT]
    return out


def _new_deployment(st, job, canaries, names):
    index = st.bump("deployment")
    now = now_ns()
    groups = {}
    for group in job["TaskGroups"]:
        if group["Name"] not in names:
            continue
        upd = group.get("Update") or {}
        groups[group["Name"]] = {
            "AutoRevert": upd.get("AutoRevert", False),
            "AutoPromote": upd.get("AutoPromote", False),
            "ProgressDeadline": upd.get("ProgressDeadline", 0),
            "RequireProgressBy": "0001-01-01T00:00:00Z", "Promoted": False,
            "PlacedCanaries": None, "DesiredCanaries": canaries.get(group["Name"], 0),
            "DesiredTotal": group["Count"], "PlacedAllocs": 0, "HealthyAllocs": 0,
            "UnhealthyAllocs": 0}
    dep = {"ID": new_id(), "Namespace": job["Namespace"], "JobID": job["ID"],
           "JobVersion": job["Version"], "JobModifyIndex": job["JobModifyIndex"],
           "JobSpecModifyIndex": job["JobModifyIndex"], "JobCreateIndex": job["CreateIndex"],
           "IsMultiregion": False, "TaskGroups": groups, "Status": "running",
           "StatusDescription": DESC_RUNNING, "EvalPriority": job["Priority"],
           "CreateIndex": index, "ModifyIndex": index, "CreateTime": now, "ModifyTime": now}
    st.deployments[dep["ID"]] = dep
    return dep


def _set_deployment(st, dep, status, description):
    dep.update(Status=status, StatusDescription=description, ModifyTime=now_ns())
    dep["ModifyIndex"] = st.bump("deployment")


def _count_deployment(dep, allocs):
    for name, tg in dep["TaskGroups"].items():
        mine = [a for a in allocs if a["TaskGroup"] == name and a["DeploymentID"] == dep["ID"]]
        tg["PlacedAllocs"] = len(mine)
        tg["HealthyAllocs"] = sum(1 for a in mine if (a["DeploymentStatus"] or {}).get("Healthy"))
        tg["UnhealthyAllocs"] = sum(1 for a in mine
                                    if (a["DeploymentStatus"] or {}).get("Healthy") is False)
        canaries = [a["ID"] for a in mine if (a["DeploymentStatus"] or {}).get("Canary")]
        tg["PlacedCanaries"] = canaries or None


def schedule(st, job, previous, evaluation):
    """React to a new job version: place allocations, maybe a deployment."""
    key = (job["Namespace"], job["ID"])
    for dep in st.deployments.values():
        if (dep["Namespace"], dep["JobID"]) == key and dep["Status"] in ("running", "paused"):
            _set_deployment(st, dep, "cancelled", DESC_CANCELLED_NEWER)
    if job["Stop"]:
        stop_later(st, key, evaluation)
        return
    if job["Type"] in ("batch", "sysbatch"):
        outcome = st.batch_outcomes.pop(key, {"outcome": "complete"})
        allocs = [_new_alloc(st, job, g, i, evaluation, None)
                  for g in job["TaskGroups"] for i in range(g["Count"])]
        _later(st, key, lambda: _batch_progress(st, key, allocs, outcome))
        return
    old_live = _job_allocs(st, key, live_only=True)
    outcome = st.deploy_outcomes.get(key, {"outcome": "successful"})
    if outcome["outcome"] == "canary_wait" and not old_live:
        # canaries are only placed when updating a running version (update block
        # docs), so a first version deploys normally and the outcome waits
        outcome = {"outcome": "successful"}
    else:
        st.deploy_outcomes.pop(key, None)
    groups = job["TaskGroups"]
    # scheduler/reconciler/reconcile_cluster.go AllocReconciler.createDeployment: a
    # group joins a deployment only with an update strategy and a DesiredTotal above 0;
    # when no group does, no deployment is created at all (nothing is placed).
    deploying = [g["Name"] for g in groups if job["Type"] == "service" and g["Count"] > 0
                 and (g.get("Update") or {}).get("MaxParallel", 0) > 0]
    if not deploying:
        for alloc in old_live:
            _stop_alloc(st, alloc, "alloc is being updated due to job update")
        allocs = [_new_alloc(st, job, g, i, evaluation, None)
                  for g in groups for i in range(g["Count"])]
        _later(st, key, lambda: _settle_plain(st, allocs, outcome))
        return
    canaries = {}
    if old_live:
        for g in groups:
            want = (g.get("Update") or {}).get("Canary", 0)
            if outcome["outcome"] == "canary_wait":
                want = max(want, 1)
            if want:
                canaries[g["Name"]] = min(want, max(g["Count"], 1))
    dep = _new_deployment(st, job, canaries, deploying)
    if evaluation:
        evaluation["DeploymentID"] = dep["ID"]
    if canaries:
        placed = [_new_alloc(st, job, g, i, evaluation, dep, canary=True)
                  for g in groups for i in range(canaries.get(g["Name"], 0))]
        groups_wo = [g for g in groups if g["Name"] not in canaries]
        placed += [_new_alloc(st, job, g, i, evaluation, dep)
                   for g in groups_wo for i in range(g["Count"])]
    else:
        placed = [_new_alloc(st, job, g, i, evaluation, dep)
                  for g in groups for i in range(g["Count"])]
    _count_deployment(dep, placed)
    _later(st, key, lambda: _deploy_progress(st, key, dep, placed, outcome))


def _settle_plain(st, allocs, outcome):
    """Allocations of a job without a deployment: run, fail or stay pending."""
    for alloc in allocs:
        if alloc["DesiredStatus"] != "run" or outcome["outcome"] == "stuck":
            continue
        if outcome["outcome"] == "failed":
            _finish(st, alloc, failed=True, failed_event=outcome.get("failed_task_event"))
        else:
            _run(st, alloc)


def _later(st, key, step):
    """Run ``step`` after the settle delay, then recompute the job status."""
    def run():
        step()
        refresh_status(st, key)
    st.after(st.settle_delay, run)


def _deploy_progress(st, key, dep, placed, outcome):
    if dep["Status"] != "running":
        return
    kind = outcome["outcome"]
    live = [a for a in placed if a["DesiredStatus"] == "run"]
    if kind == "stuck":
        return
    if kind == "failed":
        for alloc in live:
            _finish(st, alloc, failed=True, failed_event=outcome.get("failed_task_event"))
        _count_deployment(dep, list(st.allocs.values()))
        fail_deployment(st, dep, DESC_FAILED_ALLOCS)
        return
    for alloc in live:
        _run(st, alloc)
    _count_deployment(dep, list(st.allocs.values()))
    if any(tg["DesiredCanaries"] for tg in dep["TaskGroups"].values()):
        auto = all(tg["AutoPromote"] for tg in dep["TaskGroups"].values()
                   if tg["DesiredCanaries"]) and kind != "canary_wait"
        if auto:
            promote(st, dep, None)
        else:
            _set_deployment(st, dep, "running", DESC_NEEDS_PROMOTION)
        return
    _succeed(st, key, dep)


def _succeed(st, key, dep):
    for alloc in _job_allocs(st, key, live_only=True):
        if alloc["JobVersion"] < dep["JobVersion"] or (
                alloc["DeploymentID"] != dep["ID"] and alloc["JobVersion"] != dep["JobVersion"]):
            _stop_alloc(st, alloc, "alloc is being updated due to job update")
    _count_deployment(dep, list(st.allocs.values()))
    _set_deployment(st, dep, "successful", DESC_SUCCESS)
    _mark_stable(st, key, dep["JobVersion"])
    refresh_status(st, key)


def _mark_stable(st, key, version):
    job = st.versions.get(key, {}).get(version)
    if job is None:
        return
    job["Stable"] = True
    current = st.jobs.get(key)
    if current is not None and current["Version"] == version:
        current["Stable"] = True
        current["ModifyIndex"] = st.bump("jobs", "job_version")


def promote(st, dep, groups):
    """Promote canaries (all groups, or the listed ones) and finish the rollout."""
    key = (dep["Namespace"], dep["JobID"])
    job = st.versions.get(key, {}).get(dep["JobVersion"])
    for name, tg in dep["TaskGroups"].items():
        if groups and name not in groups or not tg["DesiredCanaries"]:
            continue
        tg["Promoted"] = True
        group = next(g for g in job["TaskGroups"] if g["Name"] == name)
        have = len(tg["PlacedCanaries"] or [])
        extra = [_new_alloc(st, job, group, i, None, dep) for i in range(have, group["Count"])]
        for alloc in extra:
            _run(st, alloc)
    _count_deployment(dep, list(st.allocs.values()))
    if all(tg["Promoted"] or not tg["DesiredCanaries"] for tg in dep["TaskGroups"].values()):
        _succeed(st, key, dep)


def fail_deployment(st, dep, description):
    """Fail a deployment; with auto_revert, roll back to the last stable version."""
    key = (dep["Namespace"], dep["JobID"])
    revert = any(tg["AutoRevert"] for tg in dep["TaskGroups"].values())
    stable = None
    if revert:
        versions = st.versions.get(key, {})
        stable = next((versions[v] for v in sorted(versions, reverse=True)
                       if v < dep["JobVersion"] and versions[v]["Stable"]), None)
    if stable is not None:
        description = f"{description} - rolling back to job version {stable['Version']}"
    _set_deployment(st, dep, "failed", description)
    if stable is not None:
        from . import jobs  # jobs imports this module; resolve at call time
        spec = copy.deepcopy(stable)
        for field in jobs.SERVER_FIELDS:
            spec.pop(field, None)
        jobs.register(st, spec)
    refresh_status(st, key)


def _batch_progress(st, key, allocs, outcome):
    live = [a for a in allocs if a["DesiredStatus"] == "run"]
    for alloc in live:
        _run(st, alloc)
    if outcome["outcome"] == "running":
        return
    failed = outcome["outcome"] == "failed"
    event = outcome.get("failed_task_event")
    _later(st, key, lambda: _batch_finish(st, key, live, failed, event))


def _batch_finish(st, key, allocs, failed, event):
    for alloc in allocs:
        if alloc["DesiredStatus"] == "run":
            _finish(st, alloc, failed=failed, failed_event=event)
    refresh_status(st, key)


TERMINAL_EVAL = ("complete", "failed", "canceled")


def stop_later(st, key, evaluation):
    """A stop (deregister, or a register with Stop=true) as the real cluster does it:
    the RPC only writes the stopped (or, with purge, deletes the) job and an evaluation
    (nomad/job_endpoint.go Job.Deregister); the scheduler stops the allocations when
    it processes that evaluation and the client kills the tasks afterwards. Until
    then the job stays non-terminal (refresh_status). ``st.stop_delay`` seconds later
    the allocations stop, the evaluation completes and the job becomes ``dead``."""
    if evaluation is not None:
        evaluation["Status"] = "pending"

    def run():
        job = st.jobs.get(key)
        if job is None:  # purged: stop, then garbage-collect (real GC runs later)
            purge_job(st, key)
        elif job["Stop"]:  # not re-registered meanwhile
            stop_job(st, key)
        if evaluation is not None:
            evaluation.update(Status="complete", ModifyTime=now_ns())
            evaluation["ModifyIndex"] = st.bump("evals")
        refresh_status(st, key)
    st.after(st.stop_delay, run)


def stop_job(st, key):
    for alloc in _job_allocs(st, key, live_only=True):
        _stop_alloc(st, alloc, "alloc not needed due to job update")
    for dep in st.deployments.values():
        if (dep["Namespace"], dep["JobID"]) == key and dep["Status"] == "running":
            _set_deployment(st, dep, "cancelled", DESC_STOPPED)


def purge_job(st, key):
    stop_job(st, key)
    for alloc_id in [a["ID"] for a in _job_allocs(st, key)]:
        del st.allocs[alloc_id]
    for dep_id in [d["ID"] for d in st.deployments.values()
                   if (d["Namespace"], d["JobID"]) == key]:
        del st.deployments[dep_id]
    st.bump("allocs", "deployment")


def refresh_status(st, key):
    """Recompute the job's Status as the state store does from its allocs."""
    job = st.jobs.get(key)
    if job is None:
        return
    allocs = _job_allocs(st, key)
    live = [a for a in allocs if a["DesiredStatus"] == "run"]
    if job["Stop"]:
        status = _stopped_status(st, key, job, allocs)
    elif job.get("Periodic") or (job.get("ParameterizedJob") and not job["Dispatched"]):
        status = "running"
    elif any(a["ClientStatus"] == "running" for a in live):
        status = "running"
    elif any(a["ClientStatus"] == "pending" for a in live):
        status = "pending"
    elif allocs and job["Type"] in ("batch", "sysbatch"):
        status = "dead"
    else:  # nothing live: getJobStatus's deployment, then evaluation checks
        status = _stopped_status(st, key, job, allocs)
    if job["Status"] != status:
        job["Status"] = status
        job["ModifyIndex"] = st.bump("jobs", "job_summary")


def _stopped_status(st, key, job, allocs):
    """Status of a stopped job, or of one with nothing live (nomad/state/state_store.go
    getJobStatus): periodic and parameterized parents are dead at once when stopped;
    otherwise the job is running while a
    deployment is not terminal or an allocation is not terminal (Allocation.TerminalStatus
    in nomad/structs/alloc.go: desired stop/evict, or a terminal client status), pending
    while an evaluation is not terminal, and dead after that."""
    if job.get("Periodic") or (job.get("ParameterizedJob") and not job["Dispatched"]):
        return "dead"
    if any((d["Namespace"], d["JobID"]) == key and d["Status"] in ("running", "paused", "pending")
           for d in st.deployments.values()):
        return "running"
    if any(a["DesiredStatus"] == "run" and a["ClientStatus"] not in TERMINAL_CLIENT
           for a in allocs):
        return "running"
    if any((e["Namespace"], e["JobID"]) == key and e["Status"] not in TERMINAL_EVAL
           for e in st.evals.values()):
        return "pending"
    return "dead"


def alloc_stub(alloc):
    return {k: v for k, v in alloc.items() if k != "Job"}
