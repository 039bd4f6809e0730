#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_vault
short_description: Apply, prune or revoke a fleet's Vault policies and JWT roles in one task
description:
  - Converges every agent's Vault ACL policy and JWT auth role (Nomad workload identity) from a
    bundle written by M(agentfleet.hashistack.fleet_bundle), many at a time, in one task.
  - Comparison is normalised (policy comments and whitespace, TTL units, list order), so a
    re-run with the same spec reports no change.
  - O(phase=prune) deletes roles and policies this fleet created earlier that the spec no longer
    has. O(phase=revoke) is the kill switch, it deletes the JWT roles (no new logins) and the
    policies (tokens already issued lose access at once) of the agents named in O(names).
  - >-
    Only objects owned by the fleet are touched (exact markers, never a prefix test). A policy is
    owned when its first line is exactly the header the renderer writes
    (C(# Managed by agentfleet: fleet=<fleet> tenant=<tenant> agent=<agent>)) and it is named
    C(<fleet>--<tenant>--<agent>) from that header; a JWT role when its name splits into this fleet,
    a tenant and an agent and it grants exactly its own, owned policy. Apply refuses anything else,
    naming the object and its owner.
  - This is an action plugin; it always runs on the controller (no module is sent to the host).
version_added: 0.1.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.fleet_subset
  - agentfleet.hashistack.vault.auth
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
    details: One before/after per changed policy or role.
  idempotent:
    description: Running the same task again with the same bundle reports no change.
    support: full
  platform:
    platforms: posix
options:
  bundle:
    description:
      - Path of the bundle written by M(agentfleet.hashistack.fleet_bundle). Required unless O(phase=revoke).
    type: path
  phase:
    description:
      - V(apply) converges policies and roles; V(prune) deletes owned ones no longer in the bundle;
        V(revoke) deletes those of O(names).
    type: str
    choices: [apply, prune, revoke]
    default: apply
  names:
    description:
      - With O(phase=revoke), the agents' Vault names (C(<fleet>--<tenant>--<agent>)).
    type: list
    elements: str
    default: []
  fleet:
    description:
      - Fleet name, with O(phase=revoke) when no O(bundle) is given.
    type: str
  jwt_mount:
    description:
      - JWT auth mount path, with O(phase=revoke) when no O(bundle) is given.
    type: str
    default: jwt-nomad
  enable_jwt_mount:
    description:
      - With O(phase=apply), enable a C(jwt) auth method at the bundle's JWT mount when it is missing.
    type: bool
    default: true
  enable_kv_mount:
    description:
      - With O(phase=apply), enable a KV version 2 secrets engine at the bundle's KV mount when it is missing.
    type: bool
    default: false
  concurrency:
    description:
      - How many objects are read or written at the same time.
    type: int
    default: 8
seealso:
  - module: agentfleet.hashistack.vault_policy
  - module: agentfleet.hashistack.vault_jwt_role
"""

EXAMPLES = r"""
- name: Apply every agent's Vault policy and JWT role
  agentfleet.hashistack.fleet_vault:
    bundle: /tmp/agentfleet/bundle.json
    url: https://vault.example:8200

- name: Kill switch for one agent
  agentfleet.hashistack.fleet_vault:
    phase: revoke
    fleet: agents-lab
    names: [agents-lab-research-retriever]
"""

RETURN = r"""
results:
  description: One entry per object (C(object), C(name), C(agent), C(outcome), C(changed); C(msg) when failed).
  returned: always
  type: list
  elements: dict
  sample: [{"object": "vault_policy", "name": "agents-lab-research-retriever", "agent": "research/retriever",
            "outcome": "unchanged", "changed": false}]
summary:
  description: Number of objects per outcome (created, updated, unchanged, deleted, absent, failed).
  returned: always
  type: dict
  sample: {"unchanged": 8}
"""
