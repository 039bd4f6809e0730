import json
import os
import stat

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.keys_file import KeysFileError, check_writable, read_unseal_keys, write_keys_file


def test_write_is_owner_only_and_complete(tmp_path):
    dest = tmp_path / "init.json"
    old_umask = os.umask(0)  # even a permissive umask must not widen the mode
    try:
        write_keys_file(str(dest), {"keys": ["k1"], "keys_base64": ["b1"], "root_token": "t"})
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert json.loads(dest.read_text())["root_token"] == "t"
    assert [p.name for p in tmp_path.iterdir()] == ["init.json"]


def test_read_prefers_base64(tmp_path):
    dest = tmp_path / "k.json"
    write_keys_file(str(dest), {"keys": ["hex"], "keys_base64": ["b64"]})
    assert read_unseal_keys(str(dest)) == ["b64"]


@pytest.mark.parametrize("content,needle", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"keys": [1]}', "'keys' must be a list"),
    ('{"root_token": "x"}', "no 'keys_base64' or 'keys'"),
    ('{"recovery_keys_base64": ["r"]}', "only recovery keys"),
])
def test_read_rejects_bad_files_without_echoing_keys(tmp_path, content, needle):
    dest = tmp_path / "k.json"
    dest.write_text(content)
    dest.chmod(0o600)
    with pytest.raises(KeysFileError) as err:
        read_unseal_keys(str(dest))
    assert needle in str(err.value) and str(dest) in str(err.value)


def test_read_rejects_group_readable(tmp_path):
    dest = tmp_path / "k.json"
    dest.write_text('{"keys": ["secret-key"]}')
    dest.chmod(0o640)
    with pytest.raises(KeysFileError) as err:
        read_unseal_keys(str(dest))
    assert "0640" in str(err.value) and "secret-key" not in str(err.value)


def test_missing_directory_is_caught_before_init(tmp_path):
    with pytest.raises(KeysFileError, match="does not exist"):
        check_writable(str(tmp_path / "nope" / "k.json"))
    with pytest.raises(KeysFileError, match="is a directory"):
        check_writable(str(tmp_path))
