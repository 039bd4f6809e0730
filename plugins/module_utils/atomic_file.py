# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one atomic file writer (plain Python, no Ansible imports).

Every file this collection writes (rendered fleet files, the fleet bundle, the fleet
apply state, the Vault unseal-keys file) goes through ``write_atomic``: a temporary
file in the destination's own folder (so the rename never crosses file systems), its
mode set before any content is written (a 0600 secret is never readable by others,
even for a moment), the content flushed and fsynced, then renamed over the
destination and the folder fsynced. A reader sees the old file or the new one, never
a torn one; on any failure the temporary file is removed and the destination is left
as it was.
"""
from __future__ import annotations

import os
import tempfile


def write_atomic(path, data, mode=0o600, make_parents=False):
    """Replace ``path`` with ``data`` (str, written as UTF-8, or bytes) atomically.

    ``mode``: permission bits of the new file (int, e.g. ``0o600``), applied to the
    temporary file before its content. ``make_parents``: create missing parent folders
    with mode 0700 first. Returns None; raises OSError unchanged.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    directory = os.path.dirname(os.path.abspath(path))
    if make_parents:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path), suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_folder(directory)


def _fsync_folder(directory):
    """Persist the rename itself (a folder entry); best effort where a platform refuses."""
    try:
        folder = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)
