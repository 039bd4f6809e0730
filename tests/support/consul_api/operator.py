"""Status, snapshot and gossip-keyring endpoints of the Consul contract server.

- ``GET /v1/status/leader`` (a JSON string, "" without a leader) and ``/v1/status/peers``
  (agent/status_endpoint.go; no ACL). Tests take the leader away with
  ``ConsulAPI.set_leader("")``.
- ``GET /v1/agent/self``: ``Config.Datacenter`` and ``NodeName`` (a subset).
- ``GET /v1/snapshot`` / ``PUT /v1/snapshot`` (agent/snapshot_endpoint.go ``Snapshot``:
  GET saves and sets the query meta before streaming, so ``X-Consul-Index``,
  ``X-Consul-LastContact`` and ``X-Consul-KnownLeader``; PUT restores; other methods
  405). agent/consul/snapshot_endpoint.go ``dispatchSnapshotRequest`` needs
  ``SnapshotAllowed`` = ``acl:write`` for both. The archive is the contract server's
  stand-in format (tests/support/snapshot_archive.py) holding the config entries and
  the ACL policies and tokens; a restore replaces them. The gossip keyring is serf's,
  not Raft's: a restore keeps it.
- ``/v1/operator/keyring`` (agent/operator_endpoint.go ``OperatorKeyringEndpoint``: GET
  lists, POST installs, PUT uses, DELETE removes, ``{"Key": ...}`` bodies, 400
  "Request decode failed: ..."; agent/consul/internal_endpoint.go ``KeyringOperation``:
  ``keyring:read`` to list, ``keyring:write`` otherwise; agent/keyring.go). Key rules
  are serf's and memberlist's: a key that is not base64 fails in serf
  ``handleKeyRequest``; memberlist/keyring.go ``ValidateKey`` wants 16, 24 or 32 bytes,
  ``UseKey`` an installed key, ``RemoveKey`` never the primary one. Failures come back
  per pool (WAN and the datacenter's LAN) and are joined by
  agent/operator_endpoint.go ``keyringErrorsOrNil`` into a go-multierror text, 500.
"""
import base64
import binascii
import json
import os

from tests.support.consul_api import acl as acl_mod
from tests.support.consul_api.rules_common import multierror
from tests.support.consul_api.server import HTTPError, Raw
from tests.support.snapshot_archive import SnapshotError, pack, unpack

NODE = "consul-server-1"


def init_keyring(state, gossip_key=None):
    key = gossip_key or base64.b64encode(os.urandom(32)).decode()
    state.keyring = {"keys": [key], "primary": key, "members": 1}


def route(handler, method, path, query, raw, token):
    """Answer ``(status, body, index)`` for the paths of this module, None for others."""
    if path in ("/v1/status/leader", "/v1/status/peers"):
        if method != "GET":
            raise HTTPError(405, "method %s not allowed" % method)
        leader = handler.state.leader
        answer = leader if path.endswith("leader") else ([leader] if leader else [])
        return 200, json.dumps(answer).encode(), None  # a JSON string/list, not text
    if path == "/v1/agent/self":
        return _agent_self(handler, method, token)
    if path == "/v1/snapshot":
        return _snapshot(handler, method, raw, token)
    if path == "/v1/operator/keyring":
        return _keyring(handler, method, raw, token)
    return None


def _need(handler, token, resource, write):
    tok = handler._resolve(token)
    if tok.level(resource) < acl_mod.LEVELS["write" if write else "read"]:
        raise HTTPError(403, "Permission denied: token with AccessorID '%s' lacks permission '%s:%s'"
                        % (tok.accessor, resource, "write" if write else "read"))
    return tok


def _agent_self(handler, method, token):
    """GET /v1/agent/self (agent/agent_endpoint.go ``AgentSelf``: needs ``agent:read`` on the
    agent's node name; agent rules are not modelled, so only a management token passes)."""
    if method != "GET":
        raise HTTPError(405, "method %s not allowed" % method)
    tok = handler._resolve(token)
    if not tok.management:
        raise HTTPError(403, "Permission denied: token with AccessorID '%s' lacks permission "
                             "'agent:read' on \"%s\"" % (tok.accessor, NODE))
    return 200, {"Config": {"Datacenter": "dc1", "PrimaryDatacenter": "dc1", "NodeName": NODE,
                            "Server": True, "Version": "1.18.2"},
                 "Member": {"Name": NODE, "Addr": "127.0.0.1", "Port": 8301, "Status": 1,
                            "Tags": {"dc": "dc1", "role": "consul"}}}, None


# -- snapshot ------------------------------------------------------------------
def _dump(state):
    acl = state.acl
    return {
        "index": state.index,
        "entries": [[list(key), item] for key, item in state.store.items()],
        "policies": acl.policies,
        "tokens": [{"secret": t.secret, "accessor": t.accessor, "management": t.management,
                    "rules": t.rules, "policy_links": t.policy_links, "meta": t.meta}
                   for t in acl.tokens.values()],
    }


def _load(state, data, index):
    acl = state.acl
    state.store = {tuple(key): item for key, item in data["entries"]}
    acl.policies = dict(data["policies"])
    acl.tokens = {}
    for item in data["tokens"]:
        tok = acl_mod.Token(item["secret"], management=item["management"])
        tok.accessor, tok.rules = item["accessor"], item["rules"]
        tok.policy_links, tok.meta = item["policy_links"], item["meta"]
        acl.tokens[tok.secret] = tok
    state.index = max(state.index, int(index)) + 1


def _snapshot(handler, method, raw, token):
    if method not in ("GET", "PUT"):
        raise HTTPError(405, "method %s not allowed" % method)
    _need(handler, token, "acl", write=True)
    state = handler.state
    if method == "GET":
        with state.lock:
            data = pack("consul", state.index, _dump(state))
            index = state.index
        return 200, Raw(data, "application/x-gzip", {
            "X-Consul-Index": str(index), "X-Consul-LastContact": "0",
            "X-Consul-KnownLeader": "true"}), None
    try:
        meta, data = unpack("consul", raw)
    except SnapshotError as exc:
        raise HTTPError(500, "failed to restore snapshot: %s" % exc)
    with state.lock:
        _load(state, data, meta["Index"])
    return 200, Raw(b"", "text/plain; charset=utf-8"), None


# -- keyring ---------------------------------------------------------------------
def _pools(state, errors=None, messages=None):
    ring = state.keyring
    out = []
    for wan in (True, False):
        out.append({"WAN": wan, "Datacenter": "dc1", "Segment": "", "Partition": "",
                    "Messages": messages or {}, "Keys": {k: ring["members"] for k in ring["keys"]},
                    "PrimaryKeys": {ring["primary"]: ring["members"]},
                    "NumNodes": ring["members"], "Error": errors or ""})
    return out


def _fail(state, error, node_message=None):
    """keyringErrorsOrNil over the WAN and LAN pools: a go-multierror text, 500."""
    errs = []
    for pool in ("WAN", "dc1 (LAN)"):
        errs.append("%s error: %s" % (pool, error))
        if node_message:
            errs.append("%s: %s" % (NODE + (".dc1" if pool == "WAN" else ""), node_message))
    raise HTTPError(500, multierror(errs))


def _keyring(handler, method, raw, token):
    if method not in ("GET", "POST", "PUT", "DELETE"):
        raise HTTPError(405, "method %s not allowed" % method)
    key = None
    if method != "GET":
        try:
            body = json.loads(raw.decode("utf-8") or "null")
        except ValueError as exc:
            raise HTTPError(400, "Request decode failed: %s" % exc)
        if not isinstance(body, dict) or set(body) - {"Key"} or not isinstance(body.get("Key"), str):
            raise HTTPError(400, 'Request decode failed: give {"Key": "<base64 key>"} (the contract '
                                 "server refuses other fields)")
        key = body["Key"]
    _need(handler, token, "keyring", write=method != "GET")
    state = handler.state
    with state.lock:
        ring = state.keyring
        if method == "GET":
            return 200, [{k: v for k, v in p.items() if k != "Error"} for p in _pools(state)], state.index
        try:
            raw_key = base64.b64decode(key.encode(), validate=True)
        except (binascii.Error, ValueError):
            _fail(state, "illegal base64 data at input byte %d" % _bad_byte(key))
        failed = "%d/%d nodes reported failure" % (ring["members"], ring["members"])
        if method == "POST":
            if len(raw_key) not in (16, 24, 32):
                _fail(state, failed, "key size must be 16, 24 or 32 bytes")
            if key not in ring["keys"]:
                ring["keys"].append(key)
        elif method == "PUT":
            if key not in ring["keys"]:
                _fail(state, failed, "Requested key is not in the keyring")
            ring["primary"] = key
        else:
            if key == ring["primary"]:
                _fail(state, failed, "Removing the primary key is not allowed")
            if key in ring["keys"]:
                ring["keys"].remove(key)
    return 200, Raw(b"", "text/plain; charset=utf-8"), None


def _bad_byte(key):
    for i, ch in enumerate(key):
        if not (ch.isascii() and (ch.isalnum() or ch in "+/=")):
            return i
    return len(key) - len(key) % 4
