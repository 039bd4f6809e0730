"""Operator snapshot and gossip keyring endpoints.

Snapshot: command/agent/operator_endpoint.go ``snapshotSaveRequest`` (GET; the
response carries a ``Digest: sha-256=<base64>`` header, the checksum of the archive,
and no index meta) and ``snapshotRestoreRequest`` (PUT or POST, the archive as the
body, an empty 200 answer); nomad/operator_endpoint.go ``snapshotSave`` needs
``AllowOperatorOperation(snapshot-save)`` (``operator`` policy ``write``; the finer
``capabilities`` list of operator policies is not modelled, so only write passes) and
``snapshotRestore`` a management token; both answer an unknown token with 400 (code 400
for ErrTokenNotFound in those functions) and a restore failure with 500 "failed to
restore from snapshot: ...". The archive format is the contract server's stand-in
(tests/support/snapshot_archive.py); a restore replaces the whole state (jobs,
allocations, nodes, ACL objects, variables, namespaces, ...). The gossip keyring is
serf's, not Raft's: a restore keeps it.

Keyring: command/agent/agent_endpoint.go ``KeyringOperationRequest``: every operation,
``list`` included, needs ``agent:write``; install/use/remove decode ``{"Key": ...}``
(400 on a bad body); the answer is structs.KeyringResponse ``{Messages, Keys, NumNodes}``.
The key rules are serf's and memberlist's (serf/keymanager.go ``handleKeyRequest``: a
key that is not base64 fails at once with Go's "illegal base64 data at input byte N";
memberlist/keyring.go ``AddKey`` -> ``ValidateKey``: 16, 24 or 32 bytes; ``UseKey``:
the key must be installed; ``RemoveKey``: never the primary key), a member's failure
surfacing as 500 "1/1 nodes reported failure".
"""
import base64
import binascii
import hashlib
import re

from . import drain, snapshot_state
from .errors import TOKEN_NOT_FOUND, ApiError, denied
from .server import NO_BODY
from ..snapshot_archive import SnapshotError, pack, unpack


def _resolve_for_snapshot(req):
    try:
        return req.acl
    except ApiError as exc:
        if exc.message == TOKEN_NOT_FOUND:
            raise ApiError(400, TOKEN_NOT_FOUND) from exc
        raise


def snapshot_save(req):
    """GET /v1/operator/snapshot: the archive (bytes) with a Digest header."""
    if not _resolve_for_snapshot(req).allow("operator", "write"):
        raise denied()
    with req.st.lock:
        data = pack("nomad", req.st.index, snapshot_state.dump(req.st))
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    req.out_headers["Digest"] = f"sha-256={digest}"
    return data


def snapshot_restore(req):
    """PUT/POST /v1/operator/snapshot: replace the state with the archive's."""
    if not _resolve_for_snapshot(req).management:
        raise denied()
    with req.st.lock:
        try:
            meta, state = unpack("nomad", req.raw_body)
            snapshot_state.load(req.st, state, meta["Index"])
        except (SnapshotError, ValueError) as exc:
            raise ApiError(500, f"failed to restore from snapshot: {exc}") from exc
        for node in req.st.nodes.values():  # the drainer picks running drains up again
            if node["DrainStrategy"] is not None:
                seq = node["_drain_seq"]
                req.st.after(req.st.settle_delay,
                             lambda nid=node["ID"], s=seq: drain._step(req.st, nid, s))
    return NO_BODY


# -- gossip keyring ------------------------------------------------------------
def _key_arg(req):
    body = req.json()
    if not isinstance(body, dict) or set(body) - {"Key"}:
        raise ApiError(400, "Failed to decode request body: expected {\"Key\": \"<base64>\"}")
    key = body.get("Key")
    if not isinstance(key, str):
        raise ApiError(400, "Failed to decode request body: Key must be a string")
    return key


def _go_base64(key):
    """Raw bytes of a std-base64 key, or the error text of Go's StdEncoding."""
    try:
        return base64.b64decode(key.encode(), validate=True)
    except (binascii.Error, ValueError):
        bad = next((i for i, ch in enumerate(key)
                    if not (ch.isalnum() and ch.isascii() or ch in "+/=")), len(key) - len(key) % 4)
        raise ApiError(500, f"illegal base64 data at input byte {bad}") from None


def _member_failure(ring):
    return ApiError(500, f"{ring['members']}/{ring['members']} nodes reported failure")


def keyring(req):
    """GET/PUT/POST /v1/agent/keyring/list, PUT/POST install|use|remove."""
    if not req.acl.allow("agent", "write"):
        raise denied()
    op = req.params["op"]
    with req.st.lock:
        ring = req.st.keyring
        if op != "list":
            key = _key_arg(req)
            raw = _go_base64(key)
            if op == "install":
                if len(raw) not in (16, 24, 32):  # memberlist ValidateKey
                    raise _member_failure(ring)
                if key not in ring["keys"]:
                    ring["keys"].append(key)
            elif op == "use":
                if key not in ring["keys"]:  # "Requested key is not in the keyring"
                    raise _member_failure(ring)
                ring["primary"] = key
            else:
                if key == ring["primary"]:  # "Removing the primary key is not allowed"
                    raise _member_failure(ring)
                if key in ring["keys"]:
                    ring["keys"].remove(key)
        keys = {k: ring["members"] for k in ring["keys"]} if op == "list" else {}
        return {"Messages": {}, "Keys": keys, "NumNodes": ring["members"]}


ROUTES = [
    (("GET",), r"/v1/operator/snapshot", snapshot_save),
    (("PUT", "POST"), r"/v1/operator/snapshot", snapshot_restore),
    (("GET", "PUT", "POST"), r"/v1/agent/keyring/(?P<op>list)", keyring),
    (("PUT", "POST"), r"/v1/agent/keyring/(?P<op>install|use|remove)", keyring),
]
ROUTES = [(m, re.compile(p), f) for m, p, f in ROUTES]
