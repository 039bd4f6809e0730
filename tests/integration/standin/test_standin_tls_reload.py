"""Stand-in agents re-read their TLS certificate files on SIGHUP, as the real agents do
(Consul ``reloadConfigInternal`` -> ``tlsConfigurator.Update``; Nomad ``handleReload`` ->
``agent.Reload``): new files are not served before the signal, are served after it by the
same process, and a key that does not match its certificate keeps the running pair. A
Nomad client's RPC to its servers keeps working with its new certificate."""
import signal
import socket

from cryptography import x509

from tests.integration.standin.conftest import call, wait_until
from tests.integration.standin.test_standin_cluster import _consul_config, _nomad_config
from tests.support.net import free_port

RELOAD_TIMEOUT_S = 10.0
ELECTION_TIMEOUT_S = 10.0


def _served_serial(port, ctx):
    """The serial number of the certificate served on ``127.0.0.1:port``."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return int(tls.getpeercert()["serialNumber"], 16)


def _file_serial(cert_file):
    """The serial number of a PEM certificate file."""
    with open(cert_file, "rb") as handle:
        return x509.load_pem_x509_certificate(handle.read()).serial_number


def test_consul_https_certificate_is_reloaded_on_sighup(tmp_path, test_ca, launch):
    conf, cert = _consul_config(tmp_path, test_ca, "consul-1", True, [])
    conf["bootstrap_expect"] = 1
    ctx = test_ca.client_context(cert)
    port = conf["ports"]["https"]
    agent = launch("consul", "consul-1", conf)
    wait_until(lambda: call(port, "GET", "/v1/status/leader", ctx)[1], ELECTION_TIMEOUT_S,
               "a leader")
    old_serial = _served_serial(port, ctx)
    assert old_serial == _file_serial(cert[0])

    new_cert = test_ca.issue("consul-1", dns=("server.dc1.consul",))
    new_serial = _file_serial(new_cert[0])
    assert new_serial != old_serial
    # new files alone change nothing: the agent serves what it loaded
    assert _served_serial(port, ctx) == old_serial

    agent.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: _served_serial(port, ctx) == new_serial, RELOAD_TIMEOUT_S,
               "the new certificate after SIGHUP")
    assert agent.proc.poll() is None  # same process: reloaded, not restarted
    assert call(port, "GET", "/v1/status/leader", test_ca.client_context(new_cert))[0] == 200

    # a key that does not match the certificate: the running pair stays in use
    other = test_ca.issue("other", dns=("server.dc1.consul",))
    with open(other[1], "rb") as src, open(new_cert[1], "wb") as dst:
        dst.write(src.read())
    agent.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "cannot load the TLS certificates, keeping the running ones"
               in agent.logs(), RELOAD_TIMEOUT_S, "the refused reload in the log")
    assert _served_serial(port, ctx) == new_serial
    assert agent.proc.poll() is None


def test_nomad_server_and_client_reload_their_certificates(tmp_path, test_ca, launch):
    serf = free_port()
    server_conf, server_cert = _nomad_config(tmp_path, test_ca, "nomad-1", True, [])
    server_conf["ports"]["serf"] = serf
    server_conf["server"]["bootstrap_expect"] = 1
    client_conf, client_cert = _nomad_config(
        tmp_path, test_ca, "client-1", False, ["127.0.0.1:%d" % server_conf["ports"]["rpc"]])
    ctx = test_ca.client_context(client_cert)
    server = launch("nomad", "nomad-1", server_conf)
    client = launch("nomad", "client-1", client_conf)
    leader = "127.0.0.1:%d" % server_conf["ports"]["rpc"]
    client_port, server_port = client_conf["ports"]["http"], server_conf["ports"]["http"]
    wait_until(lambda: call(client_port, "GET", "/v1/status/leader", ctx,
                            header="X-Nomad-Token") == (200, leader),
               ELECTION_TIMEOUT_S, "the client to see the leader")

    old = {server_port: _served_serial(server_port, ctx), client_port: _served_serial(client_port, ctx)}
    new_server = test_ca.issue("nomad-1", dns=("server.global.nomad",))
    new_client = test_ca.issue("client-1", dns=("client.global.nomad",))
    assert _served_serial(server_port, ctx) == old[server_port]
    new = {server_port: _file_serial(new_server[0]),
           client_port: _file_serial(new_client[0])}
    assert new[server_port] != old[server_port] and new[client_port] != old[client_port]
    pids = (server.proc.pid, client.proc.pid)

    for agent in (server, client):
        agent.proc.send_signal(signal.SIGHUP)
    new_ctx = test_ca.client_context(new_client)
    for port in (server_port, client_port):
        wait_until(lambda port=port: _served_serial(port, new_ctx) == new[port],
                   RELOAD_TIMEOUT_S, "the new certificate on %d" % port)
    assert (server.proc.pid, client.proc.pid) == pids
    assert server.proc.poll() is None and client.proc.poll() is None
    # the client forwards to the leader over RPC with its new certificate: the leader's
    # answer (anonymous denied), not an RPC error
    assert call(client_port, "GET", "/v1/jobs", new_ctx, header="X-Nomad-Token") == \
        (403, "Permission denied")
    assert "reloaded configuration and TLS certificates" in client.logs()
