# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nomad's own restart/reschedule policy rules (nomad/structs/structs.go RestartPolicy.Validate and
ReschedulePolicy.Validate), checked on the effective policies so a spec Nomad would
refuse fails here, offline, with a path."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import format_duration, parse as parse_duration

RESTART_MIN_INTERVAL = parse_duration("5s")
RESCHEDULE_MIN_DELAY = parse_duration("5s")
RESCHEDULE_MIN_INTERVAL = parse_duration("15s")


def restart_problems(policy):
    attempts, mode = policy["attempts"], policy["mode"]
    interval, delay = parse_duration(policy["interval"]), parse_duration(policy["delay"])
    out = []
    if attempts == 0 and mode != "fail":
        out.append(f"mode {mode!r} with 0 attempts is ambiguous")
    if interval < RESTART_MIN_INTERVAL:
        out.append(f"interval cannot be less than 5s (got {policy['interval']})")
    if attempts * delay > interval:
        out.append(f"Nomad cannot restart {attempts} times in an interval of {policy['interval']} "
                   f"with a delay of {policy['delay']}")
    return out


def _viable(attempts, delay, max_delay, interval, function):
    """How many reschedules fit in the interval (Nomad's viableAttempts)."""
    possible, total = 0, 0
    slots = [delay, delay]
    ceiling = False
    for i in range(attempts):
        if function == "constant":
            total += delay
        else:
            if function == "exponential":
                step = (2 ** i) * delay
            else:  # fibonacci
                step = slots[i] if i <= 1 else slots[i - 1] + slots[i - 2]
                if i > 1:
                    slots.append(step)
            if step > max_delay:
                step, ceiling = max_delay, True
            total = total + step if ceiling else step
        if function == "constant" or total < interval:
            possible += 1
    if function == "constant":
        return attempts * delay <= interval, interval // delay if delay else attempts
    return possible >= attempts, possible


def reschedule_problems(policy):
    attempts, unlimited = policy["attempts"], policy["unlimited"]
    if not (attempts > 0 or unlimited):
        return []  # rescheduling disabled: nothing else is checked
    interval = parse_duration(policy["interval"])
    delay, max_delay = parse_duration(policy["delay"]), parse_duration(policy["max_delay"])
    function = policy["delay_function"]
    out = []
    if attempts > 0 and interval <= 0:
        out.append("interval must be non-zero when attempts > 0")
    if attempts > 0 and unlimited:
        out.append("attempts > 0 and unlimited together are ambiguous")
    ok = True
    if delay < RESCHEDULE_MIN_DELAY:
        out.append(f"delay cannot be less than 5s (got {policy['delay']})")
        ok = False
    if function != "constant":
        if max_delay < RESCHEDULE_MIN_DELAY or max_delay < delay:
            out.append(f"max_delay cannot be less than 5s or than delay (got {policy['max_delay']})")
            ok = False
    if not unlimited:
        if interval < RESCHEDULE_MIN_INTERVAL:
            out.append(f"interval cannot be less than 15s (got {policy['interval']})")
        elif ok:
            viable, possible = _viable(attempts, delay, max_delay, interval, function)
            if not viable:
                out.append(f"Nomad can only make {possible} of {attempts} attempts in {policy['interval']} "
                           f"with delay {format_duration(delay)} and delay function {function!r}")
    return out
