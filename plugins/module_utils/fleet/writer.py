# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write rendered files: atomic, only when content differs, stale files pruned by manifest."""
from __future__ import annotations

import json
from pathlib import Path

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic

MANIFEST = "summary.json"


def _previous_files(dest):
    try:
        data = json.loads((dest / MANIFEST).read_text(encoding="utf-8"))
        return set(data.get("files", {}))
    except (OSError, ValueError, AttributeError):
        return set()


def _safe(dest, rel):
    path = (dest / rel).resolve()
    if dest.resolve() not in path.parents:
        raise ValueError(f"refusing to write outside {dest}: {rel}")
    return path


def write_tree(files, dest, check=False, derived=None):
    """Write ``files`` ({relative path: text}) under ``dest``; return {"changed": [paths],
    "removed": [paths], "unchanged": count}. ``derived`` ({relative path: text or None}) are
    files made from the rendered ones by an installed tool (``fleet.svg`` by Graphviz): written
    like the others but not in the manifest (their bytes depend on the tool's version); one
    given as None is removed if present, so a stale picture never outlives its spec."""
    dest = Path(dest)
    previous = _previous_files(dest)  # before the new manifest replaces it
    derived = derived or {}
    previous |= {rel for rel, text in derived.items() if text is None}
    files = {**files, **{rel: text for rel, text in derived.items() if text is not None}}
    changed, removed = [], []
    made = set()
    for rel in sorted(files):
        path = _safe(dest, rel)
        data = files[rel].encode("utf-8")
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            pass
        changed.append(rel)
        if check:
            continue
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        write_atomic(str(path), data, mode=0o644)  # readers never see a half-written file
    for rel in sorted(previous - set(files)):
        path = _safe(dest, rel)
        if path.is_file():
            removed.append(rel)
            if not check:
                path.unlink()
                parent = path.parent
                while parent != dest.resolve() and parent.is_dir() and not any(parent.iterdir()):
                    parent.rmdir()
                    parent = parent.parent
    return {"changed": changed, "removed": removed, "unchanged": len(files) - len(changed)}
