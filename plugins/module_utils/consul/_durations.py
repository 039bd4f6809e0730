# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet.hashistack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Go ``time.Duration`` values as Consul reads and writes them. Plain Python.

Consul accepts durations as Go strings ("10s", "1m30s") and, for fields without a
custom JSON marshaller (e.g. ``PassiveHealthCheck.Interval``), answers with integer
nanoseconds; ``service-resolver`` answers with Go strings. Both sides are brought to
the canonical Go string so they compare equal.
"""
from __future__ import annotations

import re

_UNITS = {
    "ns": 1,
    "us": 1000,
    "\u00b5s": 1000,
    "\u03bcs": 1000,
    "ms": 1000 ** 2,
    "s": 1000 ** 3,
    "m": 60 * 1000 ** 3,
    "h": 3600 * 1000 ** 3,
}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")


def parse_duration(value):
    """Return nanoseconds (int) for a Go duration string or an integer of nanoseconds."""
    if isinstance(value, bool):
        raise ValueError("not a duration: %r" % (value,))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, str):
        raise ValueError("not a duration: %r" % (value,))
    text = value.strip()
    sign = 1
    if text and text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if text == "0":
        return 0
    if not text:
        raise ValueError("not a duration: %r" % (value,))
    pos, total = 0, 0
    for match in _PART.finditer(text):
        if match.start() != pos:
            raise ValueError("not a duration: %r" % (value,))
        number, unit = match.groups()
        whole, frac = number.partition(".")[0], number.partition(".")[2]
        scale = _UNITS[unit]
        total += int(whole or "0") * scale
        if frac:
            total += int(frac) * scale // (10 ** len(frac))
        pos = match.end()
    if pos != len(text):
        raise ValueError("not a duration: %r (units: ns, us, ms, s, m, h)" % (value,))
    return sign * total


def _fraction(value, unit):
    whole, rest = divmod(value, unit)
    if not rest:
        return str(whole)
    digits = str(rest).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return "%d.%s" % (whole, digits)


def format_duration(nanos):
    """Format nanoseconds the way Go's ``Duration.String()`` does ("1m30s", "500ms")."""
    nanos = int(nanos)
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    u = abs(nanos)
    if u < 1000:
        text = "%dns" % u
    elif u < 1000 ** 2:
        text = _fraction(u, 1000) + "\u00b5s"
    elif u < 1000 ** 3:
        text = _fraction(u, 1000 ** 2) + "ms"
    else:
        hours, rest = divmod(u, 3600 * 1000 ** 3)
        minutes, rest = divmod(rest, 60 * 1000 ** 3)
        text = _fraction(rest, 1000 ** 3) + "s"
        if hours:
            text = "%dh%dm%s" % (hours, minutes, text)
        elif minutes:
            text = "%dm%s" % (minutes, text)
    return sign + text


def canonical_duration(value):
    """Any accepted duration spelling -> Go string; invalid input raises ValueError."""
    return format_duration(parse_duration(value))
