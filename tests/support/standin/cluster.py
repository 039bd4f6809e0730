"""TEST INFRASTRUCTURE: the stand-ins' toy membership and leader model (not Serf, not Raft).

Every agent listens on its cluster port (Consul ``ports.serf_lan``; Nomad ``ports.serf``
and, for servers, ``ports.rpc`` where clients register) for one-line JSON messages, each
authenticated with HMAC-SHA256 under the gossip key (``encrypt``). A message whose MAC does
not verify under the local key (another key, or one side without encryption) is refused
and logged ("No installed keys could decrypt the message", the memberlist wording).

Every ``GOSSIP_INTERVAL_S`` an agent sends its member table to its ``retry_join``/
``servers`` addresses and to every known member; tables merge by each member's own
heartbeat (wall-clock milliseconds, so it keeps growing across restarts); a member whose
heartbeat has not moved for ``FAILED_AFTER_S`` is ``failed``; an agent that stops says so
itself (``failed``, or ``left`` after a graceful leave). Servers: once ``bootstrap_expect`` servers
are alive together the cluster is bootstrapped (persisted); afterwards a leader needs a
majority of the persisted peer set alive, and is the alive server with the lowest name.
"""
import hashlib
import hmac
import json
import socket
import threading
import time

GOSSIP_INTERVAL_S = 0.3
FAILED_AFTER_S = 2.5
IO_TIMEOUT_S = 2.0
MAX_MESSAGE = 4 * 1024 * 1024


class Refused(Exception):
    """The peer could not be authenticated (another gossip key) or refused us."""


def _mac(key, body):
    return hmac.new(key or b"no-encryption", body, hashlib.sha256).hexdigest()


def seal(key, payload):
    """One wire line: ``{"body": <json text>, "mac": hex, "enc": bool}``."""
    body = json.dumps(payload, sort_keys=True)
    return (json.dumps({"body": body, "mac": _mac(key, body.encode()), "enc": key is not None})
            + "\n").encode()


def unseal(key, line):
    """The payload of a wire line, or Refused when it was not made with ``key``."""
    try:
        outer = json.loads(line)
        body = outer["body"]
    except (ValueError, KeyError, TypeError) as exc:
        raise Refused("malformed message: %s" % exc) from exc
    if bool(outer.get("enc")) != (key is not None):
        raise Refused("Encryption is configured on one side only "
                      "(No installed keys could decrypt the message)")
    if not hmac.compare_digest(str(outer.get("mac", "")), _mac(key, body.encode())):
        raise Refused("No installed keys could decrypt the message (gossip key differs)")
    return json.loads(body)


def request(addr, key, payload, timeout=IO_TIMEOUT_S, tls=None):
    """Send one message to ``(host, port)`` and return the authenticated answer;
    ``tls`` is ``(ssl context, server_hostname)`` for a TLS channel (Nomad RPC)."""
    deadline = time.monotonic() + timeout
    with socket.create_connection(addr, timeout=timeout) as raw:
        sock = tls[0].wrap_socket(raw, server_hostname=tls[1]) if tls else raw
        sock.sendall(seal(key, payload))
        buf = b""
        while not buf.endswith(b"\n"):
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from %s:%d within %.1fs" % (addr + (timeout,)))
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += chunk
            if len(buf) > MAX_MESSAGE:
                raise Refused("answer too large")
    if not buf:
        raise Refused("connection closed by %s:%d (the peer refused the message)" % addr)
    answer = unseal(key, buf.decode())
    if answer.get("error"):
        raise Refused(answer["error"])
    return answer


def split_addr(text, default_port):
    """``"host"``/``"host:port"``/``"[v6]:port"`` -> ``(host, port)``."""
    text = text.strip()
    if text.startswith("["):
        host, rest = text[1:].partition("]")[::2]
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port)
    return text, default_port


class Membership:
    """The member table of one agent and the leader rule. Thread-safe."""

    def __init__(self, me, bootstrap_expect, persisted, on_change):
        self.lock = threading.RLock()
        self.me = me  # {"name", "addr", "port", "role", "http", "dc", "tags"}
        self.me["heartbeat"] = 0
        self.me["status"] = "alive"
        self.bootstrap_expect = bootstrap_expect
        self.members = {m["name"]: dict(m, status="failed", heartbeat=m.get("heartbeat", 0))
                        for m in persisted.get("members", []) if m["name"] != me["name"]}
        self.seen = {name: 0.0 for name in self.members}  # monotonic time of last change
        self.peers = set(persisted.get("peers", []))
        self.bootstrapped = bool(persisted.get("bootstrapped"))
        self.on_change = on_change

    def beat(self):
        """Advance this agent's heartbeat: wall-clock milliseconds, so it keeps growing
        across restarts (peers compare a member's heartbeats only with its own)."""
        with self.lock:
            self.me["heartbeat"] = max(self.me["heartbeat"] + 1, time.time_ns() // 1000000)

    def table(self):
        with self.lock:
            return [dict(self.me)] + [dict(m) for m in self.members.values()]

    def merge(self, table):
        now = time.monotonic()
        changed = False
        with self.lock:
            for entry in table:
                name = entry.get("name")
                if not name or name == self.me["name"]:
                    continue
                cur = self.members.get(name)
                if cur is None or entry["heartbeat"] > cur["heartbeat"]:
                    # a newer heartbeat carries the member's own word: alive, or failed
                    # (it is shutting down) or left (a graceful leave)
                    new_status = entry.get("status", "alive")
                    self.members[name] = dict(entry, status=new_status)
                    self.seen[name] = now
                    changed = changed or cur is None or cur.get("status") != new_status
            changed = self._reap(now) or changed
            changed = self._bootstrap_check() or changed
        if changed:
            self.on_change()

    def _reap(self, now):
        changed = False
        for name, member in self.members.items():
            if member["status"] == "alive" and now - self.seen.get(name, 0) > FAILED_AFTER_S:
                member["status"] = "failed"
                changed = True
        return changed

    def tick(self):
        with self.lock:
            changed = self._reap(time.monotonic()) or self._bootstrap_check()
        if changed:
            self.on_change()

    def alive_servers(self):
        with self.lock:
            names = [m["name"] for m in self.members.values()
                     if m["role"] == "server" and m["status"] == "alive"]
            if self.me["role"] == "server":
                names.append(self.me["name"])
            return sorted(names)

    def _bootstrap_check(self):
        if self.me["role"] != "server":
            return False
        alive = self.alive_servers()
        changed = False
        if not self.bootstrapped and self.bootstrap_expect and len(alive) >= self.bootstrap_expect:
            self.bootstrapped = True
            changed = True
        if self.bootstrapped:
            before = set(self.peers)
            self.peers |= set(alive)
            self.peers -= {m["name"] for m in self.members.values() if m["status"] == "left"}
            changed = changed or before != self.peers
        return changed

    def leader(self):
        """The leader's member entry, or None (no quorum / not bootstrapped)."""
        with self.lock:
            if self.me["role"] == "server":
                if not self.bootstrapped:
                    return None
                alive = self.alive_servers()
                voters = [n for n in alive if n in self.peers]
                if len(voters) * 2 <= len(self.peers):
                    return None
                name = voters[0]
                return dict(self.me) if name == self.me["name"] else dict(self.members[name])
            # clients follow what the servers say: the lowest alive server that claims it
            claims = [m for m in self.members.values()
                      if m["role"] == "server" and m["status"] == "alive" and m.get("leader")]
            return dict(sorted(claims, key=lambda m: m["name"])[0]) if claims else None

    def leave(self, status="left"):
        """Mark this agent ``left`` (graceful leave) or ``failed`` (shutting down without
        leaving: peers stop waiting for its heartbeats at once)."""
        self.beat()
        with self.lock:
            self.me["status"] = status

    def persisted(self):
        with self.lock:
            return {"members": [dict(m) for m in self.members.values()],
                    "peers": sorted(self.peers), "bootstrapped": self.bootstrapped}


def gossip_key_bytes(text):
    """The raw gossip key (already validated by the configuration loader)."""
    import base64
    return base64.b64decode(text)
