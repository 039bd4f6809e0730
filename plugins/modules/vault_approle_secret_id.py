#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_approle_secret_id
short_description: Mint (or destroy) an AppRole secret ID, optionally response-wrapped
version_added: 0.1.0
description:
  - With O(state=present), B(every run mints a new secret ID) and reports a change; this
    module is deliberately not idempotent. Mint only when a consumer needs a credential.
  - With O(wrap_ttl), the secret ID is response-wrapped and only a single-use wrapping token
    is returned, which the consumer unwraps (C(sys/wrapping/unwrap)) within that TTL.
  - With O(state=absent), destroys the secret ID identified by O(secret_id_accessor);
    an unknown accessor reports no change.
  - The returned secret ID or wrapping token is a credential; use C(no_log) on the task.
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_vault
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.vault.auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: In check mode nothing is minted and no secret ID is returned.
  diff_mode:
    support: none
  idempotent:
    description: Minting is never idempotent; destroying is.
    support: partial
  platform:
    platforms: posix
options:
  mount_point:
    description:
      - Path of the AppRole auth mount.
    type: str
    default: approle
  role_name:
    description:
      - Name of the AppRole role.
    type: str
    required: true
  metadata:
    description:
      - Key/value metadata attached to the secret ID (and to tokens it logs in to).
    type: dict
  cidr_list:
    description:
      - CIDR blocks the secret ID may be used from.
    type: list
    elements: str
  token_bound_cidrs:
    description:
      - CIDR blocks tokens issued with this secret ID may be used from.
    type: list
    elements: str
  ttl:
    description:
      - Lifetime of this secret ID, in seconds or as a duration (at most the role's secret ID TTL).
    type: raw
  num_uses:
    description:
      - Number of logins this secret ID allows (V(0) is the role's setting).
    type: int
  wrap_ttl:
    description:
      - Return the secret ID response-wrapped for this long, in seconds or as a duration such as V(120s).
    type: raw
  secret_id_accessor:
    description:
      - Accessor of the secret ID to destroy. Required when O(state=absent).
    type: str
  state:
    description:
      - V(present) mints a new secret ID, V(absent) destroys one by accessor.
    type: str
    choices: [present, absent]
    default: present
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Mint a wrapped secret ID for the controller's bootstrap
  agentfleet.hashistack.vault_approle_secret_id:
    role_name: fleet-controller
    metadata:
      requested_by: ansible
    wrap_ttl: 120s
  register: wrapped
  no_log: true

- name: Destroy a secret ID that was handed out
  agentfleet.hashistack.vault_approle_secret_id:
    role_name: fleet-controller
    secret_id_accessor: "{{ old_accessor }}"
    state: absent
"""

RETURN = r"""
secret_id:
  description: The new secret ID (a credential).
  returned: minted without O(wrap_ttl)
  type: str
  sample: 5f4e1a2b-0c3d-4e5f-8a9b-0c1d2e3f4a5b
secret_id_accessor:
  description: Accessor of the new (or destroyed) secret ID.
  returned: minted without O(wrap_ttl), or O(state=absent)
  type: str
  sample: 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
secret_id_ttl:
  description: Lifetime of the new secret ID in seconds.
  returned: minted without O(wrap_ttl)
  type: int
  sample: 600
wrapping_token:
  description: Single-use token that unwraps to the secret ID (a credential).
  returned: minted with O(wrap_ttl)
  type: str
  sample: s.Pw05L7QOaujX8WB9i8EoaVCW
wrapping_accessor:
  description: Accessor of the wrapping token.
  returned: minted with O(wrap_ttl)
  type: str
  sample: v258W5d6mAhUBVKQQ1UY5HRd
wrap_ttl:
  description: Seconds the wrapping token stays valid.
  returned: minted with O(wrap_ttl)
  type: int
  sample: 120
"""

import json

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import seconds_or_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule


def _destroy(module, client, base):
    accessor = module.params["secret_id_accessor"]
    result = {"changed": False, "secret_id_accessor": accessor}
    try:
        client.post(f"{base}/secret-id-accessor/lookup", {"secret_id_accessor": accessor},
                    action="look up the secret ID accessor")
    except VaultModuleError as exc:
        if exc.status == 404:
            return result
        raise
    result["changed"] = True
    if not module.check_mode:
        client.post(f"{base}/secret-id-accessor/destroy", {"secret_id_accessor": accessor},
                    action="destroy the secret ID")
    return result


def _mint(module, client, base, role):
    params = module.params
    ttl = seconds_or_duration(params["ttl"], "ttl", whole_days=True)
    wrap_ttl = seconds_or_duration(params["wrap_ttl"], "wrap_ttl", whole_days=True)
    result = {"changed": True}
    if client.get(f"auth/{params['mount_point'].strip('/')}/role/{role}", action=f"read AppRole role {role!r}") is None:
        missing = f"role_name: AppRole role {role!r} does not exist on auth/{params['mount_point']}"
        if not module.check_mode:
            raise VaultModuleError(missing)
        module.warn(missing + " (yet)")
    if module.check_mode:
        return result
    body = {k: params[k] for k in ("cidr_list", "token_bound_cidrs", "num_uses") if params[k] is not None}
    if ttl is not None:
        body["ttl"] = ttl
    if params["metadata"]:
        body["metadata"] = json.dumps({str(k): str(v) for k, v in params["metadata"].items()})
    answer = client.post(f"{base}/secret-id", body, action=f"mint a secret ID for {role!r}",
                         wrap_ttl=f"{wrap_ttl}s" if wrap_ttl else None) or {}
    if wrap_ttl:
        info = answer.get("wrap_info") or {}
        result.update(wrapping_token=info.get("token"), wrapping_accessor=info.get("accessor"),
                      wrap_ttl=info.get("ttl"))
    else:
        data = answer.get("data") or {}
        result.update(secret_id=data.get("secret_id"), secret_id_accessor=data.get("secret_id_accessor"),
                      secret_id_ttl=data.get("secret_id_ttl"))
    return result


def manage(module, client):
    params = module.params
    role = params["role_name"].strip("/")
    base = f"auth/{params['mount_point'].strip('/')}/role/{role}"
    if params["state"] == "absent":
        return _destroy(module, client, base)
    return _mint(module, client, base, role)


def main():
    spec = dict(
        mount_point=dict(type="str", default="approle"),
        role_name=dict(type="str", required=True),
        metadata=dict(type="dict"),
        cidr_list=dict(type="list", elements="str"),
        token_bound_cidrs=dict(type="list", elements="str", no_log=False),
        ttl=dict(type="raw"),
        num_uses=dict(type="int"),
        wrap_ttl=dict(type="raw"),
        secret_id_accessor=dict(type="str", no_log=False),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    VaultModule(spec, required_if=[("state", "absent", ["secret_id_accessor"])]).run(manage)


if __name__ == "__main__":
    main()
