# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unseal-keys file written by vault_init (and vault_rekey), read by vault_unseal. Plain Python.

JSON ``{"keys": [...], "keys_base64": [...], "root_token": "...", ...}`` with mode 0600,
written atomically (temp file in the same directory, fsync, rename) so a reader never
sees a partial file and the secret is never world-readable, even briefly.
"""
from __future__ import annotations

import json
import os
import stat

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic

MODE = 0o600


class KeysFileError(Exception):
    """Bad keys file: the message names the path, never a key."""


def check_writable(path):
    """Fail before initialising if the keys could not be saved afterwards."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(directory):
        raise KeysFileError(f"dest {path!r}: directory {directory!r} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise KeysFileError(f"dest {path!r}: directory {directory!r} is not writable")
    if os.path.isdir(path):
        raise KeysFileError(f"dest {path!r} is a directory")


def write_keys_file(path, data):
    """Write ``data`` as JSON to ``path`` atomically with mode 0600."""
    check_writable(path)
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=MODE)


def read_keys_file(path):
    """Return the whole keys file as a dict, after checking it is owner-only (0600/0400)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise KeysFileError(f"keys_file {path!r}: cannot read ({exc.strerror})") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeysFileError(
            f"keys_file {path!r}: mode {stat.S_IMODE(info.st_mode):04o} is too open; "
            "it must be readable by its owner only (0600 or 0400)")
    try:
        with open(path) as handle:
            data = json.load(handle)
    except ValueError:
        raise KeysFileError(f"keys_file {path!r}: not valid JSON") from None
    except OSError as exc:
        raise KeysFileError(f"keys_file {path!r}: cannot read ({exc.strerror})") from None
    if not isinstance(data, dict):
        raise KeysFileError(f"keys_file {path!r}: expected a JSON object with 'keys_base64' or 'keys'")
    return data


def read_unseal_keys(path):
    """Return the unseal keys from a keys file (``keys_base64`` preferred, else ``keys``)."""
    data = read_keys_file(path)
    for field in ("keys_base64", "keys"):
        keys = data.get(field)
        if keys:
            if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
                raise KeysFileError(f"keys_file {path!r}: '{field}' must be a list of non-empty strings")
            return keys
    if data.get("recovery_keys_base64") or data.get("recovery_keys"):
        raise KeysFileError(
            f"keys_file {path!r} holds only recovery keys; they cannot unseal "
            "(an auto-unseal server unseals itself through its seal)")
    raise KeysFileError(f"keys_file {path!r}: no 'keys_base64' or 'keys' list in the file")
