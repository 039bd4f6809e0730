# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Named restart/reschedule presets and the layering of fleet defaults onto agents."""
from __future__ import annotations

RESTART = {
    "standard": {"attempts": 2, "interval": "30m", "delay": "15s", "mode": "fail"},
    "resilient": {"attempts": 10, "interval": "30m", "delay": "15s", "mode": "delay"},
    "fail-fast": {"attempts": 0, "interval": "30m", "delay": "15s", "mode": "fail"},
}
RESCHEDULE = {
    "standard": {"attempts": 0, "interval": "0s", "delay": "30s", "delay_function": "exponential",
                 "max_delay": "1h", "unlimited": True},
    "limited": {"attempts": 3, "interval": "1h", "delay": "30s", "delay_function": "exponential",
                "max_delay": "10m", "unlimited": False},
    "none": {"attempts": 0, "interval": "24h", "delay": "5s", "delay_function": "constant",
             "max_delay": "5s", "unlimited": False},
}

# Run-to-completion kinds get Nomad's batch defaults as their "standard".
BATCH_STANDARD = {
    "restart": {"attempts": 3, "interval": "24h", "delay": "15s", "mode": "fail"},
    "reschedule": {"attempts": 1, "interval": "24h", "delay": "5s", "delay_function": "constant",
                   "max_delay": "5s", "unlimited": False},
}


def layered(presets, fleet_block, agent_block, batch=False):
    """Preset (agent's, else fleet's, else 'standard'), then fleet keys, then agent keys."""
    fleet_block = fleet_block or {}
    agent_block = agent_block or {}
    name = agent_block.get("preset") or fleet_block.get("preset") or "standard"
    out = dict(presets[name])
    if batch and name == "standard":
        out = dict(BATCH_STANDARD["restart" if presets is RESTART else "reschedule"])
    for block in (fleet_block, agent_block):
        out.update({k: v for k, v in block.items() if k != "preset" and v is not None})
    out["preset"] = name
    return out


def retry_policies(retry):
    """Batch ``retry`` sugar: in-place restarts plus a bounded number of reschedules."""
    restart = {"attempts": retry["attempts"], "interval": retry["interval"],
               "delay": retry["delay"], "mode": "fail", "preset": "retry"}
    reschedule = {"attempts": retry["reschedule_attempts"], "interval": retry["interval"],
                  "delay": retry["delay"], "delay_function": retry["backoff"],
                  "max_delay": "1h" if retry["backoff"] == "exponential" else retry["delay"],
                  "unlimited": False, "preset": "retry"}
    return restart, reschedule
