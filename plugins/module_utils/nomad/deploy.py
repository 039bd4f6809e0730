# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait for a registered job to settle (plain Python; client, clock and sleep injected).

Service jobs: follow the deployment of the registered version until it is successful,
failed or cancelled; canaries are promoted when asked (``auto``). Batch jobs (and jobs
that never get a deployment): follow the allocations of that version until they are all
terminal (batch) or running (others).
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
    """Failed allocations of ``version`` with their tasks' last events."""
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
        if len(out) >= limit:
            break
    return out


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


def wait_for_job(client, job_id, namespace, job_type, version, timeout, interval=1.0, promote="never",
                 clock=time.monotonic, sleep=time.sleep, job=None):
    """Block until the job's ``version`` settles; return a details dict or raise WaitFailed.

    ``job`` (the registered api.Job, optional): a service job whose groups all have
    count 0 gets no deployment and returns at once with ``no_deployment`` set.
    """
    deadline = clock() + timeout
    details = {"deployment": None, "promoted": [], "allocations": None}
    if job_type not in ("batch", "sysbatch") and job is not None \
            and all(_count(g) == 0 for g in job.get("TaskGroups") or []):
        details["no_deployment"] = no_deployment_reason(job)
        return details
    while True:
        if job_type in ("batch", "sysbatch"):
            done = _batch_state(client, job_id, namespace, version, details)
        else:
            done = _service_state(client, job_id, namespace, version, promote, details)
        if done:
            return details
        if clock() >= deadline:
            status = (details["deployment"] or {}).get("status") or "no deployment"
            details["failed_allocations"] = failed_allocations(
                client.job_allocations(job_id, namespace), version)
            raise WaitFailed("timed out after %ss waiting for job %r (namespace %r, version %s): %s"
                             % (timeout, job_id, namespace, version, status), details)
        sleep(interval)


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
    bad = failed_allocations(allocs, version)
    if bad or details["allocations"].get("lost"):
        details["failed_allocations"] = bad
        raise WaitFailed("batch job %r (namespace %r) finished with failed allocations: %s"
                         % (job_id, namespace, details["allocations"]), details)
    return True


def _deployment_of(client, job_id, namespace, version):
    """The deployment of ``version``: the latest one, or, once a newer version took over
    (auto_revert re-registers the last stable version), ours from the job's deployments."""
    dep = client.latest_deployment(job_id, namespace)
    if not dep or dep.get("JobVersion") in (None, version):
        return dep
    if version is None or dep.get("JobVersion") < version:
        return None  # an older version's deployment; ours is not created yet
    ours = [d for d in client.job_deployments(job_id, namespace) if d.get("JobVersion") == version]
    return max(ours, key=lambda d: d.get("CreateIndex") or 0) if ours else None


def _service_state(client, job_id, namespace, version, promote, details):
    dep = _deployment_of(client, job_id, namespace, version)
    details["deployment"] = deployment_summary(dep)
    if not dep:
        allocs = [a for a in client.job_allocations(job_id, namespace) if a.get("JobVersion") in (None, version)]
        details["allocations"] = _count_allocs(allocs)
        return False
    status = dep.get("Status")
    if status in TERMINAL_DEPLOYMENT:
        if TERMINAL_DEPLOYMENT[status]:
            return True
        details["failed_allocations"] = failed_allocations(client.job_allocations(job_id, namespace), version)
        raise WaitFailed("deployment %s of job %r (namespace %r) %s: %s"
                         % (dep.get("ID"), job_id, namespace, status, dep.get("StatusDescription") or ""), details)
    groups = needs_promotion(dep)
    if groups:
        if promote == "auto":
            client.promote_deployment(dep["ID"], namespace)
            details["promoted"] = sorted(set(details["promoted"]) | set(groups))
        else:
            details["awaiting_promotion"] = groups
            return True  # healthy canaries wait for an operator; not a failure
    return False
