import json
import os

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.rekey import (
    REKEY,
    ROTATE,
    api_prefix,
    check_shape,
    current_keys,
)


@pytest.mark.parametrize("shares,threshold", [(1, 1), (5, 3), (2, 2), (255, 2)])
def test_shapes_the_server_accepts(shares, threshold):
    check_shape(shares, threshold)


@pytest.mark.parametrize("shares,threshold,needle", [
    (3, 4, "need 1 <= secret_threshold <= secret_shares"),
    (0, 0, "need 1 <= secret_threshold <= secret_shares"),
    (4, 1, "secret_threshold=1 with secret_shares=4"),
    (256, 3, "at most 255"),
])
def test_shapes_the_server_refuses(shares, threshold, needle):
    with pytest.raises(VaultModuleError, match=needle):
        check_shape(shares, threshold)


def test_current_keys_refuses_fewer_than_the_threshold_without_naming_a_key(tmp_path):
    path = tmp_path / "k.json"
    path.write_text(json.dumps({"keys_base64": ["c2VjcmV0LWtleQ=="]}))
    os.chmod(path, 0o600)
    assert current_keys(str(path), 1) == ["c2VjcmV0LWtleQ=="]
    with pytest.raises(VaultModuleError) as err:
        current_keys(str(path), 2)
    assert "holds 1 key(s) but the server needs 2" in str(err.value) and "c2Vj" not in str(err.value)


class _Client:
    def __init__(self, rotate_exists):
        self.rotate_exists = rotate_exists
        self.paths = []

    def get(self, path, action=None):
        self.paths.append(path)
        return {"data": {"started": False}} if self.rotate_exists else None


@pytest.mark.parametrize("exists,prefix", [(True, ROTATE), (False, REKEY)])
def test_api_prefix_prefers_the_authenticated_rotation(exists, prefix):
    client = _Client(exists)
    assert api_prefix(client) == prefix and client.paths == ["sys/rotate/root/init"]
