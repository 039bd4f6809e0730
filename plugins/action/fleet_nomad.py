# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side bulk apply / wait / prune / stop of a fleet's Nomad objects."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.naming import agent_object_name
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import bundle as bundles
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.nomad_sync import (
    NomadSync, load_known, save_known, warning_messages)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import (
    client_from_params, connection_argument_spec)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import (
    SUBSET_OPTIONS, FleetAction, FleetActionFailed, connect, load_bundle, select)

ARGSPEC = connection_argument_spec()
ARGSPEC.update(
    bundle=dict(type="path"),
    phase=dict(type="str", default="apply", choices=["apply", "wait", "prune", "stop"]),
    fleet=dict(type="str"),
    jobs=dict(type="list", elements="dict", default=[]),
    **SUBSET_OPTIONS,
    quotas=dict(type="bool", default=False),
    preserve_counts=dict(type="bool", default=True),
    concurrency=dict(type="int", default=8),
    fail_on_error=dict(type="bool", default=True),
    plan_cache=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=300),
    wait_interval=dict(type="float", default=0.5),
    progress_interval=dict(type="float", default=10.0),
)


class ActionModule(FleetAction):
    ARGSPEC = ARGSPEC

    def execute(self, params):
        data = load_bundle(params, "stop", {"fleet": params["fleet"], "agents": {}}, "fleet")
        params["tenants"], params["agents"] = (bundles.selection_names(params[k]) for k in ("tenants", "agents"))
        if params["phase"] != "stop":  # stop works from live markers, also for agents the spec lost
            data = select(data, params)
        if params["phase"] == "stop" and not (params["tenants"] or params["agents"]):
            raise FleetActionFailed("phase=stop needs tenants or agents; nothing was stopped")
        malformed = [ref for ref in params["agents"] if ref.count("/") != 1 or "" in ref.split("/")]
        if params["phase"] == "stop" and malformed:
            raise FleetActionFailed("agents: %s: write each agent as <tenant>/<agent>; nothing was stopped"
                                    % ", ".join(repr(ref) for ref in malformed))
        for index, ref in enumerate(params["jobs"]):
            if not ref.get("job_id") or not ref.get("namespace"):
                raise FleetActionFailed("jobs[%d]: needs job_id and namespace, got %r" % (index, ref))
        client = connect(client_from_params, params, pool_size=params["concurrency"])
        state = "%s.%s.nomad-state.json" % (params["bundle"], client.address.split("://")[-1].replace(":", "_")) \
            if params["bundle"] else None
        known = load_known(state) if state and params["plan_cache"] and params["phase"] == "apply" else {}
        sync = NomadSync(client, data, check=self.check, diff=self.diff, concurrency=params["concurrency"],
                         quotas=params["quotas"], preserve_counts=params["preserve_counts"], known=known,
                         adopt=params["adopt"])
        extra = {}
        try:
            if params["phase"] == "apply":
                results = sync.converge_tenancy()
                if not any(r["outcome"] == "failed" for r in results):
                    results += sync.converge_jobs()
                else:  # no job is applied after a namespace/policy/quota failure: say so per job
                    results += sync.not_applied_jobs(results)
                if state and not self.check:  # a subset run keeps what the last runs left for the others
                    save_known(state, dict(known, **sync.observed) if sync.subset else sync.observed)
            elif params["phase"] == "wait":
                results = [] if self.check else sync.wait(
                    params["jobs"], params["wait_timeout"], params["wait_interval"],
                    progress=self._display.display, progress_interval=params["progress_interval"])
            elif params["phase"] == "prune":
                results = sync.prune(params["wait_timeout"], params["wait_interval"])
            else:
                results = sync.stop(params["tenants"], params["agents"])
                if not results:
                    self._display.warning(
                        "kill switch: no job of fleet %r carries tenant %s or agent %s; nothing was stopped "
                        "(check the spelling, or the jobs were already purged)"
                        % (data["fleet"], params["tenants"] or "-", params["agents"] or "-"))
                # The Vault objects to revoke: those of the stopped jobs' agents and of the
                # agents named (already stopped or gone), named one way (fleet.naming).
                pairs = {(r["tenant"], r["agent_name"]) for r in results if r.get("tenant") and r.get("agent_name")}
                pairs |= {tuple(a.split("/", 1)) for a in params["agents"] or () if a.count("/") == 1}
                extra["vault_names"] = sorted(agent_object_name(data["fleet"], t, a) for t, a in pairs)
        except NomadError as exc:
            raise FleetActionFailed(str(exc), nomad_error=exc.as_dict())
        for text in warning_messages(results):
            self._display.warning(text)
        return self.finish(results, fail=params["phase"] != "wait" and params["fail_on_error"], down=client.down, **extra)
