# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Go duration parser and formatter of the collection. Plain Python.

Grammar of Go's ``time.ParseDuration`` (Go source ``src/time/format.go``,
``ParseDuration``): an optional sign, then one or more ``<decimal><unit>`` parts;
a decimal may have a fraction (``1.5h``, ``.5s``, ``1.s``); units are ``ns``,
``us``, ``µs`` (U+00B5), ``μs`` (U+03BC), ``ms``, ``s``, ``m``, ``h``; the bare
string ``0`` means zero; anything else (empty, missing unit, unknown unit, spaces)
is refused. The value is a signed int64 of nanoseconds: a total beyond
``-2**63 .. 2**63-1`` is refused as an overflow (Go: ``invalid duration``).

Vault's extra spellings (a count of seconds, whole days ``7d``) are accepted only by
``seconds_or_duration(..., whole_days=True)``, at the Vault call sites.

    parse("1h30m")              -> 5400000000000 (nanoseconds)
    format_duration(90 * 10**9) -> "1m30s" (Go's Duration.String)
    format_human(120 * 10**9)   -> "2m" (for people: zero parts left out)
    seconds_or_duration("7d", "ttl", whole_days=True) -> 604800
"""
from __future__ import annotations

import math

import re

NS_PER_SECOND = 10 ** 9
MAX_NS = 2 ** 63 - 1
MIN_NS = -(2 ** 63)
UNITS = {"ns": 1, "us": 10 ** 3, "\u00b5s": 10 ** 3, "\u03bcs": 10 ** 3, "ms": 10 ** 6,
         "s": NS_PER_SECOND, "m": 60 * NS_PER_SECOND, "h": 3600 * NS_PER_SECOND}
# A part is digits with an optional fraction, then a unit made of anything but digits and '.'
# (Go reads the unit the same way, then looks it up).
_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")
_HINT = "write a Go duration such as '30s', '1m30s', '1.5h' or '250ms'"


class DurationError(ValueError):
    """A value that is not a duration (the message says what to write instead)."""


def parse(text):
    """Nanoseconds (int) of a Go duration string; raise DurationError otherwise."""
    if not isinstance(text, str):
        raise DurationError(f"{text!r} is not a duration string; {_HINT}")
    units = UNITS
    body, negative = text, False
    if body[:1] in ("-", "+"):
        negative, body = body[0] == "-", body[1:]
    if body == "0":
        return 0
    if not body:
        raise DurationError(f"{text!r} is not a Go duration; {_HINT}")
    total, pos = 0, 0
    while pos < len(body):
        match = _PART.match(body, pos)
        whole, frac, unit = match.group(1), match.group(2), match.group(3)
        if not whole and not frac:
            raise DurationError(f"{text!r} is not a Go duration (a number must come before each unit); {_HINT}")
        if not unit:
            raise DurationError(f"{text!r} is not a Go duration (missing unit; units: {', '.join(units)}); {_HINT}")
        if unit not in units:
            raise DurationError(f"{text!r} is not a Go duration (unknown unit {unit!r}; units: "
                                f"{', '.join(units)}); {_HINT}")
        scale = units[unit]
        value = int(whole or "0") * scale
        if frac:
            value += int(frac) * scale // (10 ** len(frac))
        total += value
        if total > MAX_NS + 1:
            raise DurationError(f"{text!r} overflows a Go duration (at most {format_duration(MAX_NS)}, "
                                "about 292 years)")
        pos = match.end()
    if negative:
        return -total
    if total > MAX_NS:
        raise DurationError(f"{text!r} overflows a Go duration (at most {format_duration(MAX_NS)}, about 292 years)")
    return total


def is_duration(text):
    """True when ``parse`` accepts ``text``."""
    try:
        parse(text)
    except DurationError:
        return False
    return True


def seconds(text):
    """Whole seconds of a duration string, rounded toward zero (as Go's ``Duration.Seconds`` then int)."""
    nanos = parse(text)
    return -((-nanos) // NS_PER_SECOND) if nanos < 0 else nanos // NS_PER_SECOND


def _fraction(value, unit):
    whole, rest = divmod(value, unit)
    if not rest:
        return str(whole)
    digits = str(rest).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def format_duration(nanos):
    """Go's ``Duration.String()`` for integer nanoseconds: "1h0m0s", "1m30s", "1.5s", "500ms",
    "1.5µs", "3ns", "0s" (Go source ``src/time/time.go``, ``Duration.String``)."""
    nanos = int(nanos)
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    u = abs(nanos)
    if u < 10 ** 3:
        text = f"{u}ns"
    elif u < 10 ** 6:
        text = _fraction(u, 10 ** 3) + "\u00b5s"
    elif u < NS_PER_SECOND:
        text = _fraction(u, 10 ** 6) + "ms"
    else:
        hours, rest = divmod(u, UNITS["h"])
        minutes, rest = divmod(rest, UNITS["m"])
        text = _fraction(rest, NS_PER_SECOND) + "s"
        if hours:
            text = f"{hours}h{minutes}m{text}"
        elif minutes:
            text = f"{minutes}m{text}"
    return sign + text


def format_human(nanos):
    """Integer nanoseconds as people read them: Go's ``Duration.String`` without its zero
    parts ("2m" not "2m0s", "1h" not "1h0m0s", "1h0m30s" stays "1h30s"); the text is
    still a Go duration that ``parse`` reads back to the same value."""
    text = format_duration(nanos)
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    if body == "0s" or not body.endswith("s") or body[-2:] in ("ms", "ns") or body[-2:-1] in ("\u00b5", "\u03bc"):
        return text
    parts = re.findall(r"([0-9.]+)([hms])", body)
    kept = "".join(value + unit for value, unit in parts if value != "0")
    return sign + (kept or "0s")


def api_nanoseconds(value):
    """A duration as HTTP APIs hand it back: a Go string or integer nanoseconds -> int ns.
    (Consul answers ``PassiveHealthCheck.Interval`` as nanoseconds, ``RequestTimeout`` as text.)"""
    if isinstance(value, bool):
        raise DurationError(f"{value!r} is not a duration; {_HINT}")
    if isinstance(value, int):
        if not MIN_NS <= value <= MAX_NS:
            raise DurationError(f"{value!r} nanoseconds overflows a Go duration")
        return value
    if isinstance(value, float) and value.is_integer():
        return api_nanoseconds(int(value))
    return parse(value)


_WHOLE_DAYS = re.compile(r"^([0-9]+)d\Z")


def seconds_or_duration(value, name="duration", whole_days=False):
    """Whole seconds for APIs that take a count of seconds or a duration string. None stays
    None; negative values are refused. Raises DurationError naming ``name`` and the value.

    Vault's rule (go-secure-stdlib ``parseutil.ParseDurationSecond``): a number or digit
    string is seconds; with ``whole_days`` a string ``<integer>d`` is days (``7d``, not
    ``1d12h``); anything else is a Go duration."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise DurationError(f"{name}: {value!r} is not a duration; {_HINT}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise DurationError(f"{name}: {value!r} is not a duration; {_HINT}")
        total = int(value)
    elif value.isascii() and value.isdigit():
        total = int(value)
    elif whole_days and _WHOLE_DAYS.match(value):
        total = int(value[:-1]) * 86400
    else:
        try:
            total = seconds(value)
        except DurationError as exc:
            raise DurationError(f"{name}: {exc}") from None
    if total < 0:
        raise DurationError(f"{name}: {value!r} is negative; write a duration of 0 or more")
    if total > MAX_NS // NS_PER_SECOND:
        raise DurationError(f"{name}: {value!r} overflows a Go duration (at most {MAX_NS // NS_PER_SECOND} seconds)")
    return total


def canonical(value):
    """A Go string or integer nanoseconds -> Go's ``Duration.String`` text, so both spellings
    an API uses compare equal (``canonical(10_000_000_000) == canonical("10s") == "10s"``)."""
    return format_duration(api_nanoseconds(value))
