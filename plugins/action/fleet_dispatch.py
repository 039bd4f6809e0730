# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side dispatch of work items with derived idempotency tokens and a cap."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.dispatch_guard import (
    OUTCOMES, check_items, dispatch_items)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.dispatch import DispatchError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import (
    client_from_params, connection_argument_spec)
from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import (
    FleetAction, FleetActionFailed, connect)

ARGSPEC = connection_argument_spec()
ARGSPEC.update(
    job_id=dict(type="str", required=True),
    items=dict(type="list", elements="raw", required=True),
    max_running=dict(type="int", required=True),
    fail_on_limit=dict(type="bool", default=True),
    payload=dict(type="str", choices=["required", "optional", "forbidden"]),
    meta_required=dict(type="list", elements="str"),
    meta_optional=dict(type="list", elements="str"),
)


class ActionModule(FleetAction):
    ARGSPEC = ARGSPEC

    def execute(self, params):
        if params["max_running"] < 1:
            raise FleetActionFailed("max_running: must be >= 1, got %s" % params["max_running"])
        errors = check_items(params["items"], params["payload"], params["meta_required"], params["meta_optional"])
        if errors:
            raise FleetActionFailed("%d bad work item(s), nothing dispatched: %s" % (len(errors), "; ".join(errors)),
                                    errors=errors)
        client = connect(client_from_params, params)
        try:
            results = dispatch_items(client, params["job_id"], params["namespace"], params["items"], params["max_running"],
                                     check_mode=self.check)
        except DispatchError as exc:
            raise FleetActionFailed(str(exc))
        summary = {outcome: 0 for outcome in OUTCOMES}
        for res in results:
            summary[res["outcome"]] += 1
        out = {"changed": summary["dispatched"] > 0, "results": results, "summary": summary}
        broken = [r for r in results if r["outcome"] in ("failed", "not_attempted")]
        if broken:
            first = broken[0]
            raise FleetActionFailed(
                "dispatch of %s/%s stopped at item %s: %s; %d dispatched, %d already dispatched, %d failed, "
                "%d not attempted. Re-run with the same items: each item keeps its idempotency token, so only "
                "the missing ones are dispatched" % (
                    params["namespace"], params["job_id"], first["id"], first["msg"], summary["dispatched"],
                    summary["existing"], summary["failed"], summary["not_attempted"]), **out)
        if summary["refused"] and params["fail_on_limit"]:
            refused = [r["id"] for r in results if r["outcome"] == "refused"]
            raise FleetActionFailed("%d item(s) refused, the cap of %d running children of %s is reached: %s"
                                    % (len(refused), params["max_running"], params["job_id"], ", ".join(refused[:20])), **out)
        return out
