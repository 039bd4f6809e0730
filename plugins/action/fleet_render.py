# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side fleet renderer: a thin shell around the plain-Python fleet core."""
from __future__ import annotations

import os

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api, offline_summary, picture, spec_source
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError, SpecError
from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import SPEC_OPTIONS, SpecAction, build_records

ARGSPEC = dict(SPEC_OPTIONS, dest={"type": "path"}, return_content={"type": "bool", "default": False},
               picture={"type": "bool", "default": True},
               dot_timeout={"type": "int", "default": picture.DOT_TIMEOUT})


class ActionModule(SpecAction):
    ARGSPEC = ARGSPEC

    def execute(self, result, args, base):
        try:
            if args["dot_timeout"] < 1:
                raise ValueError(f"dot_timeout must be at least 1 (seconds), got {args['dot_timeout']}: "
                                 "write a number of seconds such as 30")
            data, lines = spec_source.load_located(args["spec"], args["src"], args["key"], base)
            folders = spec_source.template_folders(args["template_dirs"], base)
            records = build_records(args, base)
            with lines.annotating():
                fleet = api.load_spec(data, records=records)
                rendered = api.render(fleet, templates_dir=args["templates_dir"], template_dirs=folders,
                                      picture=args["picture"])
            outcome = {"changed": [], "removed": [], "unchanged": len(rendered.files)}
            diffs = None
            drawn = self._picture(result, rendered, args)
            if args["dest"]:
                if self._task.diff:
                    planned = api.write(rendered, args["dest"], check=True, derived=drawn)
                    diffs = self._diffs(args["dest"], {**rendered.files, **drawn}, planned)
                outcome = api.write(rendered, args["dest"], check=self._task.check_mode, derived=drawn)
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
                      summary=rendered.summary, plan_summary=offline_summary.lines(rendered))
        if diffs is not None:
            result["diff"] = diffs
        if args["return_content"]:
            content = rendered.as_dict()
            content.pop("files")
            content.pop("summary")
            result["rendered"] = content
        return result

    @staticmethod
    def _picture(result, rendered, args):
        """Run Graphviz on fleet.dot when asked to draw and there is somewhere to write; set
        RV(picture); return the derived files for the writer ({} or {"fleet.svg": text/None})."""
        if not args["picture"]:
            return {}
        info = {"mermaid": picture.MERMAID_FILE, "dot": picture.DOT_FILE, "svg": None, "svg_note": None}
        drawn = {}
        if args["dest"]:
            text, note = picture.svg(rendered.files[picture.DOT_FILE], timeout=args["dot_timeout"])
            drawn[picture.SVG_FILE] = text
            info.update(svg=picture.SVG_FILE if text is not None else None, svg_note=note)
        else:
            info["svg_note"] = f"{picture.SVG_FILE} not written: no dest"
        result["picture"] = info
        return drawn

    @staticmethod
    def _diffs(dest, files, planned):
        diffs = []
        for rel in planned["changed"]:
            try:
                with open(os.path.join(dest, rel), encoding="utf-8") as handle:
                    before = handle.read()
            except OSError:
                before = ""
            diffs.append({"before_header": rel, "after_header": rel, "before": before,
                          "after": files[rel]})
        for rel in planned["removed"]:
            diffs.append({"before_header": rel, "after_header": f"{rel} (removed)", "before": "", "after": ""})
        return diffs
