# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one per-object result record and its one rule for ``changed`` (plain Python).

Every bulk path (fleet Nomad/Vault/Consul sync, ``nomad_jobs``, ``nomad_job``, fleet
dispatch) reports one dict per object with an ``outcome``. An object is ``changed``
exactly when its outcome says it was (or, in check mode, would be) created, updated,
adopted (an unowned object taken over: its ownership marker written), deleted, stopped,
promoted or dispatched, and never when it failed: a failure,
``not_applied``, ``unchanged``, ``absent`` or a wait outcome is not a change.
"""
from __future__ import annotations

CHANGED_OUTCOMES = frozenset(("created", "updated", "adopted", "deleted", "stopped", "promoted", "dispatched"))


def is_changed(outcome, failed=False):
    """True when ``outcome`` (str) is a change and the object did not fail (``failed``)."""
    return not failed and outcome in CHANGED_OUTCOMES


def object_result(obj, name, agent, outcome, **extra):
    """``{"object", "name", "agent", "outcome", "changed", **extra}`` for one object.

    ``obj``: the kind (``job``, ``vault_policy``, ...); ``agent``: ``"tenant/agent"`` or
    None; ``changed`` always follows ``is_changed`` (an ``extra`` ``changed`` is ignored).
    """
    out = {"object": obj, "name": name, "agent": agent, "outcome": outcome}
    out.update(extra)
    out["changed"] = is_changed(outcome, out.get("failed", False))
    return out


def restate(result, outcome, **extra):
    """A copy of ``result`` (dict) with a new ``outcome`` and ``extra`` keys, ``changed``
    recomputed by the rule."""
    out = dict(result, outcome=outcome, **extra)
    out["changed"] = is_changed(outcome, out.get("failed", False))
    return out
