# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Go-style duration strings ("90s", "1h30m", "250ms") to integer nanoseconds."""
from __future__ import annotations

import re

_UNITS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}
_PART = re.compile(r"(\d+)(ns|us|ms|s|m|h)")
_WHOLE = re.compile(r"^(?:\d+(?:ns|us|ms|s|m|h))+$")

NS_PER_SECOND = _UNITS["s"]


def parse_duration(text):
    """Return nanoseconds for ``text``; raise ValueError if it is not a duration."""
    if not isinstance(text, str) or not _WHOLE.match(text):
        raise ValueError("must be a duration such as '30s', '5m' or '1h30m'")
    return sum(int(n) * _UNITS[u] for n, u in _PART.findall(text))


def is_duration(text):
    try:
        parse_duration(text)
    except ValueError:
        return False
    return True


def seconds(text):
    """Whole seconds of a duration string (rounded down)."""
    return parse_duration(text) // NS_PER_SECOND


def format_duration(ns):
    """Compact Go-style text for integer nanoseconds (for messages and Consul fields)."""
    if ns == 0:
        return "0s"
    out = []
    for unit in ("h", "m", "s", "ms", "us", "ns"):
        size = _UNITS[unit]
        if ns >= size:
            out.append(f"{ns // size}{unit}")
            ns %= size
    return "".join(out)
