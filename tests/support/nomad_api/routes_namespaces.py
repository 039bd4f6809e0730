"""Namespaces and quotas ("Namespaces HTTP API", "Quotas HTTP API" docs pages;
api/namespace.go Namespace, api/quota.go QuotaSpec). Quota endpoints answer
501 "Nomad Enterprise only endpoint" on an open-source server, as
command/agent/http_ce.go registers them."""
import re

from .errors import ApiError, denied, multierror
from .server import NO_BODY, strict
from .sim import TERMINAL_CLIENT

ENT_ONLY = "Nomad Enterprise only endpoint"
_NAME = re.compile(r"^[a-zA-Z0-9-]{1,128}$")
_ENT_FIELDS = ("NodePoolConfiguration", "VaultConfiguration", "ConsulConfiguration")


def _management(req):
    if not req.acl.management:
        raise denied()


def list_namespaces(req):
    """GET /v1/namespaces (prefix; namespaces the token has any capability in)."""
    req.block("namespaces")
    with req.st.lock:
        prefix = req.query.get("prefix", "")
        out = [ns for name, ns in sorted(req.st.namespaces.items())
               if name.startswith(prefix) and req.acl.any_ns(name)]
        req.set_index(req.st.table_index("namespaces"))
        return out


def read_namespace(req):
    """GET /v1/namespace/:name (404 when missing)."""
    with req.st.lock:
        name = req.params["name"]
        if not req.acl.any_ns(name):
            raise denied()
        req.block("namespaces")
        ns = req.st.namespaces.get(name)
        if ns is None:
            raise ApiError(404, "Namespace not found")
        req.set_index(ns["ModifyIndex"])
        return ns


def upsert_namespace(req):
    """POST/PUT /v1/namespace/:name or /v1/namespace (management token)."""
    body = strict(req.json(), "Namespace")
    name = req.params.get("name")
    if name is not None and body.get("Name") not in (None, name):
        raise ApiError(400, "Namespace name does not match request path")
    name = name or body.get("Name")
    if not name or not _NAME.match(name):
        raise ApiError(500, f"invalid name {name!r}. Must match regex {_NAME.pattern}")
    if len(body.get("Description") or "") > 256:
        raise ApiError(500, "description longer than 256")
    with req.st.lock:
        _management(req)
        quota = body.get("Quota") or ""
        if quota and not req.st.enterprise:
            raise ApiError(500, "Quotas are only supported in Nomad Enterprise")
        if quota and quota not in req.st.quotas:
            raise ApiError(500, f"namespace {name!r} references unknown quota {quota!r}")
        for field in _ENT_FIELDS:
            if body.get(field) and not req.st.enterprise:
                raise ApiError(500, f"{field} requires Nomad Enterprise")
        old = req.st.namespaces.get(name)
        index = req.st.bump("namespaces")
        req.st.namespaces[name] = {
            "Name": name, "Description": body.get("Description") or "", "Quota": quota,
            "Capabilities": body.get("Capabilities"),
            "NodePoolConfiguration": body.get("NodePoolConfiguration"),
            "VaultConfiguration": body.get("VaultConfiguration"),
            "ConsulConfiguration": body.get("ConsulConfiguration"),
            "Meta": body.get("Meta") or None,
            "CreateIndex": old["CreateIndex"] if old else index, "ModifyIndex": index}
        req.set_index(index)
    return NO_BODY


def delete_namespace(req):
    """DELETE /v1/namespace/:name, as nomad/namespace_endpoint.go
    Namespace.DeleteNamespaces: the default namespace is refused; then every check
    (non-terminal jobs: Status != "dead", namespaceTerminalJobsLocally; allocations not
    client-terminal, namespaceTerminalAllocsLocally; variables) adds one error to a
    go-multierror; a missing namespace fails in the state store
    (nomad/state/state_store.go DeleteNamespaces: "namespace not found"). RPC errors
    reach the HTTP client as 500."""
    name = req.params["name"]
    with req.st.lock:
        _management(req)
        if name == "default":
            raise ApiError(500, "can not delete default namespace")
        if name not in req.st.namespaces:
            raise ApiError(500, "namespace not found")
        errors = []
        if any(ns == name and j["Status"] != "dead" for (ns, _id), j in req.st.jobs.items()):
            errors.append(f'namespace "{name}" has non-terminal jobs in regions: [global]')
        if any(a["Namespace"] == name and a["ClientStatus"] not in TERMINAL_CLIENT
               for a in req.st.allocs.values()):
            errors.append(f'namespace "{name}" has non-terminal allocations in regions: '
                          f"[global]")
        if any(ns == name for ns, _path in req.st.variables):
            errors.append(f'namespace "{name}" has variables associated with it in regions: '
                          f"[global]")
        if errors:
            raise ApiError(500, multierror(errors))
        for key in [k for k in req.st.jobs if k[0] == name]:
            del req.st.jobs[key]
        del req.st.namespaces[name]
        req.set_index(req.st.bump("namespaces"))
    return NO_BODY


# -- quotas ------------------------------------------------------------------
def _enterprise(req):
    if not req.st.enterprise:
        raise ApiError(501, ENT_ONLY)


def list_quotas(req):
    """GET /v1/quotas (Enterprise)."""
    _enterprise(req)
    with req.st.lock:
        if not req.acl.allow("quota", "read"):
            raise denied()
        req.set_index(req.st.table_index("quota_spec"))
        return [q for _name, q in sorted(req.st.quotas.items())]


def read_quota(req):
    """GET /v1/quota/:name (Enterprise)."""
    _enterprise(req)
    with req.st.lock:
        if not req.acl.allow("quota", "read"):
            raise denied()
        quota = req.st.quotas.get(req.params["name"])
        if quota is None:
            raise ApiError(404, "Quota not found")
        req.set_index(quota["ModifyIndex"])
        return quota


def upsert_quota(req):
    """POST/PUT /v1/quota/:name or /v1/quota (Enterprise, management)."""
    _enterprise(req)
    body = strict(req.json(), "QuotaSpec")
    name = req.params.get("name") or body.get("Name")
    if req.params.get("name") and body.get("Name") != name:
        raise ApiError(400, "Quota name does not match request path")
    if not name or not _NAME.match(name):
        raise ApiError(500, f"invalid name {name!r}")
    with req.st.lock:
        _management(req)
        old = req.st.quotas.get(name)
        index = req.st.bump("quota_spec")
        req.st.quotas[name] = {"Name": name, "Description": body.get("Description") or "",
                               "Limits": body.get("Limits") or [],
                               "CreateIndex": old["CreateIndex"] if old else index,
                               "ModifyIndex": index}
        req.set_index(index)
    return NO_BODY


def delete_quota(req):
    """DELETE /v1/quota/:name (Enterprise; refused while a namespace uses it)."""
    _enterprise(req)
    with req.st.lock:
        _management(req)
        name = req.params["name"]
        users = [n for n, ns in req.st.namespaces.items() if ns.get("Quota") == name]
        if users:
            raise ApiError(500, f"quota {name!r} is in use by namespaces {users}")
        req.st.quotas.pop(name, None)
        req.set_index(req.st.bump("quota_spec"))
    return NO_BODY


def quota_usages(req):
    """GET /v1/quota-usages (Enterprise)."""
    _enterprise(req)
    return []


def ent_only(req):
    """Other Enterprise-only endpoints (e.g. /v1/quota/usage/:name) on CE."""
    _enterprise(req)
    raise ApiError(404, "Invalid URL path")


ROUTES = [
    (("GET",), r"/v1/namespaces", list_namespaces),
    (("PUT", "POST"), r"/v1/namespace", upsert_namespace),
    (("GET",), r"/v1/namespace/(?P<name>[^/]+)", read_namespace),
    (("PUT", "POST"), r"/v1/namespace/(?P<name>[^/]+)", upsert_namespace),
    (("DELETE",), r"/v1/namespace/(?P<name>[^/]+)", delete_namespace),
    (("GET",), r"/v1/quotas", list_quotas),
    (("GET",), r"/v1/quota-usages", quota_usages),
    (("PUT", "POST"), r"/v1/quota", upsert_quota),
    (("GET",), r"/v1/quota/usage/(?P<name>[^/]+)", ent_only),
    (("GET",), r"/v1/quota/(?P<name>[^/]+)", read_quota),
    (("PUT", "POST"), r"/v1/quota/(?P<name>[^/]+)", upsert_quota),
    (("DELETE",), r"/v1/quota/(?P<name>[^/]+)", delete_quota),
]
ROUTES = [(m, re.compile(p), f) for m, p, f in ROUTES]
