# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Vault/OpenBao client wrapper: TLS settings, hvac client, retries, errors.

Its options (argspec, env fallbacks) are in ``_module.py``, paired with the
``agentfleet.hashistack.vault`` doc fragment.
All calls go through ``VaultClient.get/post/put/delete/list`` (and ``get_bytes`` /
``post_bytes`` for binary bodies such as raft snapshots) on the shared bounded
session (``module_utils/_http.py``: one retry policy, a deadline per call as a whole,
fast-fail) and translate hvac errors into ``VaultModuleError`` with a clear message
(the backend's public error, importable from here as ``NomadError`` and ``ConsulError``
are from their ``client.py``).
"""
from __future__ import annotations

import os
import traceback

from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import BoundedSession, where_to_set
from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import idempotent as declare_idempotent
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._auth import auth_method_for
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import (
    VaultModuleError,
    translate,
)

HVAC_IMPORT_ERROR = None
try:
    import hvac
    import hvac.adapters
    import hvac.exceptions
    import requests
except ImportError:  # pragma: no cover - exercised by ansible-test sanity only
    HVAC_IMPORT_ERROR = traceback.format_exc()


def _truthy(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on", "t", "y")


def tls_verify(params, environ=None):
    """The ``verify`` value for requests: False, True, or a CA bundle/directory path.

    validate_certs unset -> follow VAULT_SKIP_VERIFY (Vault CLI semantics), else verify.
    """
    environ = os.environ if environ is None else environ
    validate = params.get("validate_certs")
    if validate is None:
        validate = not _truthy(environ.get("VAULT_SKIP_VERIFY", "false"))
    if not validate:
        return False
    return params.get("ca_cert") or params.get("ca_path") or True


def client_cert(params):
    cert, key = params.get("client_cert"), params.get("client_key")
    if key and not cert:
        raise VaultModuleError("client_key is set but client_cert is not")
    if cert:
        return (cert, key) if key else cert
    return None


class VaultClient:
    """An hvac client plus the few generic calls modules need, with errors translated."""

    def __init__(self, params, authenticate=True, environ=None, origin=None):
        if HVAC_IMPORT_ERROR:
            raise VaultModuleError("the hvac Python library is required (pip install hvac)")
        if not params.get("url"):
            raise VaultModuleError("no Vault/OpenBao address: set %s (for example https://vault.example.com:8200)"
                                   % where_to_set("Vault"))
        self.url = params["url"].rstrip("/")
        retries = params.get("retries")
        if retries is None or retries < 0:
            raise VaultModuleError(f"retries: {retries!r} must be 0 or more")
        timeout = params.get("timeout")
        if not timeout or timeout <= 0:
            raise VaultModuleError(f"timeout: {timeout!r} must be a positive number of seconds")
        optional = {k: params[k] for k in ("retry_delay", "fail_fast_after") if params.get(k) is not None}
        try:
            session = BoundedSession("Vault", self.url, timeout=timeout, retries=retries, origin=origin, **optional)
        except ValueError as exc:
            raise VaultModuleError(str(exc)) from None
        self.session = session
        session.verify = tls_verify(params, environ)
        session.cert = client_cert(params)
        # token="" stops hvac picking up VAULT_TOKEN or ~/.vault-token behind our back.
        self.hvac = hvac.Client(
            url=self.url, token="", verify=session.verify, cert=session.cert, timeout=timeout,
            namespace=params.get("namespace") or None, session=session,
        )
        if authenticate:
            method = auth_method_for(params)
            self._call(f"log in to {self.url} with auth_method={method.name}", method.login, self.hvac)

    @property
    def down(self):
        """The fast-fail message once Vault is taken as down (see ``_http``), else None."""
        return self.session.health.down

    def _call(self, action, func, *args, idempotent=None, **kwargs):
        try:
            with declare_idempotent(idempotent):
                return func(*args, **kwargs)
        except (hvac.exceptions.VaultError, requests.exceptions.RequestException) as exc:
            raise translate(exc, action, self.url) from None

    @staticmethod
    def _body(response):
        """JSONAdapter returns a dict for 200 with JSON, a Response otherwise (204)."""
        return response if isinstance(response, dict) else None

    def get(self, path, action=None, missing_ok=True):
        """GET /v1/<path>: the JSON body, or None when the path does not exist."""
        try:
            return self._body(self.hvac.adapter.get(f"/v1/{path.lstrip('/')}"))
        except hvac.exceptions.InvalidPath as exc:
            # Missing object: no errors; missing mount: "no handler for route".
            if missing_ok and (not exc.errors or all("no handler for route" in str(e) for e in exc.errors)):
                return None
            raise translate(exc, action or f"read {path}", self.url) from None
        except (hvac.exceptions.VaultError, requests.exceptions.RequestException) as exc:
            raise translate(exc, action or f"read {path}", self.url) from None

    def list(self, path, action=None):
        """LIST /v1/<path>: the ``keys`` list ([] when empty or missing)."""
        try:
            body = self._body(self.hvac.adapter.list(f"/v1/{path.lstrip('/')}"))
        except hvac.exceptions.InvalidPath:
            return []
        except (hvac.exceptions.VaultError, requests.exceptions.RequestException) as exc:
            raise translate(exc, action or f"list {path}", self.url) from None
        return ((body or {}).get("data") or {}).get("keys") or []

    def post(self, path, data=None, action=None, wrap_ttl=None, idempotent=None):
        """POST /v1/<path>; repeated after it was sent only when ``idempotent`` is true
        (a write that leaves the same state when repeated, such as a policy)."""
        kwargs = {"json": data or {}}
        if wrap_ttl:
            kwargs["wrap_ttl"] = wrap_ttl
        return self._body(self._call(action or f"write {path}", self.hvac.adapter.post,
                                     f"/v1/{path.lstrip('/')}", idempotent=idempotent, **kwargs))

    def put(self, path, data=None, action=None, idempotent=None):
        return self._body(self._call(action or f"write {path}", self.hvac.adapter.put,
                                     f"/v1/{path.lstrip('/')}", idempotent=idempotent, json=data or {}))

    def delete(self, path, action=None):
        return self._body(self._call(action or f"delete {path}", self.hvac.adapter.delete,
                                     f"/v1/{path.lstrip('/')}"))

    def get_bytes(self, path, action=None):
        """GET /v1/<path> whose answer is not JSON (a raft snapshot): the body as bytes.

        The whole body is read inside the call, so ``timeout`` bounds the download too.
        """
        raw = hvac.adapters.RawAdapter.from_adapter(self.hvac.adapter)  # same session and token
        response = self._call(action or f"read {path}", raw.get, f"/v1/{path.lstrip('/')}", stream=False)
        return response.content

    def post_bytes(self, path, data, action=None):
        """POST /v1/<path> with a binary body (bytes); never repeated once sent."""
        return self._body(self._call(action or f"write {path}", self.hvac.adapter.post,
                                     f"/v1/{path.lstrip('/')}", idempotent=False, data=data))
