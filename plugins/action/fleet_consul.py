# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side bulk apply / prune of a fleet's Consul config entries."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul._module import (
    client_from_params, connection_argument_spec)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.client import ConsulError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import bundle as bundles
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.consul_sync import ConsulSync
from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import (
    SUBSET_OPTIONS, FleetAction, FleetActionFailed, connect, select)

ARGSPEC = connection_argument_spec()
ARGSPEC.update(
    bundle=dict(type="path", required=True),
    phase=dict(type="str", default="apply", choices=["apply", "prune"]),
    concurrency=dict(type="int", default=8),
    **SUBSET_OPTIONS,
)


class ActionModule(FleetAction):
    ARGSPEC = ARGSPEC

    def execute(self, params):
        try:
            data = select(bundles.load(params["bundle"]), params)
            client = connect(client_from_params, params, pool_size=params["concurrency"])
            sync = ConsulSync(client, data, check=self.check, diff=self.diff, concurrency=params["concurrency"],
                              adopt=params["adopt"])
            results = sync.converge() if params["phase"] == "apply" else sync.prune()
        except ConsulError as exc:
            raise FleetActionFailed(str(exc), status=exc.status)
        except ValueError as exc:
            raise FleetActionFailed(str(exc))
        # A plan (check mode) goes on past a refused object, so every backend is planned;
        # the report still fails the play afterwards. A backend that is down stops it.
        return self.finish(results, fail=not self.check or bool(client.down), down=client.down)
