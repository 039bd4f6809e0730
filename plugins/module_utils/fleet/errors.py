# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Path-qualified spec errors, collected rather than raised one at a time."""
from __future__ import annotations

import json

_MAX_VALUE_CHARS = 120


def _show(value):
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[:_MAX_VALUE_CHARS - 3] + "..."
    return text


class SpecError:
    """One violation: dotted ``path``, human ``message`` and the offending ``value``.

    ``redact`` hides the value (used when the value itself looks like a secret).
    ``where`` is ``"file:line"`` when the spec came from a file (set by
    ``spec_source.SpecLines.annotate``), shown before the path; None for inline specs.
    """

    __slots__ = ("path", "message", "value", "redact", "where")

    def __init__(self, path, message, value=None, redact=False, where=None):
        self.path = path
        self.message = message
        self.value = value
        self.redact = redact
        self.where = where

    def __str__(self):
        shown = "<redacted>" if self.redact else _show(self.value)
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.path or '<root>'}: {self.message} (got {shown})"

    def __repr__(self):
        return f"SpecError({str(self)!r})"

    def __eq__(self, other):
        return isinstance(other, SpecError) and str(self) == str(other)

    def __hash__(self):
        return hash(str(self))

    def as_dict(self):
        out = {"path": self.path, "message": self.message,
               "value": "<redacted>" if self.redact else self.value}
        if self.where:
            out["where"] = self.where
        return out


class FleetSpecError(ValueError):
    """Raised with every error found; nothing has been written."""

    def __init__(self, errors):
        self.errors = list(errors)
        lines = "\n".join(f"  - {e}" for e in self.errors)
        super().__init__(f"fleet spec has {len(self.errors)} error(s):\n{lines}")


def join(path, key):
    """Append ``key`` (a name or an index) to a dotted path."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)
