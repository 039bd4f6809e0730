# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action-group attribute of each backend's modules (meta/runtime.yml action_groups)."""
from __future__ import annotations


def _group(name):
    return r"""
attributes:
  action_group:
    description: Use C(group/agentfleet.hashistack.%s) in C(module_defaults) to set the connection options once per play.
    support: full
    membership:
      - agentfleet.hashistack.%s
""" % (name, name)


class ModuleDocFragment(object):
    ACTIONGROUP_NOMAD = _group("nomad")
    ACTIONGROUP_VAULT = _group("vault")
    ACTIONGROUP_CONSUL = _group("consul")
