# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side: the human plan of a fleet apply, and its JSON file."""
from __future__ import annotations

import json
import os

from ansible.plugins.action import ActionBase

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.api import to_plain
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.plan import (
    BACKENDS, DETAIL_LIMIT, build_plan, plan_lines)

ARGSPEC = {
    "report": {"type": "dict", "required": True},
    "phases": {"type": "dict", "default": {}},
    "fleet": {"type": "str", "default": ""},
    "dest": {"type": "path"},
}
# Apply and prune phase names (roles/agent_fleet/tasks/report.yml) by backend.
APPLY_PHASES = {"vault": "vault", "consul": "consul", "nomad": "nomad"}
PRUNE_PHASES = ("prune_vault", "prune_consul", "prune_nomad")


def _results(phase):
    return list((phase or {}).get("results") or []) if isinstance(phase, dict) else []


def _ran(phase):
    """Whether a phase task ran and returned its results (not skipped, not failed before any)."""
    return isinstance(phase, dict) and not phase.get("skipped") and isinstance(phase.get("results"), list)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGSPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=ARGSPEC)
        phases = to_plain(args["phases"] or {})
        applied = [r for b in BACKENDS for r in _results(phases.get(APPLY_PHASES[b]))]
        pruned = [r for name in PRUNE_PHASES for r in _results(phases.get(name))]
        ran = {b: _ran(phases.get(APPLY_PHASES[b])) for b in BACKENDS}
        plan = build_plan(to_plain(args["report"]), applied, pruned, check=bool(self._task.check_mode), ran=ran)
        limit = None if self._display.verbosity >= 1 else DETAIL_LIMIT
        lines = plan_lines(plan, limit)
        result.update(changed=False, lines=lines, changes=plan["changes"], totals=plan["totals"])
        if args["dest"]:
            document = dict(plan, fleet=args["fleet"], lines=plan_lines(plan, None))
            try:
                # A report of the controller (no secret values; 0600 all the same), written
                # in check mode too: that is when CI reads it.
                write_atomic(args["dest"], json.dumps(document, indent=2, sort_keys=True) + "\n", mode=0o600,
                             make_parents=True)
            except OSError as exc:
                # Not a failure of this task: the plan is still shown; the role fails after it.
                result["dest_error"] = "dest %s: cannot write the plan file: %s" % (args["dest"], exc)
                self._display.warning(result["dest_error"])
                return result
            result["dest"] = os.path.abspath(args["dest"])
        return result
