#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nomad_scheduler_config
short_description: Set Nomad's scheduler configuration
description:
  - Reads C(/v1/operator/scheduler/configuration), compares the options given and writes the merged
    configuration with check-and-set on its modify index.
  - For example, memory oversubscription must be enabled for jobs that set C(memory_max).
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
  diff_mode:
    support: full
  idempotent:
    description: Running the same task again with the same input reports no change.
    support: full
options:
  scheduler_algorithm:
    description:
      - Placement algorithm.
    type: str
    choices: [binpack, spread]
  memory_oversubscription:
    description:
      - Allow tasks to use memory beyond their reservation up to C(memory_max).
    type: bool
  reject_job_registration:
    description:
      - Reject job registrations, dispatches and scaling (cluster maintenance).
    type: bool
  pause_eval_broker:
    description:
      - Pause the evaluation broker.
    type: bool
  preemption:
    description:
      - Preemption per scheduler type.
    type: dict
    suboptions:
      system:
        description: Preemption for system jobs.
        type: bool
      sysbatch:
        description: Preemption for sysbatch jobs.
        type: bool
      batch:
        description: Preemption for batch jobs.
        type: bool
      service:
        description: Preemption for service jobs.
        type: bool
"""

EXAMPLES = r"""
- name: Allow memory_max in agent jobs
  agentfleet.hashistack.nomad_scheduler_config:
    memory_oversubscription: true
"""

RETURN = r"""
differences:
  description: Settings that differed from the live configuration.
  returned: always
  type: list
  elements: str
  sample: ["MemoryOversubscriptionEnabled"]
scheduler_config:
  description: The configuration after the change (in check mode, as it would be).
  returned: always
  type: dict
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import NomadModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.resources import differences, view

TOP = {"scheduler_algorithm": "SchedulerAlgorithm", "memory_oversubscription": "MemoryOversubscriptionEnabled",
       "reject_job_registration": "RejectJobRegistration", "pause_eval_broker": "PauseEvalBroker"}
PREEMPT = {"system": "SystemSchedulerEnabled", "sysbatch": "SysBatchSchedulerEnabled",
           "batch": "BatchSchedulerEnabled", "service": "ServiceSchedulerEnabled"}
PATH = "/v1/operator/scheduler/configuration"


def main():
    module = NomadModule(
        argument_spec=dict(
            scheduler_algorithm=dict(type="str", choices=["binpack", "spread"]),
            memory_oversubscription=dict(type="bool"),
            reject_job_registration=dict(type="bool"),
            pause_eval_broker=dict(type="bool"),
            preemption=dict(type="dict", options={k: dict(type="bool") for k in PREEMPT}),
        ),
        supports_check_mode=True,
    )
    params = module.params
    desired = {api: params[opt] for opt, api in TOP.items() if params[opt] is not None}
    if params["preemption"]:
        pre = {api: params["preemption"][opt] for opt, api in PREEMPT.items() if params["preemption"][opt] is not None}
        if pre:
            desired["PreemptionConfig"] = pre
    client = module.client()
    try:
        live = (client.request("GET", PATH) or {}).get("SchedulerConfig") or {}
        diffs = differences(desired, live)
        merged = dict(live)
        merged.update({k: v for k, v in desired.items() if k != "PreemptionConfig"})
        if "PreemptionConfig" in desired:
            merged["PreemptionConfig"] = dict(live.get("PreemptionConfig") or {}, **desired["PreemptionConfig"])
        for key in ("CreateIndex", "ModifyIndex"):
            merged.pop(key, None)
        if diffs and not module.check_mode:
            resp = client.request("PUT", PATH, body=merged, params={"cas": live.get("ModifyIndex", 0)}) or {}
            if resp.get("Updated") is False:
                module.fail_json(msg="scheduler configuration changed concurrently (check-and-set on modify index %s "
                                 "failed); nothing written" % live.get("ModifyIndex"))
    except NomadError as exc:
        module.fail_nomad(exc)
    result = {"changed": bool(diffs), "differences": diffs, "scheduler_config": merged}
    if module._diff:
        result["diff"] = {"before": view(live, desired), "after": desired}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
