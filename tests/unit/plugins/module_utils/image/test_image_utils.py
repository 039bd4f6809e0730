# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/image: inputs digest and lockfile rules, layer whiteouts, dpkg status and
the SBOM (deterministic), the saved-image rewrite (on a synthetic docker-save archive)."""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.image import archive, context

LOCK = "tenacity==9.2.1 \\\n    --hash=sha256:" + "a" * 64 + "\n"


def _tree(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_inputs_digest_covers_content_and_skips_caches(tmp_path):
    src = tmp_path / "src"
    _tree(src, {"pkg/__init__.py": "", "pkg/app.py": "x = 1\n", "pkg/__pycache__/app.cpython-311.pyc": "junk",
                ".git/HEAD": "ref", "pkg/old.pyc": "junk"})
    (tmp_path / "req.lock").write_text(LOCK)
    files = context.source_files(str(src))
    assert files == ["pkg/__init__.py", "pkg/app.py"]
    one = context.inputs_digest(str(src), files, str(tmp_path / "req.lock"), "FROM x\n", {"base": "sha256:1"})
    assert one == context.inputs_digest(str(src), files, str(tmp_path / "req.lock"), "FROM x\n", {"base": "sha256:1"})
    assert one != context.inputs_digest(str(src), files, str(tmp_path / "req.lock"), "FROM y\n", {"base": "sha256:1"})
    assert one != context.inputs_digest(str(src), files, str(tmp_path / "req.lock"), "FROM x\n", {"base": "sha256:2"})
    (src / "pkg" / "app.py").write_text("x = 2\n")
    assert one != context.inputs_digest(str(src), files, str(tmp_path / "req.lock"), "FROM x\n", {"base": "sha256:1"})
    os.chmod(src / "pkg" / "app.py", 0o755)
    two = context.inputs_digest(str(src), files, str(tmp_path / "req.lock"), "FROM x\n", {"base": "sha256:1"})
    os.chmod(src / "pkg" / "app.py", 0o644)
    assert two != context.inputs_digest(str(src), files, str(tmp_path / "req.lock"), "FROM x\n", {"base": "sha256:1"})


def test_symlinks_in_the_source_are_refused(tmp_path):
    src = tmp_path / "src"
    _tree(src, {"a.py": ""})
    os.symlink("/etc/passwd", src / "b")
    with pytest.raises(context.InputError, match="symbolic link; copy the file"):
        context.source_files(str(src))
    with pytest.raises(context.InputError, match="does not exist"):
        context.source_files(str(tmp_path / "missing"))


@pytest.mark.parametrize("text, problem", [
    ("tenacity>=9\n", "pin it exactly"),
    ("tenacity==9.2.1\n", "add --hash=sha256"),
    ("# comment\n" + LOCK + "pybreaker==1.4.1\n", "pybreaker==1.4.1: add --hash"),
])
def test_lockfile_must_be_exact_and_hashed(text, problem):
    with pytest.raises(context.InputError, match=problem):
        context.check_lockfile(text, "req.lock")


def test_a_hashed_lockfile_passes():
    context.check_lockfile("# pinned\n" + LOCK + "pybreaker==1.4.1 --hash=sha256:" + "b" * 64 + "\n", "req.lock")


def _layer(path, entries):
    """entries: (name, bytes or None for a directory)."""
    with tarfile.open(path, "w") as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1234567
            info.uname = "root"
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))


def test_read_files_applies_whiteouts(tmp_path):
    _layer(tmp_path / "l1.tar", [("a/", None), ("a/keep", b"1"), ("a/gone", b"2"), ("b/", None), ("b/x", b"3")])
    _layer(tmp_path / "l2.tar", [("a/.wh.gone", b""), ("b/.wh..wh..opq", b""), ("b/y", b"4"), ("./a/keep", b"5")])
    files = archive.read_files([str(tmp_path / "l1.tar"), str(tmp_path / "l2.tar")], lambda p: True)
    assert files == {"a/keep": b"5", "b/y": b"4"}


def _saved_image(path, epoch_now, base_layer, own_layer):
    """A docker-save archive: one base layer and one layer of the build, build-time stamps."""
    diff = ["sha256:" + hashlib.sha256(open(p, "rb").read()).hexdigest() for p in (base_layer, own_layer)]
    config = {"architecture": "amd64", "os": "linux", "created": epoch_now, "container": "abc", "docker_version": "20.10",
              "container_config": {"Hostname": "abc"}, "config": {"Hostname": "abc", "Image": "sha256:parent"},
              "rootfs": {"type": "layers", "diff_ids": diff},
              "history": [{"created": "2020-01-01T00:00:00Z", "created_by": "base"},
                          {"created": epoch_now, "created_by": "COPY"},
                          {"created": epoch_now, "created_by": "CMD", "empty_layer": True}]}
    with tarfile.open(path, "w") as tar:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        add("cfg.json", json.dumps(config).encode())
        add("base/layer.tar", open(base_layer, "rb").read())
        add("own/layer.tar", open(own_layer, "rb").read())
        add("manifest.json", json.dumps([{"Config": "cfg.json", "RepoTags": ["x:1"],
                                          "Layers": ["base/layer.tar", "own/layer.tar"]}]).encode())
    return diff[0]


def test_normalize_gives_the_same_image_from_different_build_times(tmp_path):
    _layer(tmp_path / "base.tar", [("etc/", None), ("etc/os-release", b"ID=debian\n")])
    results = []
    for n, (stamp, mtime) in enumerate([("2026-11-30T01:00:00Z", 111), ("2026-11-30T02:00:00Z", 222)]):
        own = tmp_path / f"own{n}.tar"
        with tarfile.open(own, "w") as tar:
            info = tarfile.TarInfo("opt/app.py")
            info.size, info.mtime, info.uname = 3, mtime, "root"
            tar.addfile(info, io.BytesIO(b"x=1"))
        base_id = _saved_image(tmp_path / f"saved{n}.tar", stamp, tmp_path / "base.tar", own)
        results.append(archive.normalize(str(tmp_path / f"saved{n}.tar"), str(tmp_path / f"out{n}.tar"), 1700000000,
                                         [base_id], labels={"l": "v"}, repo_tag="reg/x:1"))
    assert results[0] == results[1]
    assert (tmp_path / "out0.tar").read_bytes() == (tmp_path / "out1.tar").read_bytes()
    with tarfile.open(tmp_path / "out0.tar") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        config = json.load(tar.extractfile(manifest[0]["Config"]))
        own = tarfile.open(fileobj=io.BytesIO(tar.extractfile(manifest[0]["Layers"][1]).read()))
        assert [(m.name, m.mtime, m.uname) for m in own.getmembers()] == [("opt/app.py", 1700000000, "")]
    assert manifest[0]["RepoTags"] == ["reg/x:1"]
    assert config["created"] == "2023-11-14T22:13:20Z"
    assert [h["created"] for h in config["history"]] == ["2020-01-01T00:00:00Z"] + ["2023-11-14T22:13:20Z"] * 2
    assert "container" not in config and "container_config" not in config and "docker_version" not in config
    assert config["config"]["Image"] == "" and config["config"]["Labels"] == {"l": "v"}
    assert config["rootfs"]["diff_ids"][0] == results[0]["diff_ids"][0]  # the base layer is kept as it is


def test_normalize_refuses_an_image_not_built_on_the_base(tmp_path):
    _layer(tmp_path / "base.tar", [("etc/", None)])
    _layer(tmp_path / "own.tar", [("opt/", None)])
    _saved_image(tmp_path / "saved.tar", "2026-11-30T01:00:00Z", tmp_path / "base.tar", tmp_path / "own.tar")
    with pytest.raises(archive.ArchiveError, match="build it FROM that base"):
        archive.normalize(str(tmp_path / "saved.tar"), str(tmp_path / "out.tar"), 1, ["sha256:" + "0" * 64])
    assert not (tmp_path / "out.tar").exists()


DPKG = b"""Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u10
Description: GNU C Library
 continuation: not a field

Package: removed-one
Status: deinstall ok config-files
Version: 1.0

Package: python3.11
Status: install ok installed
Architecture: amd64
Version: 3.11.2-6+deb12u6
"""


def test_sbom_lists_installed_packages_deterministically():
    sbom = pytest.importorskip("ansible_collections.agentfleet.hashistack.plugins.module_utils.image.sbom",
                               reason="cyclonedx-python-lib is not installed in this venv (requirements.txt pins it)")
    if not sbom.HAS_CYCLONEDX:
        pytest.skip("cyclonedx-python-lib is not installed in this venv (requirements.txt pins it)")
    files = {"var/lib/dpkg/status": DPKG, "usr/lib/os-release": b'ID=debian\nVERSION_ID="12"\n',
             "opt/agent/lib/Tenacity-9.2.1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: Tenacity\nVersion: 9.2.1\n\nbody"}
    text, counts = sbom.build_bom(files, "img", "1.0.0", 1700000000, {"agentfleet:inputs-sha256": "ab"})
    assert counts == {"deb": 2, "pypi": 1, "total": 3}
    assert text == sbom.build_bom(files, "img", "1.0.0", 1700000000, {"agentfleet:inputs-sha256": "ab"})[0]
    doc = json.loads(text)
    assert doc["metadata"]["timestamp"].startswith("2023-11-14T22:13:20")
    purls = sorted(c["purl"] for c in doc["components"])
    assert purls == ["pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64&distro=debian-12",
                     "pkg:deb/debian/python3.11@3.11.2-6%2Bdeb12u6?arch=amd64&distro=debian-12",
                     "pkg:pypi/tenacity@9.2.1"]
