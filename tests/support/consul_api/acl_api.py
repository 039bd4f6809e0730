"""ACL policy and token endpoints of the Consul contract server (enough to rotate a token).

agent/acl_endpoint.go (``ACLPolicyCreate``, ``ACLPolicyReadByName``, ``ACLTokenCreate``,
``ACLTokenSelf``, ``ACLTokenGet``, ``ACLTokenList``, ``ACLTokenDelete``: answers ``true``)
and agent/consul/acl_endpoint.go:

- policy and token writes need ``acl:write``, reads ``acl:read``; ``token/self`` only a
  valid token (``TokenRead`` by secret);
- ``PolicySet``: the name matches ``^[A-Za-z0-9\\-_]{1,128}$`` and is unique, the rules parse;
- ``aclTokenSetInternal``: each policy link resolves by ID or name ("No such ACL policy
  with ID/name ..."); ``AccessorID``/``SecretID`` given must be UUIDs not in use;
- ``TokenDelete``: the accessor must be a UUID ("Accessor ID is missing or an invalid
  UUID"), the anonymous token cannot be deleted, and a request may not delete the token
  it is authorised by ("Deletion of the request's authorization token is not permitted");
  an unknown accessor is no error.
RPC errors answer 500 with their text (agent/http.go). Roles, service/node identities,
auth methods and expiration are not modelled: a request using them is refused (400).
The built-in ``global-management`` policy (ID ...0001) makes a token a management token
(structs.ACLPolicyGlobalManagementID).
"""
import base64
import datetime
import hashlib
import json
import re
import uuid

from tests.support.consul_api import acl as acl_mod
from tests.support.consul_api.server import HTTPError

GLOBAL_MANAGEMENT = {"ID": "00000000-0000-0000-0000-000000000001", "Name": "global-management"}
_POLICY_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,128}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_TOKEN_FIELDS = {"AccessorID", "SecretID", "Description", "Policies", "Local",
                 "Roles", "ServiceIdentities", "NodeIdentities"}


def _error(status, text):
    return HTTPError(status, text)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _hash(obj):
    data = json.dumps(obj, sort_keys=True).encode()
    return base64.b64encode(hashlib.blake2b(data, digest_size=32).digest()).decode()


def refresh(store, token):
    """Give an API-made token the merged rules of its current policies (deny > write > read,
    acl/policy_merger.go ``takesPrecedenceOver``); global-management makes it management."""
    ids = [link["ID"] for link in token.policy_links]
    token.management = GLOBAL_MANAGEMENT["ID"] in ids
    merged = {"service": {}, "service_prefix": {}}
    for pid in ids:
        policy = store.policies.get(pid)
        if policy is None:
            continue
        rules = acl_mod.parse_rules(policy["Rules"], defaults=False)
        for kind in ("service", "service_prefix"):
            for name, rule in rules[kind].items():
                into = merged[kind].setdefault(name, {})
                for attr, level in rule.items():
                    into[attr] = _stronger(into.get(attr), level)
        for key in acl_mod.TOP_LEVEL:
            if key in rules:
                merged[key] = _stronger(merged.get(key), rules[key])
    for key in acl_mod.TOP_LEVEL:
        merged.setdefault(key, "deny")
    token.rules = merged


def _stronger(old, new):
    order = {"deny": 3, "write": 2, "read": 1, None: 0}
    return new if order[new] > order[old] else old


def _public(token, with_secret=True):
    out = {"AccessorID": token.accessor, "Description": token.meta.get("Description", ""),
           "Policies": token.policy_links or None, "Local": token.meta.get("Local", False),
           "CreateTime": token.meta.get("CreateTime", ""), "Hash": token.meta.get("Hash", ""),
           "CreateIndex": token.meta.get("CreateIndex", 0), "ModifyIndex": token.meta.get("ModifyIndex", 0)}
    if with_secret:
        out["SecretID"] = token.secret
    if out["Policies"] is None:
        del out["Policies"]  # omitempty
    return out


def route(handler, method, path, query, raw, token):
    """Answer ``(status, body, index)`` for /v1/acl/policy* and /v1/acl/token*, None else."""
    if not (path.startswith("/v1/acl/policy") or path.startswith("/v1/acl/token")):
        return None
    store = handler.state.acl
    if not store.enabled:
        raise _error(401, "ACL support disabled")
    tok = handler._resolve(token)
    if path == "/v1/acl/token/self" and method == "GET":
        if tok.accessor == acl_mod.ANONYMOUS_ACCESSOR:
            raise _error(403, "ACL not found")
        return 200, _public(tok), handler.state.index
    write = method in ("PUT", "DELETE", "POST")
    if tok.level("acl") < acl_mod.LEVELS["write" if write else "read"]:
        raise _error(403, "Permission denied: token with AccessorID '%s' lacks permission 'acl:%s'"
                     % (tok.accessor, "write" if write else "read"))
    with handler.state.lock:
        if path == "/v1/acl/policy" and method == "PUT":
            return _create_policy(handler.state, raw)
        if path.startswith("/v1/acl/policy/name/") and method == "GET":
            name = path[len("/v1/acl/policy/name/"):]
            found = [p for p in store.policies.values() if p["Name"] == name]
            if not found:
                raise _error(404, "ACL policy not found")
            return 200, found[0], handler.state.index
        if path == "/v1/acl/token" and method == "PUT":
            return _create_token(handler.state, raw)
        if path == "/v1/acl/tokens" and method == "GET":
            return 200, [_public(t, with_secret=False) for t in store.tokens.values()], handler.state.index
        if path.startswith("/v1/acl/token/"):
            accessor = path[len("/v1/acl/token/"):]
            if method == "GET":
                found = [t for t in store.tokens.values() if t.accessor == accessor]
                if not found:
                    raise _error(403, "ACL not found")
                return 200, _public(found[0]), handler.state.index
            if method == "DELETE":
                return _delete_token(handler.state, accessor, token)
    raise _error(405, "method %s not allowed" % method)


def _body(raw, allowed):
    try:
        body = json.loads(raw.decode("utf-8") or "null")
    except ValueError as exc:
        raise _error(400, "Request decode failed: %s" % exc)
    if not isinstance(body, dict):
        raise _error(400, "Request decode failed: expected a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _error(400, "Request decode failed: unknown or unmodelled field(s) %s" % unknown)
    return body


def _create_policy(state, raw):
    body = _body(raw, {"Name", "Description", "Rules", "Datacenters"})
    store = state.acl
    name = body.get("Name") or ""
    if not _POLICY_NAME.match(name):
        raise _error(400, "Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed")
    if any(p["Name"] == name for p in store.policies.values()) or name == GLOBAL_MANAGEMENT["Name"]:
        raise _error(400, "Invalid Policy: A Policy with Name %r already exists" % name)
    try:
        acl_mod.parse_rules(body.get("Rules") or "")
    except ValueError as exc:
        raise _error(400, "Failed to parse policy: %s" % exc)
    index = state.next_index()
    policy = {"ID": str(uuid.uuid4()), "Name": name, "Description": body.get("Description") or "",
              "Rules": body.get("Rules") or "", "Datacenters": body.get("Datacenters") or None,
              "CreateIndex": index, "ModifyIndex": index}
    policy["Hash"] = _hash({k: policy[k] for k in ("Name", "Description", "Rules")})
    store.policies[policy["ID"]] = policy
    return 200, policy, index


def _link(store, link):
    if not isinstance(link, dict) or set(link) - {"ID", "Name"}:
        raise _error(400, "Request decode failed: a policy link is {\"ID\": ...} or {\"Name\": ...}")
    pid, name = link.get("ID"), link.get("Name")
    if pid:
        if pid == GLOBAL_MANAGEMENT["ID"]:
            return dict(GLOBAL_MANAGEMENT)
        if pid not in store.policies:
            raise _error(500, "No such ACL policy with ID %r" % pid)
        return {"ID": pid, "Name": store.policies[pid]["Name"]}
    if name == GLOBAL_MANAGEMENT["Name"]:
        return dict(GLOBAL_MANAGEMENT)
    found = [p for p in store.policies.values() if p["Name"] == name]
    if not found:
        raise _error(500, "No such ACL policy with name %r" % name)
    return {"ID": found[0]["ID"], "Name": name}


def _create_token(state, raw):
    body = _body(raw, _TOKEN_FIELDS)
    store = state.acl
    for field in ("Roles", "ServiceIdentities", "NodeIdentities"):
        if body.get(field):
            raise _error(400, "Request decode failed: %s are not modelled by the contract server" % field)
    for field in ("AccessorID", "SecretID"):
        value = body.get(field)
        if value and not _UUID.match(value):
            raise _error(500, "Invalid Token: %s is not a valid UUID" % field)
    if body.get("AccessorID") and any(t.accessor == body["AccessorID"] for t in store.tokens.values()):
        raise _error(500, "Invalid Token: AccessorID is already in use")
    if body.get("SecretID") and body["SecretID"] in store.tokens:
        raise _error(500, "Invalid Token: SecretID is already in use")
    links = []
    for link in body.get("Policies") or []:
        resolved = _link(store, link)
        if resolved not in links:
            links.append(resolved)
    token = acl_mod.Token(body.get("SecretID") or str(uuid.uuid4()))
    if body.get("AccessorID"):
        token.accessor = body["AccessorID"]
    token.policy_links = links
    index = state.next_index()
    token.meta = {"Description": body.get("Description") or "", "Local": bool(body.get("Local")),
                  "CreateTime": _now(), "CreateIndex": index, "ModifyIndex": index}
    token.meta["Hash"] = _hash({"Policies": links, "Description": token.meta["Description"]})
    store.tokens[token.secret] = token
    refresh(store, token)
    return 200, _public(token), index


def _delete_token(state, accessor, request_secret):
    store = state.acl
    if not _UUID.match(accessor):
        raise _error(500, "Accessor ID is missing or an invalid UUID")
    if accessor == acl_mod.ANONYMOUS_ACCESSOR:
        raise _error(500, "Delete operation not permitted on the anonymous token")
    found = [t for t in store.tokens.values() if t.accessor == accessor]
    if found:
        if found[0].secret == request_secret:
            raise _error(500, "Deletion of the request's authorization token is not permitted")
        del store.tokens[found[0].secret]
    return 200, True, state.next_index()
