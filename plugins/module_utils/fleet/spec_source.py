# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way a fleet spec enters the collection, for every entry point (``api``,
the ``fleet_render`` and ``fleet_bundle`` actions, the apply bundle). Plain Python.

- ``resolve_path(src, base_dir)``: where a spec file named by the user is (absolute as
  given; relative: the current directory if the file is there, else ``base_dir``, the
  playbook directory).
- ``read_file(path, key=None)``: the file read with the strict, bounded YAML loader
  (``yaml_strict``), then ``unwrap``ped.
- ``unwrap(data, source, key=None)``: the spec inside ``data``: ``data[key]`` when ``key``
  is given, else ``data`` itself when it has ``tenants``, else ``data["agentfleet_fleet"]``
  (a group_vars file); one clear error when none of them is a mapping with ``tenants``.
- ``check_bounds(data, source)``: the same size/depth bounds for a spec handed over as
  data (an inventory variable), where no YAML loader ran.
"""
from __future__ import annotations

import os

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError, SpecError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import yaml_strict

WRAPPER_KEY = "agentfleet_fleet"
MAX_STRING = 64 * 1024   # characters in one string value or key


def resolve_path(src, base_dir=None):
    """Absolute path of spec file ``src`` (see the module docstring for the rule)."""
    src = os.fspath(src)
    if os.path.isabs(src) or os.path.exists(src) or not base_dir:
        return os.path.abspath(src)
    return os.path.abspath(os.path.join(base_dir, src))


def read_bytes(path):
    """The bytes of spec file ``path`` (at most yaml_strict.MAX_BYTES); FleetSpecError otherwise."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        if size > yaml_strict.MAX_BYTES:
            raise FleetSpecError([SpecError(path, f"is larger than {yaml_strict.MAX_BYTES} bytes; split the fleet "
                                            "or shorten it", size)])
        with open(path, "rb") as handle:
            return handle.read()  # the size was checked; load_yaml checks the text again
    except OSError as exc:
        raise FleetSpecError([SpecError(path, f"cannot be read: {exc.strerror or exc}", None)]) from None


def parse(raw, path, key=None):
    """The spec in ``raw`` (bytes of the file ``path``): strict bounded YAML, then ``unwrap``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FleetSpecError([SpecError(path, f"is not UTF-8 text: {exc}", None)]) from None
    return unwrap(yaml_strict.load_yaml(text, path), path, key)


def read_file(path, key=None):
    """The spec in the YAML/JSON file ``path`` (bounded, strict); FleetSpecError otherwise."""
    return parse(read_bytes(path), os.fspath(path), key)


def unwrap(data, source="spec", key=None):
    """The spec mapping inside ``data`` (see the module docstring); FleetSpecError otherwise."""
    if key:
        if not isinstance(data, dict) or key not in data:
            top = sorted(map(str, data)) if isinstance(data, dict) else type(data).__name__
            raise FleetSpecError([SpecError(source, f"has no top-level key {key!r}; name the key that holds the "
                                            "spec, or leave key unset", top)])
        data = data[key]
        where = f"{source}: {key}"
    elif isinstance(data, dict) and "tenants" not in data and WRAPPER_KEY in data:
        data, where = data[WRAPPER_KEY], f"{source}: {WRAPPER_KEY}"
    else:
        where = source
    if not isinstance(data, dict) or "tenants" not in data:
        top = sorted(map(str, data)) if isinstance(data, dict) else type(data).__name__
        raise FleetSpecError([SpecError(where, "holds no fleet spec: expected a mapping with 'tenants' (and "
                                        f"'name', 'guardrails', ...), or one under the top-level key {WRAPPER_KEY}",
                                        top)])
    check_bounds(data, where)
    return data


def check_bounds(data, source="spec"):
    """Refuse data nested deeper than yaml_strict.MAX_DEPTH, with more than MAX_NODES values,
    or with a string longer than MAX_STRING (iteratively; no recursion on hostile input)."""
    count, stack = 0, [(data, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        count += 1
        if count > yaml_strict.MAX_NODES:
            raise FleetSpecError([SpecError(source, f"has more than {yaml_strict.MAX_NODES} values", None)])
        if depth > yaml_strict.MAX_DEPTH:
            raise FleetSpecError([SpecError(path or source, f"nests deeper than {yaml_strict.MAX_DEPTH} levels",
                                            None)])
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(k, str) and len(k) > MAX_STRING:
                    raise FleetSpecError([SpecError(path or source, f"has a key longer than {MAX_STRING} "
                                                    "characters", len(k))])
                stack.append((v, depth + 1, f"{path}.{k}" if path else str(k)))
        elif isinstance(node, (list, tuple)):
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(node))
        elif isinstance(node, str) and len(node) > MAX_STRING:
            raise FleetSpecError([SpecError(path or source, f"is a string longer than {MAX_STRING} characters; "
                                            "shorten it", len(node))])


def load(spec=None, src=None, key=None, base_dir=None):
    """(spec mapping, absolute file path or None) from exactly one of ``spec`` (data) and
    ``src`` (a file, resolved with ``resolve_path`` against ``base_dir``)."""
    if src:
        path = resolve_path(src, base_dir)
        return read_file(path, key), path
    return unwrap(spec, "spec", key), None


def template_folders(dirs, base_dir=None):
    """The operator's template folders as absolute paths (relative ones resolved like spec
    files); FleetSpecError naming any that is not a directory."""
    out, errors = [], []
    for i, folder in enumerate(dirs or ()):
        path = resolve_path(folder, base_dir)
        if not os.path.isdir(path):
            errors.append(SpecError(f"template_dirs[{i}]", "is not a directory; name an existing folder of "
                                    "job templates", folder))
        out.append(path)
    if errors:
        raise FleetSpecError(errors)
    return out
