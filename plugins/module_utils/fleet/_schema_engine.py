# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny declarative schema checker: types, defaults, choices, unknown keys.

``normalize(value, field, path, errors)`` returns the value with defaults filled in and
appends a ``SpecError`` for every problem instead of stopping at the first one. An
unknown key names the closest known key of its mapping when one is close enough
(``did_you_mean``, stdlib ``difflib``).
"""
from __future__ import annotations

import copy
import difflib
import math
import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import DurationError, parse as parse_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import SpecError, join

MISSING = object()
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
_TYPE_NAMES = {"str": "a string", "int": "an integer", "bool": "a boolean",
               "number": "a number", "duration": "a duration string such as '30s'",
               "list": "a list", "map": "a mapping", "struct": "a mapping"}


class Field:
    """Describes one spec key. ``kind`` is one of the keys of ``_TYPE_NAMES``."""

    def __init__(self, kind, *, required=False, default=MISSING, choices=None, item=None,
                 fields=None, minimum=None, maximum=None, pattern=None, min_items=None,
                 key_pattern=None, doc="", alt=None):
        self.kind = kind
        # ``alt``: a struct Field a mapping is checked against instead, for a key that is
        # either a plain value or a mapping (an agent's ``image``: a reference or {build: NAME}).
        self.alt = alt
        self.required = required
        self.default = default
        self.choices = choices
        self.item = item
        self.fields = fields or {}
        self.minimum = minimum
        self.maximum = maximum
        self.pattern = re.compile(pattern) if pattern else None
        self.min_items = min_items
        self.key_pattern = re.compile(key_pattern) if key_pattern else None
        self.doc = doc


def _type_ok(kind, value):
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "duration":
        return isinstance(value, str)
    if kind == "list":
        return isinstance(value, list)
    return isinstance(value, dict)  # map, struct


def _in_range(value):
    """Finite and within int64: Nomad's Go structs hold counts and sizes as int/int64, and JSON
    has no NaN or Infinity (Go ``encoding/json`` refuses them; ``nomad/structs/structs.go``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return INT64_MIN <= value <= INT64_MAX


def normalize(value, field, path, errors):
    if field.alt is not None and isinstance(value, dict):
        return normalize(value, field.alt, path, errors)
    if not _type_ok(field.kind, value):
        alt = f" or {_TYPE_NAMES[field.alt.kind]}" if field.alt is not None else ""
        errors.append(SpecError(path, f"must be {_TYPE_NAMES[field.kind]}{alt}", value))
        return None
    if field.kind == "duration":
        try:
            nanos = parse_duration(value)
        except DurationError as exc:
            errors.append(SpecError(path, f"must be a duration: {exc}", value))
            return None
        if nanos < 0:
            errors.append(SpecError(path, "must not be negative; write a duration such as '0s' or '30s'", value))
            return None
    if field.kind in ("int", "number") and not _in_range(value):
        errors.append(SpecError(path, f"must be a finite number between {INT64_MIN} and {INT64_MAX} "
                                "(Nomad stores numbers as int64/float64)", value))
        return None
    if field.choices is not None and value not in field.choices:
        errors.append(SpecError(path, f"must be one of {', '.join(map(str, field.choices))}", value))
        return None
    if field.pattern is not None and not field.pattern.fullmatch(value):
        errors.append(SpecError(path, f"must match {field.pattern.pattern}", value))
        return None
    if field.minimum is not None and field.kind in ("int", "number") and value < field.minimum:
        errors.append(SpecError(path, f"must be at least {field.minimum}", value))
    if field.maximum is not None and field.kind in ("int", "number") and value > field.maximum:
        errors.append(SpecError(path, f"must be at most {field.maximum}", value))
    if field.kind == "list":
        if field.min_items and len(value) < field.min_items:
            errors.append(SpecError(path, f"needs at least {field.min_items} item(s)", value))
        if field.item is None:
            return list(value)
        return [normalize(v, field.item, join(path, i), errors) for i, v in enumerate(value)]
    if field.kind == "map":
        out = {}
        for key, item in value.items():
            sub = join(path, key)
            if not isinstance(key, str):
                errors.append(SpecError(sub, "keys must be strings", key))
                continue
            if field.key_pattern is not None and not field.key_pattern.fullmatch(key):
                errors.append(SpecError(sub, f"key must match {field.key_pattern.pattern}", key))
                continue
            out[key] = normalize(item, field.item, sub, errors) if field.item else item
        return out
    if field.kind == "struct":
        return normalize_struct(value, field.fields, path, errors)
    return value


def did_you_mean(key, known):
    """"unknown key" plus "; did you mean 'x'?" when ``key`` is close to one of ``known``
    (difflib ratio >= 0.6, the stdlib default), else "unknown key"."""
    close = difflib.get_close_matches(str(key), [str(k) for k in known], n=1)
    return "unknown key; did you mean %r?" % close[0] if close else "unknown key"


def normalize_struct(value, fields, path, errors):
    out = {}
    for key in value:
        if key not in fields:
            errors.append(SpecError(join(path, str(key)), did_you_mean(key, fields), value[key]))
    for key, field in fields.items():
        sub = join(path, key)
        item = value.get(key, MISSING)
        if item is MISSING or item is None:
            if field.required:
                errors.append(SpecError(sub, "is required", None))
                out[key] = None
            elif field.default is not MISSING:
                default = copy.deepcopy(field.default)
                out[key] = normalize(default, field, sub, errors) if isinstance(default, dict) \
                    and field.kind == "struct" else default
            else:
                out[key] = None
            continue
        out[key] = normalize(item, field, sub, errors)
    return out
