# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side, read-only connection checks of Nomad, Vault and Consul before a fleet apply."""
from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul import _module as consul
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.client import ConsulError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.connection_origin import describe_origin
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.preflight import (
    PreflightError, check_consul, check_nomad, check_vault, failure_message)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad import _module as nomad
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault import _module as vault
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.client import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import (
    FleetAction, FleetActionFailed, connect)

ARGSPEC = dict(
    nomad=dict(type="dict", no_log=False),
    vault=dict(type="dict", no_log=False),
    consul=dict(type="dict", no_log=False),
    origin=dict(type="dict", default={}),
)
# Per backend: its connection argspec, the address option, and how to check it.
SPECS = {"nomad": (nomad.connection_argument_spec(), "address"), "vault": (vault.vault_argument_spec(), "url"),
         "consul": (consul.connection_argument_spec(), "url")}


def _nomad(params):
    client = connect(nomad.client_from_params, params)
    return client.address, check_nomad(client, NomadError)


def _vault(params):
    client = connect(vault.client_from_params, params)
    return client.url, check_vault(client)


def _consul(params):
    client = connect(consul.client_from_params, params)
    return client.url, check_consul(client)


CHECKS = {"nomad": _nomad, "vault": _vault, "consul": _consul}


class ActionModule(FleetAction):
    ARGSPEC = ARGSPEC

    def execute(self, params):
        backends, failures = [], []
        for name in ("nomad", "vault", "consul"):
            given = params[name]
            if given is None:
                continue
            entry, message = self._check(name, dict(given), (params["origin"] or {}).get(name) or {})
            backends.append(entry)
            if message:
                failures.append(message)
        if not backends:
            raise FleetActionFailed("give at least one of nomad, vault, consul (their connection options)")
        out = {"changed": False, "backends": backends}
        if failures:
            raise FleetActionFailed("preflight failed, nothing was changed: " + " || ".join(failures),
                                    failures=failures, **out)
        return out

    def _check(self, name, given, labels):
        """({backend, address, address_from, token_from, ok, detail}, failure message or None)."""
        spec, addr_opt = SPECS[name]
        validated = ArgumentSpecValidator(spec).validate(given)
        params = validated.validated_parameters
        address = params.get(addr_opt) or "(no address)"
        address_from = describe_origin(addr_opt, given, spec, labels) if params.get(addr_opt) else "nowhere: not set"
        token_from = describe_origin("token", given, spec, labels)
        if name == "vault" and params.get("auth_method") not in (None, "token"):
            token_from = "auth_method=%s" % params["auth_method"]
        entry = {"backend": name, "address": address, "address_from": address_from or "the default",
                 "token_from": token_from or "none", "ok": False}
        try:
            if validated.error_messages:
                raise PreflightError("bad connection options: %s" % "; ".join(validated.error_messages))
            entry["address"], entry["detail"] = CHECKS[name](params)
            entry["ok"] = True
            return entry, None
        except (PreflightError, NomadError, VaultModuleError, ConsulError, FleetActionFailed, ValueError) as exc:
            entry["detail"] = str(exc)
            return entry, failure_message(name, entry["address"], address_from, token_from, str(exc))
