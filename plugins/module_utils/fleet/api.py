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
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.spec_source import check_bounds
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


def validate(data, records=None):
    """Every error in the spec (schema, references, guardrails, budgets); [] when valid.
    ``records``: the operator's ``build_records.BuildRecords`` (for ``image: {build: NAME}``)."""
    try:
        check_bounds(data)
    except FleetSpecError as exc:
        return exc.errors
    return validate_spec(to_plain(data), records)[1]


def load_spec(data, collection_version_override=None, records=None):
    """Validate ``data`` and build the ``Fleet``; raise FleetSpecError with all errors.
    ``records``: the operator's ``build_records.BuildRecords``; the fleet's ``image_builds``
    then maps each agent resolved from a record ("tenant/agent") to the record's summary."""
    check_bounds(data)
    spec, errors = validate_spec(to_plain(data), records)
    if errors:
        raise FleetSpecError(errors)
    version = collection_version_override or collection_version()
    fleet = Fleet(spec, collection_version=version)
    resolved = records.resolved if records is not None else {}
    fleet.image_builds = {"%s/%s" % tuple(path.split(".")[1:4:2]): summary for path, summary in resolved.items()}
    return fleet


def load_spec_file(path, key=None):
    """The spec in a YAML/JSON file, read strictly and within bounds (duplicate keys, alias
    bombs, deep nesting and oversized documents are errors); ``key`` selects a top-level
    variable, else the file is the spec or holds it under ``agentfleet_fleet``
    (``spec_source.read_file``)."""
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.spec_source import read_file
    return read_file(path, key=key)


def render(fleet, templates_dir=None, template_dirs=(), picture=False):
    """Render every artefact; raise FleetSpecError if a job template fails its checks.
    ``picture``: also the fleet's diagram as ``fleet.mmd`` (Mermaid) and ``fleet.dot``."""
    return render_fleet(fleet, templates_dir=templates_dir, template_dirs=template_dirs, picture=picture)


def write(rendered, dest, check=False, derived=None):
    """Write ``rendered.files`` under ``dest``; only differing files are rewritten and files
    from an earlier render that are no longer produced are removed (per its manifest).
    ``derived``: {relative path: text, or None to remove it} for files made from the rendered
    ones by an installed tool (``fleet.svg``), kept out of the manifest (``writer.write_tree``)."""
    return write_tree(rendered.files, dest, check=check, derived=derived)
