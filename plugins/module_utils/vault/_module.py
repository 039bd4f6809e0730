# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet.hashistack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared main(): build the module and client, run a manager, report errors."""
from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.client import (
    HVAC_IMPORT_ERROR,
    VaultClient,
    vault_argument_spec,
)


def run_vault_module(module_spec, manager, auth=True, **module_kwargs):
    """Run ``manager(module, client) -> result dict`` with clear failures.

    ``auth=False`` for unauthenticated endpoints (init, seal status, unseal).
    """
    module_kwargs.setdefault("supports_check_mode", True)
    module = AnsibleModule(argument_spec=vault_argument_spec(module_spec, auth=auth), **module_kwargs)
    if HVAC_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("hvac"), exception=HVAC_IMPORT_ERROR)
    try:
        client = VaultClient(module.params, authenticate=auth)
        result = manager(module, client)
    except (VaultModuleError, ValueError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)
