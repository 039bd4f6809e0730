#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_nomad
short_description: Apply, wait for, prune or stop a fleet's Nomad namespaces, ACL policies and jobs
description:
  - O(phase=apply) converges the tenants' namespaces, ACL policies (and Enterprise quotas with
    O(quotas=true)), then every job of a bundle written by M(agentfleet.hashistack.fleet_bundle),
    up to O(concurrency) at a time, the way M(agentfleet.hashistack.nomad_jobs) does (plan first,
    register only when the plan has a difference). Autoscaled agents keep their live count.
    Nomad's warnings about a job are shown as Ansible warnings naming the agent, and kept as
    C(nomad_warnings) in the job's result.
  - O(phase=wait) follows the deployments of the jobs listed in O(jobs) (the changed ones of an
    apply) and reports each as successful, failed (with the failed allocations' task events),
    reverted (auto_revert rolled it back), awaiting_promotion or timeout. It does not fail the
    task; the report does. A job Nomad creates no deployment for (every task group at count 0, or
    no update strategy) is successful at once, with a C(msg) saying why.
  - O(phase=prune) stops jobs, and deletes ACL policies and empty namespaces, that carry this
    fleet's ownership metadata but are no longer in the bundle. Before deleting namespaces it waits,
    at most O(wait_timeout) seconds, until the stopped jobs in them are terminal (Nomad refuses to
    delete a namespace with a job that is not dead or an allocation still running), and reports that
    wait as a C(prune_wait) result (C(jobs), C(seconds); on timeout C(pending) names the jobs).
  - O(phase=stop) is the kill switch. It stops every job of this fleet whose
    C(agentfleet_tenant) is in O(tenants) or whose C(tenant/agent) is in O(agents).
  - Jobs are owned when their C(Meta.agentfleet_fleet) is exactly the fleet and C(agentfleet_owner) is
    exactly C(agentfleet.fleet/<fleet>); namespaces when C(Meta.agentfleet_fleet) is exactly the fleet;
    ACL policies and quotas when the first word of their description is exactly C(agentfleet.fleet/<fleet>)
    (never a prefix test). Unowned objects are never changed; apply refuses them naming their owner,
    unless O(adopt=true) and they carry no agentfleet marker at all (then they are adopted).
    Dispatched and periodic children are never touched.
  - With O(tenants) or O(agents) outside O(phase=stop), apply and prune touch only the selected
    tenants' and agents' objects; prune chooses by the ownership metadata (C(agentfleet_tenant),
    C(agentfleet_agent)) and the C(<fleet>--<tenant>) policy names.
  - This is an action plugin; it always runs on the controller (no module is sent to the host).
version_added: 0.1.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
  - agentfleet.hashistack.nomad
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.fleet_subset
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Plans every job whose namespace exists and reads every object (a job in a namespace that does not
      exist yet is reported as created without a plan); registers, stops and deletes nothing.
  diff_mode:
    support: full
    details: One before/after per changed namespace, ACL policy, quota or job.
  idempotent:
    description: Running the same task again with the same bundle reports no change.
    support: full
  platform:
    platforms: posix
options:
  bundle:
    description:
      - Path of the bundle written by M(agentfleet.hashistack.fleet_bundle). Required unless O(phase=stop).
    type: path
  phase:
    description:
      - What to do, see the description.
    type: str
    choices: [apply, wait, prune, stop]
    default: apply
  fleet:
    description:
      - Fleet name, with O(phase=stop) when no O(bundle) is given.
    type: str
  jobs:
    description:
      - With O(phase=wait), the jobs to follow, each a dict with C(namespace), C(job_id) and
        optionally C(agent) (entries of an apply's RV(results) fit).
    type: list
    elements: dict
    default: []
  quotas:
    description:
      - Apply the tenants' quota specifications and attach them to the namespaces (Nomad Enterprise only).
    type: bool
    default: false
  preserve_counts:
    description:
      - Keep the live task group counts of autoscaled agents (those with a C(scaling) block).
    type: bool
    default: true
  concurrency:
    description:
      - How many objects are applied or followed at the same time.
    type: int
    default: 8
  fail_on_error:
    description:
      - Fail the task when any object failed (O(phase=wait) never fails it). With V(false) the
        failures are only in RV(results), for a report that names every failed agent.
    type: bool
    default: true
  plan_cache:
    description:
      - With O(phase=apply), skip the plan call of a job whose live C(JobModifyIndex) is the one the
        previous apply from this controller left it at and whose desired job is unchanged (any change
        to a Nomad job, by anyone, bumps its C(JobModifyIndex)). The indexes are kept next to O(bundle).
      - V(false) plans every job on every run.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each deployment with O(phase=wait), and for stopped jobs to become terminal
        with O(phase=prune).
    type: int
    default: 300
  wait_interval:
    description:
      - Seconds between polls with O(phase=wait) and O(phase=prune).
    type: float
    default: 0.5
  progress_interval:
    description:
      - With O(phase=wait), print a progress line per job being waited for (deployment status and,
        per task group, allocations placed of the desired total, healthy, unhealthy, canaries placed and
        promoted) when the wait starts and then at most every this many seconds; when a job's wait ends,
        its outcome line (successful with the seconds waited and the healthy allocations, or failed with
        identical allocation failures grouped and counted) is printed at once.
      - V(0) prints no progress lines (outcome lines are still printed).
    type: float
    default: 10.0
seealso:
  - module: agentfleet.hashistack.nomad_jobs
"""

EXAMPLES = r"""
- name: Apply namespaces, ACL policies and jobs
  agentfleet.hashistack.fleet_nomad:
    bundle: /tmp/agentfleet/bundle.json
  register: applied

- name: Wait for the deployments of what changed
  agentfleet.hashistack.fleet_nomad:
    bundle: /tmp/agentfleet/bundle.json
    phase: wait
    jobs: "{{ applied.results | selectattr('object', 'eq', 'job') | selectattr('changed') | list }}"

- name: Kill switch for a tenant
  agentfleet.hashistack.fleet_nomad:
    phase: stop
    fleet: agents-lab
    tenants: [research]
"""

RETURN = r"""
results:
  description: One entry per object (C(object), C(name), C(agent), C(outcome), C(changed); jobs add C(namespace),
    C(job_id), C(plan) and, when Nomad warned, C(nomad_warnings); waits add C(seconds) (waited),
    C(deployment_id), C(healthy) and C(desired) (allocations), and when they fail C(reason),
    C(failed_allocations) (the first five) and C(failure_groups) (identical failures once, with C(count),
    C(task), C(event), C(message), C(allocations));
    prune adds one C(prune_wait) entry (C(jobs), C(seconds), C(pending) on timeout); C(msg) when failed). When a
    namespace, tenant ACL policy or quota fails, no job is applied and every job reports C(outcome=not_applied)
    with a C(msg) naming that failure.
  returned: always
  type: list
  elements: dict
  sample: [{"object": "job", "name": "retriever", "agent": "research/retriever", "namespace": "research",
            "job_id": "retriever", "outcome": "unchanged", "changed": false}]
summary:
  description: Number of objects per outcome.
  returned: always
  type: dict
  sample: {"unchanged": 11}
vault_names:
  description: With O(phase=stop), the Vault role and policy names (C(<fleet>--<tenant>--<agent>)) of the stopped agents and of
    the agents named in O(agents) (for M(agentfleet.hashistack.fleet_vault) O(phase=revoke)).
  returned: when O(phase=stop)
  type: list
  elements: str
"""
