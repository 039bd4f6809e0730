#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_auth_method
short_description: Enable, tune or disable a Vault or OpenBao auth method
version_added: 0.1.0
description:
  - Makes an auth method mounted at O(path) present (enabled and tuned) or absent
    (C(/sys/auth/<path>)).
  - Only the settings given are compared and tuned; the type of an existing mount is never
    changed in place (the module fails instead).
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_vault
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.vault.auth
  - agentfleet.hashistack.vault.mount_tuning
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
  path:
    description:
      - Path the auth method is mounted at (for example V(nomad-workload) for C(auth/nomad-workload)).
    type: str
    required: true
  type:
    description:
      - Auth method type, for example V(jwt), V(approle), V(userpass). Required to enable a new mount.
    type: str
  state:
    description:
      - V(present) enables and tunes the mount, V(absent) disables it (revoking its tokens and roles).
    type: str
    choices: [present, absent]
    default: present
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Mount JWT auth for Nomad workload identities
  agentfleet.hashistack.vault_auth_method:
    path: jwt-nomad
    type: jwt
    description: Nomad workload identity
    default_lease_ttl: 30m
    max_lease_ttl: 2h

- name: Disable an unused method
  agentfleet.hashistack.vault_auth_method:
    path: userpass
    state: absent
"""

RETURN = r"""
path:
  description: The mount path without slashes.
  returned: always
  type: str
  sample: jwt-nomad
mount:
  description: The mount after the task (empty when absent); TTLs in seconds.
  returned: always
  type: dict
  sample: {"type": "jwt", "description": "", "default_lease_ttl": 1800, "max_lease_ttl": 7200,
           "listing_visibility": "hidden", "options": {}}
operation:
  description: What was (or in check mode would be) done, V(enable) or V(tune).
  returned: changed and state is present
  type: str
  sample: tune
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.mounts import (
    MOUNT_TUNING_ARGS,
    manage_mount,
)


def manage(module, client):
    return manage_mount(module, client, "auth", module.params["type"])


def main():
    spec = dict(
        path=dict(type="str", required=True),
        type=dict(type="str"),
        **MOUNT_TUNING_ARGS,
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    VaultModule(spec).run(manage)


if __name__ == "__main__":
    main()
