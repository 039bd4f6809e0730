# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jinja2 filters for the agent_fleet role: the per-agent apply report."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.report import (
    build_report, summary_lines)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.api import to_plain


def fleet_apply_report(agents, applied=None, waits=None, pruned=None, phases=None):
    """Per-agent report (unchanged / updated / failed / not_applied / reverted / pruned) with ``lines``."""
    report = build_report(to_plain(agents or []), to_plain(applied or []), to_plain(waits or []),
                          to_plain(pruned or []), to_plain(phases) if phases is not None else None)
    report["lines"] = summary_lines(report)
    return report


class FilterModule:
    def filters(self):
        return {"fleet_apply_report": fleet_apply_report}
