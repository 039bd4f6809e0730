# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side: validate a fleet spec once and write the apply bundle."""
from __future__ import annotations

import os

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import spec_source
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import bundle as bundles
from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import SPEC_OPTIONS, SpecAction, build_records

ARGSPEC = dict(SPEC_OPTIONS, dest={"type": "path"}, cache={"type": "bool", "default": True},
               load_only={"type": "bool", "default": False},
               tenants={"type": "list", "elements": "str", "default": []},
               agents={"type": "list", "elements": "str", "default": []},
               prune={"type": "bool", "default": False})


class ActionModule(SpecAction):
    ARGSPEC = ARGSPEC

    def execute(self, result, args, base):
        if args["load_only"]:
            return self._load_only(result, args, base)
        if not args["dest"]:
            result.update(failed=True, msg="dest is required (the bundle file to write) unless load_only=true")
            return result
        try:
            folders = spec_source.template_folders(args["template_dirs"], base)
            records = build_records(args, base)
            spec, raw, path = args["spec"], None, None
            if args["src"]:
                path = spec_source.resolve_path(args["src"], base)
                raw = spec_source.read_bytes(path)
            else:
                spec = spec_source.unwrap(spec, "spec", args["key"])
            keyed = None if raw is None else raw + b"\0key=" + (args["key"] or "").encode("utf-8")
            key = bundles.input_key(spec, args["templates_dir"], folders, spec_bytes=keyed, records=records)
            data = bundles.cached(args["dest"], key) if args["cache"] else None
            if data is not None and records.expired((data.get("image_builds") or {}).values()):
                data = None  # a build record grew too old since: validate again (its error)
            reused = data is not None
            if data is None:
                lines = spec_source.SpecLines(None, None, {})
                if raw is not None:
                    spec, lines = spec_source.parse_located(raw, path, args["key"])
                with lines.annotating():
                    data = bundles.build(spec, templates_dir=args["templates_dir"], template_dirs=folders,
                                         records=records)
                data["input_key"] = key
        except FleetSpecError as exc:
            result.update(failed=True, msg=str(exc), errors=[e.as_dict() for e in exc.errors])
            return result
        except (OSError, ValueError) as exc:
            result.update(failed=True, msg="fleet spec could not be rendered: %s" % exc)
            return result
        try:
            # A work file of the controller, written in check mode too: every later
            # phase plans from it. Not managed state, so never reported as a change.
            if not reused:
                bundles.write(args["dest"], data)
        except OSError as exc:
            result.update(failed=True, msg="dest %s: cannot write the bundle: %s" % (args["dest"], exc))
            return result
        # A run limited to some tenants or agents: every name checked against the whole
        # (validated) spec before any phase writes; the report covers the selected agents.
        tenants, agents = bundles.selection_names(args["tenants"]), bundles.selection_names(args["agents"])
        errors = bundles.selection_errors(data, tenants, agents, allow_absent=args["prune"])
        if errors:
            result.update(failed=True, msg="; ".join(errors) + "; nothing was changed", errors=errors,
                          bundle=os.path.abspath(args["dest"]), fleet=data["fleet"])
            return result
        part = bundles.narrow(data, tenants, agents)
        result.update(changed=False, reused=reused, bundle=os.path.abspath(args["dest"]), fleet=data["fleet"],
                      revision=data["revision"], counts=data["counts"], agents=sorted(part["agents"]),
                      tenants=sorted(part["tenants"]), selection=part.get("selection"))
        return result

    @staticmethod
    def _load_only(result, args, base):
        """The spec read by the one strict loader, not validated (see the load_only option)."""
        try:
            spec, _lines = spec_source.load_located(args["spec"], args["src"], args["key"], base)
        except FleetSpecError as exc:
            result.update(failed=True, msg=str(exc), errors=[e.as_dict() for e in exc.errors])
            return result
        result.update(changed=False, spec=spec)
        return result
