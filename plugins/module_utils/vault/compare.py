# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare desired settings with what the server reports. Plain Python.

Only keys the caller sets are compared (``None`` means "not managed"), after each value
is normalised the same way on both sides, so server noise never reads as a change.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import seconds_or_duration


def as_seconds(value):
    return seconds_or_duration(value, whole_days=True)


def as_set(value):
    """Lists whose order does not matter (policies, audiences, CIDRs)."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    return frozenset(str(v) for v in value)


def as_str(value):
    return "" if value is None else str(value)


def as_list(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def as_pem_list(value):
    return sorted(v.strip() for v in as_list(value))


def as_claims(value):
    """bound_claims / claim_mappings: values compared as sorted string lists."""
    out = {}
    for key, val in (value or {}).items():
        vals = val if isinstance(val, list) else [val]
        out[str(key)] = sorted(str(v) for v in vals)
    return out


def identity(value):
    return value


def desired_changes(current, desired, normalisers=None):
    """Return ``{key: (before, after)}`` for managed keys whose normalised values differ.

    ``current`` is the server's view (``None`` when the object does not exist);
    ``desired`` maps option names to requested values, ``None`` meaning unmanaged.
    """
    normalisers = normalisers or {}
    current = current or {}
    changes = {}
    for key, want in desired.items():
        if want is None:
            continue
        norm = normalisers.get(key, identity)
        have = current.get(key)
        if norm(have) != norm(want):
            changes[key] = (have, want)
    return changes
