"""Stand-in Consul and Nomad clusters on loopback (three servers and one client each) with
TLS from a test CA: leader election after bootstrap_expect, members, ACL bootstrap once
(also after a restart), anonymous denied, client certificates required on HTTPS, and a node
with another gossip key refused. No Molecule, no Docker: agents are local processes."""
import base64
import http.client
import json
import os
import signal
import ssl

import pytest

from tests.integration.standin.conftest import call, wait_until
from tests.support.net import free_port

KEY = base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(bytes(range(1, 33))).decode()
ELECTION_TIMEOUT_S = 10.0


def _when(result, accept):
    """``result`` when ``accept(result)``, else None (for wait_until)."""
    return result if accept(result) else None


def _consul_config(tmp_path, test_ca, name, server, join, encrypt=KEY):
    cert = test_ca.issue(name, dns=("server.dc1.consul" if server else "client.dc1.consul",))
    ports = {"http": -1, "https": free_port(), "serf_lan": free_port(), "server": free_port(),
             "dns": -1, "grpc": -1, "grpc_tls": -1}
    conf = {"datacenter": "dc1", "node_name": name, "data_dir": str(tmp_path / (name + "-data")),
            "server": server, "bind_addr": "127.0.0.1", "advertise_addr": "127.0.0.1",
            "client_addr": "127.0.0.1", "retry_join": join, "encrypt": encrypt, "ports": ports,
            "tls": {"defaults": {"ca_file": test_ca.ca_file, "cert_file": cert[0],
                                 "key_file": cert[1], "verify_incoming": True,
                                 "verify_outgoing": True},
                    "internal_rpc": {"verify_server_hostname": True}},
            "acl": {"enabled": True, "default_policy": "deny", "down_policy": "extend-cache"}}
    if server:
        conf["bootstrap_expect"] = 3
    return conf, cert


def test_consul_cluster(tmp_path, test_ca, launch):
    serf = [free_port(), free_port(), free_port()]
    confs, certs = [], []
    for i in range(3):
        conf, cert = _consul_config(tmp_path, test_ca, "consul-%d" % (i + 1), True,
                                    ["127.0.0.1:%d" % p for j, p in enumerate(serf) if j != i])
        conf["ports"]["serf_lan"] = serf[i]
        confs.append(conf)
        certs.append(cert)
    client_conf, client_cert = _consul_config(tmp_path, test_ca, "client-1", False,
                                              ["127.0.0.1:%d" % serf[0]])
    ctx = test_ca.client_context(client_cert)
    first = launch("consul", "consul-1", confs[0])
    # one server of three: no leader yet (bootstrap_expect = 3)
    wait_until(lambda: call(confs[0]["ports"]["https"], "GET", "/v1/status/leader", ctx)
               == (200, ""), ELECTION_TIMEOUT_S, "consul-1 to answer without a leader")
    agents = [first] + [launch("consul", c["node_name"], c) for c in confs[1:]]
    agents.append(launch("consul", "client-1", client_conf))
    https = [c["ports"]["https"] for c in confs + [client_conf]]
    leader_addr = "127.0.0.1:%d" % confs[0]["ports"]["server"]  # lowest node name wins

    for port in https:
        wait_until(lambda port=port: call(port, "GET", "/v1/status/leader", ctx)
                   == (200, leader_addr), ELECTION_TIMEOUT_S, "a leader seen on %d" % port)
    status, peers = call(https[3], "GET", "/v1/status/peers", ctx)
    assert status == 200 and sorted(peers) == sorted(
        "127.0.0.1:%d" % c["ports"]["server"] for c in confs)

    # anonymous is denied before and after bootstrap
    assert call(https[1], "GET", "/v1/agent/members", ctx) == (200, [])
    status, text = call(https[1], "GET", "/v1/agent/self", ctx)
    assert status == 403 and "lacks permission 'agent:read'" in text

    # ACL bootstrap once, through a follower and then the client (both forward to the leader)
    status, token = call(https[1], "PUT", "/v1/acl/bootstrap", ctx)
    assert status == 200 and token["Policies"][0]["Name"] == "global-management"
    secret = token["SecretID"]
    status, text = call(https[3], "PUT", "/v1/acl/bootstrap", ctx)
    assert (status, text) == (
        403, "Permission denied: ACL bootstrap no longer allowed (reset index: 13)")
    status, text = call(https[2], "GET", "/v1/config/service-defaults/web", ctx)
    assert status == 403
    for port in https:  # the token is replicated to every agent
        status, members = wait_until(
            lambda port=port: _when(call(port, "GET", "/v1/agent/members", ctx, token=secret),
                                    lambda r: r[0] == 200 and len(r[1]) == 4),
            ELECTION_TIMEOUT_S, "members with the management token on %d" % port)
        assert {(m["Name"], m["Tags"]["role"], m["Status"]) for m in members} == {
            ("consul-1", "consul", 1), ("consul-2", "consul", 1), ("consul-3", "consul", 1),
            ("client-1", "node", 1)}
    # metrics: agent:read; Prometheus only with a retention time (not set here)
    assert call(https[2], "GET", "/v1/agent/metrics", ctx)[0] == 403
    status, gauges = call(https[2], "GET", "/v1/agent/metrics", ctx, token=secret)
    assert status == 200 and {"Name": "consul.standin.leader", "Value": 0.0, "Labels": {}} in \
        gauges["Gauges"]
    assert call(https[2], "GET", "/v1/agent/metrics?format=prometheus", ctx, token=secret) == (
        415, "Prometheus is not enabled since its retention time is not positive")

    # agent tokens need agent:write (management here)
    assert call(https[3], "PUT", "/v1/agent/token/agent", ctx, body={"Token": "t"})[0] == 403
    assert call(https[3], "PUT", "/v1/agent/token/agent", ctx, token=secret,
                body={"Token": "t"}) == (200, "")
    entry = {"Kind": "service-defaults", "Name": "web", "Protocol": "http"}
    assert call(https[3], "PUT", "/v1/config", ctx, token=secret, body=entry) == (200, True)
    status, read = call(https[2], "GET", "/v1/config/service-defaults/web", ctx, token=secret)
    assert status == 200 and read["Protocol"] == "http"

    # agent/self shows the configuration read, without secrets
    status, self_ = call(https[0], "GET", "/v1/agent/self", ctx, token=secret)
    assert status == 200 and self_["DebugConfig"]["bootstrap_expect"] == 3
    assert self_["DebugConfig"]["encrypt"] == "<redacted>" and KEY not in str(self_)

    # HTTPS requires a client certificate (tls.defaults.verify_incoming)
    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
        call(https[0], "GET", "/v1/status/leader", test_ca.client_context())

    # a node with another gossip key is refused, and says why
    rogue = _consul_config(tmp_path, test_ca, "consul-0", True, ["127.0.0.1:%d" % serf[0]],
                           encrypt=OTHER_KEY)[0]
    rogue_agent = launch("consul", "consul-0", rogue)
    wait_until(lambda: "No installed keys could decrypt the message" in rogue_agent.logs(),
               ELECTION_TIMEOUT_S, "the rogue node to log the refusal")
    assert "No installed keys could decrypt the message" in agents[0].logs()
    status, members = call(https[0], "GET", "/v1/agent/members", ctx, token=secret)
    assert "consul-0" not in {m["Name"] for m in members}

    # SIGHUP re-reads the configuration and says so
    agents[1].proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "agent: reloaded configuration" in agents[1].logs(), ELECTION_TIMEOUT_S,
               "consul-2 to log the reload")

    # autopilot health: operator:read, served by the leader (asked through the client)
    status, text = call(https[3], "GET", "/v1/operator/autopilot/health", ctx)
    assert status == 403 and "lacks permission 'operator:read'" in text
    assert call(https[3], "PUT", "/v1/operator/autopilot/health", ctx, token=secret)[0] == 405
    status, health = wait_until(
        lambda: _when(call(https[3], "GET", "/v1/operator/autopilot/health", ctx, token=secret),
                      lambda r: r[0] == 200), ELECTION_TIMEOUT_S, "autopilot healthy")
    assert health["Healthy"] and health["FailureTolerance"] == 1
    assert [(s["Name"], s["Leader"], s["Voter"], s["Healthy"], s["SerfStatus"], s["Version"])
            for s in health["Servers"]] == [
        ("consul-1", True, True, True, "alive", "1.18.2"),
        ("consul-2", False, True, True, "alive", "1.18.2"),
        ("consul-3", False, True, True, "alive", "1.18.2")]

    # a restarted leader keeps the bootstrap state (persisted in data_dir)
    assert agents[0].stop() == 0
    wait_until(lambda: call(https[1], "GET", "/v1/status/leader", ctx)
               == (200, "127.0.0.1:%d" % confs[1]["ports"]["server"]),
               ELECTION_TIMEOUT_S, "consul-2 to take over")
    # ... while it is down, autopilot answers 429 and names it
    status, health = call(https[1], "GET", "/v1/operator/autopilot/health", ctx, token=secret)
    assert status == 429 and not health["Healthy"] and health["FailureTolerance"] == 0
    assert [(s["Name"], s["Healthy"], s["SerfStatus"]) for s in health["Servers"]][0] == (
        "consul-1", False, "failed")
    launch("consul", "consul-1", confs[0])
    for port in https:  # every agent agrees again (no split brain after the restart)
        wait_until(lambda port=port: call(port, "GET", "/v1/status/leader", ctx)
                   == (200, leader_addr), ELECTION_TIMEOUT_S, "consul-1 back as leader on %d" % port)
    wait_until(lambda: call(https[3], "GET", "/v1/operator/autopilot/health", ctx,
                            token=secret)[0] == 200, ELECTION_TIMEOUT_S, "autopilot healthy again")
    assert call(https[0], "PUT", "/v1/acl/bootstrap", ctx)[0] == 403
    assert call(https[0], "GET", "/v1/agent/self", ctx, token=secret)[0] == 200
    # the leader's tables were replicated: the entry written before the restart is there
    status, read = call(https[0], "GET", "/v1/config/service-defaults/web", ctx, token=secret)
    assert status == 200 and read["Protocol"] == "http"


def _nomad_config(tmp_path, test_ca, name, server, join, encrypt=KEY):
    cert = test_ca.issue(name, dns=("server.global.nomad" if server else "client.global.nomad",))
    conf = {"name": name, "data_dir": str(tmp_path / (name + "-data")), "bind_addr": "127.0.0.1",
            "ports": {"http": free_port(), "rpc": free_port(), "serf": free_port()},
            "acl": {"enabled": True}, "telemetry": {"prometheus_metrics": True},
            "tls": {"http": True, "rpc": True, "ca_file": test_ca.ca_file, "cert_file": cert[0],
                    "key_file": cert[1], "verify_server_hostname": True,
                    "verify_https_client": True}}
    if server:
        conf["server"] = {"enabled": True, "bootstrap_expect": 3, "encrypt": encrypt,
                          "server_join": {"retry_join": join}}
    else:
        conf["client"] = {"enabled": True, "servers": join}
    return conf, cert


def test_nomad_cluster(tmp_path, test_ca, launch):
    serf = [free_port(), free_port(), free_port()]
    confs = []
    for i in range(3):
        conf = _nomad_config(tmp_path, test_ca, "nomad-%d" % (i + 1), True,
                             ["127.0.0.1:%d" % p for j, p in enumerate(serf) if j != i])[0]
        conf["ports"]["serf"] = serf[i]
        confs.append(conf)
    client_conf, client_cert = _nomad_config(
        tmp_path, test_ca, "client-1", False,
        ["127.0.0.1:%d" % c["ports"]["rpc"] for c in confs])
    ctx = test_ca.client_context(client_cert)
    launched = {conf["name"]: launch("nomad", conf["name"], conf) for conf in confs + [client_conf]}
    https = [c["ports"]["http"] for c in confs + [client_conf]]
    leader_addr = "127.0.0.1:%d" % confs[0]["ports"]["rpc"]

    def nomad(port, method, path, **kw):
        return call(port, method, path, ctx, header="X-Nomad-Token", **kw)

    for port in https:  # the client learns the leader from the servers it registered with
        wait_until(lambda port=port: nomad(port, "GET", "/v1/status/leader") == (200, leader_addr),
                   ELECTION_TIMEOUT_S, "a leader seen on %d" % port)
    assert nomad(https[0], "GET", "/v1/jobs") == (403, "Permission denied")
    assert nomad(https[0], "GET", "/v1/agent/members") == (403, "Permission denied")
    status, token = nomad(https[3], "POST", "/v1/acl/bootstrap")
    assert status == 200 and token["Type"] == "management"
    status, text = nomad(https[2], "POST", "/v1/acl/bootstrap")
    assert status == 400 and text.startswith("ACL bootstrap already done (reset index: ")
    secret = token["SecretID"]
    assert nomad(https[1], "GET", "/v1/jobs", token=secret) == (200, [])
    status, members = wait_until(
        lambda: _when(nomad(https[2], "GET", "/v1/agent/members", token=secret),
                      lambda r: r[0] == 200),
        ELECTION_TIMEOUT_S, "members readable with the replicated token")
    assert {(m["Name"], m["Status"]) for m in members["Members"]} == {
        ("nomad-1.global", "alive"), ("nomad-2.global", "alive"), ("nomad-3.global", "alive")}
    status, text = nomad(https[0], "GET", "/v1/metrics?format=prometheus")
    assert status == 200 and "nomad_standin_leader 1.0" in text
    status, self_ = nomad(https[1], "GET", "/v1/agent/self", token=secret)
    assert self_["config"]["server"]["encrypt"] == "<redacted>"
    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
        call(https[0], "GET", "/v1/status/leader", test_ca.client_context())

    # a policy written through the leader survives the leader's stop (replicated tables)
    policy = {"Name": "operators", "Rules": 'namespace "*" { policy = "read" }'}
    assert nomad(https[3], "POST", "/v1/acl/policy/operators", token=secret, body=policy)[0] == 200
    wait_until(lambda: nomad(https[2], "GET", "/v1/acl/policy/operators", token=secret)[0] == 200,
               ELECTION_TIMEOUT_S, "the policy on a follower")
    assert launched["nomad-1"].stop() == 0
    wait_until(lambda: nomad(https[1], "GET", "/v1/status/leader")
               == (200, "127.0.0.1:%d" % confs[1]["ports"]["rpc"]),
               ELECTION_TIMEOUT_S, "nomad-2 to take over")
    status, read = nomad(https[3], "GET", "/v1/acl/policy/operators", token=secret)
    assert status == 200 and read["Rules"] == policy["Rules"]

    rogue = _nomad_config(tmp_path, test_ca, "nomad-0", True, ["127.0.0.1:%d" % serf[1]],
                          encrypt=OTHER_KEY)[0]
    rogue_agent = launch("nomad", "nomad-0", rogue)
    wait_until(lambda: "No installed keys could decrypt the message" in rogue_agent.logs(),
               ELECTION_TIMEOUT_S, "the rogue server to log the refusal")
    status, members = nomad(https[1], "GET", "/v1/agent/members", token=secret)
    assert "nomad-0.global" not in {m["Name"] for m in members["Members"]}
    status, leader = nomad(rogue["ports"]["http"], "GET", "/v1/status/leader")
    assert (status, leader) == (200, "")
    assert os.path.exists(os.path.join(confs[0]["data_dir"], "standin-state.json"))


def test_nomad_clients_become_nodes(tmp_path, launch):
    """On the leader, registered clients are the contract server's client nodes (when it
    models them: tests/support/nomad_api/nodes.py), ready while they heartbeat."""
    pytest.importorskip("tests.support.nomad_api.nodes",
                        reason="the Nomad contract server of this branch has no client nodes")
    server = {"name": "nomad-1", "data_dir": str(tmp_path / "s-data"), "bind_addr": "127.0.0.1",
              "ports": {"http": free_port(), "rpc": free_port(), "serf": free_port()},
              "server": {"enabled": True, "bootstrap_expect": 1}}
    client = {"name": "client-1", "data_dir": str(tmp_path / "c-data"), "bind_addr": "127.0.0.1",
              "ports": {"http": free_port(), "rpc": free_port(), "serf": free_port()},
              "client": {"enabled": True, "node_pool": "agents",
                         "servers": ["127.0.0.1:%d" % server["ports"]["rpc"]]}}
    launch("nomad", "nomad-1", server)
    client_agent = launch("nomad", "client-1", client)

    def nodes():
        conn = http.client.HTTPConnection("127.0.0.1", server["ports"]["http"], timeout=5)
        try:
            conn.request("GET", "/v1/nodes")
            resp = conn.getresponse()
            return [(n["Name"], n["NodePool"], n["Status"]) for n in json.loads(resp.read())]
        finally:
            conn.close()

    wait_until(lambda: nodes() == [("client-1", "agents", "ready")], ELECTION_TIMEOUT_S,
               "client-1 registered as a ready node")
    assert client_agent.stop() == 0
    wait_until(lambda: nodes() == [("client-1", "agents", "down")], ELECTION_TIMEOUT_S,
               "client-1 down after it stopped")
