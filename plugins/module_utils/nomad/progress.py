# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress and outcome lines of deployment waits (plain Python; output and clock injected).

A progress line tells, per task group of the deployment being waited for, the counts
of its DeploymentState (nomad/structs/deployment.go): allocations placed of the
desired total, healthy, unhealthy, and canaries placed of the desired ones and
whether they were promoted. ``ProgressLines`` decides when a line is printed; the
``*_line`` functions word them.
"""
from __future__ import annotations

import threading
import time

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.deploy import failure_line


def short_id(deployment_id):
    """The first 8 characters of a deployment or allocation ID, as the Nomad CLI shows them."""
    return (deployment_id or "")[:8]


def group_text(name, state):
    """One task group of a ``deployment_summary``: "agent 2/3 placed, 1 healthy, 0 unhealthy,
    canaries 1/1 placed, not promoted". ``state``: the group's DeploymentState fields."""
    text = "%s %d/%d placed, %d healthy, %d unhealthy" % (
        name, state.get("PlacedAllocs") or 0, state.get("DesiredTotal") or 0,
        state.get("HealthyAllocs") or 0, state.get("UnhealthyAllocs") or 0)
    wanted = state.get("DesiredCanaries") or 0
    if wanted:
        # PlacedCanaries is the list of the canary allocations' IDs.
        text += ", canaries %d/%d placed, %s" % (len(state.get("PlacedCanaries") or []), wanted,
                                                 "promoted" if state.get("Promoted") else "not promoted")
    return text


def healthy_of(deployment):
    """(healthy, desired) allocations summed over a ``deployment_summary``'s task groups."""
    groups = ((deployment or {}).get("task_groups") or {}).values()
    return sum(g.get("HealthyAllocs") or 0 for g in groups), sum(g.get("DesiredTotal") or 0 for g in groups)


def state_text(details):
    """What a wait sees now, from ``wait_for_job`` details: the deployment's status and
    task groups, or the allocations while Nomad has not created the deployment yet."""
    dep = details.get("deployment")
    if not dep:
        allocs = details.get("allocations") or {}
        seen = ", ".join("%d %s" % (n, status) for status, n in sorted(allocs.items(), key=str))
        return "waiting for Nomad to create the deployment" + (" (allocations: %s)" % seen if seen else "")
    groups = dep.get("task_groups") or {}
    text = "deployment %s %s" % (short_id(dep.get("id")), dep.get("status") or "?")
    if groups:
        text += ": " + "; ".join(group_text(name, groups[name]) for name in sorted(groups))
    return text


def progress_line(agent, text, seconds):
    """"research/retriever: deployment 3f2a1b9c running: agent 1/3 placed, ... [4.0 s]"."""
    return "%s: %s [%.1f s]" % (agent, text, seconds)


def outcome_lines(result):
    """The lines of one finished wait: ``result`` is a wait result of ``NomadSync.wait``
    (``agent``, ``outcome``, ``seconds``, ``deployment_id``, ``healthy``/``desired``,
    ``reason``, ``failure_groups``...). First the outcome with its duration, then one
    indented line per group of identical allocation failures."""
    agent, outcome = result.get("agent") or result.get("job_id"), result.get("outcome")
    dep = "deployment %s" % short_id(result.get("deployment_id")) if result.get("deployment_id") else "deployment"
    seconds = result.get("seconds") or 0.0
    health = "%d/%d healthy" % (result.get("healthy") or 0, result.get("desired") or 0) \
        if result.get("desired") is not None else ""
    if outcome == "successful":
        if not result.get("deployment_id"):
            head = "%s: %s" % (agent, result.get("msg") or "nothing to wait for")
        else:
            head = "%s: %s successful in %.1f s%s" % (agent, dep, seconds, " (%s)" % health if health else "")
    elif outcome == "awaiting_promotion":
        head = "%s: %s canaries healthy after %.1f s, awaiting promotion of %s" % (
            agent, dep, seconds, ", ".join(result.get("groups") or []))
    elif outcome == "timeout":
        head = "%s: %s not finished after %.1f s (timeout%s)" % (agent, dep, seconds, "; " + health if health else "")
    elif outcome == "reverted":
        head = "%s: %s failed after %.1f s and was rolled back: %s" % (
            agent, dep, seconds, result.get("status_description") or "")
    else:
        head = "%s: %s %s after %.1f s: %s" % (
            agent, dep, outcome or "failed", seconds,
            result.get("status_description") or result.get("msg") or "")
    return [head.rstrip(": ")] + ["%s:   %s" % (agent, failure_line(g)) for g in result.get("failure_groups") or []]


class ProgressLines:
    """Decides when a wait's progress is printed: per agent, the first state seen at
    once, then at most one line every ``interval`` seconds (by ``clock``), showing the
    counts of that moment, for as long as the wait goes on; lines are handed to
    ``emit(text)``. ``interval`` <= 0 prints no progress lines (outcome lines still go
    out through ``outcome``). Safe to call from the wait's threads."""

    def __init__(self, emit, interval=10.0, clock=time.monotonic):
        self.emit = emit
        self.interval = interval
        self.clock = clock
        self._last = {}  # agent -> (time of its last line, the state it showed)
        self._lock = threading.Lock()

    def update(self, agent, details, seconds):
        """Called after each poll of ``agent``'s wait (``wait_for_job``'s ``on_progress``)."""
        if self.emit is None or self.interval <= 0:
            return
        text = state_text(details)
        now = self.clock()
        with self._lock:
            last = self._last.get(agent)
            if last is not None and now - last[0] < self.interval:
                return
            self._last[agent] = (now, text)
        self.emit(progress_line(agent, text, seconds))

    def outcome(self, result):
        """Print the outcome lines of a finished wait (one emit, so they stay together)."""
        if self.emit is not None:
            self.emit("\n".join(outcome_lines(result)))
