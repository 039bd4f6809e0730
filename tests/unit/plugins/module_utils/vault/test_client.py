import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml
from ansible.module_utils.basic import AnsibleModule

from ansible_collections.agentfleet.hashistack.plugins.doc_fragments.retries import ModuleDocFragment as RetriesFragment
from ansible_collections.agentfleet.hashistack.plugins.doc_fragments.vault import ModuleDocFragment
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import (
    auth_argument_spec, connection_argument_spec, vault_argument_spec,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.client import (
    VaultClient, client_cert, tls_verify,
)
from tests.support.module_args import patch_module_args

ENV_VARS = ["VAULT_ADDR", "VAULT_TOKEN", "VAULT_CACERT", "VAULT_CAPATH", "VAULT_CLIENT_CERT",
            "VAULT_CLIENT_KEY", "VAULT_NAMESPACE"]


def test_doc_fragment_matches_argspec():
    connection = (ModuleDocFragment.DOCUMENTATION, RetriesFragment.DOCUMENTATION)
    for fragments, spec in ((connection, connection_argument_spec()),
                            (connection + (ModuleDocFragment.AUTH,), vault_argument_spec())):
        options = {}
        for fragment in fragments:
            options.update(yaml.safe_load(fragment)["options"])
        assert set(options) == set(spec)
        for name, doc in options.items():
            assert doc["type"] == spec[name]["type"], name
            assert doc.get("default") == spec[name].get("default"), name
            assert doc.get("choices") == spec[name].get("choices"), name
            assert bool(doc.get("required")) == bool(spec[name].get("required")), name


def test_secrets_are_no_log():
    spec = auth_argument_spec()
    assert all(spec[k]["no_log"] for k in ("token", "secret_id", "jwt"))


def test_env_fallbacks_reach_module_params(monkeypatch):
    values = {name: f"/v/{name.lower()}" for name in ENV_VARS}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    with patch_module_args({}):
        module = AnsibleModule(argument_spec=vault_argument_spec())
    p = module.params
    assert (p["url"], p["token"], p["ca_cert"], p["ca_path"]) == (
        values["VAULT_ADDR"], values["VAULT_TOKEN"], values["VAULT_CACERT"], values["VAULT_CAPATH"])
    assert (p["client_cert"], p["client_key"], p["namespace"]) == (
        values["VAULT_CLIENT_CERT"], values["VAULT_CLIENT_KEY"], values["VAULT_NAMESPACE"])


@pytest.mark.parametrize("params,env,expected", [
    ({}, {}, True),
    ({}, {"VAULT_SKIP_VERIFY": "true"}, False),
    ({}, {"VAULT_SKIP_VERIFY": "0"}, True),
    ({"validate_certs": True}, {"VAULT_SKIP_VERIFY": "1"}, True),
    ({"validate_certs": False, "ca_cert": "/ca.pem"}, {}, False),
    ({"ca_cert": "/ca.pem"}, {}, "/ca.pem"),
    ({"ca_path": "/certs"}, {}, "/certs"),
])
def test_tls_verify(params, env, expected):
    assert tls_verify(params, env) == expected


def test_client_cert():
    assert client_cert({"client_cert": "c", "client_key": "k"}) == ("c", "k")
    assert client_cert({"client_cert": "c"}) == "c"
    assert client_cert({}) is None
    with pytest.raises(VaultModuleError, match="client_key is set"):
        client_cert({"client_key": "k"})


class _Flaky(BaseHTTPRequestHandler):
    """503 for the first fail requests, then 200; records the tokens it sees."""

    fail = 2
    seen = []

    def do_GET(self):  # noqa: N802 - http.server API
        type(self).seen.append(self.headers.get("X-Vault-Token"))
        if len(type(self).seen) <= type(self).fail:
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errors": ["Vault is sealed"]}')
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"initialized": true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def flaky():
    _Flaky.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _params(server, **extra):
    base = dict(url=f"http://127.0.0.1:{server.server_address[1]}", timeout=5, retries=3)
    base.update(extra)
    return base


def test_retries_then_succeeds_without_ambient_token(flaky, monkeypatch, tmp_path):
    monkeypatch.setenv("VAULT_TOKEN", "ambient-token")
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".vault-token").write_text("file-token")
    client = VaultClient(_params(flaky), authenticate=False)
    assert client.get("sys/init") == {"initialized": True}
    assert len(_Flaky.seen) == 3 and set(_Flaky.seen) == {None}


def test_gives_up_after_retries_with_clear_error(flaky):
    _Flaky.fail = 10
    try:
        client = VaultClient(_params(flaky, retries=1), authenticate=False)
        with pytest.raises(VaultModuleError) as err:
            client.get("sys/init", action="read initialisation status")
    finally:
        _Flaky.fail = 2
    assert len(_Flaky.seen) == 2
    assert "read initialisation status" in str(err.value) and "HTTP 503" in str(err.value)
    assert "Vault is sealed" in str(err.value)


def test_connection_refused_is_named():
    from tests.support.net import free_port

    client = VaultClient(dict(url=f"http://127.0.0.1:{free_port()}", timeout=2, retries=0), authenticate=False)
    with pytest.raises(VaultModuleError, match="cannot connect to Vault at http://127.0.0.1:[0-9]+: connection refused"):
        client.get("sys/init")


def test_a_missing_address_names_the_settings_to_use():
    with pytest.raises(VaultModuleError) as err:
        VaultClient(dict(url=None, timeout=2, retries=0), authenticate=False)
    assert str(err.value).startswith("no Vault/OpenBao address: set VAULT_ADDR, the module option url or the "
                                     "inventory variable agent_fleet_vault_addr")
    assert "'url'" not in str(err.value)


@pytest.mark.parametrize("extra,needle", [({"retries": -1}, "retries"), ({"timeout": 0}, "timeout")])
def test_bad_settings_rejected(extra, needle):
    with pytest.raises(VaultModuleError, match=needle):
        VaultClient({"url": "http://127.0.0.1:1", "timeout": 5, "retries": 1, **extra}, authenticate=False)
