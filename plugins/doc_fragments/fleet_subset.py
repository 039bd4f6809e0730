# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of plugins/plugin_utils/fleet_action.py ``SUBSET_OPTIONS``: applying part of a
fleet and adopting unowned objects, shared by fleet_nomad, fleet_consul and fleet_vault
(keep the two in sync)."""
from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  tenants:
    description:
      - Apply or prune only the objects of these tenants - their agents' objects and the
        tenant's own namespace, Nomad ACL policy and quota. A comma-separated string is
        accepted too.
      - Empty together with O(agents) - the whole fleet. Fleet-wide objects (the Consul
        default deny) are applied and pruned only on a whole-fleet run.
      - A malformed name fails the task before anything is written. A valid name the bundle
        does not have selects nothing here; M(agentfleet.hashistack.fleet_bundle) (the role's
        validate phase) refuses it before any phase runs, except on a run that prunes (a
        subset prune is how a tenant taken out of the spec is removed alone).
    type: list
    elements: str
    default: []
  agents:
    description:
      - Apply or prune only the objects of these agents, each written C(tenant/agent). An
        agent's tenant namespace, ACL policy and quota are applied with it (its job needs
        them) but never pruned by an agent subset.
      - Same rules for names the spec does not have as O(tenants).
    type: list
    elements: str
    default: []
  adopt:
    description:
      - Take over existing objects of the fleet's names that carry no agentfleet ownership
        marker at all - apply writes this fleet's marker, and the object's result says
        C(outcome=adopted) (in check mode, its C(msg) says C(would adopt)). An object whose
        marker names another fleet is never adopted.
      - V(false) (default) refuses every existing object this fleet does not own.
    type: bool
    default: false
"""
