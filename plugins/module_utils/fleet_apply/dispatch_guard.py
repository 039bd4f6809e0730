# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dispatch work items with derived idempotency tokens and a running-children cap.

Nomad has no concurrency cap for dispatched jobs; this counts the parent's pending or
running children first and refuses items that would go beyond ``max_running``.
Plain Python over NomadClient and the Nomad module_utils' ``dispatch``.
"""
from __future__ import annotations

import hashlib
import json

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.dispatch import (
    DispatchError, children, dispatch, encode_payload)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.executor import run_many
from ansible_collections.agentfleet.hashistack.plugins.module_utils.object_result import is_changed

ACTIVE = ("pending", "running")


def item_token(namespace, job_id, item_id):
    """Stable idempotency token of one work item (same item -> same token, always)."""
    text = "%s/%s/%s" % (namespace, job_id, item_id)
    return "wi-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def check_items(items, payload=None, meta_required=None, meta_optional=None):
    """Every problem of ``items`` (``items[i].<key>: ...``); [] when all are usable.

    ``payload`` (required / optional / forbidden) and ``meta_required`` /
    ``meta_optional`` are the parent's parameterized block when known (None: not
    checked); they follow nomad/job_endpoint.go ``validateDispatchRequest``: a required
    payload must be there, a forbidden one absent, every required meta key set, and no
    meta key outside the two lists.
    """
    errors, seen = [], {}
    for index, item in enumerate(items):
        where = "items[%d]" % index
        if not isinstance(item, dict):
            errors.append("%s: expected a mapping with id, payload, meta; got %s" % (where, json.dumps(item, default=str)))
            continue
        unknown = sorted(set(item) - {"id", "payload", "payload_base64", "meta"})
        if unknown:
            errors.append("%s: unknown key(s) %s" % (where, ", ".join(unknown)))
        item_id = item.get("id")
        if not isinstance(item_id, (str, int)) or isinstance(item_id, bool) or str(item_id) == "":
            errors.append("%s.id: a non-empty string or number is required, got %s" % (where, json.dumps(item_id)))
        elif str(item_id) in seen:
            errors.append("%s.id: %r is also items[%d].id" % (where, str(item_id), seen[str(item_id)]))
        else:
            seen[str(item_id)] = index
        meta = item.get("meta")
        if meta is not None and (not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values())):
            errors.append("%s.meta: expected a map of strings, got %s" % (where, json.dumps(meta, default=str)))
        try:
            encode_payload(item.get("payload"), item.get("payload_base64"))
        except DispatchError as exc:
            errors.append("%s.%s" % (where, exc))
        errors += _parameterized_problems(where, item, payload, meta_required, meta_optional)
    return errors


def _parameterized_problems(where, item, payload, meta_required, meta_optional):
    """What real Nomad would refuse in this item given the parent's parameterized block."""
    out = []
    has_payload = bool(item.get("payload") or item.get("payload_base64"))
    if payload == "required" and not has_payload:
        out.append("%s.payload: the agent requires a payload (dispatch.payload: required); add payload or payload_base64"
                   % where)
    elif payload == "forbidden" and has_payload:
        out.append("%s.payload: the agent forbids a payload (dispatch.payload: forbidden); remove it" % where)
    meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
    if meta_required is not None:
        missing = sorted(set(meta_required) - set(meta))
        if missing:
            out.append("%s.meta: missing required key(s) %s (dispatch.meta_required)" % (where, ", ".join(missing)))
    if meta_required is not None or meta_optional is not None:
        allowed = set(meta_required or ()) | set(meta_optional or ())
        extra = sorted(set(meta) - allowed)
        if extra:
            out.append("%s.meta: key(s) %s not allowed; the agent accepts %s (dispatch.meta_required, meta_optional)"
                       % (where, ", ".join(extra), ", ".join(sorted(allowed)) or "no meta"))
    return out


def running_children(client, job_id, namespace, stubs=None):
    stubs = stubs if stubs is not None else client.list_jobs(namespace, prefix=job_id + "/") or []
    return [s["ID"] for s in stubs if s.get("ParentID") == job_id and not s.get("Stop")
            and s.get("Status") in ACTIVE]


OUTCOMES = ("dispatched", "existing", "refused", "failed", "not_attempted")


def dispatch_items(client, job_id, namespace, items, max_running, check_mode=False, concurrency=8):
    """One result per item, in order, whatever happens (``check_mode``: would-be outcomes):

    - ``dispatched``: a child was started for it by this run;
    - ``existing``: a live child already carries its idempotency token (nothing sent, or
      Nomad matched the token itself);
    - ``refused``: over ``max_running`` (with ``msg``);
    - ``failed``: its dispatch call failed (``msg``; the call may still have reached Nomad:
      a re-run finds that child by its token instead of starting a second one);
    - ``not_attempted``: after a failure nothing more is sent (``msg``).

    Tokens are ``item_token`` of the namespace, job and item ID, so retries and re-runs of
    the same item always send the same token.
    """
    tokens = [item_token(namespace, job_id, item["id"]) for item in items]
    try:
        known = {}
        ids = children(client, job_id, namespace)
        for child in run_many(ids, lambda cid: client.get_job(cid, namespace), concurrency):
            if child and child.get("DispatchIdempotencyToken") and not child.get("Stop"):
                known[child["DispatchIdempotencyToken"]] = child["ID"]
        running = len(running_children(client, job_id, namespace))
    except NomadError as exc:  # reported per item, nothing was sent
        why = "not attempted: reading the children of %s/%s failed: %s" % (namespace, job_id, exc)
        return [{"id": str(item["id"]), "token": token, "outcome": "not_attempted", "changed": False, "msg": why}
                for item, token in zip(items, tokens)]
    results, stopped = [], None
    for item, token in zip(items, tokens):
        out = {"id": str(item["id"]), "token": token}
        if stopped is not None:
            results.append(dict(out, outcome="not_attempted", changed=False,
                                msg="not attempted: item %s failed first" % stopped))
            continue
        if token in known:
            results.append(dict(out, outcome="existing", changed=False, dispatched_job_id=known[token]))
            continue
        if running >= max_running:
            results.append(dict(out, outcome="refused", changed=False,
                                msg="%d children of %s/%s are pending or running, the cap is %d"
                                    % (running, namespace, job_id, max_running)))
            continue
        try:
            payload = encode_payload(item.get("payload"), item.get("payload_base64"))
            res = dispatch(client, job_id, namespace, payload_b64=payload, meta=item.get("meta"), token=token,
                           check_mode=check_mode)
        except (NomadError, DispatchError) as exc:  # this item failed; the rest are not sent
            stopped = out["id"]
            results.append(dict(out, outcome="failed", changed=False, msg=str(exc)))
            continue
        outcome = "existing" if res.get("existing") else "dispatched"
        if outcome == "dispatched":
            running += 1
        results.append(dict(out, outcome=outcome, changed=is_changed(outcome),
                            dispatched_job_id=res.get("dispatched_job_id")))
    return results
