# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet.hashistack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vault duration strings ("90s", "1h30m", "3600") as whole seconds. Plain Python."""
from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(value, name="duration"):
    """Return ``value`` in whole seconds; None stays None.

    Accepts an int, a digit string (seconds) or Go-style units (``1h30m``, ``45s``, ``7d``).
    Raises ValueError naming ``name`` and the value on anything else.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name}: {value!r} is not a duration")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"{name}: {value!r} is negative")
        return int(value)
    text = str(value).strip().lower()
    if text.isdigit():
        return int(text)
    pos = 0
    total = 0.0
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not text or pos != len(text):
        raise ValueError(f"{name}: {value!r} is not a duration (use seconds or units like 90s, 15m, 1h30m, 7d)")
    return int(total)
