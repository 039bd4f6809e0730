#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_secrets_engine
short_description: Enable, tune or disable a Vault or OpenBao secrets engine
version_added: 0.1.0
description:
  - Makes a secrets engine mounted at O(path) present (enabled and tuned) or absent
    (C(/sys/mounts/<path>)), for example KV version 2, transit, PKI or database.
  - Only the settings given are compared and tuned; the type of an existing mount is never
    changed in place. A KV version 1 mount can be upgraded with O(options).
  - For KV version 2, O(max_versions) and O(cas_required) are set through C(<path>/config).
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
      - Path the engine is mounted at.
    type: str
    required: true
  type:
    description:
      - Engine type, for example V(kv), V(transit), V(pki), V(database).
      - V(kv-v2) is shorthand for V(kv) with C(options.version=2).
      - Required to enable a new mount.
    type: str
  options:
    description:
      - Engine options, for example C(version) for KV. Only the keys given are compared.
    type: dict
  max_versions:
    description:
      - KV version 2 only; how many versions of each secret to keep (V(0) means the default, 10).
    type: int
  cas_required:
    description:
      - KV version 2 only; require check-and-set on every write.
    type: bool
  state:
    description:
      - V(present) enables and tunes the engine, V(absent) disables it, deleting all of its data.
    type: str
    choices: [present, absent]
    default: present
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: KV v2 for agent secrets, keeping 5 versions
  agentfleet.hashistack.vault_secrets_engine:
    path: agents
    type: kv-v2
    description: Per-agent secrets
    max_versions: 5

- name: Transit engine with a one-hour default TTL
  agentfleet.hashistack.vault_secrets_engine:
    path: transit
    type: transit
    default_lease_ttl: 1h
"""

RETURN = r"""
path:
  description: The mount path without slashes.
  returned: always
  type: str
  sample: agents
mount:
  description: The mount after the task (empty when absent); TTLs in seconds.
  returned: always
  type: dict
  sample: {"type": "kv", "description": "Per-agent secrets", "default_lease_ttl": 0, "max_lease_ttl": 0,
           "listing_visibility": "hidden", "options": {"version": "2"}}
kv_config:
  description: The KV version 2 engine configuration after the task.
  returned: when O(max_versions) or O(cas_required) is set
  type: dict
  sample: {"max_versions": 5, "cas_required": false}
operation:
  description: What was (or in check mode would be) done to the mount, V(enable) or V(tune).
  returned: the mount changed and state is present
  type: str
  sample: enable
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.mounts import (
    MOUNT_TUNING_ARGS,
    manage_mount,
)


def _kv_config(module, client, result):
    """Apply max_versions / cas_required to a KV v2 mount."""
    params = module.params
    wanted = {k: params[k] for k in ("max_versions", "cas_required") if params[k] is not None}
    if not wanted or params["state"] == "absent":
        return
    mount = result["mount"]
    if mount and (mount.get("type") != "kv" or str(mount.get("options", {}).get("version")) != "2"):
        raise VaultModuleError(
            f"max_versions/cas_required apply to KV version 2 only; {result['path']!r} is "
            f"{mount.get('type')} {mount.get('options') or ''}")
    path = f"{result['path']}/config"
    current = {}
    if not (module.check_mode and result.get("operation") == "enable"):
        current = ((client.get(path, action=f"read KV config of {result['path']!r}") or {}).get("data") or {})
    changes = {k: v for k, v in wanted.items() if current.get(k) != v}
    result["kv_config"] = dict({k: current.get(k) for k in wanted}, **changes)
    if not changes:
        return
    result["changed"] = True
    if module._diff:
        diff = result.setdefault("diff", {"before": dict(mount), "after": dict(mount)})
        diff["before"]["kv_config"] = {k: current.get(k) for k in wanted}
        diff["after"]["kv_config"] = result["kv_config"]
    if not module.check_mode:
        client.post(path, changes, action=f"configure KV mount {result['path']!r}")


def manage(module, client):
    params = module.params
    type_name, options = params["type"], dict(params["options"] or {})
    if type_name == "kv-v2":
        type_name = "kv"
        options.setdefault("version", "2")
    result = manage_mount(module, client, "secrets", type_name, options or None)
    _kv_config(module, client, result)
    return result


def main():
    spec = dict(
        path=dict(type="str", required=True),
        type=dict(type="str"),
        **MOUNT_TUNING_ARGS,
        options=dict(type="dict"),
        max_versions=dict(type="int"),
        cas_required=dict(type="bool"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    VaultModule(spec).run(manage)


if __name__ == "__main__":
    main()
