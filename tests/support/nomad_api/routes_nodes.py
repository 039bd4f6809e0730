"""Nodes HTTP API: list, read, allocations, drain, eligibility.

command/agent/node_endpoint.go (``NodesRequest``, ``nodeQuery``, ``nodeAllocations``,
``nodeToggleDrain``, ``nodeToggleEligibility``: PUT or POST for the writes, 405
otherwise, body decode errors 400) and nomad/node_endpoint.go (``Node.List`` and
``Node.GetNode`` need ``node:read``; ``Node.GetAllocs`` needs ``node:read`` and then
keeps only allocations whose namespace allows ``read-job``; ``Node.UpdateDrain`` and
``Node.UpdateEligibility`` need ``node:write``, then answer 500 "node not found" for
an unknown node). Drain behaviour: drain.py.
"""
import re

from . import drain
from . import nodes as nodes_mod
from . import sim
from .errors import ApiError, denied

# api/nodes.go NodeUpdateDrainRequest (+ DrainSpec) and structs.NodeUpdateEligibilityRequest
# (the fields a client sends): name -> type; Go's decoder matches names case-insensitively.
_DRAIN_BODY = {"NodeID": str, "DrainSpec": {"Deadline": int, "IgnoreSystemJobs": bool},
               "MarkEligible": bool, "Meta": "map"}
_ELIG_BODY = {"NodeID": str, "Eligibility": str}


def _decode(value, spec, where):
    """The body with Go's field names, or ApiError 400 naming the field (stricter than Go,
    which ignores unknown fields: see README)."""
    if value is None and where != "body":
        return None
    if not isinstance(value, dict):
        raise ApiError(400, f"Failed to decode request body: {where}: expected an object")
    names = {k.lower(): k for k in spec}
    out = {}
    for key, item in value.items():
        name = names.get(key.lower())
        if name is None:
            raise ApiError(400, f"Failed to decode request body: {where}.{key}: unknown field")
        kind = spec[name]
        ok = (isinstance(kind, dict) or item is None
              or (kind is int and isinstance(item, int) and not isinstance(item, bool))
              or (kind is bool and isinstance(item, bool)) or (kind is str and isinstance(item, str))
              or (kind == "map" and isinstance(item, dict)
                  and all(isinstance(v, str) for v in item.values())))
        if not ok:
            raise ApiError(400, f"Failed to decode request body: {where}.{name}: wrong type "
                                f"{type(item).__name__}")
        out[name] = _decode(item, kind, f"{where}.{name}") if isinstance(kind, dict) else item
    return out


def _node_read(req):
    if not req.acl.allow("node", "read"):
        raise denied()


def list_nodes(req):
    """GET /v1/nodes[?prefix=] (NodeListStub list; node:read)."""
    with req.st.lock:
        _node_read(req)
    req.block("nodes")
    prefix = req.query.get("prefix", "")
    with req.st.lock:
        out = [nodes_mod.stub(n) for _id, n in sorted(req.st.nodes.items())
               if n["ID"].startswith(prefix)]
        req.set_index(req.st.table_index("nodes"))
        return out


def read_node(req):
    """GET /v1/node/:id (api.Node; 404 "node not found")."""
    with req.st.lock:
        _node_read(req)
    req.block("nodes")
    with req.st.lock:
        node = req.st.nodes.get(req.params["id"])
        if node is None:
            raise ApiError(404, "node not found")
        req.set_index(node["ModifyIndex"])
        return nodes_mod.public(node)


def node_allocs(req):
    """GET /v1/node/:id/allocations (Allocation list incl. Job; [] for an unknown node)."""
    with req.st.lock:
        _node_read(req)
    req.block("allocs")
    with req.st.lock:
        out = [a for a in req.st.allocs.values() if a["NodeID"] == req.params["id"]
               and req.acl.allow_ns(a["Namespace"], "read-job")]
        req.set_index(req.st.table_index("allocs"))
        return sorted(out, key=lambda a: a["CreateIndex"])


def _writable_node(req):
    if not req.acl.allow("node", "write"):
        raise denied()
    node = req.st.nodes.get(req.params["id"])
    if node is None:
        raise ApiError(500, "node not found")
    return node


def _reply(node):
    return {"NodeModifyIndex": node["ModifyIndex"], "EvalIDs": None, "EvalCreateIndex": 0,
            "Index": node["ModifyIndex"], "LastContact": 0, "KnownLeader": False}


def update_drain(req):
    """PUT/POST /v1/node/:id/drain (NodeUpdateDrainRequest; DrainSpec null cancels)."""
    body = _decode(req.json(), _DRAIN_BODY, "body")
    with req.st.lock:
        node = _writable_node(req)
        accessor = (req.token or {}).get("AccessorID", "")
        drain.update_drain(req.st, node, body.get("DrainSpec"), bool(body.get("MarkEligible")),
                           body.get("Meta"), accessor)
        req.set_index(node["ModifyIndex"])
        return _reply(node)


def update_eligibility(req):
    """PUT/POST /v1/node/:id/eligibility ({"Eligibility": "eligible" | "ineligible"})."""
    body = _decode(req.json(), _ELIG_BODY, "body")
    with req.st.lock:
        if not req.acl.allow("node", "write"):
            raise denied()
        wanted = body.get("Eligibility") or ""
        if wanted not in nodes_mod.ELIGIBILITIES:
            raise ApiError(500, f'invalid scheduling eligibility "{wanted}"')
        node = _writable_node(req)
        if nodes_mod.draining(node) and wanted == "eligible":
            raise ApiError(500, "can not set node's scheduling eligibility to eligible "
                                "while it is draining")
        if node["SchedulingEligibility"] != wanted:  # same value: nothing to do, index 0
            node["SchedulingEligibility"] = wanted
            node["ModifyIndex"] = req.st.bump("nodes")
            if wanted == "eligible":
                _place_blocked(req.st)
            req.set_index(node["ModifyIndex"])
            return _reply(node)
        return {"NodeModifyIndex": 0, "EvalIDs": None, "EvalCreateIndex": 0, "Index": 0,
                "LastContact": 0, "KnownLeader": False}


def _place_blocked(st):
    """A node turning eligible unblocks evaluations: allocations waiting for a node
    (placed nowhere) go to it (the blocked-evals tracker re-runs them)."""
    for alloc in list(st.allocs.values()):
        if alloc["NodeID"] or alloc["DesiredStatus"] != "run":
            continue
        node = nodes_mod.place(st, alloc["Job"])
        if node is not None:
            alloc.update(NodeID=node["ID"], NodeName=node["Name"])
            sim._run(st, alloc)
            sim.refresh_status(st, (alloc["Namespace"], alloc["JobID"]))


ROUTES = [
    (("GET",), r"/v1/nodes", list_nodes),
    (("GET",), r"/v1/node/(?P<id>[^/]+)/allocations", node_allocs),
    (("PUT", "POST"), r"/v1/node/(?P<id>[^/]+)/drain", update_drain),
    (("PUT", "POST"), r"/v1/node/(?P<id>[^/]+)/eligibility", update_eligibility),
    (("GET",), r"/v1/node/(?P<id>[^/]+)", read_node),
]
ROUTES = [(m, re.compile(p), f) for m, p, f in ROUTES]
