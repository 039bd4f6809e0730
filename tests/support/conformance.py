"""Load conformance catalogues: YAML data saying what the real server refuses and accepts.

Format (one or more ``*.yml`` files per product folder, e.g. ``tests/conformance/consul/``)::

    bases:                      # optional, named documents that cases may start from
      sd: {Kind: service-defaults, Name: web}
    cases:
      - id: sd-name-wildcard    # unique over the folder
        rule: one line, in our words
        source: agent/structs/config_entry.go ServiceConfigEntry.Validate
        document: {...}         # the request body, or
        base: sd                # a base (name or inline mapping) ...
        patch: {Name: "*"}      # ... deep-merged with a patch (null deletes a key)
        status: 500             # HTTP status the real server answers
        error: "not a wildcard" # distinctive substring of the real error text
    valid:
      - id: sd-baseline
        source: ...
        document: {...}         # (or base + patch) must be accepted

A patch key containing ``/`` is a path instead (``Job/TaskGroups/0/Update/Canary: 1``):
parts are object keys or list indexes (an index equal to the list length appends),
missing parents are created, and the value is set as given (``null`` is sent as JSON
null). A base name is looked up in the entry's own file first, then in the other
files of the folder (so one file, e.g. ``nomad/bases.yaml``, can hold shared bases).

``load(folder)`` returns ``Catalogue(cases, valid)``; each item is a dict with the keys above,
``document`` resolved and ``file`` set. Test infrastructure only: never imports product code.
"""
import copy
import os
from dataclasses import dataclass, field

import yaml

CASE_KEYS = ("id", "rule", "source", "status", "error")


class CatalogueError(ValueError):
    pass


@dataclass
class Catalogue:
    cases: list = field(default_factory=list)
    valid: list = field(default_factory=list)


def merge(base, patch):
    """Deep merge: mappings merge key by key, ``None`` deletes, anything else replaces;
    a key containing ``/`` sets that path (see set_path)."""
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(key, str) and "/" in key:
            set_path(out, key, value)
        elif value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def set_path(document, path, value):
    """Set ``value`` at ``"A/B/0/C"`` in ``document`` (in place), creating parents."""
    parts = path.split("/")
    node = document
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


def _document(item, bases, where):
    if "document" in item:
        if "base" in item or "patch" in item:
            raise CatalogueError("%s: give either document or base + patch" % where)
        return copy.deepcopy(item["document"])
    if "base" not in item:
        raise CatalogueError("%s: needs document or base (+ patch)" % where)
    base = item["base"]
    if isinstance(base, str):
        if base not in bases:
            raise CatalogueError("%s: unknown base %r (known: %s)" % (where, base, ", ".join(sorted(bases))))
        base = bases[base]
    return merge(base, item.get("patch") or {})


def _files(folder):
    for name in sorted(os.listdir(folder)):
        if name.endswith((".yml", ".yaml")):
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                yield name, yaml.safe_load(handle) or {}


def load(folder):
    """Read every ``*.yml`` in ``folder`` (sorted); CatalogueError on malformed data."""
    catalogue = Catalogue()
    files = list(_files(folder))
    shared = {}
    for _name, data in files:
        shared.update(data.get("bases") or {})
    for name, data in files:
        bases = dict(shared, **(data.get("bases") or {}))
        for section, required in (("cases", CASE_KEYS), ("valid", ("id", "source"))):
            for n, item in enumerate(data.get(section) or []):
                where = "%s: %s[%d]" % (name, section, n)
                missing = [k for k in required if item.get(k) in (None, "")]
                if missing:
                    raise CatalogueError("%s: missing %s" % (where, ", ".join(missing)))
                entry = {k: v for k, v in item.items() if k not in ("base", "patch")}
                entry["document"] = _document(item, bases, where)
                entry["file"] = name
                getattr(catalogue, section).append(entry)
    return catalogue
