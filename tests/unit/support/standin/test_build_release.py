"""The stand-in release archives are shaped and signed like HashiCorp's and run on the
system python3 (the Debian bookworm interpreter the Molecule containers have)."""
import os
import shutil
import stat
import subprocess
import zipfile

import pytest

from tests.support.standin import build_release

DATA = os.path.join(os.path.dirname(__file__), "data")
SYSTEM_PYTHON = "/usr/bin/python3"
RUN_TIMEOUT_S = 60

pytestmark = pytest.mark.skipif(
    not (shutil.which("gpg") and shutil.which("gpgv") and os.path.exists(SYSTEM_PYTHON)),
    reason="needs gpg, gpgv and /usr/bin/python3 (scripts/setup.sh installs them)")


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("release"))
    pairs = (("consul", "1.18.2"), ("nomad", "2.0.6"))
    built = {p: build_release.build(p, v, out) for p, v in pairs}
    return out, built


def _run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                          check=False, **kw)


def test_archive_names_and_contents(release):
    out = release[0]
    assert sorted(f for f in os.listdir(out) if not f.startswith(".")) == [
        "consul_1.18.2_SHA256SUMS", "consul_1.18.2_SHA256SUMS.sig",
        "consul_1.18.2_linux_amd64.zip", "nomad_2.0.6_SHA256SUMS",
        "nomad_2.0.6_SHA256SUMS.sig", "nomad_2.0.6_linux_amd64.zip", "release-key.asc"]
    for product, version in (("consul", "1.18.2"), ("nomad", "2.0.6")):
        with zipfile.ZipFile(os.path.join(out, "%s_%s_linux_amd64.zip" % (product, version))) as z:
            infos = z.infolist()
            assert [i.filename for i in infos] == [product]
            assert stat.S_IMODE(infos[0].external_attr >> 16) == 0o755
            assert z.read(product).startswith(b"#!/usr/bin/env python3\n")


def test_checksums_and_signatures_verify_with_gpgv(release, tmp_path):
    out = release[0]
    keyring = tmp_path / "key.gpg"
    with open(os.path.join(out, "release-key.asc"), "rb") as armoured:
        dearmour = subprocess.run(["gpg", "--dearmor"], input=armoured.read(),
                                  capture_output=True, timeout=RUN_TIMEOUT_S, check=True)
    keyring.write_bytes(dearmour.stdout)
    for product, version in (("consul", "1.18.2"), ("nomad", "2.0.6")):
        sums = os.path.join(out, "%s_%s_SHA256SUMS" % (product, version))
        result = _run("gpgv", "--keyring", str(keyring), sums + ".sig", sums)
        assert result.returncode == 0, result.stderr
        check = _run("sha256sum", "-c", os.path.basename(sums), cwd=out)
        assert check.returncode == 0 and check.stdout.strip().endswith(": OK")
    # a tampered checksum list no longer verifies
    tampered = tmp_path / "SHA256SUMS"
    tampered.write_text(open(sums, encoding="ascii").read().replace("nomad", "nomaD"),
                        encoding="ascii")
    assert _run("gpgv", "--keyring", str(keyring), sums + ".sig", str(tampered)).returncode != 0


def test_executables_run_on_the_system_python(release, tmp_path):
    out = release[0]
    for product in ("consul", "nomad"):
        version = "1.18.2" if product == "consul" else "2.0.6"
        with zipfile.ZipFile(os.path.join(out, "%s_%s_linux_amd64.zip" % (product, version))) as z:
            z.extract(product, tmp_path)
        exe = str(tmp_path / product)
        result = _run(SYSTEM_PYTHON, exe, "version")
        assert result.returncode == 0
        assert result.stdout.splitlines()[0] == ("Consul v1.18.2" if product == "consul"
                                                 else "Nomad v2.0.6")
    for name in ("consul_server.json", "consul_client.json"):
        result = _run(SYSTEM_PYTHON, str(tmp_path / "consul"), "validate",
                      os.path.join(DATA, name))
        assert (result.returncode, result.stdout) == (0, "Configuration is valid!\n"), result.stderr
    for name in ("nomad_server.json", "nomad_client.json"):
        result = _run(SYSTEM_PYTHON, str(tmp_path / "nomad"), "config", "validate",
                      os.path.join(DATA, name))
        assert (result.returncode, result.stdout) == (0, "Configuration is valid!\n"), result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"server": true, "bootstrap_expect": "3", "data_dir": "/x"}', encoding="utf-8")
    result = _run(SYSTEM_PYTHON, str(tmp_path / "consul"), "validate", str(bad))
    assert result.returncode == 1
    assert "bootstrap_expect: expected int, got string \"3\"" in result.stderr
    key = _run(SYSTEM_PYTHON, str(tmp_path / "consul"), "keygen").stdout.strip()
    assert len(__import__("base64").b64decode(key)) == 32


def test_a_second_build_is_skipped_when_up_to_date(release):
    out, built = release
    before = {k: os.path.getmtime(v) for k, v in built["consul"].items()}
    again = build_release.build("consul", "1.18.2", out)
    assert {k: os.path.getmtime(v) for k, v in again.items()} == before
