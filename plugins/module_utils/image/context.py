# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inputs of an agent image build, their digest, and the build context made from
them (plain Python, no Ansible imports).

The inputs digest (``inputs_sha256``, hex) covers everything the image is made from:
each source file (relative path, executable bit, sha256 of the content), the
lockfile, the Dockerfile text (which carries name, version, revision, created time,
base image name and user), the base image ID and any other ``params``. The same
inputs give the same digest on any machine; it is what the build record keeps, so a
re-run with unchanged inputs builds nothing.

Skipped in the source folder: caches and VCS folders (``EXCLUDED_DIRS``) and compiled
Python (``*.pyc``, ``*.pyo``); a symbolic link is refused (what it points to is
outside the inputs).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat

EXCLUDED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                           ".tox", ".venv", "venv", "node_modules"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
# Bumped when the build or normalisation changes in a way that changes images.
BUILD_FORMAT = "agentfleet-image-1"


class InputError(ValueError):
    """A source folder or lockfile that cannot be built; the message says what to change."""


def source_files(src):
    """Sorted relative POSIX paths of the files under ``src`` that go into the image."""
    if not os.path.isdir(src):
        raise InputError("source folder %s does not exist or is not a folder; set agent_image_src to the agent's source" % src)
    out = []
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDED_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src).replace(os.sep, "/")
            if name.endswith(EXCLUDED_SUFFIXES):
                continue
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                raise InputError("%s is a symbolic link; copy the file into the source folder instead" % path)
            if stat.S_ISREG(mode):
                out.append(rel)
        for name in list(dirs):
            if os.path.islink(os.path.join(root, name)):
                raise InputError("%s is a symbolic link; copy the folder into the source folder instead"
                                 % os.path.join(root, name))
    return sorted(out)


def _file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_lockfile(text, path):
    """Every requirement in the lockfile is pinned exactly (``==``) with at least one
    ``--hash`` (what ``pip install --require-hashes`` demands); raises ``InputError``."""
    logical = text.replace("\\\n", " ")
    problems = []
    for line in logical.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = line.split()[0]
        if "==" not in requirement:
            problems.append("%s: pin it exactly (name==version)" % requirement)
        if "--hash=sha256:" not in line:
            problems.append("%s: add --hash=sha256:<hex> of each file (pip hash, or pip-compile --generate-hashes)"
                            % requirement)
    if problems:
        raise InputError("lockfile %s: %s" % (path, "; ".join(problems)))


def inputs_digest(src, files, lockfile, dockerfile, params):
    """Hex sha256 of the build inputs (see the module docstring). ``params``: a dict of
    str/int values (base image ID, builder pin, ...)."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"format": BUILD_FORMAT, "params": params}, sort_keys=True).encode("utf-8") + b"\n")
    for rel in files:
        path = os.path.join(src, rel)
        executable = "x" if os.stat(path).st_mode & 0o111 else "-"
        digest.update(("file %s %s %s\n" % (rel, executable, _file_sha256(path))).encode("utf-8"))
    digest.update(("lockfile %s\n" % _file_sha256(lockfile)).encode("utf-8"))
    digest.update(("dockerfile %s\n" % hashlib.sha256(dockerfile.encode("utf-8")).hexdigest()).encode("utf-8"))
    return digest.hexdigest()


def stage(src, files, lockfile, dockerfile, dest):
    """Write the build context under ``dest`` (emptied first): ``Dockerfile``,
    ``requirements.lock`` and ``src/<files>``; empty ``wheels/`` and ``pip/`` folders
    are left for the downloaded wheels (the locked ones and the builder's pip)."""
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    os.makedirs(os.path.join(dest, "src"))
    os.makedirs(os.path.join(dest, "wheels"))
    os.makedirs(os.path.join(dest, "pip"))
    for rel in files:
        target = os.path.join(dest, "src", *rel.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(src, rel), target)
        os.chmod(target, 0o755 if os.stat(os.path.join(src, rel)).st_mode & 0o111 else 0o644)
    shutil.copyfile(lockfile, os.path.join(dest, "requirements.lock"))
    with open(os.path.join(dest, "Dockerfile"), "w", encoding="utf-8") as handle:
        handle.write(dockerfile)
