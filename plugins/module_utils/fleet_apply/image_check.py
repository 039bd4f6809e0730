# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guardrail ``require_signed_images``: every agent image of a bundle verified before any write.

Used by the ``fleet_images`` action (the agent_fleet role's preflight, check mode too).
The images are those of the rendered jobs (every task's ``Config.image``), so a job
template cannot add an unchecked one. Each is verified by ``images.simple_signing`` against
the operator's keys and signature store; one result per (agent, image), bounded by a
timeout per image and a deadline for all. Plain Python (no Ansible imports).
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.images import simple_signing as sig

# What to do about each problem (simple_signing kinds).
FIX = {
    sig.MISSING: "sign the pushed image (module agentfleet.hashistack.image_sign, as the role agent_image "
                 "does) and publish the signature to the store",
    sig.UNKNOWN_KEY: "sign it with one of the platform team's keys, or have the operator add the signer's "
                     "public key to agent_fleet_image_signature_keys",
    sig.BAD_SIGNATURE: "the stored signature is corrupt, tampered with or made by an expired or revoked key: "
                       "sign the image again",
    sig.DIGEST_MISMATCH: "the signature belongs to another image: sign this digest, or pin the digest that "
                         "was signed",
    sig.IDENTITY_MISMATCH: "sign the image under the repository the spec pulls it from",
    sig.BAD_PAYLOAD: "sign the image again with skopeo / agentfleet.hashistack.image_sign",
    sig.UNREACHABLE: "check agent_fleet_image_signature_store (and its CA), or raise "
                     "agent_fleet_image_verify_timeout",
    sig.NOT_PINNED: "pin the image by digest (registry/repo@sha256:<64 hex>)",
}
DEADLINE = "deadline passed"


def bundle_images(bundle):
    """[(agent key "tenant/agent", spec path of its image, image)] of every task of every
    rendered job in ``bundle``, each (agent, image) once, in job order."""
    out, seen = [], set()
    for job in bundle.get("jobs") or []:
        body = job.get("job") or {}
        body = body.get("Job", body) if isinstance(body, dict) else {}
        key = "%s/%s" % (job.get("tenant"), job.get("agent"))
        path = "tenants.%s.agents.%s.image" % (job.get("tenant"), job.get("agent"))
        for group in body.get("TaskGroups") or []:
            for task in group.get("Tasks") or []:
                image = (task.get("Config") or {}).get("image")
                if (key, image) not in seen:
                    seen.add((key, image))
                    out.append((key, path, image))
    return out


def check_images(images, store, keyring, timeout=10.0, deadline=120.0):
    """One result per ``bundle_images`` entry: {"agent", "path", "image", "ok", "signed_by",
    "signature", "problem", "kind", "msg"}. ``timeout`` (s) bounds each image, ``deadline``
    (s) all of them; images not reached in time fail with kind ``DEADLINE``. An image shared
    by several agents is checked once."""
    budget = sig.Deadline(deadline)
    done, results = {}, []
    for key, path, image in images:
        res = {"agent": key, "path": path, "image": image, "ok": False, "signed_by": None,
               "signature": None, "kind": None, "msg": None}
        if image not in done:
            left = budget.left(timeout)
            if left <= 0:
                done[image] = (DEADLINE, "not checked: the deadline of %.0f s for all images passed; raise "
                               "agent_fleet_image_verify_deadline" % deadline)
            else:
                try:
                    done[image] = sig.verify_image(image, store, keyring, timeout=left)
                except sig.SigningError as exc:
                    done[image] = (exc.kind, "%s: %s; %s" % (exc.kind, exc, FIX.get(exc.kind, "")))
        outcome = done[image]
        if outcome[0] in FIX or outcome[0] == DEADLINE:
            res.update(kind=outcome[0], msg="%s (%s): %s" % (path, image, outcome[1]))
        else:
            res.update(ok=True, signature=outcome[0], signed_by=outcome[1])
        results.append(res)
    return results


def failure_text(results):
    """The one message of a failed check: how many failed, then one line per bad image."""
    bad = [r for r in results if not r["ok"]]
    return ("%d of %d agent images failed the signature check (guardrails.require_signed_images); nothing "
            "was changed:\n%s" % (len(bad), len(results), "\n".join("- " + r["msg"] for r in bad)))
