"""Fixtures for the stand-in agent cluster tests: a throw-away test CA and a launcher that
starts stand-in agents as subprocesses on loopback and stops them (SIGTERM) afterwards."""
import datetime
import ipaddress
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import http.client

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BOOT = ("import sys; from tests.support.standin.cli import main; "
        "sys.exit(main(sys.argv[1], sys.argv[2:]))")
HTTP_TIMEOUT_S = 5.0
STOP_TIMEOUT_S = 5.0


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class TestCA:
    """A lab CA; ``issue(name, sans)`` writes ``<name>.pem``/``<name>-key.pem``."""

    def __init__(self, directory):
        self.dir = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(_name("standin test CA"))
                     .issuer_name(_name("standin test CA")).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(minutes=5))
                     .not_valid_after(now + datetime.timedelta(hours=2))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.ca_file = os.path.join(directory, "ca.pem")
        with open(self.ca_file, "wb") as handle:
            handle.write(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, name, dns=(), ips=("127.0.0.1",)):
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        sans = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        cert = (x509.CertificateBuilder().subject_name(_name(name)).issuer_name(self.cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(hours=1))
                .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                      ExtendedKeyUsageOID.CLIENT_AUTH]),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        cert_file = os.path.join(self.dir, name + ".pem")
        key_file = os.path.join(self.dir, name + "-key.pem")
        with open(cert_file, "wb") as handle:
            handle.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(key_file, "wb") as handle:
            handle.write(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        os.chmod(key_file, 0o600)
        return cert_file, key_file

    def client_context(self, cert=None):
        ctx = ssl.create_default_context(cafile=self.ca_file)
        if cert:
            ctx.load_cert_chain(*cert)
        return ctx


class Agent:
    """One stand-in agent process."""

    def __init__(self, product, name, config, workdir):
        self.product, self.name, self.config = product, name, config
        self.conf_dir = os.path.join(workdir, name + ".d")
        os.makedirs(self.conf_dir, exist_ok=True)
        with open(os.path.join(self.conf_dir, product + ".json"), "w", encoding="utf-8") as handle:
            json.dump(config, handle)
        self.log_path = os.path.join(workdir, name + ".log")
        self.proc = None

    def start(self):
        flag = "-config-dir=" if self.product == "consul" else "-config="
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-c", BOOT, self.product, "agent",
                                      flag + self.conf_dir], cwd=REPO, stdout=self.log,
                                     stderr=self.log)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_TIMEOUT_S)
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def logs(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()


def call(port, method, path, ctx, token=None, header="X-Consul-Token", body=None):
    """``(status, parsed JSON or text)`` from ``https://127.0.0.1:port``."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=HTTP_TIMEOUT_S)
    try:
        headers = {header: token} if token else {}
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers=headers)
        resp = conn.getresponse()
        data = resp.read().decode()
    finally:
        conn.close()
    try:
        return resp.status, json.loads(data)
    except ValueError:
        return resp.status, data


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except (OSError, ssl.SSLError) as exc:
            last = exc
        time.sleep(0.1)
    raise AssertionError("timed out after %.0fs waiting for %s (last: %r)" % (timeout, what, last))


@pytest.fixture
def test_ca(tmp_path):
    return TestCA(str(tmp_path))


@pytest.fixture
def launch(tmp_path):
    started = []

    def _launch(product, name, config):
        agent = Agent(product, name, config, str(tmp_path)).start()
        started.append(agent)
        return agent

    yield _launch
    for agent in started:
        agent.stop()
