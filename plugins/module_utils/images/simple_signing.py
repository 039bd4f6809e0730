# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Containers "simple signing" of images (GPG), as skopeo and containers/image make and check them.

A signature is an OpenPGP *signed message* (not a detached signature) whose content is a
JSON payload (containers/image ``docs/containers-signature.5.md``; parsed strictly in
``signature/simple.go``, ``untrustedSignature.strictUnmarshalJSON``)::

    {"critical": {"type": "atomic container signature",
                  "image": {"docker-manifest-digest": "sha256:<64 hex>"},
                  "identity": {"docker-reference": "registry/repo[:tag]"}},
     "optional": {"creator": "...", "timestamp": <int>}}

``critical`` and its objects hold exactly these keys (anything else is refused);
``optional`` may hold more (ignored), but ``creator`` must be a string and ``timestamp`` an
integer when present.

Lookaside store (containers/image ``docker/registries_d.go``, ``lookasideStorageBaseURL`` and
``lookasideStorageURL``): signatures of ``registry/path/repo@sha256:<hex>`` are at
``<store>/path/repo@sha256=<hex>/signature-<n>``, n = 1, 2, ... (the repository path
*without* the registry host, as ``reference.Path``), read in order until the first missing
one. ``<store>`` is a directory or an https URL (any static server).

Verification (``Verifier``) never uses a system or user keyring: the operator's
ASCII-armoured public keys are imported into a temporary GnuPG home and checked with
``gpgv`` against that keyring only. A signature is accepted when exactly one OpenPGP
signature in it is good (``GOODSIG`` + ``VALIDSIG``, not expired or revoked) by one of
those keys and its payload passes ``payload_problem`` for the pinned digest and the
image's repository (the "matchRepoDigestOrExact" rule of containers/image
``signature/policy_reference_match.go`` for a reference pinned by digest).

Plain Python, no Ansible imports; external tools: ``gpg``, ``gpgv`` (and ``skopeo`` to sign).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.guardrails import image_registry

SIGNATURE_TYPE = "atomic container signature"
# containers/image internal/iolimits: maxSignatureBodySize = 4 MiB.
MAX_SIGNATURE_BYTES = 4 * 1024 * 1024
# Signatures read per image (signature-1 .. signature-MAX_SIGNATURES).
MAX_SIGNATURES = 16
DIGEST = re.compile(r"^sha256:([0-9a-f]{64})\Z")
_PINNED = re.compile(r"@(sha256:[0-9a-f]{64})\Z")
# What is wrong, in the words errors use (one per image).
MISSING, UNKNOWN_KEY, BAD_SIGNATURE, DIGEST_MISMATCH, IDENTITY_MISMATCH, BAD_PAYLOAD, UNREACHABLE, NOT_PINNED = (
    "missing signature", "unknown key", "bad signature", "digest mismatch", "identity mismatch",
    "bad payload", "store unreachable", "not pinned by digest")


class SigningError(Exception):
    """A problem of one image's signatures: ``kind`` (one of the constants above) and words."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


class KeyFileError(ValueError):
    """An operator key file that cannot be used (the message names it)."""


def pinned_digest(image):
    """``sha256:<hex>`` of ``registry/repo[:tag]@sha256:<hex>``, or None when not pinned."""
    match = _PINNED.search(image) if isinstance(image, str) else None
    return match.group(1) if match else None


def repository(reference):
    """``host/path/repo`` of an image reference (Docker's defaults: docker.io, library/),
    without tag or digest, or None when it is not a valid reference."""
    return image_registry(reference)


def lookaside_dir(image):
    """The store-relative folder of ``image``'s signatures: ``path/repo@sha256=<hex>``
    (``registries_d.go``: repository path without the host); ValueError when not pinned."""
    digest = pinned_digest(image)
    repo = repository(image)
    if digest is None or repo is None:
        raise ValueError("%r is not a reference pinned by digest (registry/repo@sha256:<64 hex>)" % (image,))
    path = repo.split("/", 1)[1]
    return "%s@sha256=%s" % (path, digest.split(":", 1)[1])


def payload_problem(payload, digest, image):
    """What is wrong with a signature ``payload`` (bytes) for ``digest`` (``sha256:<hex>``)
    and the repository of ``image``, as (kind, words), or None when it is acceptable."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return BAD_PAYLOAD, "the signed payload is not JSON (%s)" % exc
    shape = _shape_problem(data)
    if shape:
        return BAD_PAYLOAD, "the signed payload is not a simple signing payload: %s" % shape
    critical = data["critical"]
    if critical["type"] != SIGNATURE_TYPE:
        return BAD_PAYLOAD, "critical.type is %r, not %r" % (critical["type"], SIGNATURE_TYPE)
    signed_digest = critical["image"]["docker-manifest-digest"]
    if signed_digest != digest:
        return DIGEST_MISMATCH, ("it signs manifest digest %s, the image is pinned to %s"
                                 % (signed_digest, digest))
    signed_ref = critical["identity"]["docker-reference"]
    signed_repo = repository(signed_ref)
    if signed_repo is None:
        return BAD_PAYLOAD, "critical.identity.docker-reference %r is not an image reference" % signed_ref
    if signed_repo != repository(image):
        return IDENTITY_MISMATCH, ("it signs identity %s (repository %s), the image's repository is %s"
                                   % (signed_ref, signed_repo, repository(image)))
    return None


def _exact(obj, keys, where):
    if not isinstance(obj, dict):
        return "%s must be an object" % where
    if set(obj) != set(keys):
        return "%s must hold exactly %s, it holds %s" % (where, ", ".join(sorted(keys)), ", ".join(sorted(obj)) or "nothing")
    return None


def _shape_problem(data):
    """simple.go ``strictUnmarshalJSON``: exact keys in critical, types of the optional ones."""
    for obj, keys, where in ((data, ("critical", "optional"), "the payload"),
                             (data.get("critical") if isinstance(data, dict) else None,
                              ("type", "image", "identity"), "critical")):
        problem = _exact(obj, keys, where)
        if problem:
            return problem
    critical = data["critical"]
    for key, inner in (("image", "docker-manifest-digest"), ("identity", "docker-reference")):
        problem = _exact(critical[key], (inner,), "critical." + key)
        if problem:
            return problem
        if not isinstance(critical[key][inner], str):
            return "critical.%s.%s must be a string" % (key, inner)
    if not isinstance(critical["type"], str):
        return "critical.type must be a string"
    optional = data["optional"]
    if not isinstance(optional, dict):
        return "optional must be an object"
    if "creator" in optional and not isinstance(optional["creator"], str):
        return "optional.creator must be a string"
    stamp = optional.get("timestamp")
    if "timestamp" in optional and (isinstance(stamp, bool) or not isinstance(stamp, (int, float))
                                    or int(stamp) != stamp):
        return "optional.timestamp must be an integer"
    return None


class Deadline:
    """Seconds left of a total budget (``total`` s from now); ``left(cap)`` is at most ``cap``."""

    def __init__(self, total):
        self.end = time.monotonic() + float(total)

    def left(self, cap=None):
        left = self.end - time.monotonic()
        return left if cap is None else min(left, float(cap))


def run_tool(argv, timeout, env=None, stdin=None):
    """(returncode, stdout, stderr) of ``argv``, bounded by ``timeout`` s (> 0)."""
    if timeout <= 0:
        raise subprocess.TimeoutExpired(argv, 0)
    proc = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout, env=env, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def tool_path(name):
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError("%s is not installed on the controller (Debian package %s)"
                                % (name, "gpgv" if name == "gpgv" else "gnupg" if name == "gpg" else name))
    return path


class Keyring:
    """The operator's public keys in a private temporary GnuPG home (never the system's or
    the user's). ``Keyring.from_files(paths, timeout)`` or ``Keyring.from_armored(texts,
    timeout)``; ``fingerprints`` (upper-case hex of the primary keys), ``path`` (binary
    keyring for gpgv); ``close()`` removes the folder (also as a context manager)."""

    def __init__(self, armored, timeout=10.0, names=None):
        self.home = tempfile.mkdtemp(prefix="agentfleet-keys-")
        os.chmod(self.home, 0o700)
        self.path = os.path.join(self.home, "trusted.gpg")
        self.fingerprints = []
        try:
            self._load(armored, timeout, names or ["key %d" % (i + 1) for i in range(len(armored))])
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_files(cls, paths, timeout=10.0):
        texts = []
        for path in paths:
            try:
                with open(path, "rb") as handle:
                    texts.append(handle.read(1024 * 1024 + 1))
            except OSError as exc:
                raise KeyFileError("signature key %s cannot be read (%s)" % (path, exc.strerror or exc)) from None
        return cls(texts, timeout, names=list(paths))

    def _load(self, armored, timeout, names):
        gpg = tool_path("gpg")
        base = [gpg, "--homedir", self.home, "--batch", "--no-tty", "--quiet", "--no-auto-key-locate",
                "--no-auto-key-retrieve"]
        for name, text in zip(names, armored):
            if b"PRIVATE KEY BLOCK" in text:
                raise KeyFileError("signature key %s holds a private key; give the ASCII-armoured public key "
                                   "(gpg --armor --export <fingerprint>)" % name)
            if b"-----BEGIN PGP PUBLIC KEY BLOCK-----" not in text or len(text) > 1024 * 1024:
                raise KeyFileError("signature key %s is not an ASCII-armoured public key (-----BEGIN PGP PUBLIC "
                                   "KEY BLOCK-----); export it with gpg --armor --export <fingerprint>" % name)
            code, _out, err = run_tool(base + ["--import"], timeout, stdin=text)
            if code != 0:
                raise KeyFileError("signature key %s could not be imported: %s" % (name, last_line(err)))
        code, out, err = run_tool(base + ["--with-colons", "--fixed-list-mode", "--list-keys"], timeout)
        if code != 0:
            raise KeyFileError("signature keys could not be listed: %s" % last_line(err))
        lines = out.decode("utf-8", "replace").splitlines()
        for i, line in enumerate(lines):
            if line.startswith("pub:") and i + 1 < len(lines) and lines[i + 1].startswith("fpr:"):
                self.fingerprints.append(lines[i + 1].split(":")[9].upper())
        if not self.fingerprints:
            raise KeyFileError("no public key found in the signature keys")
        code, out, err = run_tool(base + ["--export"], timeout)
        if code != 0 or not out:
            raise KeyFileError("signature keys could not be exported: %s" % last_line(err))
        with open(self.path, "wb") as handle:
            handle.write(out)

    def close(self):
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def last_line(err):
    lines = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def gpgv_verify(signature, keyring, timeout):
    """(payload bytes, signing primary key fingerprint) of the signed message ``signature``
    (bytes) checked by ``gpgv`` against ``keyring`` (a ``Keyring``) only; SigningError
    (UNKNOWN_KEY or BAD_SIGNATURE) otherwise."""
    gpgv = tool_path("gpgv")
    work = tempfile.mkdtemp(prefix="agentfleet-verify-")
    try:
        os.chmod(work, 0o700)
        sig_path, out_path = os.path.join(work, "signature"), os.path.join(work, "payload")
        with open(sig_path, "wb") as handle:
            handle.write(signature)
        argv = [gpgv, "--homedir", work, "--keyring", keyring.path, "--status-fd", "1",
                "--output", out_path, sig_path]
        try:
            code, out, err = run_tool(argv, timeout)
        except subprocess.TimeoutExpired:
            raise SigningError(UNREACHABLE, "gpgv did not finish within %.0f s" % timeout) from None
        status = [line[9:].split(" ") for line in out.decode("utf-8", "replace").splitlines()
                  if line.startswith("[GNUPG:] ")]
        words = [s[0] for s in status]
        if "NO_PUBKEY" in words:
            keyid = next(s[1] for s in status if s[0] == "NO_PUBKEY")
            raise SigningError(UNKNOWN_KEY, "signed by key %s, which is not one of the operator's keys (%s)"
                               % (keyid, ", ".join(keyring.fingerprints)))
        for bad, what in (("BADSIG", "the signature does not match its content (tampered)"),
                          ("EXPKEYSIG", "signed by an expired key"), ("REVKEYSIG", "signed by a revoked key"),
                          ("EXPSIG", "the signature has expired"), ("ERRSIG", "the signature cannot be checked")):
            if bad in words:
                raise SigningError(BAD_SIGNATURE, what)
        valid = [s for s in status if s[0] == "VALIDSIG"]
        if code != 0 or words.count("NEWSIG") != 1 or len(valid) != 1 or "GOODSIG" not in words:
            raise SigningError(BAD_SIGNATURE, "not one good OpenPGP signed message (gpgv: %s)" % last_line(err))
        primary = (valid[0][10] if len(valid[0]) > 10 else valid[0][1]).upper()
        if primary not in keyring.fingerprints:
            raise SigningError(UNKNOWN_KEY, "signed by key %s, which is not one of the operator's keys" % primary)
        with open(out_path, "rb") as handle:
            payload = handle.read(MAX_SIGNATURE_BYTES + 1)
        return payload, primary
    finally:
        shutil.rmtree(work, ignore_errors=True)


class Store:
    """A lookaside signature store: a directory, or an https URL read through the
    collection's bounded HTTP session (``module_utils/_http.BoundedSession``: retries,
    a deadline per call). ``read(image, n)`` is the bytes of signature ``n`` or None
    when there is none; SigningError(UNREACHABLE) when the store cannot answer."""

    def __init__(self, location, timeout=10.0, retries=2, ca_cert=None):
        self.location = location
        self.timeout = float(timeout)
        self.session = None
        # Per request, as the backend clients do: a session-wide value would lose to
        # REQUESTS_CA_BUNDLE in the environment (requests merge_environment_settings).
        self.verify = ca_cert or True
        if re.match(r"^https://", location or ""):
            from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import BoundedSession
            self.session = BoundedSession("Signature store", location, timeout=self.timeout, retries=retries,
                                          fail_fast_after=2)
        elif re.match(r"^[a-z][a-z0-9+.-]*://", location or ""):
            raise ValueError("signature store %s: give a directory or an https:// URL" % location)
        elif not os.path.isdir(location or ""):
            raise ValueError("signature store %s is not a directory" % location)

    def where(self, image, index):
        rel = "%s/signature-%d" % (lookaside_dir(image), index)
        if self.session is not None:
            return self.location.rstrip("/") + "/" + rel
        return os.path.join(self.location, rel)

    def read(self, image, index):
        where = self.where(image, index)
        if self.session is None:
            try:
                with open(where, "rb") as handle:
                    data = handle.read(MAX_SIGNATURE_BYTES + 1)
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise SigningError(UNREACHABLE, "%s cannot be read (%s)" % (where, exc.strerror or exc)) from None
        else:
            from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import transport_error_message
            try:
                response = self.session.get(where, allow_redirects=False, verify=self.verify)
            except Exception as exc:  # requests' errors, translated by the session
                raise SigningError(UNREACHABLE, transport_error_message(exc) or str(exc)) from None
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise SigningError(UNREACHABLE, "%s answered HTTP %d" % (where, response.status_code))
            data = response.content[:MAX_SIGNATURE_BYTES + 1]
        if len(data) > MAX_SIGNATURE_BYTES:
            raise SigningError(BAD_SIGNATURE, "%s is over %d bytes" % (where, MAX_SIGNATURE_BYTES))
        return data


def verify_image(image, store, keyring, timeout=10.0):
    """Check ``image`` (pinned by digest) against the signatures in ``store``: returns
    (signature location, signing fingerprint) of the first acceptable one; SigningError
    with the first signature's problem otherwise (MISSING when there is none). ``timeout``
    (s) bounds the whole check of this image."""
    digest = pinned_digest(image)
    if digest is None or repository(image) is None:
        raise SigningError(NOT_PINNED, "signatures are checked by digest: pin the image as "
                           "registry/repo@sha256:<64 hex>")
    budget = Deadline(timeout)
    first = None
    for index in range(1, MAX_SIGNATURES + 1):
        if budget.left() <= 0:
            raise SigningError(UNREACHABLE, "checking its signatures took over %.0f s" % timeout)
        data = store.read(image, index)
        if data is None:
            break
        try:
            payload, fingerprint = gpgv_verify(data, keyring, budget.left())
            problem = payload_problem(payload, digest, image)
            if problem:
                raise SigningError(*problem)
            return store.where(image, index), fingerprint
        except SigningError as exc:
            first = first or exc
    if first is not None:
        raise first
    raise SigningError(MISSING, "no signature at %s" % store.where(image, 1))
