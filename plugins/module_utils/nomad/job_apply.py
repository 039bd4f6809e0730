# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reconcile one Nomad job: plan first, register only on a real difference.

Plain Python over ``NomadClient``; used by the nomad_job and nomad_jobs modules.
"""
from __future__ import annotations

from dataclasses import dataclass

from .client import NomadError
from .deploy import WaitFailed, deployment_summary, latest_deployment, needs_promotion, registration_of, wait_for_job
from . import jobs as nomad_jobs
from ansible_collections.agentfleet.hashistack.plugins.module_utils.object_result import is_changed


class JobApplyError(Exception):
    """Applying one job failed; ``result`` carries what is known so far."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


@dataclass
class JobOptions:
    """What to do with a job (defaults match the modules' documented defaults).

    ``wait_timeout``/``wait_interval`` in seconds; ``enforce_index``: a JobModifyIndex
    (int) or None; ``promote``: never, auto or now.
    """

    state: str = "present"
    purge: bool = False
    force: bool = False
    owner: str = nomad_jobs.DEFAULT_OWNER
    preserve_counts: bool = False
    enforce_index: int | None = None
    wait: bool = False
    wait_timeout: float = 300
    wait_interval: float = 1.0
    promote: str = "never"
    check_mode: bool = False
    policy_override: bool = False


def apply_job(client, job, opts, job_id=None, namespace=None):
    """Apply ``job`` (already unwrapped; None for state=absent by ``job_id``)."""
    if job is not None:
        job_id = job["ID"]
        namespace = nomad_jobs.job_namespace(job, namespace or client.namespace)
        job["Namespace"] = namespace
    namespace = namespace or client.namespace
    result = {"job_id": job_id, "namespace": namespace, "changed": False, "outcome": "unchanged"}
    existing = client.get_job(job_id, namespace)
    refusal = nomad_jobs.ownership_conflict(existing, opts.owner, opts.force)
    if refusal:
        raise JobApplyError(refusal, dict(result, owner=nomad_jobs.owner_of(existing)))
    if opts.state == "absent":
        return _absent(client, existing, opts, result)
    return _present(client, job, existing, opts, result)


def _absent(client, existing, opts, result):
    gone = existing is None or (existing.get("Stop") and not opts.purge)
    result["diff"] = {"before": nomad_jobs.readable_diff(existing, existing or {})["before"] if existing else {},
                      "after": {}}
    if gone:
        result["outcome"] = "absent"
        return result
    _settle(result, "deleted")
    if not opts.check_mode:
        resp = client.deregister_job(result["job_id"], result["namespace"], purge=opts.purge) or {}
        result["eval_id"] = resp.get("EvalID")
    return result


def _present(client, job, existing, opts, result):
    nomad_jobs.stamp_owner(job, opts.owner)
    if opts.preserve_counts and existing:
        nomad_jobs.preserve_group_counts(job, existing)
    current_index = (existing or {}).get("JobModifyIndex", 0) if existing else 0
    if opts.enforce_index is not None and opts.enforce_index != current_index:
        raise JobApplyError("enforce_index=%s but job %r in namespace %r is at JobModifyIndex %s; nothing changed"
                            % (opts.enforce_index, job["ID"], result["namespace"], current_index), result)
    plan = client.plan_job(job, result["namespace"], diff=True, policy_override=opts.policy_override)
    result["plan"] = {"diff_type": ((plan or {}).get("Diff") or {}).get("Type", "None"),
                      "changes": nomad_jobs.summarize_plan(plan),
                      "warnings": (plan or {}).get("Warnings") or "",
                      "failed_allocations": (plan or {}).get("FailedTGAllocs") or {},
                      "job_modify_index": (plan or {}).get("JobModifyIndex")}
    result["diff"] = nomad_jobs.readable_diff(existing, job)
    # Nomad's warnings on this job (e.g. memory_max while oversubscription is off): the
    # register's when it registers, else the plan's (the same admission checks).
    result["nomad_warnings"] = nomad_jobs.warning_lines((plan or {}).get("Warnings"))
    if nomad_jobs.plan_changed(plan):
        _settle(result, "updated" if existing else "created")
        if opts.check_mode:
            return result
        resp = client.register_job(job, result["namespace"], enforce_index=opts.enforce_index,
                                   preserve_counts=opts.preserve_counts,
                                   policy_override=opts.policy_override) or {}
        result.update(eval_id=resp.get("EvalID"), job_modify_index=resp.get("JobModifyIndex"),
                      nomad_warnings=nomad_jobs.warning_lines(resp.get("Warnings")))
    else:
        result["job_modify_index"] = current_index
    if opts.promote == "now":
        _promote_now(client, result, opts.check_mode)
    if opts.wait and not opts.check_mode:
        _wait(client, job, result, opts)
    return result


def _promote_now(client, result, check_mode):
    dep = latest_deployment(client, result["job_id"], result["namespace"])
    groups = needs_promotion(dep) if dep and dep.get("Status") == "running" else []
    if not groups:
        return
    result["promoted"] = groups
    if result["outcome"] == "unchanged":
        _settle(result, "promoted")
    if not check_mode:
        client.promote_deployment(dep["ID"], result["namespace"])


def _wait(client, job, result, opts):
    live = client.get_job(job["ID"], result["namespace"]) or {}
    registration = registration_of(live, result.get("job_modify_index"))
    try:
        details = wait_for_job(client, job["ID"], result["namespace"], live.get("Type") or job.get("Type") or "service",
                               registration, opts.wait_timeout, opts.wait_interval, opts.promote, job=live)
    except WaitFailed as exc:
        result.update(exc.details)
        raise JobApplyError(str(exc), result)
    result.update(details)
    if details.get("promoted") and result["outcome"] == "unchanged":
        _settle(result, "promoted")  # promoting canaries is a change of its own


def _settle(result, outcome):
    """Set ``outcome`` and ``changed`` by the one rule (``object_result.is_changed``)."""
    result.update(outcome=outcome, changed=is_changed(outcome))


def warning_messages(result):
    """One operator warning per Nomad warning in an apply_job ``result``, naming the job."""
    return ["Nomad warns about job %r (namespace %r): %s" % (result.get("job_id"), result.get("namespace"), text)
            for text in result.get("nomad_warnings") or []]


def describe_failure(exc):
    """A message for any exception raised while applying one job."""
    if isinstance(exc, (JobApplyError, NomadError, nomad_jobs.JobSpecError)):
        return str(exc)
    return "%s: %s" % (type(exc).__name__, exc)


def job_info(client, job_id, namespace):
    """Job, latest deployment and allocation summary (None when the job is missing)."""
    job = client.get_job(job_id, namespace)
    if job is None:
        return None
    allocs = client.job_allocations(job_id, namespace)
    counts = {}
    for alloc in allocs:
        counts[alloc.get("ClientStatus")] = counts.get(alloc.get("ClientStatus"), 0) + 1
    dep = None
    if job.get("Type") not in ("batch", "sysbatch", "system"):
        dep = latest_deployment(client, job_id, namespace)
    return {"id": job_id, "namespace": namespace, "status": job.get("Status"), "type": job.get("Type"),
            "version": job.get("Version"), "stop": job.get("Stop", False), "owner": nomad_jobs.owner_of(job),
            "job_modify_index": job.get("JobModifyIndex"), "job": job,
            "deployment": deployment_summary(dep), "allocations": counts}


def load_job(client, job=None, job_file=None, hcl=None, hcl_variables=None, where="job"):
    """The job dict from one source: API JSON (dict/str), a JSON or HCL file, or HCL text.

    HCL is parsed by the server (/v1/jobs/parse) with ``hcl_variables`` as HCL2 variables.
    """
    if job_file is not None:
        try:
            with open(job_file, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise nomad_jobs.JobSpecError("job_file: cannot read %r: %s" % (job_file, exc.strerror or exc))
        if text.lstrip().startswith("{"):
            return nomad_jobs.unwrap_job(text, where="job_file %s" % job_file)
        hcl, where = text, "job_file %s" % job_file
    if hcl is not None:
        try:
            parsed = client.parse_hcl(hcl, variables=hcl_variables, canonicalize=False)
        except ValueError as exc:
            raise nomad_jobs.JobSpecError("hcl_variables: %s" % exc)
        except NomadError as exc:
            if exc.status == 400:
                raise nomad_jobs.JobSpecError("%s: Nomad could not parse the HCL: %s" % (where, exc.text))
            raise
        return nomad_jobs.unwrap_job(parsed, where=where)
    return nomad_jobs.unwrap_job(job, where=where)
