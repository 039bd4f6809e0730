# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Break-glass root token: generate from unseal keys with a one-time password, revoke. Plain Python.

Generation follows the server's generate-root flow (API docs "/sys/generate-root";
OpenBao vault/generate_root.go Core.GenerateRootInit / GenerateRootUpdate):
``PUT sys/generate-root/attempt`` {} -> nonce and a server-made ``otp``;
``PUT sys/generate-root/update`` {key, nonce} until ``complete`` -> ``encoded_token``;
the token is base64(token XOR otp) (OpenBao command/operator_generate_root.go decode,
``base64.RawStdEncoding`` then ``xor.XORBytes``). A failed attempt is cancelled
(``DELETE sys/generate-root/attempt``). The token file is JSON ``{"token", "url"}``, 0600.
"""
from __future__ import annotations

import base64
import json

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.keys_file import (
    MODE,
    KeysFileError,
    read_keys_file,
)


def decode_token(encoded, otp):
    """The token (str) from ``encoded_token`` (base64, padded or not) and ``otp`` (str)."""
    raw = base64.b64decode(encoded.rstrip("=") + "=" * (-len(encoded.rstrip("=")) % 4))
    pad = otp.encode()
    if len(raw) != len(pad):
        raise VaultModuleError(f"the encoded token is {len(raw)} bytes but the one-time password is {len(pad)}")
    return bytes(a ^ b for a, b in zip(raw, pad)).decode()


def attempt_status(client):
    """The generate-root status dict (``started``, ``progress``, ``required``, ...).

    OpenBao >= 2.5.3 refuses these unauthenticated endpoints unless the listener sets
    ``disable_unauthed_generate_root_endpoints = false`` (API docs "/sys/generate-root");
    that refusal becomes a message saying so.
    """
    try:
        return client.get("sys/generate-root/attempt", action="read the root token generation status") or {}
    except VaultModuleError as exc:
        if "unsupported operation" not in str(exc):
            raise
        raise VaultModuleError(
            f"{exc}: the server at {client.url} disables root token generation from unseal keys "
            "(OpenBao 2.5.3 and later by default); set disable_unauthed_generate_root_endpoints = false "
            "in its listener block for the time of the break-glass, or create a root token with "
            "auth/token/create and a sudo token instead") from None


def cancel(client):
    """Cancel a generate-root attempt (DELETE sys/generate-root/attempt)."""
    client.delete("sys/generate-root/attempt", action="cancel the root token generation")


def generate(client, keys):
    """A new root token (str) from ``keys`` (at least the threshold); cancelled on failure."""
    status = attempt_status(client)
    if status.get("started"):
        raise VaultModuleError(
            "a root token generation is already in progress on the server; finish it or cancel it "
            "(bao operator generate-root -cancel) and run again, or set cancel_started=true")
    attempt = client.put("sys/generate-root/attempt", {}, action="start the root token generation") or {}
    try:
        otp, nonce = attempt.get("otp"), attempt.get("nonce")
        if not otp or not nonce:
            raise VaultModuleError("the server did not return a one-time password and nonce")
        answer = {}
        for key in keys:
            answer = client.put("sys/generate-root/update", {"key": key, "nonce": nonce},
                                action="submit an unseal key to the root token generation") or {}
            if answer.get("complete"):
                break
        if not answer.get("complete"):
            raise VaultModuleError(f"root token generation not complete after {len(keys)} key(s) "
                                   f"(progress {answer.get('progress')}/{answer.get('required')})")
        return decode_token(answer.get("encoded_token") or answer.get("encoded_root_token") or "", otp)
    except VaultModuleError:
        cancel(client)
        raise


def write_token_file(path, token, url):
    """Save the token as JSON ``{"token", "url"}`` to ``path`` atomically, mode 0600."""
    write_atomic(path, json.dumps({"token": token, "url": url}, indent=2) + "\n", mode=MODE)


def read_token_file(path):
    """The token (str) saved by ``write_token_file``; KeysFileError when missing or bad."""
    data = read_keys_file(path)
    token = data.get("token")
    if not isinstance(token, str) or not token:
        raise KeysFileError(f"token file {path!r}: no 'token' in the file")
    return token
