import base64
import json
import os
import stat

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.keys_file import KeysFileError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.root_token import (
    decode_token,
    read_token_file,
    write_token_file,
)


def _encode(token, otp, pad):
    raw = base64.b64encode(bytes(a ^ b for a, b in zip(token.encode(), otp.encode()))).decode()
    return raw if pad else raw.rstrip("=")


@pytest.mark.parametrize("pad", [True, False])
def test_decode_is_base64_then_xor_with_the_otp(pad):
    token, otp = "s.AbCdEfGhIjKlMnOpQrStUvWx", "0123456789abcdefghijklmnop"
    assert decode_token(_encode(token, otp, pad), otp) == token


def test_decode_refuses_a_length_mismatch():
    with pytest.raises(VaultModuleError, match="one-time password is 3"):
        decode_token(_encode("abcd", "wxyz", True), "wxy")


def test_token_file_is_owner_only_and_round_trips(tmp_path):
    path = tmp_path / "t.json"
    write_token_file(str(path), "s.secret", "http://127.0.0.1:8200")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_token_file(str(path)) == "s.secret"
    assert json.loads(path.read_text())["url"] == "http://127.0.0.1:8200"


def test_token_file_without_token_is_refused(tmp_path):
    path = tmp_path / "t.json"
    path.write_text("{}")
    os.chmod(path, 0o600)
    with pytest.raises(KeysFileError, match="no 'token'"):
        read_token_file(str(path))
