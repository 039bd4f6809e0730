"""Variables, deployments, allocations, evaluations, operator, status, agent.

Docs pages: "Variables HTTP API" (/v1/vars, /v1/var/:path with ``cas``; a
check-and-set conflict answers 409 with the current variable as JSON; delete
answers 204), "Deployments HTTP API", "Allocations HTTP API", "Evaluations HTTP
API", "Operator HTTP API: Scheduler" (api/operator.go SchedulerConfiguration,
SchedulerSetConfigurationResponse), "Status HTTP API", "Agent HTTP API: Query Self".
"""
import re

from . import sim
from .errors import ApiError, denied
from .server import NO_BODY, strict
from .state import now_ns

_VAR_PATH = re.compile(r"^[a-zA-Z0-9\-_~/]{1,128}$")
VAR_ITEMS_LIMIT = 64 * 1024


# -- variables ----------------------------------------------------------------
def _var_meta(var):
    return {k: var[k] for k in ("Namespace", "Path", "CreateIndex", "ModifyIndex",
                                "CreateTime", "ModifyTime")}


def list_vars(req):
    """GET /v1/vars?prefix=&namespace= (metadata only; needs ``list``)."""
    req.block("variables")
    prefix = req.query.get("prefix", "")
    ns = req.namespace
    with req.st.lock:
        out = [_var_meta(v) for (vns, path), v in sorted(req.st.variables.items())
               if (ns == "*" or vns == ns) and path.startswith(prefix)
               and req.acl.allow_var(vns, path, "list")]
        req.set_index(req.st.table_index("variables"))
        return out


def read_var(req):
    """GET /v1/var/:path (needs ``read``; 404 "variable not found")."""
    path = req.params["path"]
    with req.st.lock:
        if not req.acl.allow_var(req.namespace, path, "read"):
            raise denied()
        req.block("variables")
        var = req.st.variables.get((req.namespace, path))
        if var is None:
            raise ApiError(404, "variable not found")
        req.set_index(var["ModifyIndex"])
        return var


def _conflict(req, current, path):
    req.status = 409
    if current is None:
        return {"Namespace": req.namespace, "Path": path, "CreateIndex": 0,
                "ModifyIndex": 0, "CreateTime": 0, "ModifyTime": 0, "Items": None}
    return current


def put_var(req):
    """PUT /v1/var/:path?cas=N (Create/Update Variable; 409 on CAS conflict)."""
    path = req.params["path"]
    body = strict(req.json(), "Variable")
    if body.get("Path") not in (None, "", path):
        raise ApiError(400, "variable path does not match request path")
    if not _VAR_PATH.match(path) or path.startswith("/") or "//" in path:
        raise ApiError(400, f"invalid path {path!r}")
    if path.startswith("nomad/") and not path.startswith("nomad/jobs"):
        raise ApiError(400, "\"nomad\" is a reserved top-level directory path, but you may "
                            "write variables to \"nomad/jobs\" or below")
    items = body.get("Items")
    if not items:
        raise ApiError(400, "variable missing required Items object")
    if sum(len(k) + len(v) for k, v in items.items()) > VAR_ITEMS_LIMIT:
        raise ApiError(400, "variables are limited to 64KiB in total size")
    with req.st.lock:
        if not req.acl.allow_var(req.namespace, path, "write"):
            raise denied()
        if req.namespace not in req.st.namespaces:
            raise ApiError(500, f"requested namespace {req.namespace!r} does not exist")
        key = (req.namespace, path)
        current = req.st.variables.get(key)
        if "cas" in req.query:
            cas = req.int_param("cas")
            if (current is None and cas != 0) or (current and current["ModifyIndex"] != cas):
                return _conflict(req, current, path)
        index = req.st.bump("variables")
        now = now_ns()
        var = {"Namespace": req.namespace, "Path": path, "Items": dict(items),
               "CreateIndex": current["CreateIndex"] if current else index,
               "ModifyIndex": index, "CreateTime": current["CreateTime"] if current else now,
               "ModifyTime": now}
        req.st.variables[key] = var
        req.set_index(index)
        return var


def delete_var(req):
    """DELETE /v1/var/:path?cas=N (needs ``destroy``; 204, or 409 on conflict)."""
    path = req.params["path"]
    with req.st.lock:
        if not req.acl.allow_var(req.namespace, path, "destroy"):
            raise denied()
        key = (req.namespace, path)
        current = req.st.variables.get(key)
        if "cas" in req.query:
            cas = req.int_param("cas")
            if (current is None and cas != 0) or (current and current["ModifyIndex"] != cas):
                return _conflict(req, current, path)
        req.st.variables.pop(key, None)
        req.set_index(req.st.bump("variables"))
        req.status = 204
    return NO_BODY


# -- deployments, allocations, evaluations --------------------------------------
def _find(req, table, item_id, what, namespaced=False):
    item = table.get(item_id)
    if item is None:
        # Nomad also accepts a unique prefix of at least one character
        hits = [v for k, v in table.items() if k.startswith(item_id)] if item_id else []
        item = hits[0] if len(hits) == 1 else None
    if item is None or (namespaced and item["Namespace"] != req.namespace
                        and req.namespace != "*"):
        raise ApiError(404, f"{what} not found")
    if not req.acl.allow_ns(item["Namespace"], "read-job"):
        raise denied()
    return item


def list_deployments(req):
    """GET /v1/deployments."""
    req.block("deployment")
    with req.st.lock:
        out = [d for d in req.st.deployments.values()
               if (req.namespace == "*" or d["Namespace"] == req.namespace)
               and req.acl.allow_ns(d["Namespace"], "read-job")]
        req.set_index(req.st.table_index("deployment"))
        return sorted(out, key=lambda d: d["CreateIndex"], reverse=True)


def read_deployment(req):
    """GET /v1/deployment/:id (api.Deployment; 404 "deployment not found")."""
    req.block("deployment")
    with req.st.lock:
        dep = _find(req, req.st.deployments, req.params["id"], "deployment", True)
        req.set_index(dep["ModifyIndex"])
        return dep


def _dep_update_resp(st, dep, reverted=None):
    return {"EvalID": "", "EvalCreateIndex": 0, "DeploymentModifyIndex": dep["ModifyIndex"],
            "RevertedJobVersion": reverted, "Index": dep["ModifyIndex"],
            "LastContact": 0, "KnownLeader": True}


def promote_deployment(req):
    """POST/PUT /v1/deployment/promote/:id (All or Groups; needs submit-job)."""
    body = strict(req.json(), "DeploymentPromoteRequest")
    with req.st.lock:
        dep = _find(req, req.st.deployments, req.params["id"], "deployment", True)
        if not req.acl.allow_ns(dep["Namespace"], "submit-job"):
            raise denied()
        if body.get("DeploymentID") not in (None, "", dep["ID"]):
            raise ApiError(400, "Deployment ID does not match")
        if dep["Status"] != "running":
            raise ApiError(500, f"can't promote terminal deployment: {dep['Status']!r}")
        if not body.get("All") and not body.get("Groups"):
            raise ApiError(500, "must promote all or at least one group")
        groups = None if body.get("All") else set(body["Groups"])
        wanted = [n for n, tg in dep["TaskGroups"].items()
                  if tg["DesiredCanaries"] and (groups is None or n in groups)]
        if not wanted:
            raise ApiError(500, "no canaries to promote")
        sim.promote(req.st, dep, groups)
        req.set_index(dep["ModifyIndex"])
        return _dep_update_resp(req.st, dep)


def fail_deployment(req):
    """POST/PUT /v1/deployment/fail/:id (auto_revert rolls back)."""
    with req.st.lock:
        dep = _find(req, req.st.deployments, req.params["id"], "deployment", True)
        if not req.acl.allow_ns(dep["Namespace"], "submit-job"):
            raise denied()
        if dep["Status"] != "running":
            raise ApiError(500, f"can't fail terminal deployment: {dep['Status']!r}")
        sim.fail_deployment(req.st, dep, sim.DESC_FAILED_MANUAL)
        reverted = None
        if "rolling back to job version" in dep["StatusDescription"]:
            reverted = int(dep["StatusDescription"].rsplit(" ", 1)[1])
        req.set_index(dep["ModifyIndex"])
        return _dep_update_resp(req.st, dep, reverted)


def read_alloc(req):
    """GET /v1/allocation/:id (api.Allocation incl. Job; 404 "alloc not found")."""
    req.block("allocs")
    with req.st.lock:
        alloc = _find(req, req.st.allocs, req.params["id"], "alloc")
        req.set_index(alloc["ModifyIndex"])
        return alloc


def list_allocs(req):
    """GET /v1/allocations (AllocationListStub list)."""
    req.block("allocs")
    with req.st.lock:
        out = [sim.alloc_stub(a) for a in req.st.allocs.values()
               if (req.namespace == "*" or a["Namespace"] == req.namespace)
               and req.acl.allow_ns(a["Namespace"], "read-job")]
        req.set_index(req.st.table_index("allocs"))
        return out


def read_eval(req):
    """GET /v1/evaluation/:id (api.Evaluation; 404 "eval not found")."""
    req.block("evals")
    with req.st.lock:
        evaluation = _find(req, req.st.evals, req.params["id"], "eval")
        req.set_index(evaluation["ModifyIndex"])
        return evaluation


# -- operator, status, agent --------------------------------------------------
def read_sched(req):
    """GET /v1/operator/scheduler/configuration (operator read)."""
    with req.st.lock:
        if not req.acl.allow("operator", "read"):
            raise denied()
        cfg = req.st.sched_config
        req.set_index(cfg["ModifyIndex"])
        return {"SchedulerConfig": cfg, "Index": cfg["ModifyIndex"], "LastContact": 0,
                "KnownLeader": True}


def write_sched(req):
    """POST/PUT /v1/operator/scheduler/configuration?cas=N (operator write)."""
    body = strict(req.json(), "SchedulerConfiguration")
    if body.get("SchedulerAlgorithm", "binpack") not in ("", "binpack", "spread"):
        raise ApiError(400, f"invalid scheduler algorithm: {body['SchedulerAlgorithm']}")
    with req.st.lock:
        if not req.acl.allow("operator", "write"):
            raise denied()
        cfg = req.st.sched_config
        if "cas" in req.query and req.int_param("cas") != cfg["ModifyIndex"]:
            return {"Updated": False, "Index": req.st.index}
        index = req.st.bump("scheduler_config")
        preempt = {"SystemSchedulerEnabled": False, "SysBatchSchedulerEnabled": False,
                   "BatchSchedulerEnabled": False, "ServiceSchedulerEnabled": False}
        preempt.update(body.get("PreemptionConfig") or {})
        cfg.update(SchedulerAlgorithm=body.get("SchedulerAlgorithm") or "binpack",
                   PreemptionConfig=preempt,
                   MemoryOversubscriptionEnabled=bool(body.get("MemoryOversubscriptionEnabled")),
                   RejectJobRegistration=bool(body.get("RejectJobRegistration")),
                   PauseEvalBroker=bool(body.get("PauseEvalBroker")), ModifyIndex=index)
        req.set_index(index)
        return {"Updated": True, "Index": index}


def status_leader(req):
    """GET /v1/status/leader (the leader's RPC address as a JSON string; "" without one)."""
    return req.st.leader


def status_peers(req):
    """GET /v1/status/peers."""
    return ["127.0.0.1:4647"]


def regions(req):
    """GET /v1/regions."""
    return ["global"]


def agent_self(req):
    """GET /v1/agent/self (agent read; a subset of config/member/stats)."""
    with req.st.lock:
        if not req.acl.allow("agent", "read"):
            raise denied()
    version = req.server.version
    return {
        "config": {"Region": "global", "Datacenter": "dc1", "NodeName": "sim-server-1",
                   "Version": {"Version": version, "VersionPrerelease": "",
                               "VersionMetadata": "ent" if req.st.enterprise else "",
                               "Revision": "contract"},
                   "ACL": {"Enabled": req.st.acl_enabled},
                   "Server": {"Enabled": True}, "Client": {"Enabled": False}},
        "member": {"Name": "sim-server-1.global", "Addr": "127.0.0.1", "Port": 4648,
                   "Status": "alive",
                   "Tags": {"region": "global", "dc": "dc1", "role": "nomad",
                            "build": version + ("+ent" if req.st.enterprise else ""),
                            "vsn": "1", "port": "4647"}},
        "stats": {"nomad": {"leader": "true", "server": "true", "known_regions": "1"}},
    }


ROUTES = [
    (("GET",), r"/v1/vars", list_vars),
    (("GET",), r"/v1/var/(?P<path>.+)", read_var),
    (("PUT", "POST"), r"/v1/var/(?P<path>.+)", put_var),
    (("DELETE",), r"/v1/var/(?P<path>.+)", delete_var),
    (("GET",), r"/v1/deployments", list_deployments),
    (("PUT", "POST"), r"/v1/deployment/promote/(?P<id>[^/]+)", promote_deployment),
    (("PUT", "POST"), r"/v1/deployment/fail/(?P<id>[^/]+)", fail_deployment),
    (("GET",), r"/v1/deployment/(?P<id>[^/]+)", read_deployment),
    (("GET",), r"/v1/allocations", list_allocs),
    (("GET",), r"/v1/allocation/(?P<id>[^/]+)", read_alloc),
    (("GET",), r"/v1/evaluation/(?P<id>[^/]+)", read_eval),
    (("GET",), r"/v1/operator/scheduler/configuration", read_sched),
    (("PUT", "POST"), r"/v1/operator/scheduler/configuration", write_sched),
    (("GET",), r"/v1/status/leader", status_leader),
    (("GET",), r"/v1/status/peers", status_peers),
    (("GET",), r"/v1/regions", regions),
    (("GET",), r"/v1/agent/self", agent_self),
]
ROUTES = [(m, re.compile(p), f) for m, p, f in ROUTES]
