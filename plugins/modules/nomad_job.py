#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nomad_job
short_description: Register, update or stop a Nomad job, planning first
description:
  - Makes a Nomad job match a job specification given as API JSON, a JSON or HCL file, or HCL text.
  - Plans the job with a diff first (C(POST /v1/job/:id/plan)) and registers it only when the plan's diff is
    not empty, so a re-run of an unchanged job reports no change.
  - Stamps an ownership key (C(agentfleet_owner)) into the job's C(Meta) and refuses to change a job that carries
    another owner (or none) unless O(force=true).
  - Can wait for the deployment (service jobs) or the allocations (batch jobs) to finish, and promote canaries.
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
    details: Returns the plan and its diff without registering or stopping anything.
  diff_mode:
    support: full
    details: Before is the live job restricted to the keys the given job sets, without what Nomad added by itself
      (Connect sidecar tasks and their ports); after is the given job.
  idempotent:
    description: Running the same task again with the same input reports no change.
    support: full
options:
  state:
    description:
      - V(present) registers the job when it differs; V(absent) stops (and with O(purge) purges) it.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - Job ID. Required for O(state=absent) when no job is given; when both are given they must match.
    type: str
  job:
    description:
      - The job as Nomad API JSON, either the job object or the API wrapper whose only key is C(Job)
        (as produced by the fleet renderer), as a dict or a JSON string.
      - Mutually exclusive with O(job_file) and O(hcl).
    type: raw
  job_file:
    description:
      - Path to a job file on the managed host; read as JSON when its first character is an opening brace,
        as HCL otherwise.
    type: path
  hcl:
    description:
      - The job as HCL2 text, parsed by the Nomad server through C(/v1/jobs/parse).
    type: str
  hcl_variables:
    description:
      - HCL2 input variables for O(hcl) or an HCL O(job_file).
    type: dict
  purge:
    description:
      - With O(state=absent), purge the job instead of only stopping it.
    type: bool
    default: false
  force:
    description:
      - Change or remove the job even when its C(agentfleet_owner) meta names another owner or is missing.
    type: bool
    default: false
  owner:
    description:
      - Value stamped into the job's C(Meta.agentfleet_owner) and required on an existing job.
      - An empty string disables ownership stamping and checks.
    type: str
    default: agentfleet.hashistack
  preserve_counts:
    description:
      - Keep the live C(Count) of existing task groups (for example set by an autoscaler).
    type: bool
    default: false
  enforce_index:
    description:
      - Register only if the job's current C(JobModifyIndex) equals this value (V(0) means the job must not exist).
    type: int
  policy_override:
    description:
      - Override soft-mandatory Sentinel policies (Nomad Enterprise).
    type: bool
    default: false
  wait:
    description:
      - Wait until the deployment of the new version is successful (service jobs) or all its allocations
        are complete (batch jobs). Fails with the failed allocations' task events otherwise.
      - The deployment waited for is the one Nomad created for this registration (its C(JobSpecModifyIndex)),
        so a job purged and registered again is not confused with its old deployments, and a failure is still
        reported after an auto_revert registered a newer version.
      - A service job Nomad creates no deployment for (every task group at count 0, or no group with an update
        strategy) returns at once and sets RV(no_deployment).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait when O(wait=true).
    type: int
    default: 300
  wait_interval:
    description:
      - Seconds between status polls when waiting.
    type: float
    default: 1.0
  promote:
    description:
      - Canary promotion. V(never) leaves canaries for an operator (groups with C(auto_promote) are left to
        Nomad and waited for); V(auto) promotes them once they are all healthy while waiting (O(wait=true),
        RV(outcome=promoted) when nothing else changed); V(now) promotes the job's running deployment if its
        canaries are healthy and unpromoted.
    type: str
    choices: [never, auto, now]
    default: never
notes:
  - The plan's diff decides change; the C(diff) output is a readable projection for humans.
seealso:
  - module: agentfleet.hashistack.nomad_jobs
  - module: agentfleet.hashistack.nomad_job_info
"""

EXAMPLES = r"""
- name: Register a job rendered by the fleet renderer and wait for its deployment
  agentfleet.hashistack.nomad_job:
    address: https://nomad.example.com:4646
    token: "{{ nomad_token }}"
    job: "{{ rendered_job }}"
    wait: true
    wait_timeout: 600

- name: Register a job from HCL with variables
  agentfleet.hashistack.nomad_job:
    hcl: "{{ lookup('ansible.builtin.file', 'agent.nomad.hcl') }}"
    hcl_variables:
      image: registry.example.com/agent:1.2.3

- name: Promote the canaries of the running deployment
  agentfleet.hashistack.nomad_job:
    job_file: /srv/jobs/agent.json
    promote: now

- name: Stop and purge a job
  agentfleet.hashistack.nomad_job:
    name: agent-research
    state: absent
    purge: true
"""

RETURN = r"""
job_id:
  description: ID of the job.
  returned: always
  type: str
  sample: agent-research
namespace:
  description: Namespace of the job.
  returned: always
  type: str
  sample: default
outcome:
  description: What was (or in check mode would be) done.
  returned: always
  type: str
  sample: updated
  choices: [created, updated, unchanged, promoted, deleted, absent]
plan:
  description: Summary of the plan; returned in check mode too.
  returned: when state is present
  type: dict
  contains:
    diff_type:
      description: Nomad's diff type (None, Added, Edited, Deleted).
      type: str
    changes:
      description:
        - Human-readable lines from the plan's annotated diff, shaped like C(nomad job plan) - the job, its changed
          fields, each task group with Nomad's update annotations (for example C(1 create/destroy update, 1 canary)),
          each task with its annotation (C(forces create/destroy update)); durations read C(30s) or C(2m), long
          values are cut around the first difference, and a sub-object Nomad reports deleted and added again
          shows only the fields that differ.
      type: list
      elements: str
    warnings:
      description: Plan warnings.
      type: str
    failed_allocations:
      description: Task groups the scheduler could not place.
      type: dict
    job_modify_index:
      description: Job modify index the plan was computed against.
      type: int
  sample: {"diff_type": "Edited", "changes": ["+/- Job: \"agents\"", "  +/- Task Group: \"agents\" (1 in-place update)"],
           "warnings": "", "failed_allocations": {},
           "job_modify_index": 12}
nomad_warnings:
  description:
    - Nomad's warnings about the job (for example C(memory_max) while memory oversubscription is off), from the
      registration, or from the plan when nothing was registered. Each is also shown as an Ansible warning.
  returned: when state is present
  type: list
  elements: str
  sample: ['Memory oversubscription is not enabled; Task "agents.agent" memory_max value will be ignored. Update
    the Scheduler Configuration to allow oversubscription.']
eval_id:
  description: Evaluation created by the registration or deregistration.
  returned: when the job was registered or stopped
  type: str
job_modify_index:
  description: Job modify index after the change.
  returned: when state is present
  type: int
deployment:
  description: Deployment summary after waiting.
  returned: when O(wait=true)
  type: dict
no_deployment:
  description: Why there was no deployment to wait for (every task group has count 0, or none has an update strategy).
  returned: when O(wait=true) and Nomad creates no deployment
  type: str
promoted:
  description: Task groups whose canaries were promoted.
  returned: when canaries were promoted
  type: list
  elements: str
failed_allocations:
  description: Failed allocations of the new version with their tasks' last events (the first five).
  returned: when waiting failed
  type: list
  elements: dict
failure_groups:
  description:
    - Identical failures of all the failed allocations once, most frequent first (C(failed_allocations) holds at
      most five). A failure is named by the task's last event that is not part of a restart or kill.
  returned: when waiting failed
  type: list
  elements: dict
  contains:
    count:
      description: Allocations that failed this way.
      type: int
    task:
      description: Task name.
      type: str
    event:
      description: Task event type (for example C(Driver Failure)).
      type: str
    message:
      description: The event's message.
      type: str
    allocations:
      description: IDs of those allocations.
      type: list
      elements: str
  sample: [{"count": 2, "task": "agent", "event": "Driver Failure", "message": "image not found",
            "allocations": ["5e9d0a17-...", "c3b1f00e-..."]}]
seconds:
  description: Seconds spent waiting (0.1 s resolution).
  returned: when O(wait=true), not in check mode
  type: float
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import JOB_OPTIONS, NomadModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.job_apply import (
    JobApplyError, JobOptions, apply_job, load_job, warning_messages)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.jobs import JobSpecError


def main():
    module = NomadModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            name=dict(type="str"),
            job=dict(type="raw"),
            job_file=dict(type="path"),
            hcl=dict(type="str"),
            hcl_variables=dict(type="dict"),
            enforce_index=dict(type="int"),
            **JOB_OPTIONS
        ),
        mutually_exclusive=[("job", "job_file", "hcl")],
        required_if=[("state", "present", ("job", "job_file", "hcl"), True),
                     ("state", "absent", ("name", "job", "job_file", "hcl"), True)],
        supports_check_mode=True,
    )
    params = module.params
    client = module.client()
    opts = JobOptions(state=params["state"], check_mode=module.check_mode, enforce_index=params["enforce_index"],
                      **{k: params[k] for k in JOB_OPTIONS})
    try:
        job = None
        if params["job"] is not None or params["job_file"] or params["hcl"] is not None:
            job = load_job(client, params["job"], params["job_file"], params["hcl"], params["hcl_variables"])
            if params["name"] and params["name"] != job["ID"]:
                module.fail_json(msg="name: %r does not match the job's ID %r" % (params["name"], job["ID"]))
        result = apply_job(client, job, opts, job_id=params["name"])
    except JobSpecError as exc:
        module.fail_json(msg=str(exc))
    except JobApplyError as exc:
        exc.result.pop("diff", None)
        for text in warning_messages(exc.result):
            module.warn(text)
        module.fail_json(msg=str(exc), **exc.result)
    except NomadError as exc:
        module.fail_nomad(exc)
    for text in warning_messages(result):
        module.warn(text)
    diff = result.pop("diff", None)
    if module._diff and diff is not None:
        result["diff"] = dict(diff, before_header="%s (live)" % result["job_id"],
                              after_header="%s (desired)" % result["job_id"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
