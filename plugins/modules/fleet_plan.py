#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_plan
short_description: The human plan of a fleet apply, and the same plan as a JSON file
description:
  - Turns what the Vault, Consul and Nomad phases of a fleet apply returned (one result per object)
    and the per-agent report of P(agentfleet.hashistack.fleet_apply_report#filter) into a plan people
    can read, in the style of C(terraform plan) and C(nomad job plan) - one block per agent that
    changes, with what changes in Vault, Consul and Nomad, field by field (a Nomad job shows Nomad's
    own plan with its annotations such as C(1 create/destroy update, 1 canary) and C(forces create),
    durations as C(30s) or C(2m)), a block C(fleet) for objects of no agent, and one footer line per
    backend, C(Nomad - 1 to add, 2 to change, 0 to destroy (10 unchanged).).
  - In check mode the words are C(would create), C(would update); after an apply C(created),
    C(updated), C(1 added, 2 changed, 0 destroyed). A plan without changes is the three footer lines.
  - At normal verbosity each object shows at most 15 detail lines; with C(-v) all of them.
  - Secret values never appear - results carry none (Consul secret fields read C(changed), Vault
    policy texts are not included).
  - This is an action plugin; it always runs on the controller.
version_added: 0.1.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
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
    details: Builds the plan with check-mode words; the plan file is written in check mode too.
  diff_mode:
    support: none
  idempotent:
    description: Builds a report of results already returned; it never reports a change.
    support: full
  platform:
    platforms: posix
options:
  report:
    description:
      - The per-agent report of the run (P(agentfleet.hashistack.fleet_apply_report#filter)); each agent's
        status, reasons and canaries awaiting promotion are shown in its block.
    type: dict
    required: true
  phases:
    description:
      - What each phase task returned, by name - C(vault), C(consul), C(nomad) (apply) and C(prune_vault),
        C(prune_consul), C(prune_nomad); only their C(results) are read. V(none) for a phase that did not run.
    type: dict
    default: {}
  fleet:
    description:
      - Fleet name, recorded in the plan file.
    type: str
    default: ""
  dest:
    description:
      - Path on the controller of a JSON file to write the whole plan to (every detail line, the totals
        per backend, C(changes)), with mode 0600, atomically; also in check mode. Omit for no file.
      - When the file cannot be written the task still returns the plan, with RV(dest_error) and a warning, so the
        plan can be shown first; the C(agent_fleet) role fails after showing it.
    type: path
seealso:
  - module: agentfleet.hashistack.fleet_nomad
"""

EXAMPLES = r"""
- name: Build the plan of this run
  agentfleet.hashistack.fleet_plan:
    report: "{{ agent_fleet_report }}"
    phases:
      vault: "{{ agent_fleet_vault | default(none) }}"
      consul: "{{ agent_fleet_consul | default(none) }}"
      nomad: "{{ agent_fleet_nomad | default(none) }}"
    dest: /tmp/agentfleet/plan.json
  register: fleet_plan
"""

RETURN = r"""
lines:
  description: The plan as human lines - the C(fleet) block, one block per agent that changes, one footer per backend.
  returned: always
  type: list
  elements: str
  sample: ["research/retriever: would be updated", "  ~ nomad job research/retriever: would update",
           "Vault: 0 to add, 0 to change, 0 to destroy (10 unchanged)."]
changes:
  description: Whether any object would be (or was) added, changed or destroyed.
  returned: always
  type: bool
totals:
  description: Per backend (C(vault), C(consul), C(nomad)) the counts C(add), C(change), C(destroy), C(unchanged),
    C(failed), C(not_applied) and C(ran) (whether its apply phase returned results).
  returned: always
  type: dict
dest:
  description: Absolute path of the plan file.
  returned: when O(dest) is set and the file was written
  type: str
dest_error:
  description: Why the plan file could not be written.
  returned: when O(dest) is set and the file could not be written
  type: str
"""
