#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_audit_device
short_description: Enable or disable a Vault or OpenBao audit device
version_added: 0.1.0
description:
  - Makes an audit device (file, socket or syslog) present or absent at a path
    (C(/sys/audit/<path>)).
  - Audit devices cannot be changed in place; a device whose type, options, description
    or locality differ is disabled and enabled again, which starts a new HMAC salt.
  - OpenBao 2.4 and later refuse to create audit devices through the API unless the
    server configuration sets C(unsafe_allow_api_audit_creation = true); declare them
    with an C(audit) stanza in the server configuration instead. Devices declared that
    way are listed by the API, so this module then reports them as present and unchanged.
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_vault
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.vault.auth
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
      - Path the audit device is mounted at, without slashes (for example V(file)).
    type: str
    required: true
  type:
    description:
      - Audit device type. Required when O(state=present).
    type: str
    choices: [file, socket, syslog]
  options:
    description:
      - Device options, for example C(file_path) and C(mode) for a file device, or
        C(address) and C(socket_type) for a socket device. Values are sent as strings.
    type: dict
    default: {}
  description:
    description:
      - Human-friendly description.
    type: str
    default: ''
  local:
    description:
      - Whether the device is local to this cluster (not replicated).
    type: bool
    default: false
  state:
    description:
      - Whether the device should exist.
    type: str
    choices: [present, absent]
    default: present
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Log every request to a file
  agentfleet.hashistack.vault_audit_device:
    url: https://127.0.0.1:8200
    token: "{{ vault_root_token }}"
    path: file
    type: file
    options:
      file_path: /var/log/openbao/audit.log
      mode: "0600"
    description: Primary audit log

- name: Remove a socket device
  agentfleet.hashistack.vault_audit_device:
    path: siem
    state: absent
"""

RETURN = r"""
device:
  description: The device as the server reports it after the task (empty when absent).
  returned: always
  type: dict
  sample: {"type": "file", "description": "", "local": false, "options": {"file_path": "/var/log/openbao/audit.log"}}
recreated:
  description: Whether an existing device was disabled and enabled again to apply changes.
  returned: always
  type: bool
  sample: false
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule

_API_REFUSED_HINT = (
    " - this server only creates audit devices from its configuration file: add an "
    "audit \"<type>\" \"<path>\" stanza to the server configuration (or, knowingly, "
    "set unsafe_allow_api_audit_creation = true)")


def _view(device):
    if not device:
        return {}
    return {
        "type": device.get("type"),
        "description": device.get("description") or "",
        "local": bool(device.get("local")),
        "options": {str(k): str(v) for k, v in (device.get("options") or {}).items()},
    }


def manage(module, client):
    params = module.params
    path = params["path"].strip("/")
    if not path:
        raise VaultModuleError(f"path: {params['path']!r} is empty")
    listing = client.get("sys/audit", action="list audit devices") or {}
    devices = listing.get("data") or {k: v for k, v in listing.items() if k.endswith("/")}
    current = _view(devices.get(path + "/"))
    desired = {}
    if params["state"] == "present":
        if not params["type"]:
            raise VaultModuleError("type is required when state=present")
        desired = _view({"type": params["type"], "description": params["description"],
                         "local": params["local"], "options": params["options"]})
    changed = current != desired
    result = {"changed": changed, "device": desired, "recreated": bool(changed and current and desired)}
    if module._diff:
        result["diff"] = {"before": current, "after": desired}
    if not changed or module.check_mode:
        if not changed:
            result["device"] = current
        return result
    if current:
        client.delete(f"sys/audit/{path}", action=f"disable audit device {path!r}")
    if desired:
        try:
            client.put(f"sys/audit/{path}", desired, action=f"enable audit device {path!r}")
        except VaultModuleError as exc:
            if "via API" in str(exc):
                raise VaultModuleError(str(exc) + _API_REFUSED_HINT) from None
            raise
    return result


def main():
    spec = dict(
        path=dict(type="str", required=True),
        type=dict(type="str", choices=["file", "socket", "syslog"]),
        options=dict(type="dict", default={}),
        description=dict(type="str", default=""),
        local=dict(type="bool", default=False),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    VaultModule(spec, required_if=[("state", "present", ["type"])]).run(manage)


if __name__ == "__main__":
    main()
