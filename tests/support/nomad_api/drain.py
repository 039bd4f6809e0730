"""Node drain as the real cluster does it, on the simulation clock.

Follows nomad/node_endpoint.go ``Node.UpdateDrain`` (StartedAt kept across updates,
``ForceDeadline = now + Deadline`` when Deadline > 0) and
nomad/state/state_store.go ``updateNodeDrainImpl`` (a drain strategy makes the node
``ineligible``; removing it with ``MarkEligible`` makes it ``eligible``; ``LastDrain``
is created when a drain starts, its Status ``draining``, then ``complete`` when the
drainer finishes or ``canceled`` when the operator removes the strategy). The drainer
(nomad/drainer/drainer.go, watch_jobs.go, draining_node.go) is simplified:

- every ``settle_delay`` the live service allocations of the node are migrated: a
  replacement is placed on another feasible node of the job's pool (nodes.place; the
  draining node is ineligible) and the old one stops ("alloc is being migrated");
  with no feasible node the allocation stays, and the drain waits (as a blocked
  evaluation would). ``migrate.max_parallel`` is not modelled: all move at once;
- batch allocations are left to finish until the deadline;
- system allocations stop last, once nothing else is left, unless ``IgnoreSystemJobs``;
- when the force deadline passes (or at once for a negative Deadline,
  ``DrainSpec.Deadline < 0`` = force) what is left is stopped;
- then the drain completes: ``DrainStrategy`` null, ``LastDrain.Status`` ``complete``,
  and the node stays ``ineligible`` (drainer.go ``handleMigratedAllocs`` -> NodesDrainComplete
  keeps eligibility).
"""
import datetime
import re

from . import nodes as nodes_mod
from . import sim
from .state import now_ns

MIGRATING = "alloc is being migrated"
_INDEX = re.compile(r"\[(\d+)\]$")


def rfc3339(ns=None):
    ns = now_ns() if ns is None else ns
    dt = datetime.datetime.fromtimestamp(ns / 1e9, tz=datetime.timezone.utc)
    return dt.isoformat().replace("+00:00", "Z")


def _touch(st, node):
    node["ModifyIndex"] = st.bump("nodes")


def update_drain(st, node, spec, mark_eligible, meta, accessor):
    """Apply a NodeUpdateDrainRequest (``spec`` None cancels); start the drainer."""
    now = now_ns()
    old = node["DrainStrategy"]
    if spec is not None:
        deadline = int(spec.get("Deadline") or 0)
        node["DrainStrategy"] = {
            "Deadline": deadline, "IgnoreSystemJobs": bool(spec.get("IgnoreSystemJobs")),
            "ForceDeadline": rfc3339(now + deadline) if deadline > 0 else nodes_mod.ZERO_TIME,
            "StartedAt": old["StartedAt"] if old else rfc3339(now),
            "_force_ns": now + deadline if deadline > 0 else (now if deadline < 0 else None)}
        node["SchedulingEligibility"] = "ineligible"
    else:
        node["DrainStrategy"] = None
        if mark_eligible:
            node["SchedulingEligibility"] = "eligible"
    if old is not None or spec is not None:
        if old is None:
            node["LastDrain"] = {"StartedAt": rfc3339(now), "Meta": meta or None}
        last = node["LastDrain"]
        last["UpdatedAt"] = rfc3339(now)
        if meta:
            last["Meta"] = meta
        if accessor:
            last["AccessorID"] = accessor
        last.setdefault("AccessorID", "")
        last["Status"] = "draining" if spec is not None else "canceled"
    node["_drain_seq"] += 1
    _touch(st, node)
    if spec is not None:
        seq = node["_drain_seq"]
        st.after(st.settle_delay, lambda: _step(st, node["ID"], seq))


def _migrate(st, alloc):
    """Place a replacement of ``alloc`` elsewhere; False when no node is feasible."""
    job = alloc["Job"]
    if nodes_mod.place(st, job) is None:
        return False
    group = next(g for g in job["TaskGroups"] if g["Name"] == alloc["TaskGroup"])
    match = _INDEX.search(alloc["Name"])
    new = sim._new_alloc(st, job, group, int(match.group(1)) if match else 0, None, None)
    new["PreviousAllocation"] = alloc["ID"]
    alloc["NextAllocation"] = new["ID"]
    sim._stop_alloc(st, alloc, MIGRATING)
    key = (job["Namespace"], job["ID"])

    def run():
        if new["DesiredStatus"] == "run":
            sim._run(st, new)
        sim.refresh_status(st, key)
    st.after(st.settle_delay, run)
    return True


def _step(st, node_id, seq):
    node = st.nodes.get(node_id)
    if node is None or node["_drain_seq"] != seq or node["DrainStrategy"] is None:
        return  # cancelled, replaced by a newer drain, or restored away
    strategy = node["DrainStrategy"]
    forced = strategy["_force_ns"] is not None and now_ns() >= strategy["_force_ns"]
    live = nodes_mod.live_allocs(st, node_id)
    system = [a for a in live if a["JobType"] in ("system", "sysbatch")]
    others = [a for a in live if a not in system]
    for alloc in others:
        if alloc["JobType"] == "service" or forced:
            if not _migrate(st, alloc) and forced:
                sim._stop_alloc(st, alloc, MIGRATING)
            sim.refresh_status(st, (alloc["Namespace"], alloc["JobID"]))
    left = [a for a in others if a["DesiredStatus"] == "run"]
    if not left:
        if not strategy["IgnoreSystemJobs"]:
            for alloc in system:
                sim._stop_alloc(st, alloc, MIGRATING)
                sim.refresh_status(st, (alloc["Namespace"], alloc["JobID"]))
        node["DrainStrategy"] = None
        node["LastDrain"].update(Status="complete", UpdatedAt=rfc3339())
        _touch(st, node)
        return
    st.after(st.settle_delay, lambda: _step(st, node_id, seq))
