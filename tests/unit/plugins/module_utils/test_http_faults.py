"""The three clients against a misbehaving server (tests/support/faults.py).

Each call must end within its deadline (``timeout``, for the call as a whole) however
the server stalls, with a message naming the address and the time; retries follow the
one policy of ``_http``; fast-fail stops a bulk operation once the server is down.
"""
import datetime
import ipaddress
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.client import ConsulClient, ConsulError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.nomad_sync import NomadSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadClient, NomadError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.client import VaultClient
from tests.support.faults import FaultServer, ok, refused_address

DEADLINE = 2.0
TRICKLE = 0.5  # s between trickled bytes: several arrive before the deadline
SLACK = 1.0  # thread scheduling on a busy 2-core machine


def nomad_call(address, **kw):
    config = {"address": address, "timeout": kw.pop("timeout", DEADLINE), "retries": 3, "retry_delay": 0.01}
    config.update(kw)
    return lambda: NomadClient(config).get_job("web")


def consul_call(address, **kw):
    kw.setdefault("timeout", DEADLINE)
    kw.setdefault("retry_delay", 0.01)
    return lambda: ConsulClient(address, **kw).get_config_entry("service-defaults", "web")


def vault_call(address, **kw):
    params = {"url": address, "timeout": DEADLINE, "retries": 3, "retry_delay": 0.01}
    params.update(kw)
    return lambda: VaultClient(params, authenticate=False).get("sys/init")


CLIENTS = {
    "nomad": (nomad_call, NomadError, "GET /v1/job/web"),
    "consul": (consul_call, ConsulError, "GET /v1/config/service-defaults/web"),
    "vault": (vault_call, VaultModuleError, "read sys/init"),
}
# backend name in messages, its address environment variable
NAMES = {"nomad": ("Nomad", "NOMAD_ADDR"), "consul": ("Consul", "CONSUL_HTTP_ADDR"), "vault": ("Vault", "VAULT_ADDR")}


def timed(func, error):
    start = time.monotonic()
    with pytest.raises(error) as info:
        func()
    return time.monotonic() - start, str(info.value)


@pytest.mark.parametrize("client", sorted(CLIENTS))
@pytest.mark.parametrize("fault", ["trickle_headers", "trickle_body", "hang"])
def test_a_stalling_server_cannot_outlast_the_deadline(client, fault, record_property):
    make, error, where = CLIENTS[client]
    with FaultServer(default=(fault,), interval=TRICKLE) as server:
        elapsed, msg = timed(make(server.address), error)
    record_property("elapsed_s", round(elapsed, 2))
    print("%s %s: ended after %.2f s (deadline %.1f s): %s" % (client, fault, elapsed, DEADLINE, msg))
    assert DEADLINE - 0.2 <= elapsed < DEADLINE + SLACK, elapsed
    assert msg.endswith("timed out after %g s waiting for %s" % (DEADLINE, server.address))
    assert where in msg
    assert "Max retries exceeded" not in msg and "ConnectionPool" not in msg
    if fault != "hang":
        assert len(server.requests) == 1  # the deadline was spent: no retry started


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_refused_connection_is_named_and_retried(client):
    make, error, where = CLIENTS[client]
    address = refused_address()
    elapsed, msg = timed(make(address, retries=2), error)
    backend, env = NAMES[client]
    assert ("cannot connect to %s at %s: connection refused; check that %s is running and listening on that port; "
            "to use another address set %s, the module option " % (backend, address, backend, env)) in msg, msg
    assert where in msg
    assert "Max retries exceeded" not in msg and "ConnectionPool" not in msg
    assert elapsed < 2


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_429_is_retried_after_retry_after(client):
    make, _error, _where = CLIENTS[client]
    with FaultServer(script=[("status", 429, {"Retry-After": "1"}, {"errors": ["rate limited"]})],
                     default=ok({"initialized": True})) as server:
        make(server.address)()
    assert len(server.requests) == 2
    gap = server.requests[1][2] - server.requests[0][2]
    assert 0.9 <= gap < 2.0, gap


def test_retry_after_beyond_the_deadline_is_not_waited_for():
    with FaultServer(script=[("status", 429, {"Retry-After": "20"}, "slow down")], default=ok()) as server:
        elapsed, msg = timed(nomad_call(server.address), NomadError)
    assert "HTTP 429" in msg and len(server.requests) == 1 and elapsed < 1


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_503_then_200_succeeds(client):
    make, _error, _where = CLIENTS[client]
    with FaultServer(script=[("status", 503, {}, {"errors": ["Vault is sealed"]})],
                     default=ok({"ID": "web", "initialized": True})) as server:
        make(server.address)()
    assert len(server.requests) == 2


def test_a_lost_answer_is_retried_for_a_read():
    with FaultServer(script=[("close",)], default=ok({"ID": "web"})) as server:
        assert nomad_call(server.address)()["ID"] == "web"
    assert len(server.requests) == 2


@pytest.mark.parametrize("first", [("close",), ("status", 503, {}, "no leader"),
                                   ("status", 429, {"Retry-After": "0"}, "slow down")])
def test_a_post_without_idempotency_token_is_not_retried(first):
    with FaultServer(script=[first], default=ok({"DispatchedJobID": "p/1"})) as server:
        client = NomadClient({"address": server.address, "timeout": DEADLINE, "retries": 3, "retry_delay": 0.01})
        with pytest.raises(NomadError):
            client.dispatch_job("p")
        assert len(server.requests) == 1
        server.script = [first]
        assert client.dispatch_job("p", idempotency_token="t1")["DispatchedJobID"] == "p/1"
        assert len(server.requests) == 3


FAST_FAIL_CLIENTS = {
    "nomad": (lambda a: NomadClient({"address": a, "fail_fast_after": 2, "retry_delay": 0.01}),
              lambda c: c.get_job("web"), NomadError),
    "consul": (lambda a: ConsulClient(a, fail_fast_after=2, retry_delay=0.01),
               lambda c: c.get_config_entry("service-defaults", "web"), ConsulError),
    "vault": (lambda a: VaultClient({"url": a, "timeout": 5, "retries": 3, "retry_delay": 0.01,
                                     "fail_fast_after": 2}, authenticate=False),
              lambda c: c.get("sys/init"), VaultModuleError),
}


@pytest.mark.parametrize("client", sorted(FAST_FAIL_CLIENTS))
def test_fast_fail_after_consecutive_failures(client):
    build, read, error = FAST_FAIL_CLIENTS[client]
    address = refused_address()
    one = build(address)
    for dummy in range(2):
        assert "cannot connect" in timed(lambda: read(one), error)[1]
    assert one.down is not None
    elapsed, msg = timed(lambda: read(one), error)
    assert "%s at %s is not answering: 2 calls in a row failed" % (client.capitalize(), address) in msg
    assert elapsed < 0.05


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    """(certfile, keyfile) of a throw-away certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "faults")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return str(folder / "cert.pem"), str(folder / "key.pem")


@pytest.mark.parametrize("fault", ["trickle_headers", "trickle_body"])
def test_the_deadline_holds_over_tls(self_signed, fault):
    with FaultServer(default=(fault,), interval=TRICKLE, tls=self_signed) as server:
        elapsed, msg = timed(nomad_call(server.address, ca_cert=self_signed[0]), NomadError)
    assert server.address.startswith("https://")
    assert DEADLINE - 0.2 <= elapsed < DEADLINE + SLACK, elapsed
    assert msg.endswith("timed out after %g s waiting for %s" % (DEADLINE, server.address))


def _bundle(count):
    jobs = [{"job": {"Job": {"ID": "agent-%02d" % i, "Namespace": "default", "Type": "service",
                             "TaskGroups": []}},
             "tenant": "t", "agent": "agent-%02d" % i, "namespace": "default", "kind": "service"}
            for i in range(count)]
    return {"fleet": "f", "agents": {}, "jobs": jobs}


def test_fifty_jobs_against_a_server_that_never_answers_stop_early(record_property):
    """Defaults (timeout 10 s, fail_fast_after 3, concurrency 8): the first wave of
    calls times out together, then the remaining jobs are not tried."""
    with FaultServer(default=("hang",)) as server:
        client = NomadClient({"address": server.address, "pool_size": 8})
        sync = NomadSync(client, _bundle(50), concurrency=8)
        start = time.monotonic()
        results = sync.converge_jobs()
        elapsed = time.monotonic() - start
        tried = len(server.requests)
    record_property("elapsed_s", round(elapsed, 2))
    print("50 jobs, server never answers: %.2f s, %d requests sent; %s" % (elapsed, tried, client.down))
    assert elapsed < 30
    assert len(results) == 50 and all(r["outcome"] == "failed" and not r["changed"] for r in results)
    assert tried <= 8  # only the first wave reached the server
    assert client.down.startswith("Nomad at %s is not answering: " % server.address)
    assert "timed out after 10 s" in client.down
    skipped = [r for r in results if "is not answering" in r["msg"]]
    assert len(skipped) >= 50 - 8


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_an_unresolvable_host_is_named_as_dns(client):
    make, error, _where = CLIENTS[client]
    backend, env = NAMES[client]
    _elapsed, msg = timed(make("http://agentfleet-nowhere.invalid:4646", retries=0), error)
    assert "cannot connect to %s at http://agentfleet-nowhere.invalid:4646: host name not resolved (DNS); " \
        "check the host name in the address; to use another address set %s" % (backend, env) in msg, msg
    assert "NameResolutionError" not in msg and "ConnectionPool" not in msg


def test_the_origin_of_the_address_is_named():
    address = refused_address()
    client = NomadClient({"address": address, "timeout": DEADLINE, "retries": 0,
                          "origin": "environment variable NOMAD_ADDR"})
    _elapsed, msg = timed(lambda: client.get_job("web"), NomadError)
    assert "cannot connect to Nomad at %s (address from environment variable NOMAD_ADDR): connection refused" \
        % address in msg, msg


def test_an_untrusted_certificate_is_named_with_the_option_to_set(self_signed):
    with FaultServer(tls=self_signed) as server:  # no ca_cert given: the certificate is not trusted
        elapsed, msg = timed(nomad_call(server.address, retries=0), NomadError)
    assert "cannot connect to Nomad at %s: TLS certificate verify failed (" % server.address in msg, msg
    assert "give the CA that signed the server's certificate (ca_cert (NOMAD_CACERT))" in msg
    assert "SSLError" not in msg and "ConnectionPool" not in msg
    assert elapsed < DEADLINE


@pytest.mark.parametrize("client", sorted(CLIENTS))
@pytest.mark.parametrize("env_bundle", [None, "/etc/ssl/certs/ca-certificates.crt"])
def test_a_missing_ca_file_is_named_with_the_backend_and_address(client, env_bundle, tmp_path, monkeypatch):
    """requests refuses a CA path that does not exist before connecting (a bare OSError);
    the clients say which backend, which address and which file. The CA given to the
    client is the one used even when REQUESTS_CA_BUNDLE is set (psf/requests#3829)."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    if env_bundle:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", env_bundle)
    make, error, _where = CLIENTS[client]
    missing = tmp_path / "no-such-ca.pem"
    address = "https://127.0.0.1:9"  # never reached: the path check comes first
    kwargs = {"ca_path" if client == "consul" else "ca_cert": str(missing)}
    _elapsed, msg = timed(make(address, **kwargs), error)
    assert "cannot connect to %s at %s" % (client.capitalize(), address) in msg
    assert str(missing) in msg and "give the path of an existing file" in msg
