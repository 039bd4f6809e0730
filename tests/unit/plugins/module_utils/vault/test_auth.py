import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._auth import AUTH_METHODS, AppRoleAuth, JwtAuth, TokenAuth, auth_method_for
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError


class _Recorder:
    """Stands in for hvac's auth API: records the login call it receives."""

    def __init__(self):
        self.calls = []
        self.token = None
        self.auth = self
        self.approle = self
        self.jwt = self

    def login(self, **kwargs):
        self.calls.append(("approle", kwargs))

    def jwt_login(self, **kwargs):
        self.calls.append(("jwt", kwargs))


def test_table_holds_each_strategy():
    assert AUTH_METHODS == {"token": TokenAuth, "approle": AppRoleAuth, "jwt": JwtAuth}


def test_token():
    client = _Recorder()
    auth_method_for({"auth_method": "token", "token": "t-1"}).login(client)
    assert client.token == "t-1" and client.calls == []


def test_approle_default_and_custom_mount():
    client = _Recorder()
    auth_method_for({"auth_method": "approle", "role_id": "r", "secret_id": "s"}).login(client)
    auth_method_for({"auth_method": "approle", "role_id": "r", "secret_id": "s",
                     "auth_mount_point": "/ar/"}).login(client)
    assert [c[1]["mount_point"] for c in client.calls] == ["approle", "ar"]


def test_jwt():
    client = _Recorder()
    auth_method_for({"auth_method": "jwt", "jwt": "e.y.j", "jwt_role": "agent"}).login(client)
    assert client.calls == [("jwt", {"role": "agent", "jwt": "e.y.j", "path": "jwt"})]


@pytest.mark.parametrize("params,needle", [
    ({"auth_method": "token"}, "needs token"),
    ({"auth_method": "approle", "role_id": "r"}, "needs secret_id"),
    ({"auth_method": "jwt", "jwt": "x"}, "needs jwt_role"),
    ({"auth_method": "kerberos"}, "not supported"),
])
def test_missing_inputs_are_named(params, needle):
    with pytest.raises(VaultModuleError, match=needle):
        auth_method_for(params)
