# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converge a fleet's Consul config entries in bulk (plain Python over ConsulClient).

Comparison reuses ``consul.entries.normalise`` so server-added fields never read as a
change. Ownership (exact, ``fleet.ownership``): ``Meta.agentfleet_fleet`` equal to the
fleet name. The default deny (``service-intentions`` ``*``) is one object per Consul
cluster: when another fleet already holds an identical one, it is left as it is and
reported unchanged. Writes are check-and-set on the ModifyIndex read, so a concurrent
edit fails instead of being lost. With ``adopt``, an entry carrying no agentfleet marker
is taken over (outcome ``adopted``); with a narrowed bundle (``bundle.narrow``) prune
touches only entries named for a selected agent, and never the default deny.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import differences, normalise, redact
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import ownership
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.sync_base import FleetSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.executor import run_many
from ansible_collections.agentfleet.hashistack.plugins.module_utils.object_result import object_result, restate

OWNER_META = ownership.OWNER_META
# Apply order: callers' limits and timeouts before the allows; the default deny last,
# so traffic the spec allows is never cut on a first apply. Prune goes in reverse.
STAGES = ("service-defaults", "service-resolver", "service-intentions", "*")


def stage_of(entry):
    if entry["Kind"] == "service-intentions" and entry["Name"] == "*":
        return "*"
    return entry["Kind"]


def owned_by(entry, fleet):
    return ownership.meta_owned(entry, fleet)


def _without_meta(entry):
    return {k: v for k, v in (normalise(entry) or {}).items() if k != "Meta"}


class ConsulSync(FleetSync):
    def __init__(self, client, bundle, check=False, diff=False, concurrency=8, adopt=False):
        super().__init__(client, bundle, check, diff, concurrency, adopt)
        self._agent = {a["service"]: key for key, a in bundle["agents"].items() if a.get("service")}
        self._listed = None

    def _result(self, entry, outcome, **extra):
        return object_result("consul_" + entry["Kind"].replace("-", "_"), entry["Name"], self._agent.get(entry["Name"]),
                             outcome, kind=entry["Kind"], **extra)

    def apply_entry(self, desired):
        kind, name = desired["Kind"], desired["Name"]
        if self._listed is not None and kind in self._listed:
            current = self._listed[kind].get(name)
        else:
            current = self.client.get_config_entry(kind, name)
        what, label = "consul config entry", "%s/%s" % (kind, name)
        adopted = current is not None and not owned_by(current, self.fleet)
        if adopted:
            holder = ownership.meta_owner(current)
            if stage_of(desired) == "*" and holder and _without_meta(current) == _without_meta(desired):
                return self._result(desired, "unchanged", msg="the default deny is held by fleet %r; "
                                    "left as it is" % holder)
            if not ownership.adoptable(holder, self.adopt, current):
                return self._result(desired, "failed", msg=ownership.refusal(what, label, holder, self.fleet))
        before, after = normalise(current), normalise(desired)
        if before == after:
            return self._result(desired, "unchanged")
        extra = ownership.adoption(what, label, self.fleet, self.check) if adopted else {}
        out = self._result(desired, "adopted" if adopted else "created" if current is None else "updated",
                           differences=differences(before or {}, after), **extra)
        if self.diff:
            out["diff"] = {"before": redact(before) or {}, "after": redact(after),
                           "before_header": "consul %s/%s" % (kind, name), "after_header": "consul %s/%s" % (kind, name)}
        if not self.check:
            if not self.client.put_config_entry(desired, cas=(current or {}).get("ModifyIndex", 0)):
                return restate(out, "failed",
                               msg="config entry %s/%s changed while being applied (check-and-set failed); "
                               "re-run" % (kind, name))
        return out

    def _on_error(self, entry, exc):
        return self._result(entry, "failed", msg=str(exc))

    def prefetch(self):
        """Read every entry of the kinds the bundle uses with one list call per kind
        (``GET /v1/config/:kind`` returns whole entries) instead of one read per entry."""
        kinds = sorted({e["Kind"] for e in self.bundle["consul_entries"]})
        listed = run_many(kinds, self.client.list_config_entries, self.concurrency)
        self._listed = {kind: {e["Name"]: e for e in entries or []} for kind, entries in zip(kinds, listed)}

    def converge(self):
        """Apply every entry; reads come from one list call per kind, writes are
        check-and-set on the ModifyIndex listed, so an entry changed meanwhile fails."""
        self.prefetch()
        results = []
        for stage in STAGES:
            batch = [e for e in self.bundle["consul_entries"] if stage_of(e) == stage]
            results += run_many(batch, self.apply_entry, self.concurrency, self._on_error)
        return results

    def owned_entries(self):
        kinds = [k for k in STAGES if k != "*"]
        listed = run_many(kinds, self.client.list_config_entries, self.concurrency)
        return [e for entries in listed for e in entries or [] if owned_by(e, self.fleet)]

    def _delete(self, entry):
        if not self.check:
            self.client.delete_config_entry(entry["Kind"], entry["Name"])
        return self._result(entry, "deleted")

    def prune(self):
        """Delete owned entries the bundle no longer has (intentions first)."""
        want = {(e["Kind"], e["Name"]) for e in self.bundle["consul_entries"]}
        stale = [e for e in self.owned_entries() if (e["Kind"], e["Name"]) not in want and self.name_selected(e["Name"])]
        results = []
        for stage in reversed(STAGES):
            batch = sorted((e for e in stale if stage_of(e) == stage), key=lambda e: e["Name"])
            results += run_many(batch, self._delete, self.concurrency, self._on_error)
        return results
