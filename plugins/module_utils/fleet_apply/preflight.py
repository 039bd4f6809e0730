# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only connection checks of a fleet apply, before its first write (plain Python).

One check per backend, each a few GET calls through the collection's own client:

- Nomad: ``GET /v1/status/leader`` (no ACL needed; an empty answer means no leader), then
  ``GET /v1/acl/token/self`` (403 for an unknown token; 400 "ACL support disabled" when
  the cluster runs without ACLs, which needs no token). Source: Nomad
  ``command/agent/status_endpoint.go`` ``StatusLeaderRequest`` and
  ``nomad/acl_endpoint.go`` ``ACL.GetToken`` (``aclDisabled`` is a coded 400).
- Vault / OpenBao: ``GET /v1/sys/health?standbyok=true`` (200 active or standby; 503
  sealed, 501 not initialised), then ``GET /v1/auth/token/lookup-self`` (403 for a bad
  token).
- Consul: ``GET /v1/config/service-defaults``, a read the apply makes anyway (Consul
  answers 403 "ACL not found" for an unknown token and 500 without a cluster leader).

Where an address or token came from is ``connection_origin.describe_origin`` (an inventory/role
variable, an environment variable, or the default), never showing a token.
"""
from __future__ import annotations

TITLES = {"nomad": "Nomad", "vault": "Vault/OpenBao", "consul": "Consul"}


class PreflightError(Exception):
    """A backend did not answer as the apply needs; the message says what it answered."""


def check_nomad(client, error_type):
    """Leader and token of a Nomad cluster; ``error_type``: the client's error class."""
    leader = client.request("GET", "/v1/status/leader")
    if not leader:
        raise PreflightError("no cluster leader (GET /v1/status/leader answered %r)" % (leader,))
    try:
        client.request("GET", "/v1/acl/token/self")
    except error_type as exc:
        if getattr(exc, "status", None) == 400 and "ACL support disabled" in str(exc):
            return "leader %s, ACLs disabled" % leader
        if getattr(exc, "status", None) == 403:
            raise PreflightError("the token was refused (GET /v1/acl/token/self: HTTP 403 %s)"
                                 % (getattr(exc, "text", "") or "").strip())
        raise
    return "leader %s, token accepted" % leader


def check_vault(client):
    """Health (unsealed, initialised) and token of a Vault/OpenBao server."""
    health = client.get("sys/health?standbyok=true&perfstandbyok=true", action="read the server health",
                        missing_ok=False) or {}
    if health.get("sealed"):
        raise PreflightError("the server is sealed (unseal it first)")
    client.get("auth/token/lookup-self", action="look up the token (auth/token/lookup-self)", missing_ok=False)
    return "version %s, token accepted" % health.get("version", "?")


def check_consul(client):
    """Reachability, leader and token of a Consul cluster, with one read the apply makes anyway."""
    client.request("GET", "/v1/config/service-defaults")
    return "config entries readable"


def failure_message(backend, address, address_origin, token_origin, problem):
    """One line per failed backend: address and where it and the token came from (never the token)."""
    return "%s at %s (address from %s; token from %s): %s" % (
        TITLES[backend], address, address_origin or "the default", token_origin or "nowhere: no token is set",
        problem)
