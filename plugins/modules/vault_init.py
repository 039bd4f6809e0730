#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_init
short_description: Initialise a Vault or OpenBao server once, saving its keys to a file
version_added: 0.1.0
description:
  - Initialises an uninitialised Vault or OpenBao server (C(PUT /sys/init)).
  - The unseal (or recovery) keys and the initial root token are written only to O(dest),
    as JSON with mode C(0600), created atomically. They are never returned or logged.
  - An already initialised server is left alone and O(dest) is not touched.
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
    description: Running it again against an initialised server reports no change.
    support: full
  platform:
    platforms: posix
options:
  secret_shares:
    description:
      - Number of unseal key shares to split the root key into (Shamir seal).
    type: int
    default: 5
  secret_threshold:
    description:
      - Number of unseal key shares needed to unseal (Shamir seal).
    type: int
    default: 3
  recovery_shares:
    description:
      - Number of recovery key shares, for a server with an auto-unseal seal.
      - When the server reports an auto-unseal seal and this is not set, O(secret_shares) is used.
    type: int
  recovery_threshold:
    description:
      - Number of recovery key shares needed, for a server with an auto-unseal seal.
      - When the server reports an auto-unseal seal and this is not set, O(secret_threshold) is used.
    type: int
  pgp_keys:
    description:
      - Base64-encoded PGP public keys, one per key share, to encrypt the shares with.
      - Must have as many entries as there are shares.
    type: list
    elements: str
  root_token_pgp_key:
    description:
      - Base64-encoded PGP public key to encrypt the initial root token with.
    type: str
  dest:
    description:
      - 'Path on the target host where the keys and root token are written as JSON
        C({"keys": [...], "keys_base64": [...], "root_token": "..."}) with mode C(0600).'
      - Its directory must exist and be writable; this is checked before initialising.
    type: path
    required: true
  force:
    description:
      - Overwrite O(dest) when the server is uninitialised but O(dest) already exists
        (for example keys left over from an earlier, destroyed cluster).
      - Without it the module fails rather than replace an existing keys file.
    type: bool
    default: false
notes:
  - Keep O(dest) off shared storage, copy the keys somewhere safe, and remove the root
    token once other administrators can log in.
seealso:
  - module: agentfleet.hashistack.vault_unseal
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Initialise the first server and keep the keys on it, owner-only
  agentfleet.hashistack.vault_init:
    url: https://127.0.0.1:8200
    ca_cert: /etc/openbao/tls/ca.pem
    secret_shares: 5
    secret_threshold: 3
    dest: /root/openbao-init.json
  run_once: true

- name: Initialise a server using an auto-unseal seal (recovery keys)
  agentfleet.hashistack.vault_init:
    url: https://127.0.0.1:8200
    recovery_shares: 3
    recovery_threshold: 2
    dest: /root/openbao-recovery.json
"""

RETURN = r"""
initialized:
  description: Whether the server is initialised after the task (V(false) only in check mode).
  returned: always
  type: bool
  sample: true
sealed:
  description: Whether the server is sealed after the task.
  returned: always
  type: bool
  sample: true
dest:
  description: The keys file path.
  returned: always
  type: str
  sample: /root/openbao-init.json
"""

import os

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.keys_file import (
    KeysFileError,
    check_writable,
    write_keys_file,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule


def _request(params, seal_status):
    """The sys/init payload for this server's seal type."""
    pgp_keys = params["pgp_keys"]
    if seal_status.get("recovery_seal"):
        shares = params["recovery_shares"] or params["secret_shares"]
        threshold = params["recovery_threshold"] or params["secret_threshold"]
        body = {"recovery_shares": shares, "recovery_threshold": threshold}
        if pgp_keys:
            body["recovery_pgp_keys"] = pgp_keys
        prefix = "recovery_"
    else:
        shares, threshold = params["secret_shares"], params["secret_threshold"]
        body = {"secret_shares": shares, "secret_threshold": threshold}
        if pgp_keys:
            body["pgp_keys"] = pgp_keys
        prefix = "secret_"
    if shares < 1 or threshold < 1 or threshold > shares:
        raise VaultModuleError(
            f"{prefix}threshold={threshold} and {prefix}shares={shares}: need 1 <= threshold <= shares")
    if shares > 1 and threshold < 2:
        raise VaultModuleError(f"{prefix}threshold=1 with {shares} shares is not allowed by the server; use 2 or more")
    if pgp_keys and len(pgp_keys) != shares:
        raise VaultModuleError(f"pgp_keys has {len(pgp_keys)} entries but {prefix}shares={shares}")
    if params["root_token_pgp_key"]:
        body["root_token_pgp_key"] = params["root_token_pgp_key"]
    return body


def manage(module, client):
    params = module.params
    dest = params["dest"]
    status = client.get("sys/init", action="read initialisation status") or {}
    seal = client.get("sys/seal-status", action="read seal status") or {}
    result = {"changed": False, "initialized": True, "dest": dest, "sealed": bool(seal.get("sealed"))}
    if status.get("initialized"):
        return result

    body = _request(params, seal)
    try:
        check_writable(dest)
    except KeysFileError as exc:
        raise VaultModuleError(f"not initialising: {exc}") from None
    if os.path.exists(dest) and not params["force"]:
        raise VaultModuleError(
            f"dest {dest!r} already exists but the server at {client.url} is not initialised; "
            "move the old file away or set force=true")
    result.update(changed=True, initialized=False, sealed=True)
    if module._diff:
        result["diff"] = {"before": {"initialized": False}, "after": {"initialized": True, "dest": dest}}
    if module.check_mode:
        return result

    answer = client.put("sys/init", body, action="initialise") or {}
    saved = {k: v for k, v in answer.items() if k in (
        "keys", "keys_base64", "recovery_keys", "recovery_keys_base64", "root_token")}
    saved.update({k: v for k, v in body.items() if not k.endswith("pgp_keys") and k != "root_token_pgp_key"})
    saved["url"] = client.url
    try:
        write_keys_file(dest, saved)
    except (OSError, KeysFileError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise VaultModuleError(
            f"the server at {client.url} WAS initialised but writing {dest!r} failed ({reason}); "
            "its keys could not be saved") from None
    seal = client.get("sys/seal-status", action="read seal status") or {}
    result.update(initialized=True, sealed=bool(seal.get("sealed", True)))
    return result


def main():
    spec = dict(
        secret_shares=dict(type="int", default=5, no_log=False),
        secret_threshold=dict(type="int", default=3, no_log=False),
        recovery_shares=dict(type="int"),
        recovery_threshold=dict(type="int"),
        pgp_keys=dict(type="list", elements="str", no_log=False),
        root_token_pgp_key=dict(type="str", no_log=False),
        dest=dict(type="path", required=True),
        force=dict(type="bool", default=False),
    )
    VaultModule(spec, auth=False).run(manage)


if __name__ == "__main__":
    main()
