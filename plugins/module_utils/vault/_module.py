# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible glue of the Vault/OpenBao backend: argspecs, ``client_from_params``, ``VaultModule``.

The same shape as ``nomad/_module.py`` and ``consul/_module.py``: the connection (and
authentication) argspec, paired with the ``agentfleet.hashistack.vault`` doc fragment
(``DOCUMENTATION`` and ``AUTH``, same options); ``client_from_params(params)`` used by
modules and the fleet_* action plugins alike; and the module wrapper ``VaultModule``
(options merged in, one lazily built client, errors turned into ``fail_json``).
"""
from __future__ import annotations

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.agentfleet.hashistack.plugins.module_utils._backend_module import BackendModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import retry_argument_spec
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.client import (
    HVAC_IMPORT_ERROR,
    VaultClient,
)


def connection_argument_spec():
    """Options to reach the server (no authentication): url, TLS, namespace, retries."""
    return dict(
        url=dict(type="str", fallback=(env_fallback, ["VAULT_ADDR"])),
        ca_cert=dict(type="path", fallback=(env_fallback, ["VAULT_CACERT"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["VAULT_CAPATH"])),
        client_cert=dict(type="path", fallback=(env_fallback, ["VAULT_CLIENT_CERT"])),
        client_key=dict(type="path", no_log=False, fallback=(env_fallback, ["VAULT_CLIENT_KEY"])),
        validate_certs=dict(type="bool"),
        namespace=dict(type="str", fallback=(env_fallback, ["VAULT_NAMESPACE"])),
        timeout=dict(type="float", default=30.0),
        **retry_argument_spec()
    )


def auth_argument_spec():
    """Options to authenticate: a strategy from _auth.AUTH_METHODS and its inputs."""
    return dict(
        auth_method=dict(type="str", default="token", choices=["token", "approle", "jwt"]),
        token=dict(type="str", no_log=True, fallback=(env_fallback, ["VAULT_TOKEN"])),
        role_id=dict(type="str"),
        secret_id=dict(type="str", no_log=True),
        jwt=dict(type="str", no_log=True),
        jwt_role=dict(type="str"),
        auth_mount_point=dict(type="str"),
    )


def vault_argument_spec(module_spec=None, auth=True):
    """Connection (+ auth) options merged with a module's own options."""
    spec = connection_argument_spec()
    if auth:
        spec.update(auth_argument_spec())
    spec.update(module_spec or {})
    return spec


def client_from_params(params, authenticate=True, origin=None):
    """The ``VaultClient`` for validated ``params`` (connection, and auth options unless
    ``authenticate`` is false: init, seal status, unseal); ``origin``: where the address
    came from, in words (``connection_origin.address_origin``).

    Logs in when ``authenticate``. Raises VaultModuleError with the message to show (no
    address, bad option, hvac missing, login refused).
    """
    return VaultClient(params, authenticate=authenticate, origin=origin)


class VaultModule(BackendModule):
    """The Vault module wrapper: ``module.client()`` is the run's (logged in) VaultClient;
    ``module.run(manager)`` runs a manager and exits.

    ``auth=False`` for unauthenticated endpoints (init, seal status, unseal). Check mode is
    supported unless told otherwise.
    """

    CLIENT_ERRORS = (VaultModuleError, ValueError)

    def __init__(self, argument_spec, auth=True, **kwargs):
        kwargs.setdefault("supports_check_mode", True)
        super().__init__(vault_argument_spec(auth=auth), argument_spec, **kwargs)
        if HVAC_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib("hvac"), exception=HVAC_IMPORT_ERROR)
        self._auth = auth

    ADDRESS_OPTION = "url"

    def build_client(self, origin=None):
        return client_from_params(self.params, authenticate=self._auth, origin=origin)

    def run(self, manager):
        """Exit with ``manager(module, client) -> result dict``; its VaultModuleError or
        ValueError becomes the task's failure message."""
        client = self.client()
        try:
            result = manager(self, client)
        except (VaultModuleError, ValueError) as exc:
            self.fail_json(msg=str(exc))
        self.exit_json(**result)
