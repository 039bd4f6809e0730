# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Translate hvac / requests exceptions into one clear error type."""
from __future__ import annotations

from urllib.parse import urlsplit

from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import transport_error_message

# Reason per HTTP status Vault answers with; the server's own message is appended.
_STATUS_REASONS = {
    400: "the request was rejected as invalid",
    401: "authentication failed (missing or invalid token/credentials)",
    403: "permission denied (the token's policies do not allow this, or the token expired)",
    404: "not found",
    405: "method not supported on this path",
    412: "the cluster has not caught up with a recent write (try again)",
    429: "rate limited",
    500: "the server reported an internal error",
    501: "the server is not initialised",
    502: "bad gateway (request forwarding failed)",
    503: "the server is sealed, on standby without forwarding, or unavailable",
}


class VaultModuleError(Exception):
    """An error safe to show the user: names the operation, never a secret."""

    def __init__(self, msg, status=None, errors=None):
        super().__init__(msg)
        self.status = status
        self.errors = errors or []


def _path_of(url):
    return urlsplit(url).path if url else "?"


def _status_of(exc):
    """Map an hvac exception class back to its HTTP status."""
    try:
        from hvac import exceptions as hexc
    except ImportError:  # pragma: no cover - hvac is required
        return None
    table = {
        hexc.InvalidRequest: 400, hexc.Unauthorized: 401, hexc.Forbidden: 403,
        hexc.InvalidPath: 404, hexc.PreconditionFailed: 412, hexc.RateLimitExceeded: 429,
        hexc.InternalServerError: 500, hexc.VaultNotInitialized: 501,
        hexc.BadGateway: 502, hexc.VaultDown: 503,
    }
    for cls, status in table.items():
        if isinstance(exc, cls):
            return status
    return None


def translate(exc, action, url=None):
    """Return a VaultModuleError describing ``exc`` raised while doing ``action``."""
    import requests

    if isinstance(exc, VaultModuleError):
        return exc
    clean = transport_error_message(exc)
    if clean:
        return VaultModuleError(f"{action}: {clean}")
    if isinstance(exc, requests.exceptions.SSLError):
        return VaultModuleError(
            f"{action}: TLS verification failed talking to {url or 'Vault'} "
            "(set ca_cert/VAULT_CACERT to the CA that signed the server certificate)")
    if isinstance(exc, requests.exceptions.Timeout):
        return VaultModuleError(f"{action}: timed out waiting for {url or 'Vault'} (raise 'timeout')")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return VaultModuleError(
            f"{action}: cannot connect to {url or 'Vault'} (is the server running and is 'url' right?)")
    errors = list(getattr(exc, "errors", None) or [])
    method = (getattr(exc, "method", None) or "").upper()
    status = _status_of(exc)
    if status is not None or hasattr(exc, "errors"):
        reason = _STATUS_REASONS.get(status, "unexpected response")
        detail = "; ".join(str(e) for e in errors) if errors else ""
        where = f"{method} {_path_of(getattr(exc, 'url', None))}".strip()
        msg = f"{action}: {reason} (HTTP {status or '?'} on {where})"
        if detail:
            msg += f": {detail}"
        return VaultModuleError(msg, status=status, errors=errors)
    return VaultModuleError(f"{action}: {type(exc).__name__}: {exc}")
