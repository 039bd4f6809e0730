# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cron expression checks matching the subset Nomad's periodic scheduler accepts.

Supported: five fields (minute hour day-of-month month day-of-week), an optional sixth
year field, ``*``, lists, ranges, steps, month/day names, ``?`` in the day fields, and
the ``@hourly/@daily/@midnight/@weekly/@monthly/@yearly/@annually`` shortcuts.
``L``, ``W`` and ``#`` are rejected (documented limitation).
"""
from __future__ import annotations

import re

_MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_MONTHS = {m: i + 1 for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split())}
_DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
# (name, low, high, names)
_FIELDS = [("minute", 0, 59, None), ("hour", 0, 23, None), ("day-of-month", 1, 31, None),
           ("month", 1, 12, _MONTHS), ("day-of-week", 0, 7, _DAYS), ("year", 1970, 2099, None)]
_ATOM = re.compile(r"^[0-9a-z]+\Z")


def _value(text, low, high, names, field):
    if names and text in names:
        return names[text]
    if not text.isdigit():
        raise ValueError(f"{field}: {text!r} is not a number")
    number = int(text)
    if not low <= number <= high:
        raise ValueError(f"{field}: {number} is outside {low}-{high}")
    return number


def _check_field(text, field, low, high, names):
    if text == "?" and field in ("day-of-month", "day-of-week"):
        return
    for item in text.split(","):
        if not item:
            raise ValueError(f"{field}: empty list item")
        base, _slash, step = item.partition("/")
        if step:
            if not step.isdigit() or int(step) == 0:
                raise ValueError(f"{field}: step {step!r} must be a positive number")
        if base == "*":
            continue
        start, dash, end = base.partition("-")
        for part in (start, end) if dash else (start,):
            if not _ATOM.match(part):
                raise ValueError(f"{field}: {part!r} is not valid")
        first = _value(start, low, high, names, field)
        if dash and _value(end, low, high, names, field) < first:
            raise ValueError(f"{field}: range {base!r} runs backwards")


def check_cron(expr):
    """Raise ValueError describing why ``expr`` does not parse; return None if it does."""
    if not isinstance(expr, str) or not expr.strip():
        raise ValueError("must be a non-empty cron expression")
    text = expr.strip().lower()
    if text.startswith("@"):
        if text not in _MACROS:
            raise ValueError(f"unknown shortcut {expr!r}")
        return
    parts = text.split()
    if len(parts) not in (5, 6):
        raise ValueError(f"needs 5 fields (or 6 with a year), found {len(parts)}")
    for part, (field, low, high, names) in zip(parts, _FIELDS):
        _check_field(part, field, low, high, names)
