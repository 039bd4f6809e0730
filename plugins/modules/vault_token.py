#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_token
short_description: Create a short-lived Vault or OpenBao token, or revoke one by accessor
version_added: 0.1.0
description:
  - With O(state=present), B(every run creates a new token) (C(/auth/token/create)) and
    reports a change. A TTL, explicit max TTL or period above O(ttl_cap) is refused before
    anything is created, and the token's explicit max TTL defaults to O(ttl_cap) so
    renewals cannot outlive it either. Should the server still issue a longer lease, the
    token is revoked at once and the task fails.
  - With O(state=absent), revokes the token with O(accessor); an unknown accessor reports no change.
  - The returned token is a credential; use C(no_log) on the task.
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_vault
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.vault.auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: In check mode nothing is created and no token is returned.
  diff_mode:
    support: none
  idempotent:
    description: Creating is never idempotent; revoking is.
    support: partial
  platform:
    platforms: posix
options:
  policies:
    description:
      - Policies of the new token (a subset of the caller's, unless the caller is root or O(role_name) allows more).
      - Required unless O(role_name) is set, because a token created without policies
        inherits every policy of its creator.
    type: list
    elements: str
  ttl:
    description:
      - Initial TTL, in seconds or as a duration such as V(30m).
    type: raw
    default: 1h
  explicit_max_ttl:
    description:
      - Hard lifetime cap that renewals cannot extend, in seconds or as a duration.
      - Defaults to O(ttl_cap), so no token outlives the cap through renewals.
    type: raw
  period:
    description:
      - Make the token periodic with this renewal period, in seconds or as a duration.
    type: raw
  ttl_cap:
    description:
      - Largest O(ttl), O(explicit_max_ttl) or O(period) this task may request, and the
        largest lease it accepts from the server.
    type: raw
    default: 24h
  orphan:
    description:
      - Create the token without a parent, so revoking the creator does not revoke it.
    type: bool
    default: false
  num_uses:
    description:
      - Number of requests the token may make (V(0) is unlimited).
    type: int
  role_name:
    description:
      - Token role to create the token against.
    type: str
  display_name:
    description:
      - Display name of the token.
    type: str
  meta:
    description:
      - Metadata attached to the token (shown in audit logs).
    type: dict
  renewable:
    description:
      - Whether the token can be renewed.
    type: bool
  no_default_policy:
    description:
      - Leave the C(default) policy off the token.
    type: bool
  type:
    description:
      - Token type.
    type: str
    choices: [service, batch]
  accessor:
    description:
      - Accessor of the token to revoke. Required when O(state=absent).
    type: str
  state:
    description:
      - V(present) creates a token, V(absent) revokes one by accessor.
    type: str
    choices: [present, absent]
    default: present
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: A 15-minute token for a one-off job
  agentfleet.hashistack.vault_token:
    policies: [agent-researcher]
    ttl: 15m
    explicit_max_ttl: 30m
    ttl_cap: 1h
    meta:
      purpose: smoke-test
  register: job_token
  no_log: true

- name: Revoke it when done
  agentfleet.hashistack.vault_token:
    accessor: "{{ job_token.accessor }}"
    state: absent
"""

RETURN = r"""
token:
  description: The new token (a credential).
  returned: a token was created
  type: str
  sample: s.ZepJErS5eGTexbvo6SldkjNr
accessor:
  description: Accessor of the new (or revoked) token.
  returned: a token was created, or O(state=absent)
  type: str
  sample: I0AkpjA26AQlhM2Xf18xsK5r
policies:
  description: Policies attached to the new token.
  returned: a token was created
  type: list
  elements: str
  sample: [agent-researcher, default]
ttl:
  description: Lease duration of the new token in seconds.
  returned: a token was created
  type: int
  sample: 900
renewable:
  description: Whether the new token can be renewed.
  returned: a token was created
  type: bool
  sample: true
orphan:
  description: Whether the new token is an orphan.
  returned: a token was created
  type: bool
  sample: false
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import seconds_or_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule


def _check_cap(params):
    cap = seconds_or_duration(params["ttl_cap"], "ttl_cap", whole_days=True)
    for key in ("ttl", "explicit_max_ttl", "period"):
        seconds = seconds_or_duration(params[key], key, whole_days=True)
        if seconds is not None and seconds > cap:
            raise VaultModuleError(
                f"{key}: {params[key]!r} ({seconds}s) is above ttl_cap {params['ttl_cap']!r} ({cap}s); nothing created")
    return cap


def _revoke(module, client):
    accessor = module.params["accessor"]
    result = {"changed": False, "accessor": accessor}
    try:
        client.post("auth/token/lookup-accessor", {"accessor": accessor}, action="look up the token accessor")
    except VaultModuleError as exc:
        if exc.status in (400, 404) and any("invalid accessor" in str(e) for e in exc.errors):
            return result
        raise
    result["changed"] = True
    if not module.check_mode:
        client.post("auth/token/revoke-accessor", {"accessor": accessor}, action="revoke the token")
    return result


def _create(module, client):
    params = module.params
    cap = _check_cap(params)
    if not params["policies"] and not params["role_name"]:
        raise VaultModuleError(
            "policies is required (or role_name): a token created without policies inherits all of its creator's")
    result = {"changed": True}
    if module.check_mode:
        return result
    body = {k: params[k] for k in ("policies", "ttl", "explicit_max_ttl", "period", "num_uses", "display_name",
                                   "renewable", "no_default_policy", "type") if params[k] is not None}
    # Renewals must not outlive the cap either.
    body.setdefault("explicit_max_ttl", f"{cap}s")
    if params["meta"]:
        body["meta"] = {str(k): str(v) for k, v in params["meta"].items()}
    if params["role_name"]:
        path = f"auth/token/create/{params['role_name']}"
    else:
        path = "auth/token/create-orphan" if params["orphan"] else "auth/token/create"
    if params["orphan"] and params["role_name"]:
        body["no_parent"] = True
    answer = client.post(path, body, action="create a token") or {}
    auth = answer.get("auth") or {}
    lease = auth.get("lease_duration") or 0
    if lease > cap:
        client.post("auth/token/revoke-accessor", {"accessor": auth.get("accessor")}, action="revoke the over-long token")
        raise VaultModuleError(
            f"the server issued a token with a {lease}s lease, above ttl_cap {params['ttl_cap']!r} ({cap}s); it was revoked")
    result.update(token=auth.get("client_token"), accessor=auth.get("accessor"), policies=auth.get("policies") or [],
                  ttl=lease, renewable=bool(auth.get("renewable")), orphan=bool(auth.get("orphan")))
    return result


def manage(module, client):
    if module.params["state"] == "absent":
        return _revoke(module, client)
    return _create(module, client)


def main():
    spec = dict(
        policies=dict(type="list", elements="str"),
        ttl=dict(type="raw", default="1h"),
        explicit_max_ttl=dict(type="raw"),
        period=dict(type="raw"),
        ttl_cap=dict(type="raw", default="24h"),
        orphan=dict(type="bool", default=False),
        num_uses=dict(type="int"),
        role_name=dict(type="str"),
        display_name=dict(type="str"),
        meta=dict(type="dict"),
        renewable=dict(type="bool"),
        no_default_policy=dict(type="bool"),
        type=dict(type="str", choices=["service", "batch"]),
        accessor=dict(type="str", no_log=False),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    VaultModule(spec, required_if=[("state", "absent", ["accessor"])]).run(manage)


if __name__ == "__main__":
    main()
