# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sign a pushed image by digest with ``skopeo standalone-sign`` and publish the signature
to a lookaside store directory (the ``image_sign`` module's logic; plain Python).

    sign(image="registry/repo@sha256:<hex>", store="/srv/sigstore", fingerprint="0EA6...",
         gnupg_home="/root/.gnupg", passphrase=None, manifest=None, identity=None,
         skopeo_options=(), timeout=60.0, check=False)
    -> {"changed": bool, "signature": "<store>/repo@sha256=<hex>/signature-<n>",
        "digest": "sha256:<hex>", "identity": "registry/repo[:tag]", "signed_by": "<fingerprint>"}

Idempotent: a signature already in the store for this digest, made by this key for this
identity and valid (``simple_signing.gpgv_verify`` + ``payload_problem``), is kept and
nothing is signed; otherwise the new one goes to the first free ``signature-<n>`` (others'
signatures are left alone, as containers/image keeps every signature of an image). The
manifest comes from O(manifest) or ``skopeo inspect --raw docker://<image>``, and must have
the pinned digest (``skopeo manifest-digest``). The passphrase goes to skopeo through a
0600 file removed afterwards (``--passphrase-file``), never on a command line.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic
from ansible_collections.agentfleet.hashistack.plugins.module_utils.images import simple_signing as sig


class SignError(Exception):
    """Signing failed; the message says why and what to do."""


def default_identity(image):
    """The reference signed for ``image``: the image without its ``@sha256:`` part."""
    return image.rsplit("@", 1)[0]


def _checked(argv, timeout, env, what):
    try:
        code, out, err = sig.run_tool(argv, timeout, env=env)
    except subprocess.TimeoutExpired:
        raise SignError("%s did not finish within %.0f s" % (what, timeout)) from None
    except FileNotFoundError as exc:
        raise SignError(str(exc)) from None
    if code != 0:
        raise SignError("%s failed: %s" % (what, sig.last_line(err)))
    return out


def _public_keyring(fingerprint, env, timeout):
    gpg = sig.tool_path("gpg")
    out = _checked([gpg, "--batch", "--no-tty", "--armor", "--export", fingerprint], timeout, env,
                   "gpg --export %s" % fingerprint)
    if b"PUBLIC KEY BLOCK" not in out:
        raise SignError("key %s is not in the GnuPG home %s; import it there or give gnupg_home"
                        % (fingerprint, env.get("GNUPGHOME") or "~/.gnupg"))
    try:
        return sig.Keyring([out], timeout, names=["key %s" % fingerprint])
    except sig.KeyFileError as exc:
        raise SignError(str(exc)) from None


def existing(image, identity, store, keyring, timeout):
    """(path of a valid signature by ``keyring``'s key for exactly ``identity`` or None,
    first free index)."""
    digest = sig.pinned_digest(image)
    for index in range(1, sig.MAX_SIGNATURES + 1):
        data = store.read(image, index)
        if data is None:
            return None, index
        try:
            payload, _fpr = sig.gpgv_verify(data, keyring, timeout)
        except sig.SigningError:
            continue
        if sig.payload_problem(payload, digest, image) is None and \
                b'"docker-reference":' in payload and _signed_identity(payload) == identity:
            return store.where(image, index), index
    raise SignError("the store already holds %d signatures of %s; remove stale ones" % (sig.MAX_SIGNATURES, image))


def _signed_identity(payload):
    import json
    return json.loads(payload.decode("utf-8"))["critical"]["identity"]["docker-reference"]


def sign(image, store, fingerprint, gnupg_home=None, passphrase=None, manifest=None, identity=None,
         skopeo_options=(), timeout=60.0, check=False):
    """See the module docstring; raises SignError."""
    digest = sig.pinned_digest(image)
    if digest is None or sig.repository(image) is None:
        raise SignError("image %r is not pinned by digest: give registry/repo[:tag]@sha256:<64 hex> (the digest "
                        "the push returned)" % (image,))
    identity = identity or default_identity(image)
    if sig.repository(identity) != sig.repository(image):
        raise SignError("identity %r is not in the image's repository %s: the signature would not verify"
                        % (identity, sig.repository(image)))
    fingerprint = re.sub(r"\s+", "", fingerprint or "").upper()
    if not re.match(r"^[0-9A-F]{40}([0-9A-F]{24})?\Z", fingerprint):
        raise SignError("key_fingerprint must be the key's full fingerprint (40 hex digits), got %r" % fingerprint)
    if not os.path.isdir(store):
        raise SignError("signature store %s is not a directory; create it (it is served as is)" % store)
    env = dict(os.environ)
    if gnupg_home:
        env["GNUPGHOME"] = gnupg_home
    lookaside = sig.Store(store)
    keyring = _public_keyring(fingerprint, env, timeout)
    try:
        found, index = existing(image, identity, lookaside, keyring, timeout)
        result = {"digest": digest, "identity": identity, "signed_by": keyring.fingerprints[0]}
        if found:
            return dict(result, changed=False, signature=found)
        target = lookaside.where(image, index)
        if check:
            return dict(result, changed=True, signature=target)
        work = tempfile.mkdtemp(prefix="agentfleet-sign-")
        try:
            os.chmod(work, 0o700)
            manifest_path = os.path.join(work, "manifest.json")
            if manifest:
                shutil.copyfile(manifest, manifest_path)
            else:
                raw = _checked([sig.tool_path("skopeo"), "inspect", "--raw"] + list(skopeo_options)
                               + ["docker://" + image], timeout, env, "skopeo inspect --raw docker://%s" % image)
                with open(manifest_path, "wb") as handle:
                    handle.write(raw)
            got = _checked([sig.tool_path("skopeo"), "manifest-digest", manifest_path], timeout, env,
                           "skopeo manifest-digest").decode("utf-8", "replace").strip()
            if got != digest:
                raise SignError("the manifest has digest %s, not the pinned %s: sign the manifest that was pushed"
                                % (got, digest))
            argv = [sig.tool_path("skopeo"), "standalone-sign"]
            if passphrase:
                secret = os.path.join(work, "passphrase")
                fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as handle:
                    handle.write(passphrase)
                argv += ["--passphrase-file", secret]
            out_path = os.path.join(work, "signature")
            argv += [manifest_path, identity, fingerprint, "--output", out_path]
            _checked(argv, timeout, env, "skopeo standalone-sign")
            with open(out_path, "rb") as handle:
                data = handle.read()
            try:  # never publish what would not verify
                payload, _fpr = sig.gpgv_verify(data, keyring, timeout)
            except sig.SigningError as exc:
                raise SignError("the new signature does not verify with key %s: %s" % (fingerprint, exc)) from None
            problem = sig.payload_problem(payload, digest, image)
            if problem:
                raise SignError("the new signature's payload is wrong: %s" % problem[1])
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            write_atomic(target, data, mode=0o644)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return dict(result, changed=True, signature=target)
    except sig.SigningError as exc:
        raise SignError("signature store %s: %s" % (store, exc)) from None
    finally:
        keyring.close()
