# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side guardrail require_signed_images: verify every agent image before any write."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import bundle as bundles
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import image_check
from ansible_collections.agentfleet.hashistack.plugins.module_utils.images import simple_signing
from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import (
    FleetAction, FleetActionFailed, select)

ARGSPEC = dict(
    bundle=dict(type="path", required=True),
    required=dict(type="bool", default=False),
    keys=dict(type="list", elements="path", default=[]),
    store=dict(type="str"),
    ca_cert=dict(type="path"),
    timeout=dict(type="float", default=10.0),
    deadline=dict(type="float", default=120.0),
    retries=dict(type="int", default=2),
    tenants=dict(type="list", elements="str", default=[]),
    agents=dict(type="list", elements="str", default=[]),
)


class ActionModule(FleetAction):
    ARGSPEC = ARGSPEC

    def execute(self, params):
        try:
            data = bundles.load(params["bundle"])
        except bundles.BundleError as exc:
            raise FleetActionFailed(str(exc)) from None
        part = select(data, params)
        images = image_check.bundle_images(part)
        required = bool(data.get("require_signed_images")) or params["required"]
        if not required:
            return {"changed": False, "required": False, "images": [],
                    "msg": "guardrails.require_signed_images is off: images not checked"}
        for name in ("timeout", "deadline"):
            if params[name] <= 0:
                raise FleetActionFailed("%s must be a positive number of seconds, got %s" % (name, params[name]))
        if params["retries"] < 0:
            raise FleetActionFailed("retries must be 0 or more, got %s" % params["retries"])
        if not params["keys"] or not params["store"]:
            raise FleetActionFailed(
                "guardrails.require_signed_images is on (in the spec, or agent_fleet_require_signed_images), but "
                "the operator gave no %s: set agent_fleet_image_signature_keys (ASCII-armoured public keys) and "
                "agent_fleet_image_signature_store (a directory or https URL); nothing was changed"
                % ("keys" if not params["keys"] else "signature store"))
        try:
            store = simple_signing.Store(params["store"], timeout=params["timeout"], retries=params["retries"],
                                         ca_cert=params["ca_cert"])
            keyring = simple_signing.Keyring.from_files(params["keys"], timeout=params["timeout"])
        except (ValueError, OSError) as exc:
            raise FleetActionFailed("%s; nothing was changed" % exc) from None
        try:
            results = image_check.check_images(images, store, keyring, timeout=params["timeout"],
                                               deadline=params["deadline"])
        finally:
            keyring.close()
        out = {"changed": False, "required": True, "images": results, "keys": keyring.fingerprints}
        if any(not r["ok"] for r in results):
            raise FleetActionFailed(image_check.failure_text(results), **out)
        return out
