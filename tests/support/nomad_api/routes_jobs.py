"""Job endpoints ("Jobs HTTP API" docs page: /v1/jobs, /v1/job/:job_id/...)."""
import re

from . import jobs
from . import parse_hcl
from .canonicalize import canonicalize
from .connect import admit_connect
from .diff import job_diff
from .errors import ApiError, denied, multierror
from .server import strict
from .sim import alloc_stub
from .validate import http_register_errors, job_errors

JOB = r"/v1/job/(?P<id>[^?]+?)"


def _need(req, namespace, capability):
    if not req.acl.allow_ns(namespace, capability):
        raise denied()


def _get_job(req, missing="job not found"):
    job = req.st.jobs.get((req.namespace, req.params["id"]))
    if job is None:
        raise ApiError(404, missing)
    return job


def _job_key(req):
    """For sub-resources that Nomad answers without checking the job exists
    (allocations, deployment(s), evaluations: empty list / null)."""
    return (req.namespace, req.params["id"])


def list_jobs(req):
    """GET /v1/jobs (Jobs HTTP API: List Jobs; prefix, namespace incl. "*", meta)."""
    req.block("jobs")
    ns = req.namespace
    prefix = req.query.get("prefix", "")
    with req.st.lock:
        if ns != "*":
            _need(req, ns, "list-jobs")
        out = []
        for (jns, jid), job in sorted(req.st.jobs.items()):
            if ns != "*" and jns != ns:
                continue
            if ns == "*" and not req.acl.allow_ns(jns, "list-jobs"):
                continue
            if jid.startswith(prefix):
                stub = jobs.list_stub(req.st, job)
                if not req.bool_param("meta"):
                    stub.pop("Meta")
                out.append(stub)
        req.set_index(req.st.table_index("jobs"))
        return out


def _register(req, path_id=None):
    body = strict(req.json(), "JobRegisterRequest")
    job = body.get("Job")
    if job is None:
        raise ApiError(400, "Job must be specified")
    if job.get("ID") is None:
        raise ApiError(400, "Job ID hasn't been provided")
    if path_id is not None and job["ID"] != path_id:
        raise ApiError(400, "Job ID does not match name")
    http_register_errors(body)
    job = dict(job)
    if not job.get("Namespace"):
        job["Namespace"] = req.namespace
    if job.get("Region") not in (None, "", "global"):
        raise ApiError(500, "No path to region")
    with req.st.lock:
        _need(req, job["Namespace"], "submit-job")
        if body.get("PolicyOverride"):
            _need(req, job["Namespace"], "sentinel-override")
        if req.st.sched_config["RejectJobRegistration"] and not req.acl.management:
            raise ApiError(403, "Job registration, dispatch, and scale are disabled by the "
                                "scheduler configuration")
        resp = jobs.register(req.st, job, enforce=bool(body.get("EnforceIndex")),
                             jmi=body.get("JobModifyIndex") or 0,
                             preserve_counts=bool(body.get("PreserveCounts")),
                             token_accessor=(req.token or {}).get("AccessorID", ""))
        req.set_index(resp["Index"])
        return resp


def register_jobs(req):
    """PUT/POST /v1/jobs (Jobs HTTP API: Create Job; api.JobRegisterRequest)."""
    return _register(req)


def register_job(req):
    """POST/PUT /v1/job/:job_id (Jobs HTTP API: Update Existing Job)."""
    return _register(req, req.params["id"])


def parse_job(req):
    """POST /v1/jobs/parse (Jobs HTTP API: Parse Job) for an HCL2 subset."""
    body = strict(req.json(), "JobsParseRequest")
    with req.st.lock:
        if not (req.acl.allow_ns(req.namespace, "parse-job")
                or req.acl.allow_ns(req.namespace, "read-job")):
            raise denied()
    if body.get("hclv1"):  # api.JobsParseRequest json:"hclv1"
        raise ApiError(400, "HCLv1 parsing is not supported by the contract server")
    job = parse_hcl.parse_job(body.get("JobHCL") or "", body.get("Variables") or "")
    if body.get("Canonicalize"):
        job = canonicalize(job)
    return job


def read_job(req):
    """GET /v1/job/:job_id (Jobs HTTP API: Read Job; api.Job)."""
    with req.st.lock:
        _need(req, req.namespace, "read-job")
        req.block("jobs")
        job = _get_job(req)
        req.set_index(job["ModifyIndex"])
        return job


def delete_job(req):
    """DELETE /v1/job/:job_id?purge= (Jobs HTTP API: Stop a Job)."""
    with req.st.lock:
        _need(req, req.namespace, "submit-job")
        resp = jobs.deregister(req.st, req.namespace, req.params["id"],
                               req.bool_param("purge"))
        req.set_index(resp["Index"])
        return resp


def plan_job(req):
    """POST/PUT /v1/job/:job_id/plan (Jobs HTTP API: Create Job Plan)."""
    body = strict(req.json(), "JobPlanRequest")
    job = body.get("Job")
    if job is None:
        raise ApiError(400, "Job must be specified")
    if job.get("ID") is None:  # command/agent/job_endpoint.go jobPlan
        raise ApiError(400, "Job must have a valid ID")
    if job.get("ID") != req.params["id"]:
        raise ApiError(400, "Job ID does not match")
    job = dict(job)
    if not job.get("Namespace"):
        job["Namespace"] = req.namespace
    if job.get("Region") not in (None, "", "global"):  # the RPC cannot be forwarded
        raise ApiError(500, "No path to region")
    with req.st.lock:
        _need(req, job["Namespace"], "submit-job")
        resp = jobs.plan(req.st, job, bool(body.get("Diff")))
        req.set_index(resp["Index"])
        return resp


def job_versions(req):
    """GET /v1/job/:job_id/versions?diffs= (api.JobVersionsResponse)."""
    with req.st.lock:
        _need(req, req.namespace, "read-job")
        req.block("jobs", "job_version")
        job = _get_job(req, "job versions not found")
        versions = req.st.versions.get((job["Namespace"], job["ID"]), {})
        ordered = [versions[v] for v in sorted(versions, reverse=True)]
        diffs = None
        if req.bool_param("diffs"):
            diffs = [job_diff(ordered[i + 1], ordered[i]) for i in range(len(ordered) - 1)]
        req.set_index(job["ModifyIndex"])
        return {"Versions": ordered, "Diffs": diffs, "Index": job["ModifyIndex"],
                "LastContact": 0, "KnownLeader": True, "NextToken": ""}


def job_allocations(req):
    """GET /v1/job/:job_id/allocations?all= (api.AllocationListStub list)."""
    with req.st.lock:
        _need(req, req.namespace, "read-job")
        req.block("allocs")
        key = _job_key(req)
        allocs = [alloc_stub(a) for a in req.st.allocs.values()
                  if (a["Namespace"], a["JobID"]) == key]
        req.set_index(req.st.table_index("allocs"))
        return sorted(allocs, key=lambda a: a["CreateIndex"], reverse=True)


def _deployments_of(req, key):
    deps = [d for d in req.st.deployments.values() if (d["Namespace"], d["JobID"]) == key]
    return sorted(deps, key=lambda d: d["CreateIndex"], reverse=True)


def job_deployments(req):
    """GET /v1/job/:job_id/deployments (api.Deployment list, newest first)."""
    with req.st.lock:
        _need(req, req.namespace, "read-job")
        req.block("deployment")
        deps = _deployments_of(req, _job_key(req))
        req.set_index(req.st.table_index("deployment"))
        return deps


def job_deployment(req):
    """GET /v1/job/:job_id/deployment (latest api.Deployment or null)."""
    with req.st.lock:
        _need(req, req.namespace, "read-job")
        req.block("deployment")
        deps = _deployments_of(req, _job_key(req))
        req.set_index(req.st.table_index("deployment"))
        return deps[0] if deps else None


def job_evaluations(req):
    """GET /v1/job/:job_id/evaluations (api.Evaluation list)."""
    with req.st.lock:
        _need(req, req.namespace, "read-job")
        req.block("evals")
        key = _job_key(req)
        req.set_index(req.st.table_index("evals"))
        return [e for e in req.st.evals.values() if (e["Namespace"], e["JobID"]) == key]


def job_summary(req):
    """GET /v1/job/:job_id/summary (api.JobSummary)."""
    with req.st.lock:
        _need(req, req.namespace, "read-job")
        req.block("job_summary", "allocs")
        job = _get_job(req)
        req.set_index(req.st.table_index("job_summary", "allocs"))
        return jobs.summary(req.st, job)


def dispatch_job(req):
    """POST/PUT /v1/job/:job_id/dispatch (Jobs HTTP API: Dispatch Job;
    ``idempotency_token`` query parameter, 16 KiB payload limit)."""
    body = strict(req.json(required=False), "JobDispatchRequest")
    with req.st.lock:
        _need(req, req.namespace, "dispatch-job")
        if req.st.sched_config["RejectJobRegistration"] and not req.acl.management:
            raise ApiError(403, "Job registration, dispatch, and scale are disabled by the "
                                "scheduler configuration")
        token = req.query.get("idempotency_token") or body.get("IdempotencyToken") or ""
        resp = jobs.dispatch(req.st, req.namespace, req.params["id"], body, token)
        req.set_index(resp["Index"])
        return resp


def validate_job(req):
    """PUT/POST /v1/validate/job (Validate Job; api.JobValidateResponse, read-job)."""
    body = strict(req.json(), "JobValidateRequest")
    job = dict(body.get("Job") or {})
    if not job.get("Namespace"):
        job["Namespace"] = req.namespace
    canon = admit_connect(canonicalize(job))  # Job.Validate runs the admission mutators first
    with req.st.lock:
        _need(req, job["Namespace"], "read-job")
        warned = jobs.warnings(req.st, canon) if canon.get("TaskGroups") else ""
    errors = job_errors(canon)
    return {"DriverConfigValidated": False, "ValidationErrors": errors or None,
            "Error": multierror(errors) if errors else "", "Warnings": warned}


def force_periodic(req):
    """POST/PUT /v1/job/:job_id/periodic/force (Force New Periodic Instance;
    needs submit-job)."""
    with req.st.lock:
        _need(req, req.namespace, "submit-job")
        resp = jobs.force_periodic(req.st, req.namespace, req.params["id"])
        req.set_index(resp["Index"])
        return resp


def scale_status(req):
    """GET /v1/job/:job_id/scale (api.JobScaleStatusResponse)."""
    with req.st.lock:
        if not (req.acl.allow_ns(req.namespace, "read-job")
                or req.acl.allow_ns(req.namespace, "read-job-scaling")):
            raise denied()
        job = _get_job(req)
        groups = {}
        for group in job["TaskGroups"]:
            live = [a for a in req.st.allocs.values()
                    if (a["Namespace"], a["JobID"], a["TaskGroup"]) ==
                    (job["Namespace"], job["ID"], group["Name"]) and a["DesiredStatus"] == "run"]
            groups[group["Name"]] = {
                "Desired": group["Count"], "Placed": len(live),
                "Running": sum(1 for a in live if a["ClientStatus"] == "running"),
                "Healthy": sum(1 for a in live if (a["DeploymentStatus"] or {}).get("Healthy")),
                "Unhealthy": sum(1 for a in live
                                 if (a["DeploymentStatus"] or {}).get("Healthy") is False),
                "Events": None}
        req.set_index(job["ModifyIndex"])
        return {"JobID": job["ID"], "Namespace": job["Namespace"],
                "JobCreateIndex": job["CreateIndex"], "JobModifyIndex": job["ModifyIndex"],
                "JobStopped": job["Stop"], "TaskGroups": groups}


def scale_job(req):
    """POST/PUT /v1/job/:job_id/scale (api.ScalingRequest; Job.Scale: a new job
    version, refused while a deployment is active or outside the scaling policy)."""
    body = strict(req.json(), "ScalingRequest")
    group_name = (body.get("Target") or {}).get("Group")
    if not group_name:
        raise ApiError(400, "missing task group name for scaling action")
    with req.st.lock:
        if not (req.acl.allow_ns(req.namespace, "scale-job")
                or req.acl.allow_ns(req.namespace, "submit-job")):
            raise denied()
        job = _get_job(req, f'job "{req.params["id"]}" not found')
        groups = [g for g in job["TaskGroups"] if g["Name"] == group_name]
        if not groups:
            raise ApiError(400, f"task group {group_name!r} specified for scaling does not exist "
                                f"in job")
        count = body.get("Count")
        if count is None:
            resp = {"EvalID": "", "EvalCreateIndex": 0, "JobModifyIndex": job["JobModifyIndex"],
                    "Warnings": "", "Index": req.st.index}
            return resp
        if count < 0:
            raise ApiError(400, "scaling action count can't be negative")
        scaling = groups[0].get("Scaling") or {}
        if scaling.get("Min") is not None and count < scaling["Min"]:
            raise ApiError(400, f"group count was less than scaling policy minimum: "
                                f"{count} < {scaling['Min']}")
        if scaling.get("Max") is not None and count > scaling["Max"]:
            raise ApiError(400, f"group count was greater than scaling policy maximum: "
                                f"{count} > {scaling['Max']}")
        active = [d for d in req.st.deployments.values()
                  if (d["Namespace"], d["JobID"]) == (job["Namespace"], job["ID"])
                  and d["Status"] in ("running", "paused", "pending")
                  and d["JobCreateIndex"] == job["CreateIndex"]]
        if active:
            raise ApiError(400, "job scaling blocked due to active deployment")
        spec = {k: v for k, v in job.items() if k not in jobs.SERVER_FIELDS}
        spec = canonicalize(spec)
        for group in spec["TaskGroups"]:
            if group["Name"] == group_name:
                group["Count"] = count
        resp = jobs.register(req.st, spec)
        req.set_index(resp["Index"])
        return resp


ROUTES = [
    (("GET",), r"/v1/jobs", list_jobs),
    (("PUT", "POST"), r"/v1/validate/job", validate_job),
    (("PUT", "POST"), r"/v1/jobs", register_jobs),
    (("PUT", "POST"), r"/v1/jobs/parse", parse_job),
    (("PUT", "POST"), JOB + r"/plan", plan_job),
    (("GET",), JOB + r"/versions", job_versions),
    (("GET",), JOB + r"/allocations", job_allocations),
    (("GET",), JOB + r"/deployments", job_deployments),
    (("GET",), JOB + r"/deployment", job_deployment),
    (("GET",), JOB + r"/evaluations", job_evaluations),
    (("GET",), JOB + r"/summary", job_summary),
    (("PUT", "POST"), JOB + r"/dispatch", dispatch_job),
    (("GET",), JOB + r"/scale", scale_status),
    (("PUT", "POST"), JOB + r"/periodic/force", force_periodic),
    (("PUT", "POST"), JOB + r"/scale", scale_job),
    (("GET",), JOB, read_job),
    (("PUT", "POST"), JOB, register_job),
    (("DELETE",), JOB, delete_job),
]
ROUTES = [(m, re.compile(p), f) for m, p, f in ROUTES]
