# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action-group attribute of each backend's modules (meta/runtime.yml action_groups)."""
from __future__ import annotations


class ModuleDocFragment(object):

    ACTIONGROUP_NOMAD = r"""
attributes:
  action_group:
    description: Use C(group/agentfleet.hashistack.nomad) in C(module_defaults) to set the connection options once per play.
    support: full
    membership:
      - agentfleet.hashistack.nomad
"""

    ACTIONGROUP_VAULT = r"""
attributes:
  action_group:
    description: Use C(group/agentfleet.hashistack.vault) in C(module_defaults) to set the connection options once per play.
    support: full
    membership:
      - agentfleet.hashistack.vault
"""

    ACTIONGROUP_CONSUL = r"""
attributes:
  action_group:
    description: Use C(group/agentfleet.hashistack.consul) in C(module_defaults) to set the connection options once per play.
    support: full
    membership:
      - agentfleet.hashistack.consul
"""
