"""Go formatting used in Nomad's error texts, so rules can quote them exactly.

- ``duration(ns)``: time.Duration.String (``1m30s``, ``500ms``, ``0s``).
- ``q(s)``: fmt ``%q`` of a string (a Go-quoted string; JSON quoting is the same
  for the printable ASCII these tests use).
- ``qlist(items)``: fmt ``%q`` of a []string (``["a" "b"]``).
- ``vlist(items)``: fmt ``%v`` of a []string (``[a b]``).
"""
import json

_UNITS = ((1_000_000, "ms"), (1_000, "\u00b5s"))


def _frac(value, unit):
    whole, rest = divmod(value, unit)
    if not rest:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}." + f"{rest:0{digits}d}".rstrip("0")


def duration(ns):
    """Go's time.Duration(ns).String()."""
    ns = int(ns or 0)
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    u = abs(ns)
    if u < 1_000:
        return f"{sign}{u}ns"
    if u < 1_000_000_000:
        for unit, name in _UNITS:
            if u >= unit:
                return f"{sign}{_frac(u, unit)}{name}"
    secs = _frac(u % 60_000_000_000, 1_000_000_000)
    minutes_total = u // 60_000_000_000
    hours, minutes = divmod(minutes_total, 60)
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{sign}{minutes}m{secs}s"
    return f"{sign}{secs}s"


def q(text):
    return json.dumps("" if text is None else str(text), ensure_ascii=False)


def qlist(items):
    return "[" + " ".join(q(i) for i in items or []) + "]"


def vlist(items):
    return "[" + " ".join(str(i) for i in items or []) + "]"
