"""Client nodes of the contract server: the fixture's node set, placement, API views.

Shapes follow api/nodes.go (``Node``, ``NodeListStub``, ``DrainStrategy``,
``DrainMetadata``). Placement is a stand-in for the scheduler's feasibility checks
(scheduler/feasible.go): a node takes new allocations only when its ``Status`` is
``ready``, its ``SchedulingEligibility`` is ``eligible`` and it is not draining, and
(nomad/structs/node_pool.go) its ``NodePool`` is the job's, or the job's pool is
``all``. Among those the node with the fewest live allocations wins (a spread; the
real scheduler bin-packs by score), ties by name. Datacenters, constraints and
resources are not checked.

``init(st, nodes, gossip_key)`` is called by ``State``: ``nodes=None`` keeps the one
client ``sim-client-1`` of earlier versions, which takes allocations of any pool (so
jobs with other pools keep running as before). Otherwise ``nodes`` is a list of names
or of dicts ``{"Name": str, "NodePool": str = "default", "Status": "ready" | "down"
| "initializing" | "disconnected", "SchedulingEligibility": "eligible" | "ineligible"}``.
"""
import base64
import os

from .state import new_id

NODE_STATUSES = ("initializing", "ready", "down", "disconnected")
ELIGIBILITIES = ("eligible", "ineligible")
ZERO_TIME = "0001-01-01T00:00:00Z"
_NODE_KEYS = {"Name", "NodePool", "Status", "SchedulingEligibility"}


def _node(st, spec, node_id=None, any_pool=False):
    if isinstance(spec, str):
        spec = {"Name": spec}
    if not isinstance(spec, dict) or set(spec) - _NODE_KEYS or not spec.get("Name"):
        raise ValueError(f"nodes: each node is a name or a dict with keys {sorted(_NODE_KEYS)} "
                         f"(Name required), got {spec!r}")
    status = spec.get("Status", "ready")
    eligibility = spec.get("SchedulingEligibility", "eligible")
    if status not in NODE_STATUSES or eligibility not in ELIGIBILITIES:
        raise ValueError(f"nodes: Status must be one of {NODE_STATUSES} and "
                         f"SchedulingEligibility one of {ELIGIBILITIES}, got {spec!r}")
    return {
        "ID": node_id or new_id(), "Name": spec["Name"], "Datacenter": "dc1",
        "NodePool": spec.get("NodePool") or "default", "NodeClass": "",
        "HTTPAddr": "127.0.0.1:4646", "Address": "127.0.0.1", "Version": "",
        "Status": status, "StatusDescription": "", "SchedulingEligibility": eligibility,
        "DrainStrategy": None, "LastDrain": None, "Attributes": {}, "Meta": {},
        "Events": [], "CreateIndex": 1, "ModifyIndex": 1, "_any_pool": any_pool,
        "_drain_seq": 0,
    }


def init(st, nodes, gossip_key):
    """Fill ``st.nodes``, ``st.leader`` and ``st.keyring`` (see the module docstring)."""
    st.nodes = {}
    if nodes is None:
        node = _node(st, {"Name": "sim-client-1"}, st.node_id, any_pool=True)
        st.nodes[node["ID"]] = node
    else:
        for spec in nodes:
            node = _node(st, spec)
            if any(n["Name"] == node["Name"] for n in st.nodes.values()):
                raise ValueError(f"nodes: duplicate node name {node['Name']!r}")
            st.nodes[node["ID"]] = node
    st.leader = "127.0.0.1:4647"
    key = gossip_key or base64.b64encode(os.urandom(32)).decode()
    # serf keyring of the server members: every key installed and the primary one
    st.keyring = {"keys": [key], "primary": key, "members": 1}


def draining(node):
    return node["DrainStrategy"] is not None


def feasible(node, pool):
    return (node["Status"] == "ready" and node["SchedulingEligibility"] == "eligible"
            and not draining(node)
            and (node["_any_pool"] or pool == "all" or node["NodePool"] == pool))


def live_allocs(st, node_id):
    """Allocations on the node that still run or are about to (not terminal)."""
    return [a for a in st.allocs.values() if a["NodeID"] == node_id
            and a["DesiredStatus"] == "run"
            and a["ClientStatus"] not in ("complete", "failed", "lost")]


def place(st, job, exclude=()):
    """The node a new allocation of ``job`` goes to, or None when no node is feasible."""
    pool = job.get("NodePool") or "default"
    nodes = [n for n in st.nodes.values() if feasible(n, pool) and n["ID"] not in exclude]
    if not nodes:
        return None
    return min(nodes, key=lambda n: (len(live_allocs(st, n["ID"])), n["Name"]))


def public(node):
    """api.Node as GET /v1/node/:id answers it (private ``_`` keys left out)."""
    out = {k: v for k, v in node.items() if not k.startswith("_")}
    if node["DrainStrategy"] is not None:
        out["DrainStrategy"] = {k: v for k, v in node["DrainStrategy"].items()
                                if not k.startswith("_")}
    out["Drain"] = draining(node)  # api.Node.Drain (deprecated, still sent)
    return out


def stub(node):
    """api.NodeListStub (GET /v1/nodes)."""
    keys = ("Address", "ID", "Datacenter", "Name", "NodeClass", "NodePool", "Version",
            "SchedulingEligibility", "Status", "StatusDescription", "LastDrain",
            "CreateIndex", "ModifyIndex")
    out = {k: node[k] for k in keys}
    out.update(Drain=draining(node), Drivers={})
    return out
