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
- ``parse_located`` / ``read_file_located``: the spec and its ``SpecLines``, which puts
  ``file:line`` on the spec errors found later (validation, rendering). A spec handed
  over as data has no lines; its errors carry the path only.
"""
from __future__ import annotations

import contextlib
import os
import re

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


_INDEX = re.compile(r"\[(\d+)\]")


def shown_path(path):
    """``path`` relative to the current directory when it lies below it, else as given."""
    path = os.fspath(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


class SpecLines:
    """Where the values of a spec read from ``source`` (a file) were written.

    ``root`` is the spec mapping, ``index`` what ``yaml_strict.load_yaml(lines=...)``
    recorded. ``locate(path)`` -> ``"file:line"`` of the deepest part of the dotted spec
    ``path`` (as in ``errors.join``; a list item may be named by its ``name``) that is in
    the file, or None; ``annotate`` sets it on every error that has none.
    """

    def __init__(self, source, root, index):
        self.source = shown_path(source) if source else None
        self.root = root
        self.index = index

    def _lines(self, node):
        entry = self.index.get(id(node))
        return entry[1] if entry is not None and entry[0] is node else None

    def locate(self, path):
        node, rest, line = self.root, path or "", None
        while rest:
            lines = self._lines(node)
            if lines is None:
                break
            step = self._step(node, rest)
            if step is None:
                break
            key, rest = step
            line = lines[key] if isinstance(node, list) else lines.get(key, line)
            node = node[key]
            rest = rest[1:] if rest.startswith(".") else rest
        return f"{self.source}:{line}" if line and self.source else None

    @staticmethod
    def _step(node, rest):
        """(key or index into ``node``, the rest of the path) or None."""
        match = _INDEX.match(rest)
        if isinstance(node, list):
            if match:
                i = int(match.group(1))
                return (i, rest[match.end():]) if i < len(node) else None
            for i, item in enumerate(node):
                name = item.get("name") if isinstance(item, dict) else None
                if isinstance(name, str) and _starts(rest, name):
                    return i, rest[len(name):]
            return None
        if isinstance(node, dict) and not match:
            keys = [k for k in node if isinstance(k, str) and _starts(rest, k)]
            if keys:
                key = max(keys, key=len)  # a key holding a dot wins over its shorter prefix
                return key, rest[len(key):]
        return None

    def annotate(self, exc):
        """``exc`` (a FleetSpecError) with ``where`` set on its errors; a new exception whose
        message shows them."""
        for error in exc.errors:
            if error.where is None:
                error.where = self.locate(error.path)
        return FleetSpecError(exc.errors)

    @contextlib.contextmanager
    def annotating(self):
        """Re-raise a FleetSpecError from the block with ``file:line`` on its errors."""
        try:
            yield self
        except FleetSpecError as exc:
            raise self.annotate(exc) from None


def _starts(rest, key):
    return rest == key or rest.startswith(key + ".") or rest.startswith(key + "[")


def parse_located(raw, path, key=None):
    """(spec, ``SpecLines``) from ``raw`` (bytes of the file ``path``): strict bounded YAML,
    then ``unwrap``; errors of the file itself already name ``path`` and the line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FleetSpecError([SpecError(path, f"is not UTF-8 text: {exc}", None)]) from None
    index = {}
    spec = unwrap(yaml_strict.load_yaml(text, path, lines=index), path, key)
    return spec, SpecLines(path, spec, index)


def parse(raw, path, key=None):
    """The spec in ``raw`` (bytes of the file ``path``): strict bounded YAML, then ``unwrap``."""
    return parse_located(raw, path, key)[0]


def read_file_located(path, key=None):
    """(spec, ``SpecLines``) of the YAML/JSON file ``path`` (bounded, strict)."""
    return parse_located(read_bytes(path), os.fspath(path), key)


def read_file(path, key=None):
    """The spec in the YAML/JSON file ``path`` (bounded, strict); FleetSpecError otherwise."""
    return read_file_located(path, key)[0]


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


def load_located(spec=None, src=None, key=None, base_dir=None):
    """(spec mapping, ``SpecLines``) from exactly one of ``spec`` (data) and ``src`` (a
    file, resolved with ``resolve_path`` against ``base_dir``); an inline ``spec`` gets
    empty lines (its errors keep their spec path only)."""
    if src:
        return read_file_located(resolve_path(src, base_dir), key)
    return unwrap(spec, "spec", key), SpecLines(None, None, {})


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
