#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_rekey
short_description: Rekey the unseal keys of a Vault or OpenBao server and rewrite the keys file
version_added: 0.2.0
description:
  - Splits the root key into new unseal key shares (O(secret_shares), O(secret_threshold)) using the
    current keys from O(keys_file), then replaces O(keys_file) with the new keys.
  - Uses the authenticated C(/sys/rotate/root) endpoints when the server has them (OpenBao 2.4 and later;
    OpenBao 2.5 disables the old unauthenticated C(/sys/rekey) by default), else C(/sys/rekey) (Vault).
    The steps are the same on both, written here for C(/sys/rotate/root).
  - The rotation is started with verification required (C(/sys/rotate/root/init)), the current keys are
    submitted (C(/sys/rotate/root/update) with the nonce), the new keys are written to O(keys_file)
    atomically with mode C(0600) while the old file is kept as C(<keys_file>.bak) (mode C(0600)),
    then the new keys are read back from disk and proven to the server (C(/sys/rotate/root/verify)).
    Only then does the server switch to the new keys, and the backup is removed.
  - On any failure the rotation is cancelled (C(DELETE /sys/rotate/root/init)) and the old file is put back,
    so the old keys still unseal. Keys are never returned or logged.
  - When the server already has O(secret_shares)/O(secret_threshold) and O(keys_file) holds that many
    keys, nothing is done unless O(force=true).
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
    description: A server already split into the requested shares reports no change (unless O(force)).
    support: full
  platform:
    platforms: posix
options:
  keys_file:
    description:
      - JSON keys file written by M(agentfleet.hashistack.vault_init) (or an earlier rekey), mode C(0600)
        or C(0400), read and rewritten on the target host. Other fields in it (such as C(root_token)) are kept.
      - Must hold at least the server's current threshold of keys.
    type: path
    required: true
  secret_shares:
    description: Number of new unseal key shares.
    type: int
    required: true
  secret_threshold:
    description: Number of new shares needed to unseal. 1 only with one share.
    type: int
    required: true
  force:
    description: Rekey even when the server already has the requested shares and threshold (new key values).
    type: bool
    default: false
  cancel_started:
    description:
      - Cancel a rekey already in progress on the server (started by someone else or a failed run) first.
      - Without it the module fails when a rekey is in progress.
    type: bool
    default: false
notes:
  - Needs a token allowed to use C(sys/rotate/root/*) (C(update), C(read), C(delete)), or C(sys/rekey/*) on Vault;
    the current unseal keys are the second credential. Run against the active node.
  - The server must be unsealed and use Shamir unseal keys (not auto-unseal).
seealso:
  - module: agentfleet.hashistack.vault_init
  - module: agentfleet.hashistack.vault_unseal
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Rekey to 5 shares, 3 needed, rewriting the controller keys file
  agentfleet.hashistack.vault_rekey:
    url: https://vault.example.com:8200
    keys_file: /home/ops/.vault/lab/init-keys.json
    secret_shares: 5
    secret_threshold: 3
  delegate_to: localhost
"""

RETURN = r"""
shares_before:
  description: Number of key shares before the task.
  returned: always
  type: int
  sample: 1
threshold_before:
  description: Keys needed to unseal before the task.
  returned: always
  type: int
  sample: 1
secret_shares:
  description: Number of key shares after the task (the requested value in check mode).
  returned: always
  type: int
  sample: 5
secret_threshold:
  description: Keys needed to unseal after the task (the requested value in check mode).
  returned: always
  type: int
  sample: 3
keys_file:
  description: The keys file path (rewritten when changed).
  returned: always
  type: str
  sample: /home/ops/.vault/lab/init-keys.json
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.rekey import (
    api_prefix,
    cancel,
    check_shape,
    current_keys,
    rekey,
    rekey_in_progress,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule


def manage(module, client):
    params = module.params
    shares, threshold, path = params["secret_shares"], params["secret_threshold"], params["keys_file"]
    check_shape(shares, threshold)
    status = client.get("sys/seal-status", action="read seal status") or {}
    if not status.get("initialized"):
        raise VaultModuleError(f"the server at {client.url} is not initialised; run vault_init first")
    if status.get("sealed"):
        raise VaultModuleError(f"the server at {client.url} is sealed; unseal it first (vault_unseal)")
    if status.get("recovery_seal") or status.get("type") not in (None, "shamir"):
        raise VaultModuleError(f"the server at {client.url} uses seal type {status.get('type')!r}; "
                               "only Shamir unseal keys can be rekeyed by this module")
    n_before, t_before = status.get("n", 0), status.get("t", 0)
    keys = current_keys(path, t_before)  # read in check mode too: a bad file fails early
    result = {"changed": False, "shares_before": n_before, "threshold_before": t_before,
              "secret_shares": n_before, "secret_threshold": t_before, "keys_file": path}
    if (n_before, t_before) == (shares, threshold) and len(keys) == shares and not params["force"]:
        return result
    prefix = api_prefix(client)
    pending = rekey_in_progress(client, prefix)
    if pending.get("started") and not params["cancel_started"]:
        raise VaultModuleError(
            f"a rekey is already in progress on {client.url} (progress {pending.get('progress')}/"
            f"{pending.get('required')}); cancel it (bao operator rekey -cancel) or set cancel_started=true")
    result.update(changed=True, secret_shares=shares, secret_threshold=threshold)
    if module._diff:
        result["diff"] = {"before": {"secret_shares": n_before, "secret_threshold": t_before},
                          "after": {"secret_shares": shares, "secret_threshold": threshold}}
    if module.check_mode:
        return result
    if pending.get("started"):
        cancel(client, prefix)
    rekey(client, prefix, path, shares, threshold, t_before)
    after = client.get("sys/seal-status", action="read seal status") or {}
    if (after.get("n"), after.get("t")) != (shares, threshold):
        raise VaultModuleError(f"after the rekey the server reports {after.get('n')} shares, "
                               f"threshold {after.get('t')}, not {shares}/{threshold}")
    return result


def main():
    spec = dict(
        keys_file=dict(type="path", required=True, no_log=False),
        secret_shares=dict(type="int", required=True, no_log=False),
        secret_threshold=dict(type="int", required=True, no_log=False),
        force=dict(type="bool", default=False),
        cancel_started=dict(type="bool", default=False),
    )
    VaultModule(spec).run(manage)


if __name__ == "__main__":
    main()
