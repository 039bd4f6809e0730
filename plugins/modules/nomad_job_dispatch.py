#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nomad_job_dispatch
short_description: Dispatch a parameterized Nomad job
description:
  - Dispatches an instance of a parameterized job with an optional payload and meta.
  - The payload's size is checked against Nomad's 16 KiB limit before anything is sent.
  - With O(idempotency_token), a live child job already dispatched with the same token is returned and the task
    reports no change.
  - Can wait for the dispatched job's allocations to complete.
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
    details: Reports whether a dispatch would happen (no child with the token yet) without dispatching.
  diff_mode:
    support: none
  idempotent:
    description: With O(idempotency_token), running the task again reports no change.
    support: partial
    details: Without O(idempotency_token) every run dispatches a new child.
options:
  name:
    description:
      - ID of the parameterized job.
    type: str
    required: true
  payload:
    description:
      - Payload as text; encoded to base64 by the module. At most 16 KiB.
    type: str
  payload_base64:
    description:
      - Payload already base64-encoded (for binary data). At most 16 KiB once decoded.
    type: str
  meta:
    description:
      - Meta values for the dispatched job (string values).
    type: dict
  idempotency_token:
    description:
      - Dispatch at most one live child with this token.
    type: str
  wait:
    description:
      - Wait until the dispatched job's allocations are complete; fail with their task events if one fails.
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
"""

EXAMPLES = r"""
- name: Run one research task, once
  agentfleet.hashistack.nomad_job_dispatch:
    name: agent-task
    payload: "{{ task_spec | to_json }}"
    meta:
      task_id: "42"
    idempotency_token: task-42
    wait: true
"""

RETURN = r"""
dispatched_job_id:
  description: ID of the dispatched (or already existing) child job.
  returned: unless in check mode with no existing child
  type: str
  sample: agent-task/dispatch-1764288000-3f2a9c1e
existing:
  description: Whether the child already existed (same idempotency token).
  returned: always
  type: bool
eval_id:
  description: Evaluation created by the dispatch.
  returned: when a child was dispatched
  type: str
allocations:
  description: Allocation count per client status after waiting.
  returned: when O(wait=true)
  type: dict
failed_allocations:
  description: Failed allocations with their tasks' last events (the first five).
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

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import NomadModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.deploy import (
    WaitFailed, registration_of, wait_for_job)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.dispatch import (
    DispatchError, dispatch, encode_payload)


def main():
    module = NomadModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            payload=dict(type="str"),
            payload_base64=dict(type="str"),
            meta=dict(type="dict"),
            idempotency_token=dict(type="str", no_log=False),
            wait=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=300),
            wait_interval=dict(type="float", default=1.0),
        ),
        mutually_exclusive=[("payload", "payload_base64")],
        supports_check_mode=True,
    )
    params = module.params
    namespace = params["namespace"]
    try:
        payload = encode_payload(params["payload"], params["payload_base64"])
        for key, val in (params["meta"] or {}).items():
            if not isinstance(val, str):
                raise DispatchError("meta.%s: values must be strings, got %r" % (key, val))
        client = module.client()
        result = dispatch(client, params["name"], namespace, payload, params["meta"], params["idempotency_token"], module.check_mode)
        if params["wait"] and not module.check_mode and result.get("dispatched_job_id"):
            child = client.get_job(result["dispatched_job_id"], namespace) or {}
            try:
                result.update(wait_for_job(client, result["dispatched_job_id"], namespace, child.get("Type") or "batch",
                                           registration_of(child), params["wait_timeout"], params["wait_interval"]))
            except WaitFailed as exc:
                result.update(exc.details)
                module.fail_json(msg=str(exc), **result)
    except DispatchError as exc:
        module.fail_json(msg=str(exc))
    except NomadError as exc:
        module.fail_nomad(exc)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
