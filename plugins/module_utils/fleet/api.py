# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Public API of the fleet core: load, validate, render, write.

    fleet = load_spec(data)                 # raises FleetSpecError listing every error
    rendered = render(fleet)                # files + structured objects, deterministic
    result = write(rendered, "out/")        # byte-identical re-renders change nothing
"""
from __future__ import annotations

import re
from pathlib import Path

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError, SpecError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.model import Fleet
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.render import Rendered, render_fleet
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.validate import validate_spec
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.writer import write_tree

__all__ = ["FleetSpecError", "SpecError", "Fleet", "Rendered", "collection_version", "load_spec",
           "load_spec_file", "render", "to_plain", "validate", "write"]

COLLECTION_ROOT = Path(__file__).resolve().parents[3]


def collection_version(root=COLLECTION_ROOT):
    """Version from MANIFEST.json (installed) or galaxy.yml (source tree), else 0.0.0."""
    manifest = root / "MANIFEST.json"
    if manifest.is_file():
        import json
        return json.loads(manifest.read_text())["collection_info"]["version"]
    galaxy = root / "galaxy.yml"
    if galaxy.is_file():
        match = re.search(r"^version:\s*['\"]?([^'\"\s]+)", galaxy.read_text(), re.M)
        if match:
            return match.group(1)
    return "0.0.0"


def to_plain(value):
    """Deep copy into builtin types (Ansible hands over tagged str/dict subclasses)."""
    if isinstance(value, dict):
        return {to_plain(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def validate(data):
    """Every error in the spec (schema, references, guardrails, budgets); [] when valid."""
    return validate_spec(to_plain(data))[1]


def load_spec(data, collection_version_override=None):
    """Validate ``data`` and build the ``Fleet``; raise FleetSpecError with all errors."""
    spec, errors = validate_spec(to_plain(data))
    if errors:
        raise FleetSpecError(errors)
    version = collection_version_override or collection_version()
    return Fleet(spec, collection_version=version)


def load_spec_file(path, key=None):
    """Read a YAML/JSON file strictly (duplicate keys are errors). ``key`` selects a
    top-level variable (e.g. ``agentfleet_fleet`` in a group_vars file); by default the
    file is the spec itself, or its only top-level key when that holds a mapping."""
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.yaml_strict import load_yaml
    data = load_yaml(Path(path).read_text(encoding="utf-8"), str(path))
    if key is not None:
        if not isinstance(data, dict) or key not in data:
            raise FleetSpecError([SpecError("", f"{path} has no top-level key {key!r}", sorted(data or {}))])
        return data[key]
    if isinstance(data, dict) and "tenants" not in data and len(data) == 1:
        only = next(iter(data.values()))
        if isinstance(only, dict) and "tenants" in only:
            return only
    return data


def render(fleet, templates_dir=None, search_dirs=()):
    """Render every artefact; raise FleetSpecError if a job template fails its checks."""
    return render_fleet(fleet, templates_dir=templates_dir, search_dirs=search_dirs)


def write(rendered, dest, check=False):
    """Write ``rendered.files`` under ``dest``; only differing files are rewritten and files
    from an earlier render that are no longer produced are removed (per its manifest)."""
    return write_tree(rendered.files, dest, check=check)
