# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication methods as small strategy classes chosen from ``AUTH_METHODS``.

Each class names the options it needs and logs an hvac client in. Adding a method is
one class plus one table entry (and its options in the doc fragment).
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError


class _AuthMethod:
    name = ""
    required = ()
    default_mount = None

    def __init__(self, params):
        missing = [opt for opt in self.required if not params.get(opt)]
        if missing:
            raise VaultModuleError(
                f"auth_method={self.name} needs {', '.join(missing)} "
                f"(not set and no environment fallback found)")
        self.params = params

    @property
    def mount(self):
        return (self.params.get("auth_mount_point") or self.default_mount).strip("/")

    def login(self, client):
        raise NotImplementedError


class TokenAuth(_AuthMethod):
    """Use a token as is (``token`` or VAULT_TOKEN)."""

    name = "token"
    required = ("token",)

    def login(self, client):
        client.token = self.params["token"]


class AppRoleAuth(_AuthMethod):
    """Log in with an AppRole role_id + secret_id."""

    name = "approle"
    required = ("role_id", "secret_id")
    default_mount = "approle"

    def login(self, client):
        client.auth.approle.login(
            role_id=self.params["role_id"], secret_id=self.params["secret_id"],
            mount_point=self.mount)


class JwtAuth(_AuthMethod):
    """Log in with a signed JWT (e.g. a Nomad workload identity) and a role."""

    name = "jwt"
    required = ("jwt", "jwt_role")
    default_mount = "jwt"

    def login(self, client):
        client.auth.jwt.jwt_login(role=self.params["jwt_role"], jwt=self.params["jwt"], path=self.mount)


AUTH_METHODS = {cls.name: cls for cls in (TokenAuth, AppRoleAuth, JwtAuth)}


def auth_method_for(params):
    """Instantiate the strategy named by ``params['auth_method']`` (default token)."""
    name = params.get("auth_method") or "token"
    try:
        cls = AUTH_METHODS[name]
    except KeyError:
        raise VaultModuleError(
            f"auth_method {name!r} is not supported (choose from {', '.join(sorted(AUTH_METHODS))})") from None
    return cls(params)
