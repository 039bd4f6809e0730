# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converge a fleet's Nomad objects in bulk (plain Python over NomadClient).

Namespaces, tenant ACL policies and (Enterprise) quotas, then every job through the
Nomad module_utils' ``apply_job`` (plan first, register only on a real difference) on
a bounded thread pool; deployment waits; prune and the kill switch.

Ownership (exact markers, ``fleet.ownership``): jobs carry ``Meta.agentfleet_fleet`` and
``Meta.agentfleet_owner``, namespaces ``Meta.agentfleet_fleet``; ACL policies and quotas
the owner token ``agentfleet.fleet/<fleet>`` as the first word of their description.
Dispatched and periodic children (``ParentID`` set) are never touched directly.
With ``adopt``, an existing object carrying no agentfleet marker at all is taken over
(outcome ``adopted``; ``ownership.adoptable``). With a narrowed bundle (``bundle.narrow``),
prune touches only the selected tenants' and agents' objects (their markers say whose).
"""
from __future__ import annotations

import hashlib
import json
import time

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import naming, ownership
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.sync_base import FleetSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.deploy import (
    TERMINAL_ALLOC, WaitFailed, failure_line, no_deployment_reason, registration_of, wait_for_job)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.executor import run_many
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.job_apply import (
    JobApplyError, JobOptions, apply_job, describe_failure)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.jobs import created_lines, readable_diff
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.progress import ProgressLines, healthy_of
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.resources import plan_object
from ansible_collections.agentfleet.hashistack.plugins.module_utils.object_result import object_result, restate

OWNER_META = ownership.OWNER_META
REVERT_MARK = "rolling back to job version"


def job_owner(fleet):
    """Value of ``Meta.agentfleet_owner`` on this fleet's jobs."""
    return ownership.owner_token(fleet)


class NomadSync(FleetSync):
    def __init__(self, client, bundle, check=False, diff=False, concurrency=8, quotas=False,
                 preserve_counts=True, known=None, adopt=False):
        super().__init__(client, bundle, check, diff, concurrency, adopt)
        self.quotas = quotas
        self.preserve_counts = preserve_counts
        self._missing_namespaces = set()
        # "namespace/job" -> {"digest", "index"}: what the last run left each job at (see job_digest).
        self.known = dict(known or {})
        self.observed = {}

    # -- tenancy ------------------------------------------------------------
    def _ensure(self, obj, name, path, desired, current, write_path=None, owner=None, exact=()):
        """Create or update an object whose live owner (exact marker) is ``owner``; adopt
        one without any marker when ``self.adopt``."""
        what = "nomad " + obj.replace("_", " ")
        adopted = current is not None and owner != self.fleet
        if adopted and not ownership.adoptable(owner, self.adopt, current):
            return object_result(obj, name, None, "failed", msg=ownership.refusal(what, name, owner, self.fleet))
        plan = plan_object(current, desired, exact)
        if not plan["changed"]:
            return object_result(obj, name, None, "unchanged")
        extra = ownership.adoption(what, name, self.fleet, self.check) if adopted else {}
        out = object_result(obj, name, None, "adopted" if adopted else "created" if current is None else "updated",
                            differences=plan["differences"], **extra)
        if self.diff:
            out["diff"] = {"before": plan["before"], "after": plan["after"],
                           "before_header": "nomad %s %s" % (obj, name), "after_header": "nomad %s %s" % (obj, name)}
        if not self.check:
            body = dict(current or {}, **desired)
            for key in ("CreateIndex", "ModifyIndex", "Hash"):
                body.pop(key, None)
            self.client.request("POST", write_path or path, body=body)
        return out

    def apply_namespace(self, namespace):
        path = "/v1/namespace/%s" % namespace["Name"]
        current = self.client.request("GET", path, missing_ok=True)
        desired = dict(namespace)
        if not self.quotas:
            desired.pop("Quota", None)
        out = self._ensure("namespace", namespace["Name"], path, desired, current, owner=ownership.meta_owner(current),
                           exact=("Meta",))
        if current is None and self.check:
            self._missing_namespaces.add(namespace["Name"])
        return out

    def apply_acl_policy(self, pol):
        path = "/v1/acl/policy/%s" % pol["Name"]
        current = self.client.request("GET", path, missing_ok=True)
        return self._ensure("acl_policy", pol["Name"], path, pol, current, owner=ownership.description_owner(current))

    def apply_quota(self, quota):
        path = "/v1/quota/%s" % quota["Name"]
        current = self.client.request("GET", path, missing_ok=True)
        return self._ensure("quota", quota["Name"], path, quota, current,
                            write_path="/v1/quota" if current is None else path,
                            owner=ownership.description_owner(current))

    def _tenancy_error(self, item, exc):
        hint = " (quotas need Nomad Enterprise; set agent_fleet_nomad_quotas: false)" \
            if isinstance(exc, NomadError) and exc.status == 501 else ""
        return object_result("tenancy", item.get("Name"), None, "failed", msg=str(exc) + hint)

    def converge_tenancy(self):
        out = []
        if self.quotas:  # a namespace can only reference an existing quota
            out += run_many(self.bundle["quotas"], self.apply_quota, self.concurrency, self._tenancy_error)
        out += run_many(self.bundle["namespaces"], self.apply_namespace, self.concurrency, self._tenancy_error)
        out += run_many(self.bundle["acl_policies"], self.apply_acl_policy, self.concurrency, self._tenancy_error)
        return out

    # -- jobs ---------------------------------------------------------------
    def _opts(self, **kw):
        base = dict(owner=job_owner(self.fleet), check_mode=self.check)
        base.update(kw)
        return JobOptions(**base)

    def apply_one(self, item):
        import copy
        job = copy.deepcopy(item["job"]["Job"] if "Job" in item["job"] else item["job"])
        key = "%s/%s" % (item["tenant"], item["agent"])
        base = {"object": "job", "name": job["ID"], "agent": key, "namespace": item["namespace"],
                "job_id": job["ID"], "kind": item["kind"]}
        if item["namespace"] in self._missing_namespaces:  # check mode, namespace not created yet
            out = restate(base, "created", plan={"changes": created_lines(job)})
            if self.diff:
                out["diff"] = dict(readable_diff(None, job), before_header=job["ID"], after_header=job["ID"])
            return out
        opts = self._opts(preserve_counts=bool(self.preserve_counts and item.get("autoscaled")))
        ref, digest = "%s/%s" % (item["namespace"], job["ID"]), job_digest(job, opts)
        adopting = False
        try:
            if self.adopt:  # a live job with no agentfleet marker at all is taken over (force)
                live = self.client.get_job(job["ID"], item["namespace"])
                adopting = live is not None and ownership.adoptable(None, True, live)
                opts.force = adopting
            skipped = self._unchanged_since_last_run(ref, digest, job, item["namespace"])
            if skipped is not None:
                return restate(base, "unchanged", job_modify_index=skipped, plan={
                    "changes": [], "skipped": "JobModifyIndex and desired job unchanged since the last run"})
            res = apply_job(self.client, job, opts)
        except Exception as exc:  # one job's failure is reported, the others go on
            known = exc.result if isinstance(exc, JobApplyError) else {}
            msg = describe_failure(exc)
            if "owner" in known and known["owner"] is None and not self.adopt:
                msg = self._unmarked_job_refusal(job["ID"], item["namespace"]) or msg
            return restate(base, "failed", msg=msg, **{k: v for k, v in known.items() if k in ("owner",)})
        outcome = "adopted" if adopting and res["outcome"] in ("created", "updated") else res["outcome"]
        out = restate(base, outcome, job_modify_index=res.get("job_modify_index"),
                      plan={"changes": (res.get("plan") or {}).get("changes", [])})
        if outcome == "adopted":
            out.update(ownership.adoption("nomad job", "%s/%s" % (item["namespace"], job["ID"]), self.fleet,
                                          self.check))
        if res.get("nomad_warnings"):
            out["nomad_warnings"] = res["nomad_warnings"]
        if not self.check and res.get("job_modify_index"):
            self.observed[ref] = {"digest": digest, "index": res["job_modify_index"]}
        if self.diff and out["changed"]:
            out["diff"] = dict(res["diff"], before_header="%s/%s (live)" % (item["namespace"], job["ID"]),
                               after_header="%s/%s (desired)" % (item["namespace"], job["ID"]))
        return out

    def _unmarked_job_refusal(self, job_id, namespace):
        """The fleet's refusal (naming the adopt switch) of a live job without any agentfleet
        marker, or None when the job has one (then the job module's own message stands)."""
        try:
            live = self.client.get_job(job_id, namespace)
        except NomadError:
            return None
        if live is None or ownership.has_any_marker(live):
            return None
        return ownership.refusal("nomad job", "%s/%s" % (namespace, job_id), None, self.fleet)

    def _unchanged_since_last_run(self, ref, digest, job, namespace):
        """The live JobModifyIndex when the job provably needs no plan, else None.

        Any change to a Nomad job (register, scale, revert, stop) bumps its JobModifyIndex,
        so a live index equal to the one this fleet left it at, with the same desired job,
        means nothing changed on either side: the plan call is skipped.
        """
        last = self.known.get(ref)
        if self.check or not last or last.get("digest") != digest:
            return None
        live = self.client.get_job(job["ID"], namespace)
        if not live or live.get("Stop") or live.get("JobModifyIndex") != last.get("index"):
            return None
        self.observed[ref] = dict(last)
        return live.get("JobModifyIndex")

    def converge_jobs(self):
        return run_many(self.bundle["jobs"], self.apply_one, self.concurrency)

    def not_applied_jobs(self, tenancy):
        """One ``not_applied`` result per job of the bundle, for when ``tenancy`` (the results
        of ``converge_tenancy``) has a failure and no job is applied. The reason is the
        failure of the job's own namespace when there is one, else the first failure; when
        Nomad stopped answering (fast-fail) it only points to that failure, whose message
        says why once, instead of repeating it for every job."""
        failed = [r for r in tenancy if r["outcome"] == "failed"]
        if not failed:
            return []
        namespaces = {n["Name"] for n in self.bundle["namespaces"]}
        own = {r["name"]: r for r in failed if r["name"] in namespaces}
        down = getattr(self.client, "down", None)
        out = []
        for item in self.bundle["jobs"]:
            cause = own.get(item["namespace"]) or failed[0]
            why = " (Nomad is not answering; that failure says why)" if down else ": %s" % cause.get("msg")
            out.append(object_result(
                "job", item["job_id"], "%s/%s" % (item["tenant"], item["agent"]), "not_applied",
                namespace=item["namespace"], job_id=item["job_id"], msg="not applied: %s %s failed first%s" % (
                    cause["object"].replace("_", " "), cause["name"], why)))
        return out

    # -- wait ---------------------------------------------------------------
    def wait(self, refs, timeout=300, interval=0.5, clock=time.monotonic, sleep=time.sleep, progress=None,
             progress_interval=10.0):
        """Wait for the deployments of the changed service jobs ``refs`` (dicts with
        namespace, job_id, agent); one outcome per job: successful / failed (with the
        failed allocations' task events) / reverted / awaiting_promotion / timeout, with
        ``seconds`` waited and, when failed, ``failure_groups`` (``deploy.failure_groups``).

        ``progress`` (optional): called with one text line at a time while waiting
        (``nomad.progress.ProgressLines``: per agent at most every ``progress_interval``
        seconds; <= 0 for none) and with each job's outcome lines when its wait ends.
        """
        lines = ProgressLines(progress, progress_interval, clock)

        def one(ref):
            res = self._wait_one(ref, timeout, interval, clock, sleep, lines)
            lines.outcome(res)
            return res

        def failed(ref, exc):
            res = dict(_ref(ref), outcome="failed", msg=describe_failure(exc))
            lines.outcome(res)
            return res
        return run_many(refs, one, self.concurrency, on_error=failed)

    def _wait_one(self, ref, timeout, interval, clock, sleep, lines):
        namespace, job_id = ref["namespace"], ref["job_id"]
        out = _ref(ref)
        job = self.client.get_job(job_id, namespace)
        if job is None or job.get("Type", "service") != "service" or job.get("Periodic") \
                or job.get("ParameterizedJob"):
            return dict(out, outcome="successful", msg="nothing to wait for (no deployment for this job type)")
        no_deployment = no_deployment_reason(job)
        if no_deployment:  # e.g. count 0: waiting would only run into the timeout
            return dict(out, outcome="successful", msg="no deployment to wait for: %s" % no_deployment)
        # The deployment of the registration this run made (its JobModifyIndex), even
        # when an auto_revert has already registered a newer version.
        registration = registration_of(job, ref.get("job_modify_index"))
        agent = ref.get("agent") or "%s/%s" % (namespace, job_id)
        try:
            details = wait_for_job(self.client, job_id, namespace, "service", registration, timeout, interval,
                                   clock=clock, sleep=sleep, job=job,
                                   on_progress=lambda state, seconds: lines.update(agent, state, seconds))
        except WaitFailed as exc:
            details = exc.details
            out.update(_deployment_fields(details))
            allocs = details.get("failed_allocations") or []
            groups = details.get("failure_groups") or []
            if details.get("timed_out"):
                return dict(out, outcome="timeout", failed_allocations=allocs, failure_groups=groups,
                            reason="deployment did not finish within %ss%s"
                            % (timeout, ("; " + _reason("", groups)) if groups else ""))
            desc = out.get("status_description") or ""
            return dict(out, outcome="reverted" if REVERT_MARK in desc else "failed", failed_allocations=allocs,
                        failure_groups=groups, reason=_reason(desc, groups))
        out.update(_deployment_fields(details))
        if details.get("awaiting_promotion"):
            return dict(out, outcome="awaiting_promotion", groups=details["awaiting_promotion"])
        return dict(out, outcome="successful")

    # -- prune and kill switch ---------------------------------------------
    def owned_jobs(self, include_stopped=False):
        """Parent jobs carrying this fleet's ownership meta (not stopped ones by default)."""
        stubs = self.client.request("GET", "/v1/jobs", params={"namespace": "*", "meta": "true"}) or []
        return [s for s in stubs if ownership.job_owned(s, self.fleet)
                and not s.get("ParentID") and (include_stopped or not s.get("Stop"))]

    def _stop(self, stub, outcome="deleted"):
        namespace, job_id = stub.get("Namespace") or "default", stub["ID"]
        meta = stub.get("Meta") or {}
        agent = "%s/%s" % (meta.get("agentfleet_tenant"), meta.get("agentfleet_agent"))
        try:
            res = apply_job(self.client, None, self._opts(state="absent"), job_id=job_id, namespace=namespace)
        except Exception as exc:
            return object_result("job", job_id, agent, "failed", namespace=namespace, job_id=job_id,
                                 msg=describe_failure(exc))
        return object_result("job", job_id, agent, outcome if res["changed"] else "absent", namespace=namespace,
                             job_id=job_id, tenant=meta.get("agentfleet_tenant"), agent_name=meta.get("agentfleet_agent"))

    def prune(self, timeout=300, interval=0.5, clock=time.monotonic, sleep=time.sleep):
        """Stop owned jobs, then delete owned ACL policies and namespaces, no longer in the bundle.

        A namespace is deleted only once its stopped jobs are terminal: Nomad refuses to
        delete a namespace with a job that is not ``dead`` or an allocation that is not
        client-terminal (nomad/namespace_endpoint.go DeleteNamespaces), and a stop only
        becomes terminal after the scheduler and the clients have acted. That wait is
        bounded by ``timeout`` seconds (polled every ``interval``) and reported as one
        ``prune_wait`` result: how many jobs, how long, and on timeout which jobs.
        """
        want_jobs = {(j["namespace"], j["job_id"]) for j in self.bundle["jobs"]}
        stale = [s for s in self.owned_jobs() if (s.get("Namespace"), s["ID"]) not in want_jobs
                 and self.agent_selected(*_job_agent(s))]
        out = run_many(stale, self._stop, self.concurrency)
        want_pol = {p["Name"] for p in self.bundle["acl_policies"]}
        for pol in self.client.request("GET", "/v1/acl/policies") or []:
            if pol["Name"] not in want_pol and ownership.description_owned(pol, self.fleet) \
                    and self.tenant_selected((naming.split(pol["Name"], 2) or (None, None))[1]):
                out.append(self._delete("acl_policy", pol["Name"], "/v1/acl/policy/%s" % pol["Name"]))
        want_namespaces = {n["Name"] for n in self.bundle["namespaces"]}
        live = {s.get("Namespace") for s in self.owned_jobs()} if not self.check else \
            {s.get("Namespace") for s in self.owned_jobs() if (s.get("Namespace"), s["ID"]) in want_jobs}
        doomed = []
        for live_namespace in self.client.request("GET", "/v1/namespaces") or []:
            if live_namespace["Name"] in want_namespaces or not ownership.meta_owned(live_namespace, self.fleet) \
                    or not self.tenant_selected((live_namespace.get("Meta") or {}).get(ownership.TENANT_META)):
                continue
            if live_namespace["Name"] in live:
                out.append(object_result("namespace", live_namespace["Name"], None, "failed",
                                         msg="namespace %r still has running jobs of this fleet; not deleted"
                                             % live_namespace["Name"]))
            else:
                doomed.append(live_namespace["Name"])
        blocked = {}
        if doomed and not self.check:
            waited, blocked = self._wait_terminal(set(doomed), timeout, interval, clock, sleep)
            if waited is not None:
                out.append(waited)
        for name in doomed:
            if name in blocked:
                out.append(object_result(
                    "namespace", name, None, "failed", msg="namespace %r not deleted: stopped jobs still not "
                    "terminal after %ss: %s" % (name, timeout, ", ".join(blocked[name]))))
            else:
                out.append(self._delete("namespace", name, "/v1/namespace/%s" % name))
        return out

    def _wait_terminal(self, namespaces, timeout, interval, clock, sleep):
        """Wait until the owned (stopped) jobs in ``namespaces`` are terminal: Status
        ``dead`` and every allocation client-terminal. One job list per round, plus the
        allocations of the jobs that are already dead. Returns (a ``prune_wait`` result,
        or None when there was nothing to wait for; {namespace: ["namespace/job (state)", ...]}
        of the jobs still not terminal at the deadline)."""
        start = clock()
        deadline = start + timeout
        keys = None
        while True:
            status = {(s.get("Namespace"), s["ID"]): s.get("Status")
                      for s in self.owned_jobs(include_stopped=True) if s.get("Namespace") in namespaces}
            if keys is None:
                keys, total = set(status), len(status)
                if not total:
                    return None, {}
            waiting = {}
            for key in sorted(keys):
                state = self._not_terminal(key, status.get(key))
                if state:
                    waiting[key] = state
            keys = set(waiting)
            if not waiting:
                took = clock() - start
                return object_result(
                    "prune_wait", "stopped jobs", None, "waited", jobs=total, seconds=round(took, 1),
                    msg="waited %.1fs for %d stopped job(s) to become terminal before deleting namespaces"
                        % (took, total)), {}
            if clock() >= deadline:
                blocked = {}
                for (namespace, job_id), state in sorted(waiting.items()):
                    blocked.setdefault(namespace, []).append("%s/%s (%s)" % (namespace, job_id, state))
                names = [name for namespace in sorted(blocked) for name in blocked[namespace]]
                return object_result(
                    "prune_wait", "stopped jobs", None, "failed", jobs=total, seconds=timeout, pending=names,
                    msg="timed out after %ss waiting for %d of %d stopped job(s) to become terminal: %s"
                        % (timeout, len(names), total, ", ".join(names))), blocked
            sleep(interval)

    def _not_terminal(self, key, status):
        """What job ``key`` (namespace, id) with list ``status`` still is, or None when it
        is terminal (gone, or dead with every allocation client-terminal)."""
        if status is None:
            return None
        if status != "dead":
            return "status %s" % status
        namespace, job_id = key
        live = [a for a in self.client.job_allocations(job_id, namespace)
                if a.get("ClientStatus") not in TERMINAL_ALLOC]
        return "%d allocation(s) still %s" % (len(live), live[0].get("ClientStatus")) if live else None

    def _delete(self, obj, name, path):
        if not self.check:
            try:
                self.client.request("DELETE", path)
            except NomadError as exc:
                return object_result(obj, name, None, "failed", msg=str(exc))
        return object_result(obj, name, None, "deleted")

    def stop(self, tenants=(), agents=()):
        """Kill switch: stop every owned job of ``tenants`` or ``agents`` ("tenant/agent")."""
        tenants, agents = set(tenants or ()), set(agents or ())
        chosen = [s for s in self.owned_jobs(include_stopped=True)
                  if (s.get("Meta") or {}).get("agentfleet_tenant") in tenants
                  or "%s/%s" % ((s.get("Meta") or {}).get("agentfleet_tenant"),
                                (s.get("Meta") or {}).get("agentfleet_agent")) in agents]
        return run_many(chosen, lambda s: self._stop(s, "stopped"), self.concurrency)


def warning_messages(results):
    """One operator warning per Nomad warning in job ``results``, naming the agent and job."""
    return ["agent %s (Nomad job %s/%s): %s" % (res.get("agent"), res.get("namespace"), res.get("job_id"), text)
            for res in results for text in res.get("nomad_warnings") or []]


def job_digest(job, opts):
    """Fingerprint of what would be submitted for ``job`` (the job and the options that shape it)."""
    text = json.dumps([job, opts.owner, opts.preserve_counts], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_known(path):
    """The per-job state a previous apply left (empty when missing or unreadable)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save_known(path, known):
    """Save the per-job state for the next apply (JSON, mode 0600, atomically)."""
    write_atomic(path, json.dumps(known, sort_keys=True), mode=0o600, make_parents=True)


def _job_agent(stub):
    """(tenant, agent) a job's ownership meta names (None for a missing key)."""
    meta = stub.get("Meta") or {}
    return meta.get(ownership.TENANT_META), meta.get("agentfleet_agent")


def _ref(ref):
    return {"object": "deployment", "name": ref["job_id"], "agent": ref.get("agent"),
            "namespace": ref["namespace"], "job_id": ref["job_id"], "changed": False}


def _deployment_fields(details):
    """seconds waited, plus deployment_id, status_description, job_version and healthy /
    desired allocations (summed over its task groups) of the deployment a wait found."""
    out = {"seconds": details.get("seconds") or 0.0}
    dep = details.get("deployment")
    if not dep:
        return out
    healthy, desired = healthy_of(dep)
    out.update(deployment_id=dep.get("id"), status_description=dep.get("status_description") or "",
               job_version=dep.get("job_version"), healthy=healthy, desired=desired)
    return out


def _reason(description, groups):
    """One line: the deployment description plus the identical allocation failures
    (``failure_groups``), each once with its count."""
    parts = [description] if description else []
    parts += [failure_line(group) for group in groups[:3]]
    if len(groups) > 3:
        parts.append("%d more kinds of failure" % (len(groups) - 3))
    return " | ".join(parts)
