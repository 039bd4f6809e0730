# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one read-compare-write of a Vault settings object (roles, configs, ACL policies).

Used by the Vault modules (``manage_object``, ``vault_policy``) and by the fleet sync
(``fleet_apply/vault_sync.py``) alike, with one rule for ``changed`` and check mode:

- ``converge`` compares the object read at a path with the desired settings; its
  ``outcome`` is ``created`` (nothing there), ``updated`` (a managed key differs after
  normalising) or ``unchanged``; ``remove`` gives ``deleted`` or ``absent``.
- The object is ``changed`` exactly when ``object_result.is_changed(outcome)``.
- In check mode the outcome is what would happen and nothing is written.

``merge=True``: the server merges a write into the existing object (auth roles: the JWT
and AppRole plugins keep fields a write omits), so only changed keys are sent.
``merge=False``: a write replaces the object (JWT config, ACL policy), so every managed
key is compared (omitted ones against their default) and all set keys are sent.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.object_result import is_changed
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.compare import desired_changes
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.policy_text import normalise_policy

POLICY_NORMALISERS = {"policy": normalise_policy}


def read_data(client, path, label):
    """The ``data`` of ``GET path`` (dict), or None when nothing is there."""
    body = client.get(path, action=f"read {label}")
    if not body:
        return None
    return body.get("data") or {}


def converge(client, path, label, current, desired, normalisers, *, check, merge=True, resend=None):
    """Make the object at ``path`` match ``desired`` (dict; a None value is unmanaged).

    ``current``: the object as read (dict, None when missing); ``normalisers``: {key:
    function} applied to both sides before comparing; ``resend(desired, current)``: keys
    every write must carry (dict), for servers that reset omitted keys. Writes (``POST
    path``) only on a change and never when ``check``. Returns ``{"outcome", "changes": {key: (before,
    after)}, "before", "after": the managed views for a diff, "written": bool}``.
    """
    changes = desired_changes(current, desired, normalisers)
    if current is not None and not changes:
        return {"outcome": "unchanged", "changes": {}, "before": None, "after": None, "written": False}
    after = dict(current or {})
    after.update({k: v for k, v in desired.items() if v is not None})
    out = {"outcome": "created" if current is None else "updated", "changes": changes,
           "before": managed_view(current, desired, normalisers) if current is not None else {},
           "after": managed_view(after, desired, normalisers), "written": False}
    if check:
        return out
    if merge and current is not None:
        body = {k: desired[k] for k in changes}
    else:
        body = {k: v for k, v in desired.items() if v is not None}
    if resend is not None:
        body.update(resend(desired, current))
    client.post(path, body, action=f"write {label}")
    out["written"] = True
    return out


def remove(client, path, label, present, *, check):
    """Delete the object at ``path`` when ``present`` (bool) and not ``check``;
    ``{"outcome": "deleted" | "absent", "written": bool}``."""
    if not present:
        return {"outcome": "absent", "written": False}
    if check:
        return {"outcome": "deleted", "written": False}
    client.delete(path, action=f"delete {label}")
    return {"outcome": "deleted", "written": True}


def manage_object(module, client, path, label, desired, normalisers, *, merge=True,
                  resend=None, deletable=True):
    """The module flow (``state`` present/absent) over ``converge``/``remove``.

    Returns ``(result, current)``: ``result`` has ``changed`` (and ``diff`` in diff
    mode); ``current`` is the object after the run (re-read after a write; None once
    deleted, also in check mode).
    """
    current = read_data(client, path, label)
    if module.params.get("state", "present") == "absent":
        done = remove(client, path, label, current is not None and deletable, check=module.check_mode)
        result = {"changed": is_changed(done["outcome"])}
        if result["changed"] and module._diff:
            result["diff"] = {"before": managed_view(current, desired, normalisers), "after": {}}
        return result, (None if result["changed"] else current)
    done = converge(client, path, label, current, desired, normalisers, check=module.check_mode,
                    merge=merge, resend=resend)
    result = {"changed": is_changed(done["outcome"])}
    if result["changed"] and module._diff:
        result["diff"] = {"before": done["before"], "after": done["after"]}
    return result, (read_data(client, path, label) if done["written"] else current)


def policy_path(name):
    return f"sys/policies/acl/{name}"


def read_policy(client, name):
    """The text of ACL policy ``name`` (str), or None when there is none."""
    data = read_data(client, policy_path(name), f"policy {name!r}")
    return None if data is None else data.get("policy")


def converge_policy(client, name, current, text, *, check):
    """``converge`` for an ACL policy: ``current``/``text`` are policy texts (None when
    missing), compared after ``normalise_policy`` (comments, blank lines, spacing)."""
    return converge(client, policy_path(name), f"policy {name!r}",
                    None if current is None else {"policy": current}, {"policy": text},
                    POLICY_NORMALISERS, check=check, merge=False)


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
