"""Preflight: where addresses and tokens came from, and what each backend check accepts."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.preflight import (
    PreflightError, check_consul, check_nomad, check_vault, failure_message)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.connection_origin import describe_origin
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError

SPEC = {"address": {"fallback": (object, ["NOMAD_ADDR"])}, "token": {"fallback": (object, ["NOMAD_TOKEN"])},
        "url": {"aliases": ["address2"], "fallback": (object, ["CONSUL_HTTP_ADDR"])}}
LABELS = {"address": "variable agent_fleet_nomad_addr"}


def test_origin_variable_then_environment_then_default():
    assert describe_origin("address", {"address": "http://n:4646"}, SPEC, LABELS, {}) == "variable agent_fleet_nomad_addr"
    assert describe_origin("token", {"token": "s"}, SPEC, LABELS, {}) == "task option token"
    assert describe_origin("address", {}, SPEC, LABELS, {"NOMAD_ADDR": "x"}) == "environment variable NOMAD_ADDR"
    assert describe_origin("address", {"address": ""}, SPEC, LABELS, {}) is None
    assert describe_origin("url", {"address2": "http://c"}, SPEC, {}, {}) == "task option url"


def test_failure_message_names_sources_never_values():
    msg = failure_message("nomad", "http://n:4646", "environment variable NOMAD_ADDR", None, "refused")
    assert msg == ("Nomad at http://n:4646 (address from environment variable NOMAD_ADDR; "
                   "token from nowhere: no token is set): refused")


class FakeNomad:
    def __init__(self, leader='"10.0.0.1:4647"', token_error=None):
        self.leader, self.token_error, self.calls = leader, token_error, []

    def request(self, method, path, **kw):
        self.calls.append((method, path))
        if path == "/v1/status/leader":
            return self.leader
        if self.token_error:
            raise self.token_error
        return {"AccessorID": "a"}


def test_nomad_leader_and_token():
    client = FakeNomad()
    assert check_nomad(client, NomadError) == 'leader "10.0.0.1:4647", token accepted'
    assert client.calls == [("GET", "/v1/status/leader"), ("GET", "/v1/acl/token/self")]  # reads only
    off = FakeNomad(token_error=NomadError(400, "GET", "/v1/acl/token/self", "ACL support disabled"))
    assert "ACLs disabled" in check_nomad(off, NomadError)
    with pytest.raises(PreflightError, match="token was refused.*403 ACL token not found"):
        check_nomad(FakeNomad(token_error=NomadError(403, "GET", "/v1/acl/token/self", "ACL token not found")),
                    NomadError)
    with pytest.raises(PreflightError, match="no cluster leader"):
        check_nomad(FakeNomad(leader=""), NomadError)
    with pytest.raises(NomadError):
        check_nomad(FakeNomad(token_error=NomadError(None, "GET", "/v1/acl/token/self", "refused")), NomadError)


class FakeVault:
    def __init__(self, health):
        self.health, self.paths = health, []

    def get(self, path, action=None, missing_ok=True):
        self.paths.append(path)
        return self.health if path.startswith("sys/health") else {"data": {}}


def test_vault_sealed_fails_unsealed_checks_the_token():
    with pytest.raises(PreflightError, match="sealed"):
        check_vault(FakeVault({"sealed": True}))
    client = FakeVault({"sealed": False, "version": "2.1.0"})
    assert check_vault(client) == "version 2.1.0, token accepted"
    assert client.paths[1] == "auth/token/lookup-self"


def test_consul_reads_service_defaults():
    class Consul:
        calls = []

        def request(self, method, path, params=None, body=None):
            self.calls.append((method, path))
            return 200, []
    client = Consul()
    assert check_consul(client) == "config entries readable" and client.calls == [("GET", "/v1/config/service-defaults")]
