# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare desired and live Nomad objects (namespaces, policies, tokens, ...); plain Python."""
from __future__ import annotations

HIDDEN = "<hidden>"


def _norm(value):
    if value in (None, "", [], {}):
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(value)
    if isinstance(value, str):
        return value.strip()
    return value


def differences(desired, current, exact=(), prefix=""):
    """Dotted paths where ``current`` does not match what ``desired`` asks for.

    Keys of ``desired`` are compared; nested dicts recursively (keys ``current`` has
    beyond them are ignored) unless the key is in ``exact`` (e.g. Meta: whole-map
    equality). None, "", [] and {} count as unset; string lists compare as sets.
    """
    current = current or {}
    out = []
    for key, want in desired.items():
        have = current.get(key)
        path = prefix + key
        if isinstance(want, dict) and key not in exact and isinstance(have, (dict, type(None))):
            out.extend(differences(want, have, exact, path + "."))
        elif _norm(want) != _norm(have):
            out.append(path)
    return out


def view(current, desired, exact=()):
    """``current`` restricted to the keys of ``desired`` (for before/after diffs)."""
    if current is None:
        return {}
    out = {}
    for key, want in desired.items():
        if key not in current:
            continue
        have = current[key]
        if isinstance(want, dict) and isinstance(have, dict) and key not in exact:
            out[key] = view(have, want, exact)
        else:
            out[key] = have
    return out


def plan_object(current, desired, exact=(), present=True):
    """What making a simple named object (namespace, ACL policy, quota, ...) present or
    absent would change; the comparison half of every "ensure object" flow.

    ``current``: the live object or None; ``desired``: the API body (dict);
    ``exact``: keys compared as whole maps (``differences``). Returns
    ``{"changed": bool, "differences": [dotted paths] (empty when created or deleted),
    "before": dict, "after": dict}`` (before/after restricted to the keys of
    ``desired``, for a diff). Writing, check mode and ownership stay with the caller.
    """
    if not present:
        return {"changed": current is not None, "differences": [],
                "before": view(current, desired, exact), "after": {}}
    diffs = ["(missing)"] if current is None else differences(desired, current, exact)
    return {"changed": bool(diffs), "differences": diffs if current is not None else [],
            "before": view(current, desired, exact), "after": desired}


def masked(items, other=None):
    """Secret map values replaced by markers; keys stay visible."""
    if items is None:
        return None
    other = other or {}
    return {k: (HIDDEN if other.get(k, v) == v else HIDDEN + " (changed)") for k, v in items.items()}
