# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rekey (rotate) the unseal keys of a Shamir-sealed Vault/OpenBao server. Plain Python.

``rekey(client, prefix, keys_file, shares, threshold, old_threshold)`` runs the server's
rotation with verification, where ``prefix`` is ``api_prefix(client)``: the authenticated
``sys/rotate/root`` endpoints (OpenBao >= 2.4, API docs "/sys/rotate/(root|recovery)/init,
update, verify"; they replace ``sys/rekey``, which OpenBao >= 2.5 disables by default:
listener ``disable_unauthed_rekey_endpoints``), else ``sys/rekey`` (Vault; API docs
"/sys/rekey"). Either way the new keys only replace the old ones once a threshold of the
NEW keys has been sent back to ``<prefix>/verify``. Steps:

1. ``<prefix>/init`` {secret_shares, secret_threshold, require_verification: true} -> nonce;
2. ``<prefix>/update`` {key, nonce} with the current keys until ``complete``;
3. the old keys file is copied to ``<keys_file>.bak`` (0600), the new keys are written to
   ``keys_file`` (one atomic writer, 0600) and read back from disk;
4. ``<prefix>/verify`` {key, nonce: verification_nonce} with the keys read back until
   ``complete``: only now does the server switch to the new keys;
5. the backup is removed.

On any failure before step 4 completes the rotation is cancelled (``DELETE <prefix>/init``:
the old keys stay valid) and the old file is put back, so the file on disk always opens
the server. Key values never appear in an error message.
"""
from __future__ import annotations

import os

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.keys_file import (
    MODE,
    KeysFileError,
    read_keys_file,
    read_unseal_keys,
    write_keys_file,
)


def check_shape(shares, threshold):
    """Refuse share counts the server refuses (OpenBao vault/seal_config.go SealConfig.Validate:
    1 <= threshold <= shares, threshold 1 only with 1 share, at most 255 shares)."""
    if shares is None or threshold is None or shares < 1 or threshold < 1 or threshold > shares:
        raise VaultModuleError(
            f"secret_threshold={threshold} and secret_shares={shares}: need 1 <= secret_threshold <= secret_shares")
    if shares > 255:
        raise VaultModuleError(f"secret_shares={shares}: the server allows at most 255")
    if shares > 1 and threshold < 2:
        raise VaultModuleError(
            f"secret_threshold=1 with secret_shares={shares} is refused by the server; use 2 or more")


def current_keys(keys_file, threshold):
    """The keys in ``keys_file`` (list of str), refusing a file with fewer than ``threshold``."""
    try:
        keys = read_unseal_keys(keys_file)
    except KeysFileError as exc:
        raise VaultModuleError(str(exc)) from None
    if len(keys) < threshold:
        raise VaultModuleError(
            f"keys_file {keys_file!r} holds {len(keys)} key(s) but the server needs {threshold}; "
            "point keys_file at the file written by vault_init or the last vault_rekey")
    return keys


ROTATE = "sys/rotate/root"
REKEY = "sys/rekey"


def _data(body):
    """The answer fields: ``sys/rotate`` wraps them in ``data``, ``sys/rekey`` does not."""
    body = body or {}
    return body.get("data") if isinstance(body.get("data"), dict) else body


def api_prefix(client):
    """``sys/rotate/root`` when the server has it (OpenBao >= 2.4), else ``sys/rekey``."""
    return ROTATE if client.get(f"{ROTATE}/init", action="read the key rotation status") is not None else REKEY


def rekey_in_progress(client, prefix):
    """The server's rotation status dict (``started``, ``nonce``, ``progress``, ...)."""
    return _data(client.get(f"{prefix}/init", action="read the key rotation status"))


def cancel(client, prefix):
    """Cancel a started rotation; the old keys stay valid (DELETE <prefix>/init)."""
    client.delete(f"{prefix}/init", action="cancel the key rotation")


def _submit(client, path, keys, nonce, action):
    answer = {}
    for key in keys:
        answer = _data(client.put(path, {"key": key, "nonce": nonce}, action=action))
        if answer.get("complete"):
            return answer
    raise VaultModuleError(f"{action}: not complete after {len(keys)} key(s) "
                           f"(progress {answer.get('progress')}/{answer.get('required')})")


def rekey(client, prefix, keys_file, shares, threshold, old_threshold):
    """Rekey to ``shares``/``threshold`` and rewrite ``keys_file``; see the module docstring.

    Returns ``{"backup_removed": bool}``. Raises VaultModuleError (nothing changed on the
    server, old file in place) on failure.
    """
    old_keys = current_keys(keys_file, old_threshold)
    old_data = read_keys_file(keys_file)
    backup = keys_file + ".bak"
    with open(keys_file, "rb") as handle:
        old_bytes = handle.read()
    started = _data(client.put(f"{prefix}/init", {
        "secret_shares": shares, "secret_threshold": threshold, "require_verification": True,
    }, action="start the key rotation"))
    written = False
    try:
        done = _submit(client, f"{prefix}/update", old_keys[:old_threshold], started.get("nonce"),
                       "submit a current key to the key rotation")
        if not done.get("verification_required") or not done.get("verification_nonce"):
            raise VaultModuleError("the server did not hold the rekey for verification; refusing to continue")
        new_data = dict(old_data)
        new_data.update(keys=done.get("keys") or [], keys_base64=done.get("keys_base64") or [],
                        secret_shares=shares, secret_threshold=threshold)
        try:
            write_atomic(backup, old_bytes, mode=MODE)
            write_keys_file(keys_file, new_data)
            written = True
            new_keys = read_unseal_keys(keys_file)
        except (OSError, KeysFileError) as exc:
            raise VaultModuleError(
                f"writing the new keys to {keys_file!r} failed ({getattr(exc, 'strerror', None) or exc})") from None
        if len(new_keys) != shares:
            raise VaultModuleError(f"keys_file {keys_file!r} read back holds {len(new_keys)} key(s), not {shares}")
        _submit(client, f"{prefix}/verify", new_keys[:threshold], done["verification_nonce"],
                "verify a new key")
    except VaultModuleError as exc:
        problems = [str(exc)]
        try:
            cancel(client, prefix)
        except VaultModuleError as cancel_exc:
            problems.append(f"cancelling the rekey also failed: {cancel_exc}")
        if written:
            write_atomic(keys_file, old_bytes, mode=MODE)
        if os.path.exists(backup):
            os.unlink(backup)
        raise VaultModuleError("; ".join(problems) + "; the rekey was cancelled and the old keys still unseal") from None
    os.unlink(backup)
    return {"backup_removed": True}
