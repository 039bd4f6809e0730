# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dispatch a parameterized job idempotently (plain Python over NomadClient)."""
from __future__ import annotations

import base64
import binascii

PAYLOAD_LIMIT = 16 * 1024  # bytes, Nomad's DispatchPayloadSizeLimit


class DispatchError(ValueError):
    """Bad dispatch input, detected before anything is sent."""


def encode_payload(payload=None, payload_base64=None):
    """Base64 text for the API, after checking the decoded size against 16 KiB."""
    if payload is not None and payload_base64 is not None:
        raise DispatchError("payload and payload_base64 are mutually exclusive")
    if payload is None and payload_base64 is None:
        return None
    if payload_base64 is not None:
        try:
            raw = base64.b64decode(payload_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DispatchError("payload_base64: not valid base64 (%s)" % exc)
        where = "payload_base64"
    else:
        raw = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        where = "payload"
    if len(raw) > PAYLOAD_LIMIT:
        raise DispatchError("%s: %d bytes is over Nomad's dispatch payload limit of %d bytes (16 KiB); nothing sent"
                            % (where, len(raw), PAYLOAD_LIMIT))
    return base64.b64encode(raw).decode("ascii")


def children(client, job_id, namespace):
    """IDs of the jobs dispatched from ``job_id``."""
    return [j["ID"] for j in client.list_jobs(namespace, prefix=job_id + "/") or []
            if j.get("ParentID", job_id) == job_id]


def find_child_by_token(client, job_id, namespace, token):
    """The dispatched child carrying ``token`` as its idempotency token, or None."""
    for child_id in children(client, job_id, namespace):
        child = client.get_job(child_id, namespace)
        if child and child.get("DispatchIdempotencyToken") == token and not child.get("Stop"):
            return child
    return None


def dispatch(client, job_id, namespace, payload_b64=None, meta=None, token=None, check_mode=False):
    """Dispatch unless a live child already has ``token``; returns a result dict."""
    parent = client.get_job(job_id, namespace)
    if parent is None:
        raise DispatchError("name: job %r does not exist in namespace %r" % (job_id, namespace))
    if not parent.get("ParameterizedJob"):
        raise DispatchError("name: job %r in namespace %r is not a parameterized job" % (job_id, namespace))
    result = {"changed": False, "job_id": job_id, "namespace": namespace}
    if token:
        existing = find_child_by_token(client, job_id, namespace, token)
        if existing is not None:
            result.update(dispatched_job_id=existing["ID"], existing=True)
            return result
    result.update(changed=True, existing=False)
    if check_mode:
        return result
    before = set(children(client, job_id, namespace)) if token else set()
    resp = client.dispatch_job(job_id, namespace, payload=payload_b64, meta=meta, idempotency_token=token) or {}
    child = resp.get("DispatchedJobID")
    result.update(dispatched_job_id=child, eval_id=resp.get("EvalID") or None)
    if token and child in before:  # the server matched the token itself
        result.update(changed=False, existing=True)
    return result
