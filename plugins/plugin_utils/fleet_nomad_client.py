# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Nomad connection options and client for controller-side fleet actions.

Same options as the ``agentfleet.hashistack.nomad`` doc fragment (reused from the Nomad
module_utils), built into the collection's one ``NomadClient``.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import HAS_NOMAD, IMPORT_ERROR, NomadClient
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.connection import (
    CONNECTION_ARGSPEC, CONNECTION_KEYS, connection_problem)
from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import FleetActionFailed

NOMAD_ARGSPEC = dict(CONNECTION_ARGSPEC)


def nomad_client(params, pool_size=None):
    if not HAS_NOMAD:
        raise FleetActionFailed("python-nomad and requests are required on the controller: %s" % IMPORT_ERROR)
    problem = connection_problem(params)
    if problem:
        raise FleetActionFailed(problem)
    config = {k: params[k] for k in CONNECTION_KEYS}
    config["pool_size"] = pool_size
    try:
        return NomadClient(config)
    except ValueError as exc:
        raise FleetActionFailed("address: %s" % exc)
