"""Throw-away GPG keys and image manifests for the signed-image tests (test infrastructure).

Real ``gpg`` in a temporary GNUPGHOME (never the user's), real ``skopeo`` for manifest digests
and signatures; no registry is needed: ``skopeo standalone-sign`` signs a manifest file.
Never imports product code (``plugins/``).
"""
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

TIMEOUT = 30


def require_tools():
    missing = [t for t in ("gpg", "gpgv", "skopeo") if shutil.which(t) is None]
    if missing:
        pytest.skip("needs %s on PATH (Debian packages gnupg, gpgv, skopeo; scripts/setup.sh installs them)"
                    % ", ".join(missing))


class GnuPGHome:
    """A private GNUPGHOME under ``path`` with helpers to make keys and sign manifests."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path, 0o700)
        self.env = dict(os.environ, GNUPGHOME=str(self.path))

    def close(self):
        """Stop this home's gpg-agent (started by gpg itself for the secret keys), and only it."""
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=self.env, capture_output=True, timeout=TIMEOUT,
                       check=False)

    def run(self, *argv, stdin=None):
        return subprocess.run(list(argv), input=stdin, capture_output=True, env=self.env, timeout=TIMEOUT, check=True)

    def make_key(self, name, passphrase=None):
        """A new ed25519 signing key; returns its fingerprint (40 upper-case hex)."""
        protection = "Passphrase: %s\n" % passphrase if passphrase else "%no-protection\n"
        params = ("Key-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: sign\nName-Real: %s\n"
                  "Name-Email: %s@example.com\nExpire-Date: 0\n%s%%commit\n" % (name, name.lower(), protection))
        self.run("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", passphrase or "",
                 "--gen-key", stdin=params.encode())
        out = self.run("gpg", "--batch", "--with-colons", "--list-secret-keys", "%s@example.com" % name.lower())
        return next(line.split(":")[9] for line in out.stdout.decode().splitlines() if line.startswith("fpr:"))

    def export_public(self, fingerprint, dest):
        data = self.run("gpg", "--batch", "--armor", "--export", fingerprint).stdout
        Path(dest).write_bytes(data)
        return Path(dest)

    def sign(self, manifest, identity, fingerprint, output):
        """``skopeo standalone-sign`` of a manifest file (the real tool)."""
        self.run("skopeo", "standalone-sign", str(manifest), identity, fingerprint, "--output", str(output))
        return Path(output)

    def verify(self, manifest, identity, fingerprint, signature):
        """``skopeo standalone-verify``: the manifest digest it reports, or CalledProcessError."""
        out = self.run("skopeo", "standalone-verify", str(manifest), identity, fingerprint, str(signature))
        return out.stdout.decode().strip().rsplit(" ", 1)[-1]


def write_manifest(path, seed):
    """An OCI image manifest made unique by ``seed``; returns (path, its sha256 digest)."""
    body = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": "sha256:" + hashlib.sha256(seed.encode()).hexdigest(), "size": 2},
            "layers": [], "annotations": {"org.opencontainers.image.title": seed}}
    Path(path).write_text(json.dumps(body, sort_keys=True))
    digest = subprocess.run(["skopeo", "manifest-digest", str(path)], capture_output=True, timeout=TIMEOUT,
                            check=True).stdout.decode().strip()
    return Path(path), digest


def lookaside(store, image):
    """``<store>/<repository path without host>@sha256=<hex>`` of ``host/path@sha256:<hex>``
    (containers/image docker/registries_d.go), written here independently of the product."""
    name, digest = image.split("@", 1)
    path = name.split("/", 1)[1]
    return Path(store) / ("%s@sha256=%s" % (path, digest.split(":", 1)[1]))
