"""TEST INFRASTRUCTURE: build stand-in release archives shaped like HashiCorp's releases.

``python -m tests.support.standin.build_release --product consul --version 1.18.2 --out DIR``
writes into DIR:

- ``consul_1.18.2_linux_amd64.zip`` holding one executable ``consul`` (mode 0755): a
  Python zipapp (``#!/usr/bin/env python3``, stdlib only) bundling
  ``tests/support/{consul_api,nomad_api,standin}``;
- ``consul_1.18.2_SHA256SUMS`` (``<sha256>  <zip name>``, as releases.hashicorp.com);
- ``consul_1.18.2_SHA256SUMS.sig``: a binary detached signature of that file;
- ``release-key.asc``: the armoured public key that verifies it.

The signing key is a throw-away ed25519 key made with ``gpg --batch --quick-gen-key`` in
``DIR/.standin-gnupg`` (mode 0700) and reused by later builds into the same DIR, so the
Consul and Nomad signatures verify with the one ``release-key.asc``. A build is skipped
when its outputs exist and are newer than every bundled source file (idempotent).
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipapp
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.dirname(HERE)
PACKAGES = ("consul_api", "nomad_api", "standin")
# Single modules of tests/support the packages import (stdlib-only).
MODULES = ("snapshot_archive.py",)
KEY_UID = "Stand-in Release Key (TEST INFRASTRUCTURE, throw-away) <standin@example.invalid>"
GPG_TIMEOUT_S = 120
ZIP_DATE = (2026, 1, 1, 0, 0, 0)
MAIN = '''"""Stand-in %(product)s agent (TEST INFRASTRUCTURE, never a real %(product)s)."""
import sys

from tests.support.standin.cli import main

sys.exit(main(%(product)r, sys.argv[1:]))
'''


def names(product, version):
    """``{"zip", "sums", "sig", "key"}`` file names for one product/version."""
    return {"zip": "%s_%s_linux_amd64.zip" % (product, version),
            "sums": "%s_%s_SHA256SUMS" % (product, version),
            "sig": "%s_%s_SHA256SUMS.sig" % (product, version),
            "key": "release-key.asc"}


def _sources():
    for pkg in PACKAGES:
        root = os.path.join(SUPPORT, pkg)
        for name in sorted(os.listdir(root)):
            if name.endswith(".py") and name != "fixtures.py" and not name.startswith("_release"):
                yield pkg, name, os.path.join(root, name)
    for name in MODULES:
        yield "", name, os.path.join(SUPPORT, name)


def _up_to_date(out, files):
    paths = [os.path.join(out, f) for f in files.values()]
    if not all(os.path.exists(p) for p in paths):
        return False
    newest_source = max(os.path.getmtime(source[2]) for source in _sources())
    return min(os.path.getmtime(p) for p in paths) > newest_source


def build_zipapp(product, version, target):
    """Write the executable zipapp for ``product`` to ``target``."""
    with tempfile.TemporaryDirectory(prefix="standin-app-") as tmp:
        os.makedirs(os.path.join(tmp, "tests", "support"))
        for init in ("tests/__init__.py", "tests/support/__init__.py"):
            with open(os.path.join(tmp, init), "w", encoding="utf-8") as handle:
                handle.write('"""Stand-in package (TEST INFRASTRUCTURE)."""\n')
        for pkg, name, path in _sources():
            dest = os.path.join(tmp, "tests", "support", pkg)
            os.makedirs(dest, exist_ok=True)
            shutil.copyfile(path, os.path.join(dest, name))
        with open(os.path.join(tmp, "tests", "support", "standin", "_release.py"), "w",
                  encoding="utf-8") as handle:
            handle.write("VERSION = %r\nPRODUCT = %r\n" % (version, product))
        with open(os.path.join(tmp, "__main__.py"), "w", encoding="utf-8") as handle:
            handle.write(MAIN % {"product": product})
        zipapp.create_archive(tmp, target, interpreter="/usr/bin/env python3")
    os.chmod(target, 0o755)


def _gpg(home, *args, **kwargs):
    return subprocess.run(["gpg", "--batch", "--no-tty", "--homedir", home, *args],
                          check=True, capture_output=True, timeout=GPG_TIMEOUT_S, **kwargs)


def _signing_home(out):
    home = os.path.join(out, ".standin-gnupg")
    if not os.path.isdir(home):
        os.makedirs(home, mode=0o700)
    os.chmod(home, 0o700)
    listed = _gpg(home, "--list-secret-keys", "--with-colons").stdout.decode()
    if "sec:" not in listed:
        _gpg(home, "--passphrase", "", "--quick-gen-key", KEY_UID, "ed25519", "sign", "never")
    return home


def build(product, version, out):
    """Build (or keep, when up to date) the release files; returns their paths."""
    if product not in ("consul", "nomad"):
        raise ValueError("product must be consul or nomad, got %r" % product)
    os.makedirs(out, exist_ok=True)
    files = names(product, version)
    paths = {k: os.path.join(out, v) for k, v in files.items()}
    if _up_to_date(out, files):
        return paths
    with tempfile.TemporaryDirectory(prefix="standin-rel-") as tmp:
        exe = os.path.join(tmp, product)
        build_zipapp(product, version, exe)
        info = zipfile.ZipInfo(product, date_time=ZIP_DATE)
        info.external_attr = (0o100755 & 0xFFFF) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(exe, "rb") as handle:
            data = handle.read()
        tmp_zip = paths["zip"] + ".tmp"
        with zipfile.ZipFile(tmp_zip, "w") as archive:
            archive.writestr(info, data)
        os.replace(tmp_zip, paths["zip"])
    with open(paths["zip"], "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    with open(paths["sums"], "w", encoding="ascii") as handle:
        handle.write("%s  %s\n" % (digest, files["zip"]))
    home = _signing_home(out)
    if os.path.exists(paths["sig"]):
        os.unlink(paths["sig"])
    _gpg(home, "--detach-sign", "--output", paths["sig"], paths["sums"])
    key = _gpg(home, "--armor", "--export").stdout
    with open(paths["key"], "wb") as handle:
        handle.write(key)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build stand-in release archives "
                                                 "(TEST INFRASTRUCTURE)")
    parser.add_argument("--product", required=True, choices=("consul", "nomad"))
    parser.add_argument("--version", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    try:
        paths = build(args.product, args.version, args.out)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        sys.stderr.write("gpg failed: %s\n" % (getattr(exc, "stderr", b"") or b"").decode())
        return 1
    for key in ("zip", "sums", "sig", "key"):
        print(paths[key])
    return 0


if __name__ == "__main__":
    sys.exit(main())
