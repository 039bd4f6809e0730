#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_approle_role
short_description: Manage a Vault or OpenBao AppRole role and read its role ID
version_added: 0.1.0
description:
  - Creates, updates or deletes an AppRole role (C(/auth/<mount_point>/role/<name>)) and
    returns its role ID.
  - Only the options given are compared and written; the server keeps the rest.
  - Secret IDs are minted separately, on purpose, with M(agentfleet.hashistack.vault_approle_secret_id).
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_vault
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.vault.auth
  - agentfleet.hashistack.vault.token_fields
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    description: Re-running with the same settings reports no change.
    support: full
  platform:
    platforms: posix
options:
  mount_point:
    description:
      - Path of the AppRole auth mount.
    type: str
    default: approle
  name:
    description:
      - Role name.
    type: str
    required: true
  bind_secret_id:
    description:
      - Require a secret ID to log in.
    type: bool
  secret_id_bound_cidrs:
    description:
      - CIDR blocks a secret ID may be used from.
    type: list
    elements: str
  secret_id_num_uses:
    description:
      - How many logins a secret ID allows (V(0) is unlimited).
    type: int
  secret_id_ttl:
    description:
      - Lifetime of secret IDs, in seconds or as a duration such as V(10m) (V(0) never expires).
    type: raw
  state:
    description:
      - Whether the role should exist. Deleting a role invalidates its secret IDs.
    type: str
    choices: [present, absent]
    default: present
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Role for the fleet controller, short-lived single-use secret IDs
  agentfleet.hashistack.vault_approle_role:
    name: fleet-controller
    token_policies: [fleet-controller]
    token_ttl: 15m
    token_max_ttl: 1h
    secret_id_ttl: 10m
    secret_id_num_uses: 1
  register: controller_role

- name: Show the role ID (not a secret on its own)
  ansible.builtin.debug:
    msg: "{{ controller_role.role_id }}"
"""

RETURN = r"""
name:
  description: The role name.
  returned: always
  type: str
  sample: fleet-controller
role_id:
  description: The role ID (empty in check mode when the role does not exist yet, or when absent).
  returned: always
  type: str
  sample: 3a5ff1a1-2bd9-9a2c-0c4c-2d0a3c0a8b1e
role:
  description: The role as the server reports it after the task (empty when absent); TTLs in seconds.
  returned: always
  type: dict
  sample: {"token_policies": ["fleet-controller"], "token_ttl": 900, "secret_id_num_uses": 1}
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.compare import as_seconds, as_set
from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import seconds_or_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.objects import manage_object
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.token_fields import (
    TOKEN_DURATIONS,
    TOKEN_FIELD_ARGS,
    TOKEN_SCALARS,
    TOKEN_SETS,
)

_DURATIONS = ("secret_id_ttl",) + TOKEN_DURATIONS
_SETS = ("secret_id_bound_cidrs",) + TOKEN_SETS
_OPTIONS = _DURATIONS + _SETS + ("bind_secret_id", "secret_id_num_uses") + TOKEN_SCALARS
_NORMALISERS = dict({k: as_seconds for k in _DURATIONS}, **{k: as_set for k in _SETS})


def manage(module, client):
    params = module.params
    mount, name = params["mount_point"].strip("/"), params["name"].strip("/")
    if not name:
        raise VaultModuleError(f"name: {params['name']!r} is empty")
    desired = {k: params[k] for k in _OPTIONS}
    for key in _DURATIONS:
        seconds_or_duration(desired[key], key, whole_days=True)
    path = f"auth/{mount}/role/{name}"
    result, current = manage_object(module, client, path, f"AppRole role {name!r} on auth/{mount}",
                                    desired, _NORMALISERS)
    role_id = ""
    if current is not None:
        body = client.get(f"{path}/role-id", action=f"read role ID of {name!r}") or {}
        role_id = (body.get("data") or {}).get("role_id", "")
    result.update(name=name, role=current or {}, role_id=role_id)
    return result


def main():
    spec = dict(
        mount_point=dict(type="str", default="approle"),
        name=dict(type="str", required=True),
        bind_secret_id=dict(type="bool", no_log=False),
        secret_id_bound_cidrs=dict(type="list", elements="str", no_log=False),
        secret_id_num_uses=dict(type="int", no_log=False),
        secret_id_ttl=dict(type="raw", no_log=False),
        **TOKEN_FIELD_ARGS,
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    VaultModule(spec).run(manage)


if __name__ == "__main__":
    main()
