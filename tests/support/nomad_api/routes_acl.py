"""ACL endpoints ("ACL Bootstrap", "ACL Policies", "ACL Tokens", "ACL Roles"
HTTP API docs pages; api/acl.go ACLPolicy, ACLToken, ACLTokenListStub,
ACLRole; validation messages of nomad/structs ACLToken.Validate)."""
import base64
import datetime
import hashlib
import json
import re
import time

from . import acl as aclmod
from .diff import go_duration
from .errors import TOKEN_NOT_FOUND, ApiError, denied, multierror
from .parse_hcl import duration_ns
from .server import NO_BODY, strict
from .state import new_id

_NAME = re.compile(r"^[a-zA-Z0-9-]{1,128}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
MIN_TTL_NS = 60 * 10**9  # acl.token_min_expiration_ttl default 1m
MAX_TTL_NS = 24 * 3600 * 10**9  # acl.token_max_expiration_ttl default 24h


def _rfc3339(ns):
    dt = datetime.datetime.fromtimestamp(ns / 1e9, tz=datetime.timezone.utc)
    return dt.isoformat().replace("+00:00", "Z")


def _parse_time(text):
    try:
        dt = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ApiError(400, f"Failed to decode request body: bad time {text!r}") from exc
    return int(dt.timestamp() * 1e9)


def _acl_enabled(req):
    if not req.st.acl_enabled:
        raise ApiError(400, "ACL support disabled")


def _management(req):
    _acl_enabled(req)
    if not req.acl.management:
        raise denied()


def _public(token):
    """Hide private fields; ExpirationTime is omitempty, ExpirationTTL a string
    ("" when unset) as structs.ACLToken.MarshalJSON writes it."""
    out = {k: v for k, v in token.items() if not k.startswith("_")}
    if out.get("ExpirationTime") is None:
        out.pop("ExpirationTime", None)
    return out


def _hash(obj):
    skip = ("Hash", "CreateIndex", "ModifyIndex")
    data = json.dumps({k: v for k, v in obj.items() if k not in skip and not k.startswith("_")},
                      sort_keys=True).encode()
    return base64.b64encode(hashlib.blake2b(data, digest_size=32).digest()).decode()


def bootstrap_token(st):
    """Create the initial management token (used by /v1/acl/bootstrap)."""
    index = st.bump("acl_token")
    now = time.time_ns()
    token = {"AccessorID": new_id(), "SecretID": new_id(), "Name": "Bootstrap Token",
             "Type": "management", "Policies": None, "Roles": None, "Global": True,
             "CreateTime": _rfc3339(now), "ExpirationTime": None, "ExpirationTTL": "",
             "CreateIndex": index, "ModifyIndex": index, "_ttl_ns": 0}
    token["Hash"] = _hash(token)
    st.tokens[token["AccessorID"]] = token
    st.secrets[token["SecretID"]] = token["AccessorID"]
    st.bootstrap_index = index
    return token


def acl_bootstrap(req):
    """POST /v1/acl/bootstrap (ACL Bootstrap; one-time, then 400 with reset index)."""
    _acl_enabled(req)
    body = strict(req.json(required=False), "BootstrapRequest")
    with req.st.lock:
        if req.st.bootstrap_index is not None:
            raise ApiError(400, f"ACL bootstrap already done (reset index: "
                                f"{req.st.bootstrap_index})")
        secret = body.get("BootstrapSecret")
        if secret and not _UUID.match(secret):
            raise ApiError(400, "invalid acl token")
        token = bootstrap_token(req.st)
        if secret:
            del req.st.secrets[token["SecretID"]]
            token["SecretID"] = body["BootstrapSecret"]
            req.st.secrets[token["SecretID"]] = token["AccessorID"]
        req.set_index(token["CreateIndex"])
        return _public(token)


# -- policies --------------------------------------------------------------
def _own_policy(req, name):
    token = req.token or {}
    names = set(token.get("Policies") or [])
    for link in token.get("Roles") or []:
        role = req.st.roles.get(link.get("ID")) or {}
        names |= {p["Name"] for p in role.get("Policies") or []}
    return name in names


def list_policies(req):
    """GET /v1/acl/policies (management: all; others: their own policies)."""
    _acl_enabled(req)
    req.block("acl_policy")
    with req.st.lock:
        prefix = req.query.get("prefix", "")
        out = []
        for name, pol in sorted(req.st.policies.items()):
            if name.startswith(prefix) and (req.acl.management or _own_policy(req, name)):
                out.append({"Name": name, "Description": pol["Description"],
                            "JobACL": pol["JobACL"], "CreateIndex": pol["CreateIndex"],
                            "ModifyIndex": pol["ModifyIndex"]})
        req.set_index(req.st.table_index("acl_policy"))
        return out


def read_policy(req):
    """GET /v1/acl/policy/:name (ACLPolicy; 404 "ACL policy not found")."""
    _acl_enabled(req)
    with req.st.lock:
        name = req.params["name"]
        if not (req.acl.management or name == "anonymous" or _own_policy(req, name)):
            raise denied()
        req.block("acl_policy")
        pol = req.st.policies.get(name)
        if pol is None:
            raise ApiError(404, "ACL policy not found")
        req.set_index(pol["ModifyIndex"])
        return _public(pol)


def upsert_policy(req):
    """POST/PUT /v1/acl/policy/:name (Create or Update Policy; empty body)."""
    _management(req)
    body = strict(req.json(), "ACLPolicy")
    name = req.params["name"]
    if body.get("Name") != name:
        raise ApiError(400, "Policy name does not match request path")
    errs = []
    if not _NAME.match(name):
        errs.append(f"invalid name '{name}'")
    compiled = None
    try:
        compiled = aclmod.compile_rules(body.get("Rules") or "")
    except aclmod.PolicyError as exc:
        errs.append(f"failed to parse rules: {exc}")
    if len(body.get("Description") or "") > 256:
        errs.append("description longer than 256")
    job_acl = body.get("JobACL")
    if job_acl:
        if job_acl.get("Group") and not job_acl.get("JobID"):
            errs.append("jobID must be set if group is set")
        if job_acl.get("Task") and not job_acl.get("Group"):
            errs.append("group must be set if task is set")
    if errs:
        raise ApiError(400, f"policy 0 invalid: {multierror(errs)}")
    if job_acl:
        job_acl = {"Namespace": job_acl.get("Namespace") or "default",
                   "JobID": job_acl.get("JobID") or "", "Group": job_acl.get("Group") or "",
                   "Task": job_acl.get("Task") or ""}
    with req.st.lock:
        old = req.st.policies.get(name)
        index = req.st.bump("acl_policy")
        req.st.policies[name] = {
            "Name": name, "Description": body.get("Description") or "",
            "Rules": body.get("Rules") or "", "JobACL": job_acl,
            "CreateIndex": old["CreateIndex"] if old else index, "ModifyIndex": index,
            "_compiled": compiled}
        req.set_index(index)
    return NO_BODY


def delete_policy(req):
    """DELETE /v1/acl/policy/:name (Delete Policy; empty body)."""
    _management(req)
    with req.st.lock:
        req.st.policies.pop(req.params["name"], None)  # state store DeleteAll: no error
        req.set_index(req.st.bump("acl_policy"))
    return NO_BODY


# -- tokens ------------------------------------------------------------------
def _stub(token):
    return {k: token.get(k) for k in ("AccessorID", "Name", "Type", "Policies", "Roles",
                                      "Global", "Hash", "CreateTime", "ExpirationTime",
                                      "CreateIndex", "ModifyIndex")}


def list_tokens(req):
    """GET /v1/acl/tokens (ACLTokenListStub list; management only)."""
    _management(req)
    req.block("acl_token")  # after the management check
    with req.st.lock:
        prefix = req.query.get("prefix", "")
        out = [_stub(t) for t in sorted(req.st.tokens.values(), key=lambda t: t["CreateIndex"])
               if t["AccessorID"].startswith(prefix)]
        req.set_index(req.st.table_index("acl_token"))
        return out


def _resolve_roles(req, links):
    out = []
    for link in links or []:
        role = req.st.roles.get(link.get("ID")) if link.get("ID") else next(
            (r for r in req.st.roles.values() if r["Name"] == link.get("Name")), None)
        if role is None:
            raise ApiError(400, f"cannot find role {link.get('ID') or link.get('Name')}")
        out.append({"ID": role["ID"], "Name": role["Name"]})
    return out or None


def _ttl_ns(value):
    """structs.ACLToken.UnmarshalJSON: ExpirationTTL is a Go duration string or ns."""
    if value in (None, ""):
        return 0
    if isinstance(value, str):
        return duration_ns(value, "ExpirationTTL")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiError(400, "Failed to decode request body: ExpirationTTL must be a duration")
    return int(value)


def _token_errors(body, old, ttl, exp, now):
    """structs.ACLToken.Validate, in its order and words."""
    errs = []
    if len(body.get("Name") or "") > 256:
        errs.append("token name too long")
    typ = body.get("Type") or ""
    if typ == "client":
        if not (body.get("Policies") or body.get("Roles")):
            errs.append("client token missing policies or roles")
    elif typ == "management":
        if body.get("Policies") or body.get("Roles"):
            errs.append("management token cannot be associated with policies or roles")
    else:
        errs.append("token type must be client or management")
    if old is None:
        if ttl < 0:
            errs.append(f"token expiration TTL '{go_duration(ttl)}' should not be negative")
        if exp is not None:
            if exp < now:
                errs.append("expiration time cannot be before create time")
            elif exp - now > MAX_TTL_NS:
                errs.append(f"expiration time cannot be more than {go_duration(MAX_TTL_NS)} "
                            f"in the future (was {go_duration(exp - now)})")
            elif exp - now < MIN_TTL_NS:
                errs.append(f"expiration time cannot be less than {go_duration(MIN_TTL_NS)} "
                            f"in the future (was {go_duration(exp - now)})")
    else:
        if bool(body.get("Global")) != bool(old["Global"]):
            errs.append("cannot toggle global mode")
        if ttl != old["_ttl_ns"]:
            errs.append("cannot update expiration TTL")
        if exp != old.get("_expires_ns"):
            errs.append("cannot update expiration time")
    return errs


def _upsert_token(req, accessor):
    _management(req)
    body = strict(req.json(), "ACLToken")
    ttl_raw = body.get("ExpirationTTL")
    with req.st.lock:
        old = None
        if accessor is not None:
            if body.get("AccessorID") and body["AccessorID"] != accessor:
                raise ApiError(400, "Token Accessor ID does not match request path")
            old = req.st.tokens.get(accessor)
            if old is None:
                raise ApiError(400, f"cannot find token {accessor}")
        now = time.time_ns()
        ttl = _ttl_ns(ttl_raw)
        if old is not None and ttl_raw is None:
            ttl = old["_ttl_ns"]  # an update that omits the TTL keeps it
        exp = _parse_time(body["ExpirationTime"]) if body.get("ExpirationTime") else None
        if old is None and exp is None and ttl:
            exp = now + ttl
        if old is not None and not body.get("ExpirationTime"):
            exp = old.get("_expires_ns")
        errs = _token_errors(body, old, ttl, exp, now)
        if errs:
            raise ApiError(400, f"token 0 invalid: {multierror(errs)}")
        roles = _resolve_roles(req, body.get("Roles"))
        index = req.st.bump("acl_token")
        token = {
            "AccessorID": accessor or new_id(),
            "SecretID": old["SecretID"] if old else new_id(),
            "Name": body.get("Name") or "", "Type": body["Type"],
            "Policies": list(body.get("Policies") or []) or None, "Roles": roles,
            "Global": bool(body.get("Global")),
            "CreateTime": old["CreateTime"] if old else _rfc3339(now),
            "ExpirationTime": _rfc3339(exp) if exp else None,
            "ExpirationTTL": go_duration(ttl) if ttl else "",
            "CreateIndex": old["CreateIndex"] if old else index, "ModifyIndex": index,
            "_expires_ns": exp, "_ttl_ns": ttl}
        token["Hash"] = _hash(token)
        req.st.tokens[token["AccessorID"]] = token
        req.st.secrets[token["SecretID"]] = token["AccessorID"]
        req.set_index(index)
        return _public(token)


def create_token(req):
    """POST/PUT /v1/acl/token (Create Token; returns the ACLToken with SecretID)."""
    return _upsert_token(req, None)


def update_token(req):
    """POST/PUT /v1/acl/token/:accessor_id (Update Token)."""
    return _upsert_token(req, req.params["accessor"])


def read_token(req):
    """GET /v1/acl/token/:accessor_id (management, or the token itself)."""
    _acl_enabled(req)
    with req.st.lock:
        accessor = req.params["accessor"]
        if not req.acl.management and (req.token or {}).get("AccessorID") != accessor:
            raise denied()
        req.block("acl_token")
        token = req.st.tokens.get(accessor)
        if token is None:
            raise ApiError(404, TOKEN_NOT_FOUND)
        req.set_index(token["ModifyIndex"])
        return _public(token)


def token_self(req):
    """GET /v1/acl/token/self (Read Self Token)."""
    _acl_enabled(req)
    with req.st.lock:
        req.acl  # resolves the token, 403 when unknown
        if req.token is None:
            raise ApiError(403, TOKEN_NOT_FOUND)
        req.set_index(req.token["ModifyIndex"])
        return _public(req.token)


def delete_token(req):
    """DELETE /v1/acl/token/:accessor_id (Delete Token; empty body)."""
    _management(req)
    with req.st.lock:
        token = req.st.tokens.pop(req.params["accessor"], None)
        if token is None:
            raise ApiError(400, f"Cannot delete nonexistent tokens: {req.params['accessor']}")
        req.st.secrets.pop(token["SecretID"], None)
        req.set_index(req.st.bump("acl_token"))
    return NO_BODY


# -- roles -------------------------------------------------------------------
def list_roles(req):
    """GET /v1/acl/roles (ACL Roles HTTP API)."""
    _management(req)
    with req.st.lock:
        req.set_index(req.st.table_index("acl_role"))
        return [_public(r) for r in req.st.roles.values()]


def _upsert_role(req, role_id):
    _management(req)
    body = strict(req.json(), "ACLRole")
    if role_id is not None and body.get("ID") and body["ID"] != role_id:
        raise ApiError(400, "ACL role ID does not match request path")
    errs = []
    if not _NAME.match(body.get("Name") or ""):
        errs.append(f"invalid name '{body.get('Name') or ''}'")
    if len(body.get("Description") or "") > 256:
        errs.append("description longer than 256")
    if not body.get("Policies"):
        errs.append("at least one policy should be specified")
    if errs:
        raise ApiError(400, f"role 0 invalid: {multierror(errs)}")
    with req.st.lock:
        for link in body["Policies"]:
            if link.get("Name") not in req.st.policies:
                raise ApiError(500, f"cannot find policy {link.get('Name')}")
        old = req.st.roles.get(role_id) if role_id else None
        if role_id and old is None:
            raise ApiError(500, f"cannot find role {role_id}")
        if any(r["Name"] == body["Name"] and r["ID"] != role_id for r in req.st.roles.values()):
            raise ApiError(500, f"role with name {body['Name']} already exists")
        index = req.st.bump("acl_role")
        role = {"ID": role_id or new_id(), "Name": body["Name"],
                "Description": body.get("Description") or "",
                "Policies": [{"Name": p["Name"]} for p in body["Policies"]],
                "CreateIndex": old["CreateIndex"] if old else index, "ModifyIndex": index}
        role["Hash"] = _hash(role)
        req.st.roles[role["ID"]] = role
        req.set_index(index)
        return role


def create_role(req):
    """POST/PUT /v1/acl/role."""
    return _upsert_role(req, None)


def update_role(req):
    """POST/PUT /v1/acl/role/:id."""
    return _upsert_role(req, req.params["id"])


def read_role(req):
    """GET /v1/acl/role/:id and /v1/acl/role/name/:name."""
    _management(req)
    with req.st.lock:
        if "name" in req.params:
            role = next((r for r in req.st.roles.values() if r["Name"] == req.params["name"]),
                        None)
        else:
            role = req.st.roles.get(req.params["id"])
        if role is None:
            raise ApiError(404, "ACL role not found")
        req.set_index(role["ModifyIndex"])
        return role


def delete_role(req):
    """DELETE /v1/acl/role/:id."""
    _management(req)
    with req.st.lock:
        if req.st.roles.pop(req.params["id"], None) is None:
            raise ApiError(500, f"ACL role not found: {req.params['id']}")
        req.set_index(req.st.bump("acl_role"))
    return NO_BODY


ROUTES = [
    (("PUT", "POST"), r"/v1/acl/bootstrap", acl_bootstrap),
    (("GET",), r"/v1/acl/policies", list_policies),
    (("GET",), r"/v1/acl/policy/(?P<name>[^/]+)", read_policy),
    (("PUT", "POST"), r"/v1/acl/policy/(?P<name>[^/]+)", upsert_policy),
    (("DELETE",), r"/v1/acl/policy/(?P<name>[^/]+)", delete_policy),
    (("GET",), r"/v1/acl/tokens", list_tokens),
    (("PUT", "POST"), r"/v1/acl/token", create_token),
    (("GET",), r"/v1/acl/token/self", token_self),
    (("GET",), r"/v1/acl/token/(?P<accessor>[^/]+)", read_token),
    (("PUT", "POST"), r"/v1/acl/token/(?P<accessor>[^/]+)", update_token),
    (("DELETE",), r"/v1/acl/token/(?P<accessor>[^/]+)", delete_token),
    (("GET",), r"/v1/acl/roles", list_roles),
    (("PUT", "POST"), r"/v1/acl/role", create_role),
    (("GET",), r"/v1/acl/role/name/(?P<name>[^/]+)", read_role),
    (("GET",), r"/v1/acl/role/(?P<id>[^/]+)", read_role),
    (("PUT", "POST"), r"/v1/acl/role/(?P<id>[^/]+)", update_role),
    (("DELETE",), r"/v1/acl/role/(?P<id>[^/]+)", delete_role),
]
ROUTES = [(m, re.compile(p), f) for m, p, f in ROUTES]
