#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_root_token
short_description: Generate a break-glass root token from the unseal keys, or revoke it
version_added: 0.2.0
description:
  - O(state=present) generates a root token with the unseal keys in O(keys_file)
    (C(PUT /sys/generate-root/attempt) with a server-made one-time password, C(PUT /sys/generate-root/update)
    with the keys and nonce, then the encoded token is XOR-decoded with the password) and writes it only to
    O(dest) as JSON C({"token", "url"}), mode C(0600), atomically. A failed attempt is cancelled.
    When O(dest) already holds a token the server accepts, nothing is done.
  - O(state=revoked) revokes the token in O(dest) (C(POST /auth/token/revoke-self) with that token)
    and removes O(dest). A token the server no longer accepts is treated as revoked. No O(dest), no change.
  - The token and the keys are never returned or logged.
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
    description: A valid token in O(dest) (present) or no O(dest) (revoked) reports no change.
    support: full
  platform:
    platforms: posix
options:
  state:
    description: Whether a break-glass root token should exist in O(dest).
    type: str
    choices: [present, revoked]
    default: present
  dest:
    description: Path of the token file on the target host (its directory must exist).
    type: path
    required: true
  keys_file:
    description:
      - Unseal keys file (as written by M(agentfleet.hashistack.vault_init)), mode C(0600) or C(0400).
      - Required with O(state=present); must hold at least the threshold of keys.
    type: path
  cancel_started:
    description: Cancel a root token generation already in progress on the server first, instead of failing.
    type: bool
    default: false
notes:
  - OpenBao 2.5.3 and later disable the unauthenticated C(/sys/generate-root) endpoints unless the listener sets
    C(disable_unauthed_generate_root_endpoints = false); the module says so when refused.
  - Revoke the token as soon as the emergency is over; it has every permission.
seealso:
  - module: agentfleet.hashistack.vault_unseal
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Break glass
  agentfleet.hashistack.vault_root_token:
    url: https://vault.example.com:8200
    keys_file: /home/ops/.vault/lab/init-keys.json
    dest: /home/ops/.vault/lab/break-glass-token.json

- name: Put the glass back
  agentfleet.hashistack.vault_root_token:
    url: https://vault.example.com:8200
    dest: /home/ops/.vault/lab/break-glass-token.json
    state: revoked
"""

RETURN = r"""
dest:
  description: The token file path.
  returned: always
  type: str
  sample: /home/ops/.vault/lab/break-glass-token.json
state:
  description: The state after the task (the requested one in check mode).
  returned: always
  type: str
  sample: present
"""

import os

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.keys_file import (
    KeysFileError,
    check_writable,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.rekey import current_keys
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.root_token import (
    attempt_status,
    cancel,
    generate,
    read_token_file,
    write_token_file,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule


def _token_valid(client, token):
    """Whether the server accepts ``token`` (GET auth/token/lookup-self answers)."""
    client.hvac.token = token
    try:
        return bool(client.get("auth/token/lookup-self", action="look up the token", missing_ok=False))
    except VaultModuleError as exc:
        if exc.status == 403:  # an unknown, expired or revoked token
            return False
        raise
    finally:
        client.hvac.token = ""


def _saved_token(dest):
    try:
        return read_token_file(dest)
    except KeysFileError as exc:
        raise VaultModuleError(str(exc)) from None


def present(module, client, result):
    dest = module.params["dest"]
    if os.path.exists(dest) and _token_valid(client, _saved_token(dest)):
        return result
    if not module.params["keys_file"]:
        raise VaultModuleError("keys_file is required with state=present")
    try:
        check_writable(dest)
    except KeysFileError as exc:
        raise VaultModuleError(str(exc)) from None
    status = client.get("sys/seal-status", action="read seal status") or {}
    if status.get("sealed") or not status.get("initialized"):
        raise VaultModuleError(f"the server at {client.url} is sealed or not initialised; unseal it first")
    keys = current_keys(module.params["keys_file"], status.get("t", 0))
    result["changed"] = True
    if module.check_mode:
        return result
    pending = attempt_status(client)
    if pending.get("started") and module.params["cancel_started"]:
        cancel(client)
    token = generate(client, keys[:status.get("t", len(keys))])
    try:
        write_token_file(dest, token, client.url)
    except OSError as exc:
        client.hvac.token = token
        client.post("auth/token/revoke-self", action="revoke the unsaved root token")
        raise VaultModuleError(f"writing {dest!r} failed ({exc.strerror}); the new token was revoked") from None
    return result


def revoked(module, client, result):
    dest = module.params["dest"]
    if not os.path.exists(dest):
        return result
    token = _saved_token(dest)
    result["changed"] = True
    if module.check_mode:
        return result
    if _token_valid(client, token):
        client.hvac.token = token
        try:
            client.post("auth/token/revoke-self", action="revoke the root token")
        finally:
            client.hvac.token = ""
        if _token_valid(client, token):
            raise VaultModuleError(f"the token in {dest!r} is still accepted after revoke-self; file kept")
    os.unlink(dest)
    return result


def manage(module, client):
    state = module.params["state"]
    result = {"changed": False, "dest": module.params["dest"], "state": state}
    result = (present if state == "present" else revoked)(module, client, result)
    if result["changed"] and module._diff:
        result["diff"] = {"before": {"state": "revoked" if state == "present" else "present"},
                          "after": {"state": state}}
    return result


def main():
    spec = dict(
        state=dict(type="str", default="present", choices=["present", "revoked"]),
        dest=dict(type="path", required=True),
        keys_file=dict(type="path", no_log=False),
        cancel_started=dict(type="bool", default=False),
    )
    VaultModule(spec, auth=False, required_if=[("state", "present", ["keys_file"])]).run(manage)


if __name__ == "__main__":
    main()
