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
    """Deep merge: mappings merge key by key, ``None`` deletes, anything else replaces."""
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


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


def load(folder):
    """Read every ``*.yml`` in ``folder`` (sorted); CatalogueError on malformed data."""
    catalogue = Catalogue()
    for name in sorted(os.listdir(folder)):
        if not name.endswith((".yml", ".yaml")):
            continue
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        bases = data.get("bases") or {}
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
