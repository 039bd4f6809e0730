# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one atomic writer: mode before content, same-folder temp file, no torn files."""
from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils import atomic_file
from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic


def test_writes_text_and_bytes_with_the_mode(tmp_path):
    target = tmp_path / "a.json"
    write_atomic(str(target), "héllo", mode=0o600)
    assert target.read_bytes() == "héllo".encode("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    write_atomic(str(target), b"bytes", mode=0o644)
    assert target.read_bytes() == b"bytes"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(os.listdir(tmp_path)) == ["a.json"]  # no temporary file left


def test_mode_is_set_before_the_content(tmp_path, monkeypatch):
    seen = []
    real_fdopen = os.fdopen

    def spy(fd, *args, **kwargs):
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(atomic_file.os, "fdopen", spy)
    os.umask(0o022)
    write_atomic(str(tmp_path / "secret"), "s3cret", mode=0o600)
    assert seen == [0o600]


def test_temp_file_is_in_the_same_folder_and_replaced(tmp_path, monkeypatch):
    moves = []
    real_replace = os.replace

    def spy(src, dst):
        moves.append((os.path.dirname(src), os.path.dirname(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(atomic_file.os, "replace", spy)
    write_atomic(str(tmp_path / "f"), "x")
    assert moves == [(str(tmp_path), str(tmp_path))]


def test_failure_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "keep"
    target.write_text("old")

    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_file.os, "fsync", boom)
    with pytest.raises(OSError, match="No space"):
        write_atomic(str(target), "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["keep"]


def test_make_parents(tmp_path):
    target = tmp_path / "a" / "b" / "state.json"
    with pytest.raises(FileNotFoundError):
        write_atomic(str(target), "{}")
    write_atomic(str(target), "{}", make_parents=True)
    assert target.read_text() == "{}"
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) & 0o077 == 0
