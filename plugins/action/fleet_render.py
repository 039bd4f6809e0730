# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side fleet renderer: a thin shell around the plain-Python fleet core."""
from __future__ import annotations

import os

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api, spec_source
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError, SpecError
from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import SPEC_OPTIONS, SpecAction

ARGSPEC = dict(SPEC_OPTIONS, dest={"type": "path"}, return_content={"type": "bool", "default": False})


class ActionModule(SpecAction):
    ARGSPEC = ARGSPEC

    def execute(self, result, args, base):
        try:
            data, lines = spec_source.load_located(args["spec"], args["src"], args["key"], base)
            folders = spec_source.template_folders(args["template_dirs"], base)
            with lines.annotating():
                fleet = api.load_spec(data)
                rendered = api.render(fleet, templates_dir=args["templates_dir"], template_dirs=folders)
            outcome = {"changed": [], "removed": [], "unchanged": len(rendered.files)}
            diffs = None
            if args["dest"]:
                if self._task.diff:
                    planned = api.write(rendered, args["dest"], check=True)
                    diffs = self._diffs(args["dest"], rendered, planned)
                outcome = api.write(rendered, args["dest"], check=self._task.check_mode)
        except FleetSpecError as exc:
            result.update(failed=True, msg=str(exc), errors=[e.as_dict() for e in exc.errors],
                          changed_files=[], removed_files=[])
            return result
        except (OSError, ValueError) as exc:
            err = SpecError("", str(exc), args["src"])
            result.update(failed=True, msg=f"fleet render failed: {exc}", errors=[err.as_dict()],
                          changed_files=[], removed_files=[])
            return result
        result.update(changed=bool(outcome["changed"] or outcome["removed"]),
                      changed_files=outcome["changed"], removed_files=outcome["removed"],
                      summary=rendered.summary)
        if diffs is not None:
            result["diff"] = diffs
        if args["return_content"]:
            content = rendered.as_dict()
            content.pop("files")
            content.pop("summary")
            result["rendered"] = content
        return result

    @staticmethod
    def _diffs(dest, rendered, planned):
        diffs = []
        for rel in planned["changed"]:
            try:
                with open(os.path.join(dest, rel), encoding="utf-8") as handle:
                    before = handle.read()
            except OSError:
                before = ""
            diffs.append({"before_header": rel, "after_header": rel, "before": before,
                          "after": rendered.files[rel]})
        for rel in planned["removed"]:
            diffs.append({"before_header": rel, "after_header": f"{rel} (removed)", "before": "", "after": ""})
        return diffs
