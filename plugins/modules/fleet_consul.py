#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_consul
short_description: Apply or prune a fleet's Consul intentions and service defaults in one task
description:
  - Converges every Consul config entry of a fleet (C(service-defaults) with the upstream circuit
    breakers, C(service-resolver) request timeouts, per-destination C(service-intentions) and the
    fleet-wide default deny) from a bundle written by M(agentfleet.hashistack.fleet_bundle),
    many at a time, in one task.
  - Entries are applied service defaults first, then resolvers, then allow intentions, and the
    default deny last, so traffic the spec allows is never cut during a first apply.
  - Comparison ignores server-added fields (indexes, hashes, timestamps, precedence); writes are
    check-and-set on the ModifyIndex read.
  - Ownership is C(Meta.agentfleet_fleet) equal to the fleet name; an existing entry of another
    owner is never overwritten (that object fails with a message naming its owner), and
    O(phase=prune) deletes only owned entries that the spec no longer has. The default deny
    (C(service-intentions) C(*)) is one per Consul cluster; an identical one held by another fleet
    is left as it is and reported unchanged.
  - This is an action plugin; it always runs on the controller (no module is sent to the host).
version_added: 0.1.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
  - agentfleet.hashistack.consul
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
    details: Reads everything and reports what would change, writes nothing.
  diff_mode:
    support: full
    details: One before/after per changed entry.
  idempotent:
    description: Running the same task again with the same bundle reports no change.
    support: full
  platform:
    platforms: posix
options:
  bundle:
    description:
      - Path of the bundle written by M(agentfleet.hashistack.fleet_bundle).
    type: path
    required: true
  phase:
    description:
      - V(apply) converges the entries; V(prune) deletes owned entries no longer in the bundle.
    type: str
    choices: [apply, prune]
    default: apply
  concurrency:
    description:
      - How many entries are read or written at the same time.
    type: int
    default: 8
seealso:
  - module: agentfleet.hashistack.consul_config_entry
  - module: agentfleet.hashistack.consul_intentions
"""

EXAMPLES = r"""
- name: Apply the fleet's intentions and circuit breakers
  agentfleet.hashistack.fleet_consul:
    bundle: /tmp/agentfleet/bundle.json
    url: http://127.0.0.1:8500
"""

RETURN = r"""
results:
  description: One entry per config entry (C(kind), C(name), C(agent), C(outcome), C(changed), C(differences); C(msg) when failed).
  returned: always
  type: list
  elements: dict
  sample: [{"object": "consul_service_intentions", "kind": "service-intentions", "name": "research-embedder",
            "agent": "research/embedder", "outcome": "unchanged", "changed": false}]
summary:
  description: Number of entries per outcome.
  returned: always
  type: dict
  sample: {"unchanged": 13}
"""
