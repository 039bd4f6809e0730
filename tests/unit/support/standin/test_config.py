"""The stand-in agents' strict configuration loader refuses what the real agents refuse.

Realistic server and client configurations of each product (``data/``) are accepted;
unknown keys, wrong JSON types, bad gossip keys, half TLS pairs and invalid combinations
are refused with the file and key path in the message.
"""
import copy
import json
import os

import pytest

from tests.support.standin import cli, consul_config, nomad_config
from tests.support.standin.loader import ConfigError

DATA = os.path.join(os.path.dirname(__file__), "data")


def _data(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as handle:
        return json.load(handle)


def _write(tmp_path, name, obj):
    path = tmp_path / name
    path.write_text(json.dumps(obj) if not isinstance(obj, str) else obj, encoding="utf-8")
    return str(path)


def _errors(module, tmp_path, name, obj):
    path = _write(tmp_path, name, obj)
    with pytest.raises(ConfigError) as info:
        module.load([path], check_dirs=False)
    return info.value.messages


@pytest.mark.parametrize("module,name", [
    (consul_config, "consul_server.json"), (consul_config, "consul_client.json"),
    (nomad_config, "nomad_server.json"), (nomad_config, "nomad_client.json")])
def test_realistic_configurations_are_accepted(module, name):
    rt = module.load([os.path.join(DATA, name)], check_dirs=False)
    assert rt.server == ("server" in name)


def test_realistic_consul_server_resolves_listeners_and_tls():
    rt = consul_config.load([os.path.join(DATA, "consul_server.json")], check_dirs=False)
    assert rt.bootstrap_expect == 3 and rt.acl_enabled and rt.default_policy == "deny"
    assert rt.listeners() == [("https", "127.0.0.1", 8501), ("https", "10.0.0.11", 8501)]
    assert rt.tls["https"]["verify_incoming"] is True
    assert rt.tls["grpc"].get("verify_incoming") is False
    assert rt.tls["internal_rpc"]["verify_outgoing"] is True


def test_realistic_nomad_client_resolves_servers():
    rt = nomad_config.load([os.path.join(DATA, "nomad_client.json")], check_dirs=False)
    assert rt.client and not rt.server
    assert rt.client_servers == ["10.0.0.21:4647", "10.0.0.22:4647", "10.0.0.23:4647"]
    assert rt.listeners() == [("https", "0.0.0.0", 4646)]
    assert rt.https_tls()["verify_incoming"] is True


def test_unknown_keys_are_refused_with_their_path(tmp_path):
    conf = _data("consul_server.json")
    conf["bogus"] = 1
    conf["tls"]["https"]["verify_incomming"] = True
    msgs = _errors(consul_config, tmp_path, "consul.json", conf)
    assert "consul.json: bogus: unknown key 'bogus' (the real agent refuses unknown keys)" in msgs
    assert any(m.startswith("consul.json: tls.https.verify_incomming: unknown key") for m in msgs)
    conf = _data("nomad_client.json")
    conf["client"]["host_volume"]["agent-data"]["mode"] = "rw"
    msgs = _errors(nomad_config, tmp_path, "nomad.json", conf)
    assert msgs == ['nomad.json: client.host_volume["agent-data"].mode: unknown key \'mode\' '
                    '(the real agent refuses unknown keys)']


def test_wrong_types_are_refused(tmp_path):
    conf = _data("nomad_server.json")
    conf["server"]["bootstrap_expect"] = "3"
    conf["tls"]["http"] = "true"
    msgs = _errors(nomad_config, tmp_path, "nomad.json", conf)
    assert 'nomad.json: server.bootstrap_expect: expected int, got string "3"' in msgs
    assert 'nomad.json: tls.http: expected bool, got string "true"' in msgs
    conf = _data("consul_server.json")
    conf["retry_join"] = "10.0.0.11"
    conf["ports"]["https"] = 8501.5
    msgs = _errors(consul_config, tmp_path, "consul.json", conf)
    assert 'consul.json: retry_join: expected a list of str, got string "10.0.0.11"' in msgs
    assert "consul.json: ports.https: expected int, got float 8501.5" in msgs


@pytest.mark.parametrize("key,reason", [
    ("not a key", "illegal base64 data"),
    ("c2hvcnQ=", "key size must be 16, 24 or 32 bytes, got 5")])
def test_bad_gossip_keys_are_refused(tmp_path, key, reason):
    conf = _data("consul_server.json")
    conf["encrypt"] = key
    msgs = _errors(consul_config, tmp_path, "consul.json", conf)
    assert len(msgs) == 1 and msgs[0].startswith("encrypt has invalid key: ") and reason in msgs[0]
    conf = _data("nomad_server.json")
    conf["server"]["encrypt"] = key
    msgs = _errors(nomad_config, tmp_path, "nomad.json", conf)
    assert len(msgs) == 1 and msgs[0].startswith("Invalid encryption key: ") and reason in msgs[0]


def test_a_certificate_without_its_key_is_refused(tmp_path):
    conf = _data("consul_server.json")
    del conf["tls"]["defaults"]["key_file"]
    msgs = _errors(consul_config, tmp_path, "consul.json", conf)
    assert any(m.startswith("tls.https: cert_file and key_file must be given together") for m in msgs)
    conf = _data("nomad_server.json")
    del conf["tls"]["key_file"]
    msgs = _errors(nomad_config, tmp_path, "nomad.json", conf)
    assert any("Failed to load cert/key pair" in m for m in msgs)


@pytest.mark.parametrize("change,message", [
    ({"server": False}, "'bootstrap_expect > 0' requires 'server = true'"),
    ({"bootstrap": True}, "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive"),
    ({"bootstrap_expect": -1}, "bootstrap_expect cannot be -1. Must be greater than or equal to zero"),
    ({"datacenter": "DC1"}, "datacenter can only contain lowercase alphanumeric, - or _ characters."
                            " received: 'DC1'"),
    ({"data_dir": ""}, "data_dir cannot be empty"),
    ({"retry_interval": "5"}, "retry_interval: '5' is not a duration (write e.g. \"30s\")"),
    ({"raft_protocol": 2}, "raft_protocol version 2 is not supported by this version of Consul"),
])
def test_consul_combinations_are_refused(tmp_path, change, message):
    conf = _data("consul_server.json")
    conf.update(change)
    assert message in _errors(consul_config, tmp_path, "consul.json", conf)


def test_consul_tls_verification_needs_a_ca(tmp_path):
    conf = _data("consul_client.json")
    del conf["tls"]["defaults"]["ca_file"]
    msgs = _errors(consul_config, tmp_path, "consul.json", conf)
    assert "tls.https: VerifyIncoming set but no CA certificates were provided (set ca_file)" in msgs
    # verify_server_hostname implies verify_outgoing (builder.go buildTLSConfig)
    assert "tls.internal_rpc: VerifyOutgoing set but no CA certificates were provided " \
           "(set ca_file)" in msgs


def test_consul_https_port_needs_a_certificate(tmp_path):
    conf = copy.deepcopy(_data("consul_client.json"))
    del conf["tls"]
    msgs = _errors(consul_config, tmp_path, "consul.json", conf)
    assert any(m.startswith("ports.https is set but no certificate") for m in msgs)


@pytest.mark.parametrize("change,message", [
    (lambda c: c["server"].update(enabled=False),
     "Must specify either server, client or dev mode for the agent."),
    (lambda c: c.update(data_dir="opt/nomad"),
     "data_dir must be given as an absolute path: got opt/nomad"),
    (lambda c: c.pop("data_dir"), 'Must specify "data_dir" config option or "data-dir" CLI flag'),
    (lambda c: c.update(log_level="LOUD"),
     "Invalid log level: LOUD. Valid log levels are: ['TRACE', 'DEBUG', 'INFO', 'WARN', "
     "'ERROR', 'OFF']"),
    (lambda c: c["acl"].update(token_ttl="30"),
     "acl.token_ttl: '30' is not a duration (write e.g. \"30s\")"),
    (lambda c: c["tls"].pop("ca_file"),
     "tls: VerifyIncoming set, and no CA certificate provided! (set ca_file)"),
])
def test_nomad_combinations_are_refused(tmp_path, change, message):
    conf = _data("nomad_server.json")
    change(conf)
    assert message in _errors(nomad_config, tmp_path, "nomad.json", conf)


def test_host_volume_without_path_is_refused(tmp_path):
    conf = _data("nomad_client.json")
    del conf["client"]["host_volume"]["agent-data"]["path"]
    assert 'client.host_volume["agent-data"]: Missing path in host_volume config' in _errors(
        nomad_config, tmp_path, "nomad.json", conf)


def test_hcl_and_invalid_json_are_refused(tmp_path):
    (tmp_path / "consul.hcl").write_text('server = true\n', encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"server": tru', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        consul_config.load([str(tmp_path)], check_dirs=False)
    msgs = info.value.messages
    assert msgs[0] == ("consul.hcl: the stand-in reads JSON only; render this configuration "
                       "as JSON (a .json file) instead of HCL")
    assert msgs[1].startswith("broken.json: invalid JSON: ")


def test_files_in_a_directory_are_merged(tmp_path):
    base = _data("consul_server.json")
    extra = {"retry_join": ["10.0.0.14"], "log_level": "DEBUG"}
    _write(tmp_path, "10-base.json", base)
    _write(tmp_path, "20-extra.json", extra)
    rt = consul_config.load([str(tmp_path)], check_dirs=False)
    assert rt.retry_join == ["10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"]
    assert rt.raw["log_level"] == "DEBUG"


def test_validate_commands_exit_like_the_real_cli(tmp_path, capsys):
    assert cli.main("consul", ["validate", os.path.join(DATA, "consul_server.json")]) == 0
    assert capsys.readouterr().out == "Configuration is valid!\n"
    bad = _data("nomad_server.json")
    bad["server"]["bootstrap_expect"] = "3"
    path = _write(tmp_path, "nomad.json", bad)
    assert cli.main("nomad", ["config", "validate", path]) == 1
    assert capsys.readouterr().err == \
        'Error: nomad.json: server.bootstrap_expect: expected int, got string "3"\n'
    assert cli.main("nomad", ["config", "validate", os.path.join(DATA, "nomad_client.json")]) == 0


def test_agent_self_redacts_secrets():
    from tests.support.standin.consul_agent import _redact
    raw = _data("consul_server.json")
    out = _redact(raw)
    assert out["encrypt"] == "<redacted>"
    assert out["acl"]["tokens"] == {"agent": "<redacted>"}
    assert out["ports"] == raw["ports"]
    assert raw["encrypt"] not in json.dumps(out)


def test_an_unusable_data_dir_stops_the_agent(tmp_path, capsys):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    conf = {"node_name": "c1", "data_dir": str(blocker), "server": True, "bootstrap_expect": 1,
            "bind_addr": "127.0.0.1", "ports": {"http": -1, "dns": -1}}
    _write(tmp_path, "consul.json", conf)
    assert cli.main("consul", ["agent", "-config-dir=%s" % tmp_path]) == 1
    assert "data_dir '%s' is not a directory" % blocker in capsys.readouterr().err
    nomad_dir = tmp_path / "nomad.d"
    nomad_dir.mkdir()
    _write(nomad_dir, "nomad.json", {"name": "n1", "data_dir": str(blocker / "sub"),
                                     "bind_addr": "127.0.0.1", "server": {"enabled": True}})
    assert cli.main("nomad", ["agent", "-config=%s" % nomad_dir]) == 1
    assert "==> Error starting agent: data_dir '%s'" % (blocker / "sub") in capsys.readouterr().err


def test_a_file_without_json_extension_is_read_as_the_agents_do(tmp_path, capsys):
    """Ansible's ``validate: ... %s`` passes a temporary name without an extension."""
    path = tmp_path / "tmpXYZ"
    path.write_text(json.dumps(_data("consul_server.json")), encoding="utf-8")
    assert cli.main("consul", ["validate", str(path)]) == 1
    assert "the file name must end in .json (or pass -config-format=json)" in capsys.readouterr().err
    assert cli.main("consul", ["validate", "-config-format=json", str(path)]) == 0
    path.write_text(json.dumps(_data("nomad_client.json")), encoding="utf-8")
    assert cli.main("nomad", ["config", "validate", str(path)]) == 0
