# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-compare-write for a settings object at one API path (roles, configs).

``merge=True``: the server merges a write into the existing object (auth roles), so
only changed keys are sent. ``merge=False``: a write replaces the object (JWT config),
so every managed key is compared (omitted ones against their default) and all set keys
are sent.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.compare import desired_changes


def read_data(client, path, label):
    body = client.get(path, action=f"read {label}")
    if not body:
        return None
    return body.get("data") or {}


def manage_object(module, client, path, label, desired, normalisers, *, merge=True,
                  always_send=None, deletable=True):
    """Make the object at ``path`` match ``desired``; returns (result, current)."""
    current = read_data(client, path, label)
    result = {"changed": False}
    state = module.params.get("state", "present")
    if state == "absent":
        if current is None or not deletable:
            return result, current
        result["changed"] = True
        if module._diff:
            result["diff"] = {"before": managed_view(current, desired, normalisers), "after": {}}
        if not module.check_mode:
            client.delete(path, action=f"delete {label}")
        return result, None

    changes = desired_changes(current, desired, normalisers)
    if current is not None and not changes:
        return result, current
    result["changed"] = True
    if module._diff:
        after = dict(current or {})
        after.update({k: v for k, v in desired.items() if v is not None})
        result["diff"] = {"before": managed_view(current, desired, normalisers) if current is not None else {},
                          "after": managed_view(after, desired, normalisers)}
    if module.check_mode:
        return result, current
    if merge and current is not None:
        body = {k: desired[k] for k in changes}
    else:
        body = {k: v for k, v in desired.items() if v is not None}
    body.update(always_send or {})
    client.post(path, body, action=f"write {label}")
    return result, read_data(client, path, label)


def managed_view(source, desired, normalisers):
    """The keys of ``desired`` that ``source`` holds (not None), each normalised by
    ``normalisers`` (so TTLs read as seconds on both sides, sets as sorted lists): the
    before/after of a diff."""
    out = {}
    for key in desired:
        if key in source and source[key] is not None:
            norm = normalisers.get(key)
            value = norm(source[key]) if norm else source[key]
            out[key] = sorted(value) if isinstance(value, frozenset) else value
    return out
