"""Load a conformance catalogue (tests/conformance/<server>/*.yaml).

A catalogue folder holds YAML files with any of these top-level keys:
``bases`` (name -> request document), ``cases`` (requests the real server
refuses) and ``valid`` (requests it accepts). An entry gives its request either
as ``document`` or as ``base`` + ``patch``; ``load`` returns every entry with
``document`` materialised, which is exactly what a test sends. See
tests/conformance/README.md for the format.
"""
import copy
import pathlib

import yaml


def apply_patch(document, patch):
    """Set each ``"A/B/0/C": value`` of ``patch`` in a deep copy of ``document``.

    Path parts are object keys, or list indexes (an index equal to the list's
    length appends). Parent objects are created as needed; a null value is
    sent as JSON null.
    """
    doc = copy.deepcopy(document)
    for path, value in (patch or {}).items():
        parts = path.split("/")
        node = doc
        for part, nxt in zip(parts[:-1], parts[1:]):
            if isinstance(node, list):
                node = node[int(part)]
                continue
            if node.get(part) is None:
                node[part] = [] if nxt.isdigit() else {}
            node = node[part]
        last = parts[-1]
        if isinstance(node, list):
            index = int(last)
            if index == len(node):
                node.append(copy.deepcopy(value))
            else:
                node[index] = copy.deepcopy(value)
        else:
            node[last] = copy.deepcopy(value)
    return doc


def load(folder):
    """Return ``{"cases": [...], "valid": [...]}`` of the catalogue in ``folder``,
    each entry a dict with ``document`` materialised and ``file`` set."""
    folder = pathlib.Path(folder)
    bases, entries = {}, {"cases": [], "valid": []}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        bases.update(data.get("bases") or {})
        for kind in entries:
            for entry in data.get(kind) or []:
                entries[kind].append(dict(entry, file=path.name))
    for kind, items in entries.items():
        for entry in items:
            if "document" not in entry:
                if entry.get("base") not in bases:
                    raise ValueError(f"{entry['file']}: {entry.get('id')}: unknown base "
                                     f"{entry.get('base')!r}")
                entry["document"] = apply_patch(bases[entry["base"]], entry.get("patch"))
    return entries
