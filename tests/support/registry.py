"""A real container registry for tests: Debian's ``docker-registry`` (CNCF Distribution
2.8) on loopback, TLS from a throw-away test CA, storage in a temporary directory.

Test infrastructure only (never imported by ``plugins/`` or ``roles/``).

* ``TestCA(dir)``: an EC P-256 CA and ``issue(dir, names)`` server certificates for
  DNS names / IP addresses, all PEM files under ``dir`` (the CA key never leaves it).
* ``Registry(workdir, ca)``: ``start()`` / ``stop()``; ``addr`` (``127.0.0.1:<port>``),
  ``url`` (``https://127.0.0.1:<port>``), ``ca_path``, ``manifest_digest(repo, tag)``
  (``sha256:<hex>`` or ``None``), ``blob_exists(repo, digest)``. While running, the
  Docker engine trusts the CA through ``/etc/docker/certs.d/<addr>/ca.crt`` (written by
  ``start``, removed by ``stop``; dockerd reads that directory on each connection).
  Note: dockerd treats 127.0.0.0/8 as an insecure registry by default (it would also
  accept an untrusted certificate there); the strict TLS check is done by
  ``manifest_digest`` and by any client given ``ca_path``.
* pytest fixtures (registered in ``tests/conftest.py``): ``docker_engine`` (session:
  runs ``scripts/ensure-docker.sh``; skips with the reason when no engine can be had,
  fails instead when ``CI`` is set) and ``registry`` (session: a running ``Registry``).

Standalone: ``.venv/bin/python -m tests.support.registry [--port N] [--workdir DIR]``
prints ``REGISTRY=...`` and ``REGISTRY_CA=...`` and serves until SIGTERM / Ctrl-C; by
default on a free port with everything in a temporary directory, removed at the end. With
``--workdir`` the storage (and so the pushed images) is kept there for the next start
(``make demo`` uses ``build/demo/registry`` on port 5000); the CA and the server
certificate are made afresh on each start.
"""
from __future__ import annotations

import argparse
import datetime
import ipaddress
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.support.net import free_port

REPO = Path(__file__).resolve().parents[2]
DOCKER_CERTS_D = Path(os.environ.get("AGENTFLEET_DOCKER_CERTS_D", "/etc/docker/certs.d"))
MANIFEST_TYPES = ", ".join([
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
])


def _write_key(path: Path, key) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


class TestCA:
    """A throw-away certificate authority (EC P-256, valid one day) under ``directory``."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "agentfleet test CA")])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.cert_path = self.directory / "ca.crt"
        self.cert_path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        _write_key(self.directory / "ca.key", self.key)

    def issue(self, directory: Path, names: list[str]) -> tuple[Path, Path]:
        """A server certificate for ``names`` (IP addresses or DNS names); returns
        ``(cert_path, key_path)`` under ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        sans: list[x509.GeneralName] = []
        for name in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                sans.append(x509.DNSName(name))
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(self.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        cert_path, key_path = directory / "server.crt", directory / "server.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key_path, key)
        return cert_path, key_path


class Registry:
    """Debian's ``docker-registry`` serving HTTPS on ``127.0.0.1:<free port>``."""

    def __init__(self, workdir: Path, ca: TestCA, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ca = ca
        self.host = host
        self.port = port or free_port(host)
        self.addr = f"{host}:{self.port}"
        self.url = f"https://{self.addr}"
        self.ca_path = ca.cert_path
        self.log_path = self.workdir / "registry.log"
        self.proc: subprocess.Popen | None = None
        self.certs_d = DOCKER_CERTS_D / self.addr

    def _config(self, cert: Path, key: Path) -> Path:
        # Distribution's configuration reference (docs/configuration.md): storage.filesystem,
        # storage.delete, http.addr, http.tls.{certificate,key}. JSON is valid YAML.
        config = {
            "version": "0.1",
            "log": {"level": "info", "accesslog": {"disabled": False}},
            "storage": {"filesystem": {"rootdirectory": str(self.workdir / "storage")}, "delete": {"enabled": True}},
            "http": {"addr": self.addr, "tls": {"certificate": str(cert), "key": str(key)},
                     "headers": {"X-Content-Type-Options": ["nosniff"]}},
        }
        path = self.workdir / "config.yml"
        path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        return path

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts only the test CA (strict hostname check)."""
        return ssl.create_default_context(cafile=str(self.ca_path))

    def start(self, timeout: float = 30.0) -> "Registry":
        binary = shutil.which("docker-registry")
        if not binary:
            raise RuntimeError("no docker-registry binary: run `make setup` (apt package docker-registry)")
        cert, key = self.ca.issue(self.workdir / "tls", [self.host, "localhost"])
        config = self._config(cert, key)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"docker-registry exited {self.proc.returncode}: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/v2/", context=self.ssl_context(), timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"docker-registry at {self.url} did not answer in {timeout} s: {self.log_tail()}")
            time.sleep(0.1)
        self.certs_d.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.ca_path, self.certs_d / "ca.crt")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None
        shutil.rmtree(self.certs_d, ignore_errors=True)

    def log_tail(self, size: int = 2000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-size:] if self.log_path.exists() else ""

    def _request(self, method: str, path: str, accept: str = MANIFEST_TYPES, timeout: float = 10.0):
        req = urllib.request.Request(f"{self.url}{path}", method=method, headers={"Accept": accept})
        return urllib.request.urlopen(req, context=self.ssl_context(), timeout=timeout)

    def manifest_digest(self, repo: str, reference: str) -> str | None:
        """``Docker-Content-Digest`` of ``repo:reference`` (tag or digest), ``None`` if absent."""
        try:
            with self._request("HEAD", f"/v2/{repo}/manifests/{reference}") as resp:
                return resp.headers["Docker-Content-Digest"]
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def manifest(self, repo: str, reference: str) -> dict:
        """The manifest JSON of ``repo:reference``."""
        with self._request("GET", f"/v2/{repo}/manifests/{reference}") as resp:
            return json.loads(resp.read())

    def blob(self, repo: str, digest: str) -> bytes:
        """The bytes of blob ``digest`` (e.g. an image config)."""
        with self._request("GET", f"/v2/{repo}/blobs/{digest}", accept="*/*") as resp:
            return resp.read()


def _docker_answers() -> bool:
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def docker_engine() -> None:
    """A Docker engine that answers and the local base image(s) (``scripts/ensure-docker.sh``,
    idempotent and cached). Without one the test is skipped with the reason, except under
    CI (``CI`` set), where it fails: these tests must not silently skip there."""
    if _docker_answers() and subprocess.run(["docker", "image", "inspect", "local/debian-systemd:bookworm"],
                                            capture_output=True, timeout=20, check=False).returncode == 0:
        return
    try:
        proc = subprocess.run(["bash", str(REPO / "scripts" / "ensure-docker.sh")], capture_output=True, text=True,
                              timeout=600, check=False)
        problem = None if proc.returncode == 0 else (proc.stdout + proc.stderr).strip()[-800:]
    except (OSError, subprocess.TimeoutExpired) as exc:
        problem = str(exc)
    if problem:
        message = f"no Docker engine / base image (scripts/ensure-docker.sh failed): {problem}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def registry(docker_engine, tmp_path_factory):  # pylint: disable=unused-argument,redefined-outer-name
    """A running TLS ``Registry`` (test CA) trusted by the Docker engine, for the session."""
    if not shutil.which("docker-registry"):
        message = "no docker-registry binary: run `make setup` (apt package docker-registry)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("registry")
    server = Registry(base / "server", TestCA(base / "ca")).start()
    yield server
    server.stop()


def _serve(workdir: Path, port: int | None) -> None:
    server = Registry(workdir / "server", TestCA(workdir / "ca"), port=port).start()
    print(f"REGISTRY={server.addr}\nREGISTRY_CA={server.ca_path}", flush=True)
    try:
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    """Serve a registry until SIGTERM / Ctrl-C (manual use, ``make demo``)."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.registry", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--port", type=int, default=None, help="loopback port (default: a free one)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the storage (the pushed images) here across starts (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.workdir:
        _serve(args.workdir.resolve(), args.port)
        return
    with tempfile.TemporaryDirectory(prefix="agentfleet-registry-") as tmp:
        _serve(Path(tmp), args.port)


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
