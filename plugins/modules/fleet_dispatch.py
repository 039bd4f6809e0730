#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_dispatch
short_description: Dispatch work items to a parameterized Nomad job, idempotently and under a cap
description:
  - Dispatches one child job of a parameterized (C(kind=dispatch)) agent per work item.
  - Each item's idempotency token is derived from the namespace, job and item ID, so running
    the task again never starts a second child for the same item (that item reports C(existing)).
  - Nomad has no concurrency cap for dispatched jobs; this module counts the parent's pending and
    running children first and refuses the items that would exceed O(max_running).
  - Every item is checked (ID, meta, payload size under Nomad's 16 KiB limit, and with O(payload),
    O(meta_required), O(meta_optional) the parent's parameterized rules) before anything is sent.
  - When a dispatch call fails (after the client's retries, which send the same token), the task
    stops sending, fails, and still returns one result per item. Re-running with the same items
    dispatches only the missing ones.
  - This is an action plugin; it always runs on the controller (no module is sent to the host).
version_added: 0.1.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
  - agentfleet.hashistack.nomad
  - agentfleet.hashistack.retries
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
    details: Reports which items would be dispatched, already exist or would be refused; dispatches nothing.
  diff_mode:
    support: none
  idempotent:
    description: Items already dispatched (same ID) report C(existing) and no change.
    support: full
  platform:
    platforms: posix
options:
  job_id:
    description:
      - The parameterized job (the agent's job ID).
    type: str
    required: true
  items:
    description:
      - Work items, each with C(id) (string or number, unique), and optionally C(payload) (text),
        C(payload_base64) and C(meta) (map of strings).
    type: list
    elements: raw
    required: true
  max_running:
    description:
      - Most children of O(job_id) that may be pending or running at once, counting those already running.
    type: int
    required: true
  fail_on_limit:
    description:
      - Fail the task when any item was refused because of O(max_running).
    type: bool
    default: true
  payload:
    description:
      - The parent job's payload rule (its C(ParameterizedJob.Payload)); when set, items are checked against it
        before anything is sent. Not checked when unset.
    type: str
    choices: [required, optional, forbidden]
  meta_required:
    description:
      - Meta keys every item must set (the parent's C(MetaRequired)); checked before anything is sent when set.
    type: list
    elements: str
  meta_optional:
    description:
      - Further meta keys an item may set (the parent's C(MetaOptional)). When this or O(meta_required) is set,
        any other meta key is refused before anything is sent, as Nomad would refuse it.
    type: list
    elements: str
seealso:
  - module: agentfleet.hashistack.nomad_job_dispatch
"""

EXAMPLES = r"""
- name: Dispatch tickets, at most 5 workers at a time
  agentfleet.hashistack.fleet_dispatch:
    namespace: support
    job_id: ticket-worker
    max_running: 5
    items:
      - {id: T-1001, payload: '{"ticket": 1001}', meta: {ticket_id: "1001"}}
      - {id: T-1002, payload: '{"ticket": 1002}', meta: {ticket_id: "1002"}}
"""

RETURN = r"""
results:
  description:
    - One entry per item, in order, with C(id), C(token), C(outcome), C(changed), C(dispatched_job_id) and C(msg).
    - "C(outcome): V(dispatched) (started by this task), V(existing) (a live child already has the item's
      idempotency token), V(refused) (over O(max_running)), V(failed) (its dispatch call failed, C(msg) says
      why; the call may still have reached Nomad, and a re-run finds that child by its token),
      V(not_attempted) (after a failure nothing more is sent)."
    - Also returned when the task fails, so partial work is visible; C(changed) is V(true) when any
      item was dispatched.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "T-1001", "token": "wi-4f1c...", "outcome": "dispatched", "dispatched_job_id": "ticket-worker/dispatch-1764290000-1a2b3c4d"}]
summary:
  description: Number of items per outcome.
  returned: always
  type: dict
  sample: {"dispatched": 1, "existing": 1, "refused": 0, "failed": 0, "not_attempted": 0}
"""
