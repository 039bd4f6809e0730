# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait for a registered job to settle (plain Python; client, clock and sleep injected).

The one deployment wait, used by the ``nomad_job``/``nomad_jobs`` wait, the dispatch
wait and the fleet wait phase. Service jobs: follow the deployment of the registration
(matched by ``tracks``) until it is successful, failed or cancelled; canaries are
promoted when asked (``auto``); a job Nomad creates no deployment for returns at once.
Batch jobs: follow the allocations of that version until they are all terminal.
"""
from __future__ import annotations

import time

TERMINAL_DEPLOYMENT = {"successful": True, "failed": False, "cancelled": False}
TERMINAL_ALLOC = ("complete", "failed", "lost")


class WaitFailed(Exception):
    """The job did not settle; ``details`` holds status and failed allocations."""

    def __init__(self, message, details):
        super().__init__(message)
        self.details = details


def failed_allocations(allocations, version=None, limit=5, events=5):
    """Failed allocations of ``version`` with their tasks' last events: at most ``limit``
    of them (None: all), at most ``events`` events per task.

    Each: ``{"id", "task_group", "client_status", "tasks": {task: [{"type", "message"}]}}``.
    """
    out = []
    for alloc in allocations or []:
        if version is not None and alloc.get("JobVersion") not in (None, version):
            continue
        tasks = alloc.get("TaskStates") or {}
        bad_tasks = {n: s for n, s in tasks.items() if (s or {}).get("Failed")}
        if alloc.get("ClientStatus") != "failed" and not bad_tasks:
            continue
        out.append({
            "id": alloc.get("ID"),
            "task_group": alloc.get("TaskGroup"),
            "client_status": alloc.get("ClientStatus"),
            "tasks": {
                name: [
                    {"type": ev.get("Type"),
                     "message": ev.get("DisplayMessage") or ev.get("Message") or ev.get("DriverError") or ""}
                    for ev in ((state or {}).get("Events") or [])[-events:]
                ] for name, state in (bad_tasks or tasks).items()
            },
        })
        if limit is not None and len(out) >= limit:
            break
    return out


# Task event types (nomad/structs/structs.go, the Task* TaskEvent constants) that tell
# what happened to a task after something went wrong (TaskNotRestarting, TaskRestarting,
# TaskKilling, TaskKilled...) or are its ordinary lifecycle and messages (TaskReceived,
# TaskSetup, TaskStarted, TaskDriverMessage...), not why it failed: a failure is named
# by the last event of any other type.
AFTERMATH_EVENTS = frozenset((
    "Not Restarting", "Restarting", "Killing", "Killed", "Restart Signaled", "Signaling", "Pausing",
    "Received", "Task Setup", "Started", "Building Task Directory", "Downloading Artifacts", "Driver",
    "Task hook message", "Reconnected", "Plugin became healthy"))


def failure_cause(events):
    """(type, message) of the event that says why a task failed: the last one whose type
    is not in AFTERMATH_EVENTS, else the last one; (None, "") without events.
    ``events``: the ``[{"type", "message"}]`` lists of ``failed_allocations``."""
    events = list(events or [])
    for event in reversed(events):
        if event.get("type") not in AFTERMATH_EVENTS:
            return event.get("type"), event.get("message") or ""
    return (events[-1].get("type"), events[-1].get("message") or "") if events else (None, "")


def failure_groups(allocations):
    """Identical failures counted once: ``allocations`` as ``failed_allocations`` returns
    them; one group per (task, cause event type, message) with the number of allocations
    that failed so and their ids, most frequent first.

    Each: ``{"count", "task", "event", "message", "allocations": [alloc id, ...]}``.
    """
    groups = {}
    for alloc in allocations or []:
        for task, events in sorted((alloc.get("tasks") or {}).items()):
            kind, message = failure_cause(events)
            group = groups.setdefault((task, kind or "", message), {
                "count": 0, "task": task, "event": kind, "message": message, "allocations": []})
            group["count"] += 1
            group["allocations"].append(alloc.get("id"))
    return sorted(groups.values(), key=lambda g: (-g["count"], g["task"], g["event"] or "", g["message"]))


def failure_line(group):
    """One line for a ``failure_groups`` entry: "2× task 'agent' failed: Driver Failure: image not found"."""
    what = ": ".join(part for part in (group.get("event"), group.get("message")) if part) or "no task event"
    return "%d\u00d7 task '%s' failed: %s" % (group["count"], group["task"], what)


def needs_promotion(deployment):
    """Task groups whose canaries are all placed and healthy but not yet promoted."""
    groups = []
    for name, state in sorted(((deployment or {}).get("TaskGroups") or {}).items()):
        wanted = state.get("DesiredCanaries") or 0
        if wanted and not state.get("Promoted") and (state.get("HealthyAllocs") or 0) >= wanted:
            groups.append(name)
    return groups


def deployment_summary(deployment):
    if not deployment:
        return None
    return {
        "id": deployment.get("ID"),
        "status": deployment.get("Status"),
        "status_description": deployment.get("StatusDescription"),
        "job_version": deployment.get("JobVersion"),
        "task_groups": {
            name: {k: state.get(k) for k in ("DesiredTotal", "PlacedAllocs", "HealthyAllocs", "UnhealthyAllocs",
                                             "DesiredCanaries", "PlacedCanaries", "Promoted", "AutoPromote")
                   if k in state}
            for name, state in (deployment.get("TaskGroups") or {}).items()
        },
    }


def _count(group):
    """A group's Count; unset means 1 (api/tasks.go TaskGroup.Canonicalize)."""
    count = group.get("Count")
    return 1 if count is None else count


def no_deployment_reason(job):
    """Why Nomad creates no deployment for this version of service ``job`` (api.Job
    dict), or None when it does.

    scheduler/reconciler/reconcile_cluster.go AllocReconciler.createDeployment: a task
    group joins a deployment only when it has an update strategy (MaxParallel > 0) and
    a desired count above 0; with no such group nothing is deployed.
    """
    groups = (job or {}).get("TaskGroups") or []
    if all(_count(g) == 0 for g in groups):
        return "every task group has count 0: nothing to place, so Nomad creates no deployment"
    if not any(_count(g) > 0 and ((g.get("Update") or {}).get("MaxParallel") or 0) > 0 for g in groups):
        return "no task group with a count above 0 has an update strategy, so Nomad creates no deployment"
    return None


def registration_of(job, job_modify_index=None):
    """What identifies one registration of ``job`` (api.Job dict as the server returns
    it): ``{"job_modify_index", "create_index", "version"}``.

    ``job_modify_index`` (int, optional): the register response's JobModifyIndex, when
    this run registered the job; otherwise the job's own JobModifyIndex is used.
    """
    job = job or {}
    return {"job_modify_index": job_modify_index or job.get("JobModifyIndex"),
            "create_index": job.get("CreateIndex"), "version": job.get("Version")}


def tracks(deployment, registration):
    """True when ``deployment`` was created for ``registration`` (see ``registration_of``).

    nomad/structs/deployment.go NewDeployment copies the job's JobModifyIndex (the index
    of its last *specification* change, the register's index) into JobSpecModifyIndex,
    its Version into JobVersion and its CreateIndex into JobCreateIndex; the
    deployment's own JobModifyIndex is the job's ModifyIndex, which status updates also
    bump (nomad/state/state_store.go setJobStatus), so it is not compared. The spec
    index is unique across a purge and re-create, where versions restart at 0; without
    it, version and create index together identify the registration.
    """
    index = registration.get("job_modify_index")
    if index:
        return deployment.get("JobSpecModifyIndex") == index
    create_index = registration.get("create_index")
    return deployment.get("JobVersion") == registration.get("version") and \
        (create_index is None or deployment.get("JobCreateIndex") == create_index)


def _newest(deployments):
    """The deployment with the highest CreateIndex (nomad/state/state_store.go
    LatestDeploymentByJobID: "the latest is determined strictly by CreateIndex")."""
    deployments = [d for d in deployments or [] if d]
    return max(deployments, key=lambda d: d.get("CreateIndex") or 0) if deployments else None


def latest_deployment(client, job_id, namespace):
    """The newest deployment (api.Deployment dict) of the job that exists now under this
    ID, or None: the one "latest deployment" lookup of the collection.

    Read from the job's deployment list (``GET /v1/job/:id/deployments``,
    nomad/state/state_store.go DeploymentsByJobID), which leaves out deployments whose
    JobCreateIndex is not the live job's (a purged job's, re-created under the same ID),
    then the newest by CreateIndex. ``GET /v1/job/:id/deployment`` (LatestDeploymentByJobID)
    does not leave those out, so it is not used.
    """
    return _newest(client.job_deployments(job_id, namespace))


def deployment_of(client, job_id, namespace, registration):
    """The deployment of ``registration``, or None while Nomad has not created it.

    Read from the job's deployment list (``GET /v1/job/:id/deployments``,
    nomad/state/state_store.go DeploymentsByJobID), never from "the latest deployment"
    (LatestDeploymentByJobID), which also returns a purged job's old deployments and,
    after an auto_revert, the revert's deployment instead of ours.
    """
    return _newest(d for d in client.job_deployments(job_id, namespace) or [] if tracks(d, registration))


def wait_for_job(client, job_id, namespace, job_type, registration, timeout, interval=1.0, promote="never",
                 clock=time.monotonic, sleep=time.sleep, job=None, on_progress=None):
    """Block until ``registration`` (``registration_of``) of the job settles; return a
    details dict or raise WaitFailed (``details["timed_out"]`` True on the deadline).

    ``timeout``/``interval`` in seconds. ``promote``: ``auto`` promotes healthy canaries;
    otherwise canaries of groups with ``auto_promote`` are left to Nomad and the others
    end the wait with ``awaiting_promotion``. ``job`` (the registered api.Job,
    optional): a service job for which Nomad creates no deployment returns at once with
    ``no_deployment`` set (``no_deployment_reason``). ``on_progress`` (optional):
    called as ``on_progress(details, seconds)`` after every poll that did not end the
    wait, with the details so far and the seconds waited; it must not block.

    ``details["seconds"]``: seconds this wait took (by ``clock``), also on WaitFailed.
    ``details["failure_groups"]``, with ``failed_allocations``: ``failure_groups`` of all
    the failed allocations (``failed_allocations`` keeps the first five).
    """
    start = clock()
    deadline = start + timeout
    version = registration.get("version")
    details = {"deployment": None, "promoted": [], "allocations": None, "seconds": 0.0}
    batch = job_type in ("batch", "sysbatch")
    if not batch and job is not None and no_deployment_reason(job):
        details["no_deployment"] = no_deployment_reason(job)
        return details
    while True:
        try:
            if batch:
                done = _batch_state(client, job_id, namespace, version, details)
            else:
                done = _service_state(client, job_id, namespace, registration, promote, details)
        finally:
            details["seconds"] = round(clock() - start, 1)
        if done:
            return details
        if clock() >= deadline:
            dep = details["deployment"] or {}
            details["timed_out"] = True
            _record_failures(details, client.job_allocations(job_id, namespace), dep.get("job_version", version))
            raise WaitFailed("timed out after %ss waiting for job %r (namespace %r, version %s): %s"
                             % (timeout, job_id, namespace, dep.get("job_version", version),
                                dep.get("status") or "no deployment"), details)
        if on_progress is not None:
            on_progress(details, details["seconds"])
        sleep(interval)


def _record_failures(details, allocations, version):
    """Set ``failed_allocations`` (the first five) and ``failure_groups`` (all) of ``details``."""
    every = failed_allocations(allocations, version, limit=None)
    details["failed_allocations"] = every[:5]
    details["failure_groups"] = failure_groups(every)


def _count_allocs(allocs):
    counts = {}
    for alloc in allocs:
        counts[alloc.get("ClientStatus")] = counts.get(alloc.get("ClientStatus"), 0) + 1
    return counts


def _batch_state(client, job_id, namespace, version, details):
    allocs = [a for a in client.job_allocations(job_id, namespace)
              if a.get("JobVersion") in (None, version)]
    details["allocations"] = _count_allocs(allocs)
    if not allocs or any(a.get("ClientStatus") not in TERMINAL_ALLOC for a in allocs):
        return False
    if failed_allocations(allocs, version, limit=1) or details["allocations"].get("lost"):
        _record_failures(details, allocs, version)
        raise WaitFailed("batch job %r (namespace %r) finished with failed allocations: %s"
                         % (job_id, namespace, details["allocations"]), details)
    return True


def _service_state(client, job_id, namespace, registration, promote, details):
    dep = deployment_of(client, job_id, namespace, registration)
    details["deployment"] = deployment_summary(dep)
    if not dep:
        version = registration.get("version")
        allocs = [a for a in client.job_allocations(job_id, namespace) if a.get("JobVersion") in (None, version)]
        details["allocations"] = _count_allocs(allocs)
        return False
    status = dep.get("Status")
    if status in TERMINAL_DEPLOYMENT:
        if TERMINAL_DEPLOYMENT[status]:
            return True
        _record_failures(details, client.job_allocations(job_id, namespace), dep.get("JobVersion"))
        raise WaitFailed("deployment %s of job %r (namespace %r) %s: %s"
                         % (dep.get("ID"), job_id, namespace, status, dep.get("StatusDescription") or ""), details)
    groups = needs_promotion(dep)
    if groups:
        if promote == "auto":
            client.promote_deployment(dep["ID"], namespace)
            details["promoted"] = sorted(set(details["promoted"]) | set(groups))
        elif not all((dep.get("TaskGroups") or {}).get(g, {}).get("AutoPromote") for g in groups):
            details["awaiting_promotion"] = groups
            return True  # healthy canaries wait for an operator; not a failure
    return False
