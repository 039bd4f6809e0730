#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nomad_jobs
short_description: Apply many Nomad jobs in one task with bounded concurrency
description:
  - Applies a list of Nomad jobs the way M(agentfleet.hashistack.nomad_job) applies one (plan first, register
    only on a real difference, ownership meta, optional wait), running up to O(concurrency) jobs at a time.
  - One task for a whole fleet instead of one task per job; returns one result per job, in input order.
  - A failure of one job does not stop the others; the task fails at the end and lists the failed jobs.
  - Unless Nomad stops answering - after O(fail_fast_after) calls in a row without an answer the remaining
    jobs are not tried and the task fails with one message naming the server.
version_added: 0.1.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_nomad
  - agentfleet.hashistack.nomad
  - agentfleet.hashistack.retries
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    platforms: posix
  check_mode:
    support: full
    details: Plans every job and reports what would change without registering or stopping anything.
  diff_mode:
    support: full
    details: One before/after per changed job.
  idempotent:
    description: Running the same task again with the same input reports no change.
    support: full
options:
  jobs:
    description:
      - Jobs as Nomad API JSON, each either a job object or the API wrapper whose only key is C(Job)
        (as produced by the fleet renderer), or a JSON string of either.
    type: list
    elements: raw
    required: true
  state:
    description:
      - V(present) registers jobs that differ; V(absent) stops (and with O(purge) purges) them.
    type: str
    choices: [present, absent]
    default: present
  concurrency:
    description:
      - How many jobs are applied at the same time.
    type: int
    default: 8
  purge:
    description:
      - With O(state=absent), purge the jobs instead of only stopping them.
    type: bool
    default: false
  force:
    description:
      - Change jobs even when their C(agentfleet_owner) meta names another owner or is missing.
    type: bool
    default: false
  owner:
    description:
      - Value stamped into each job's C(Meta.agentfleet_owner) and required on existing jobs.
      - An empty string disables ownership stamping and checks.
    type: str
    default: agentfleet.hashistack
  preserve_counts:
    description:
      - Keep the live C(Count) of existing task groups.
    type: bool
    default: false
  policy_override:
    description:
      - Override soft-mandatory Sentinel policies (Nomad Enterprise).
    type: bool
    default: false
  wait:
    description:
      - Wait for each changed job's deployment or allocations, as M(agentfleet.hashistack.nomad_job) does.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait per job when O(wait=true).
    type: int
    default: 300
  wait_interval:
    description:
      - Seconds between status polls when waiting.
    type: float
    default: 1.0
  promote:
    description:
      - Canary promotion, as in M(agentfleet.hashistack.nomad_job).
    type: str
    choices: [never, auto, now]
    default: never
seealso:
  - module: agentfleet.hashistack.nomad_job
"""

EXAMPLES = r"""
- name: Apply every job of a rendered fleet in one task
  agentfleet.hashistack.nomad_jobs:
    jobs: "{{ fleet_jobs }}"
    concurrency: 16
  register: applied

- name: Show what changed
  ansible.builtin.debug:
    msg: "{{ applied.results | selectattr('changed') | map(attribute='job_id') | list }}"
"""

RETURN = r"""
results:
  description: One entry per input job, in input order.
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: Job ID.
      type: str
    namespace:
      description: Job namespace.
      type: str
    changed:
      description: Whether this job changed.
      type: bool
    outcome:
      description: created, updated, unchanged, promoted, deleted or absent.
      type: str
    failed:
      description: Whether this job failed.
      type: bool
    msg:
      description: Error message of a failed job.
      type: str
    plan:
      description: Plan summary (as in M(agentfleet.hashistack.nomad_job)).
      type: dict
    nomad_warnings:
      description: Nomad's warnings about this job (as in M(agentfleet.hashistack.nomad_job)); each is also shown
        as an Ansible warning.
      type: list
      elements: str
  sample: [{"job_id": "agent-1", "namespace": "default", "changed": false, "outcome": "unchanged", "failed": false}]
summary:
  description: Number of jobs per outcome, plus C(failed).
  returned: always
  type: dict
  sample: {"created": 0, "updated": 2, "unchanged": 198, "failed": 0}
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import JOB_OPTIONS, NomadModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.executor import run_many
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.job_apply import (
    JobApplyError, JobOptions, apply_job, describe_failure, warning_messages)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.jobs import JobSpecError, unwrap_job
from ansible_collections.agentfleet.hashistack.plugins.module_utils.object_result import restate


def main():
    module = NomadModule(
        argument_spec=dict(
            jobs=dict(type="list", elements="raw", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            concurrency=dict(type="int", default=8),
            **JOB_OPTIONS
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["concurrency"] < 1:
        module.fail_json(msg="concurrency: must be >= 1, got %s" % params["concurrency"])
    # Validate every job before touching the server: bad input changes nothing.
    jobs, seen = [], {}
    try:
        for index, item in enumerate(params["jobs"]):
            job = unwrap_job(item, where="jobs[%d]" % index)
            key = (job.get("Namespace") or params["namespace"], job["ID"])
            if key in seen:
                module.fail_json(msg="jobs[%d]: job %r in namespace %r is also jobs[%d]"
                                 % (index, key[1], key[0], seen[key]))
            seen[key] = index
            jobs.append(job)
    except JobSpecError as exc:
        module.fail_json(msg=str(exc))
    client = module.client(pool_size=params["concurrency"])
    opts = JobOptions(state=params["state"], check_mode=module.check_mode, **{k: params[k] for k in JOB_OPTIONS})

    def one(job):
        return apply_job(client, job, opts)

    def failed(job, exc):
        base = exc.result if isinstance(exc, JobApplyError) else {
            "job_id": job["ID"], "namespace": job.get("Namespace") or client.namespace, "changed": False}
        base.pop("diff", None)
        return restate(base, base.get("outcome", "failed"), failed=True, msg=describe_failure(exc))

    results = run_many(jobs, one, concurrency=params["concurrency"], on_error=failed)
    summary = {"created": 0, "updated": 0, "unchanged": 0, "promoted": 0, "deleted": 0, "absent": 0, "failed": 0}
    diffs = []
    for res in results:
        for text in warning_messages(res):
            module.warn(text)
        res.setdefault("failed", False)
        key = "failed" if res["failed"] else res.get("outcome", "unchanged")
        summary[key] = summary.get(key, 0) + 1
        diff = res.pop("diff", None)
        if module._diff and diff is not None and res.get("changed"):
            diffs.append(dict(diff, before_header="%s (live)" % res["job_id"], after_header="%s (desired)" % res["job_id"]))
    out = {"changed": any(r.get("changed") for r in results), "results": results, "summary": summary}
    if diffs:
        out["diff"] = diffs
    if summary["failed"]:
        bad = [r["job_id"] for r in results if r["failed"]]
        if client.down:  # fast-fail: one message instead of one per job not tried
            module.fail_json(msg="%s; %d of %d jobs not applied" % (client.down, len(bad), len(results)), **out)
        module.fail_json(msg="%d of %d jobs failed: %s" % (len(bad), len(results), ", ".join(bad[:20])), **out)
    module.exit_json(**out)


if __name__ == "__main__":
    main()
