# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side bulk apply / prune / revoke of a fleet's Vault policies and JWT roles."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.vault_sync import VaultSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import (
    client_from_params, vault_argument_spec)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.client import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import (
    SUBSET_OPTIONS, FleetAction, FleetActionFailed, connect, load_bundle, select)

ARGSPEC = vault_argument_spec(dict(
    bundle=dict(type="path"),
    phase=dict(type="str", default="apply", choices=["apply", "prune", "revoke"]),
    names=dict(type="list", elements="str", default=[]),
    fleet=dict(type="str"),
    jwt_mount=dict(type="str", default="jwt-nomad"),
    enable_jwt_mount=dict(type="bool", default=True),
    enable_kv_mount=dict(type="bool", default=False),
    concurrency=dict(type="int", default=8),
    **SUBSET_OPTIONS,
))


class ActionModule(FleetAction):
    ARGSPEC = ARGSPEC

    def execute(self, params):
        try:
            data = load_bundle(params, "revoke", {"fleet": params["fleet"], "vault": {"jwt_mount": params["jwt_mount"]}, "agents": {}},
                               "fleet and names")
            if params["phase"] != "revoke":
                data = select(data, params)
            client = connect(client_from_params, params)
            sync = VaultSync(client, data, check=self.check, diff=self.diff, concurrency=params["concurrency"],
                             adopt=params["adopt"])
            results = []
            if params["phase"] == "apply":
                if params["enable_jwt_mount"]:
                    results.append(sync.ensure_mount("auth", data["vault"]["jwt_mount"], "jwt"))
                if params["enable_kv_mount"]:
                    results.append(sync.ensure_mount("secrets", data["vault"]["kv_mount"], "kv", {"version": "2"}))
                results += sync.converge()
            elif params["phase"] == "prune":
                results = sync.prune()
            else:
                results = sync.revoke(params["names"])
        except (VaultModuleError, ValueError) as exc:
            raise FleetActionFailed(str(exc))
        # A plan (check mode) goes on past a refused object, so every backend is planned;
        # the report still fails the play afterwards. A backend that is down stops it.
        return self.finish(results, fail=not self.check or bool(client.down), down=client.down)
