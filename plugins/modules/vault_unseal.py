#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_unseal
short_description: Unseal a Vault or OpenBao server from its unseal keys
version_added: 0.1.0
description:
  - Reads the seal status; when the server is sealed, submits unseal keys one at a time
    (C(PUT /sys/unseal)) until it is unsealed. An unsealed server is left alone.
  - When the seal status shows keys already submitted (progress above 0, for example from an
    earlier run that failed half-way or a wrong key), that attempt is reset first
    (C(PUT /sys/unseal) with C(reset=true)) so they are not combined with the right keys.
    Do not run two unseals of the same server at the same time.
  - Keys come from O(keys_file) (as written by M(agentfleet.hashistack.vault_init)) or
    O(keys). They are never returned or logged.
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_vault
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    description: An unsealed server reports no change.
    support: full
  platform:
    platforms: posix
options:
  keys_file:
    description:
      - JSON file with a C(keys_base64) or C(keys) list, such as O(agentfleet.hashistack.vault_init#module:dest).
      - Must be readable by its owner only (mode C(0600) or C(0400)).
      - Read on the target host. Mutually exclusive with O(keys).
    type: path
  keys:
    description:
      - Unseal keys (hex or base64). Mutually exclusive with O(keys_file).
    type: list
    elements: str
notes:
  - An auto-unseal server unseals itself; it reports unsealed and nothing is submitted.
seealso:
  - module: agentfleet.hashistack.vault_init
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Unseal every server from the keys file kept on the first one
  agentfleet.hashistack.vault_unseal:
    url: "https://{{ inventory_hostname }}:8200"
    ca_cert: /etc/openbao/tls/ca.pem
    keys_file: /root/openbao-init.json
  delegate_to: "{{ groups['vault_servers'][0] }}"

- name: Unseal from keys held in Ansible Vault
  agentfleet.hashistack.vault_unseal:
    url: https://127.0.0.1:8200
    keys: "{{ vault_unseal_keys }}"
"""

RETURN = r"""
sealed:
  description: Whether the server is sealed after the task (V(true) in check mode when it was sealed).
  returned: always
  type: bool
  sample: false
reset:
  description: Whether an earlier partial unseal attempt (progress above 0 before this task) was reset first
    (in check mode, whether it would be). Returned when the server was sealed.
  returned: when sealed
  type: bool
  sample: true
progress:
  description: Number of keys submitted towards the current unseal attempt (0 once unsealed).
  returned: always
  type: int
  sample: 0
threshold:
  description: Number of keys needed to unseal.
  returned: always
  type: int
  sample: 3
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.keys_file import (
    KeysFileError,
    read_unseal_keys,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule


def _keys(params):
    if params["keys"]:
        keys = [k for k in params["keys"] if k]
        if not keys:
            raise VaultModuleError("keys: the list is empty")
        return keys
    try:
        return read_unseal_keys(params["keys_file"])
    except KeysFileError as exc:
        raise VaultModuleError(str(exc)) from None


def manage(module, client):
    status = client.get("sys/seal-status", action="read seal status") or {}
    if not status.get("initialized"):
        raise VaultModuleError(f"the server at {client.url} is not initialised; run vault_init first")
    result = {"changed": False, "sealed": bool(status.get("sealed")),
              "progress": status.get("progress", 0), "threshold": status.get("t", 0)}
    if not status.get("sealed"):
        return result
    keys = _keys(module.params)  # read even in check mode: a bad file fails early
    result["changed"] = True
    # Keys already submitted before this run (an earlier failed run, a wrong key, a person)
    # would be combined with ours and make a correct run fail: discard them first with
    # PUT sys/unseal {"reset": true} (Vault/OpenBao http/sys_seal.go handleSysUnseal ->
    # Core.ResetUnsealProcess; API docs "Submit Unseal Key", parameter reset).
    result["reset"] = bool(result["progress"])
    if module._diff:
        result["diff"] = {"before": {"sealed": True}, "after": {"sealed": False}}
    if module.check_mode:
        return result
    if result["reset"]:
        status = client.put("sys/unseal", {"reset": True}, action="reset the earlier partial unseal") or {}
        if status.get("progress"):
            raise VaultModuleError("the earlier partial unseal was not reset: progress %s/%s"
                                   % (status.get("progress"), status.get("t")))
    for key in keys:
        status = client.put("sys/unseal", {"key": key}, action="submit an unseal key") or {}
        if not status.get("sealed", True):
            break
    result.update(sealed=bool(status.get("sealed", True)), progress=status.get("progress", 0),
                  threshold=status.get("t", result["threshold"]))
    if result["sealed"]:
        raise VaultModuleError(
            f"still sealed after submitting {len(keys)} key(s): progress "
            f"{result['progress']}/{result['threshold']}; supply more keys")
    return result


def main():
    spec = dict(
        keys_file=dict(type="path", no_log=False),
        keys=dict(type="list", elements="str", no_log=True),
    )
    VaultModule(spec, auth=False, mutually_exclusive=[("keys_file", "keys")],
                required_one_of=[("keys_file", "keys")]).run(manage)


if __name__ == "__main__":
    main()
