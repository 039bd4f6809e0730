"""TEST INFRASTRUCTURE: ``GET /v1/operator/autopilot/health`` of the stand-in servers.

Served by the leader (followers and clients forward to it; no leader: 500 "No cluster
leader"), as on the real servers, and built from the leader's member table:

- Consul: agent/operator_endpoint.go ``OperatorServerHealth`` turns the leader's
  ``Operator.ServerHealth`` reply into ``api.OperatorHealthReply`` {Healthy,
  FailureTolerance, Servers: [ServerHealth]}; 429 instead of 200 when not Healthy;
  operator:read (403 "Permission denied: token with AccessorID '...' lacks permission
  'operator:read'"); only GET (405 otherwise, http_register.go).
- Nomad: command/agent/operator_endpoint.go ``OperatorServerHealth`` (only GET, else 404
  "Invalid method"; 429 when not Healthy) with nomad/operator_endpoint.go ``ServerHealth``
  (operator:read, else 403 "Permission denied") and nomad/autopilot.go
  ``GetClusterHealth``: the same fields plus ``Leader`` (raft ID) and ``Voters``.

``ServerHealth`` (both api/operator_autopilot.go): ID, Name, Address (``addr:rpc port``),
SerfStatus (alive/left/failed), Version (the server's own), Leader, Voter, LastContact
(Go duration string, "0s" on the leader), LastTerm, LastIndex, Healthy, StableSince.

The stand-ins' rule for a healthy server (raft-autopilot's: serf alive, a voter, in touch
with the leader, not trailing its log): alive, one of the raft peers, and holding the
leader's replicated export (``index``, replicate.py) or the export is younger than
``cluster.FAILED_AFTER_S`` (still on its way). Cluster Healthy: every peer healthy.
FailureTolerance: healthy voters minus a quorum (autopilot ``FailureTolerance``), at least 0.
"""
import json
import time
import uuid

from . import cluster

SERF_STATUS = ("alive", "left", "failed")


def node_id(name):
    """A stable raft server ID for a node name (the real agents keep a UUID in data_dir)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "standin-server:" + name))


def go_duration(seconds):
    """Go's ``time.Duration.String`` for a non-negative number of seconds ("0s", "12.5ms",
    "1.5s")."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        text = ("%.6f" % (seconds * 1000)).rstrip("0").rstrip(".")
        return text + "ms"
    return ("%.6f" % seconds).rstrip("0").rstrip(".") + "s"


def health(table, peers, seen, now=None):
    """The autopilot health reply (a dict) from the leader's view.

    ``table``: the leader's member table (``Membership.table()``; the leader first), each
    entry with name, addr, server_port, role, status, version and index; ``peers``: names
    of the raft peers; ``seen``: {name: monotonic seconds of the member's last heartbeat}.
    """
    now = time.monotonic() if now is None else now
    leader = table[0]
    index = leader.get("index", 0)
    export_age = (time.time_ns() - index) / 1e9 if index else 0.0
    servers = []
    for entry in table:
        if entry.get("role") != "server" or entry["name"] not in peers:
            continue
        is_leader = entry is leader
        status = entry.get("status", "failed")
        contact = 0.0 if is_leader else max(0.0, now - seen.get(entry["name"], 0.0))
        caught_up = entry.get("index", 0) == index or export_age < cluster.FAILED_AFTER_S
        healthy = status == "alive" and caught_up
        servers.append({
            "ID": node_id(entry["name"]), "Name": entry["name"],
            "Address": "%s:%d" % (entry["addr"], entry["server_port"]),
            "SerfStatus": status if status in SERF_STATUS else "none",
            "Version": entry.get("version", ""), "Leader": is_leader, "Voter": True,
            "LastContact": go_duration(contact), "LastTerm": 1,
            "LastIndex": entry.get("index", 0) // 1000000,
            "Healthy": healthy, "StableSince": "0001-01-01T00:00:00Z"})
    servers.sort(key=lambda s: s["Name"])
    healthy_voters = sum(1 for s in servers if s["Healthy"])
    quorum = len(servers) // 2 + 1
    return {"Healthy": bool(servers) and healthy_voters == len(servers),
            "FailureTolerance": max(0, healthy_voters - quorum),
            "Servers": servers}


def answer(agent, method, token, nomad):
    """``(status, headers, body)`` of the endpoint on the leader ``agent`` for a request
    with ``method`` and ``token``; ``nomad`` picks Nomad's shape and errors over Consul's."""
    if method != "GET":
        if nomad:
            return 404, {"Content-Type": "text/plain"}, b"Invalid method"
        return (405, {"Content-Type": "text/plain", "Allow": "GET"},
                ("method %s not allowed" % method).encode())
    if agent.rt.acl_enabled and getattr(agent.rt, "default_policy", "deny") != "allow" and (
            not token or token not in agent.management_secrets()):
        text = "Permission denied" if nomad else (
            "Permission denied: token with AccessorID '%s' lacks permission 'operator:read'"
            % ("00000000-0000-0000-0000-000000000002" if not token else "unknown"))
        return 403, {"Content-Type": "text/plain"}, text.encode()
    ms = agent.membership
    with ms.lock:
        table, peers, seen = ms.table(), set(ms.peers), dict(ms.seen)
    reply = health(table, peers, seen)
    if nomad:
        reply["Leader"] = node_id(table[0]["name"])
        reply["Voters"] = [s["ID"] for s in reply["Servers"]]
        for server in reply["Servers"]:
            server["Name"] = "%s.%s" % (server["Name"], agent.rt.region)
    status = 200 if reply["Healthy"] else 429
    return status, {"Content-Type": "application/json"}, json.dumps(reply).encode()
