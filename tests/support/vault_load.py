"""Load client for a Vault/OpenBao cluster under maintenance (test infrastructure).

Used by the Molecule scenario ``vault_cluster`` to measure a rolling upgrade: every
``interval`` seconds (default 0.1) it writes one KV v2 secret carrying a sequence number
and reads the last acknowledged one back, against any node of the cluster. Standbys
forward requests to the active node, so every node can take every request; when a node
does not answer or answers an error, the request goes to the next node, within an
overall deadline per request (``request_deadline`` seconds, default 5; each attempt at
most ``attempt_timeout`` seconds). When it stops it reads every acknowledged write back
through the active node and writes a JSON result (see ``Result.as_dict``).

Each write goes to its own key ``<mount>/data/seq-<n>`` with ``{"seq": n}``: a retried
write after a timeout rewrites the same value, and the final read-back proves each
acknowledged write individually (KV v2 keeps only ``max_versions`` of one key).

Stdlib only (``http.client`` + ``ssl`` with the scenario CA); never imports product code.
The token is read from the keys file written by ``vault_init`` and never printed.

    python -m tests.support.vault_load --node https://10.0.0.2:8200 --node ... \
        --ca-cert ca.pem --keys-file init-keys.json --stop-file STOP --result result.json

It runs until ``--stop-file`` exists or ``--max-seconds`` have passed (a hard bound).
"""
import argparse
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse
from pathlib import Path


class Node:
    """One node's API, with a kept-alive HTTPS connection (re-opened after an error)."""

    def __init__(self, url, context):
        parts = urllib.parse.urlsplit(url)
        self.url = url.rstrip("/")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.https = parts.scheme == "https"
        self.context = context
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _connect(self, timeout):
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self.context)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, token, body=None, timeout=2.0):
        """One HTTP exchange; returns ``(status, parsed JSON or None)``; raises OSError or
        http.client.HTTPException when the node does not answer within ``timeout`` s.
        A kept-alive connection the server closed meanwhile is re-opened once."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"X-Vault-Token": token, "Content-Type": "application/json"}
        for fresh in (self.conn is None, True):
            if fresh:
                self.close()
                self.conn = self._connect(timeout)
            else:
                self.conn.timeout = timeout
                if self.conn.sock is not None:
                    self.conn.sock.settimeout(timeout)
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                # Only a kept-alive connection the server closed is tried again at once.
                if fresh or not isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError,
                                                 BrokenPipeError)):
                    raise
                continue
            try:
                data = json.loads(raw) if raw else None
            except ValueError:
                data = None
            return response.status, data
        raise AssertionError("unreachable")


class Result:
    """Counters of one run. Times in milliseconds unless named ``_s``."""

    def __init__(self, nodes, interval):
        self.nodes = nodes
        self.interval = interval
        self.started = time.monotonic()
        self.stopped = None
        self.requests = 0
        self.failed = 0
        self.failed_writes = 0
        self.failed_reads = 0
        self.retried_attempts = 0
        self.errors = {}
        self.longest_gap_ms = 0.0
        self.last_success = self.started
        self.acknowledged = []
        self.read_back = 0
        self.lost = []

    def note_error(self, kind):
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def note_success(self, now):
        self.longest_gap_ms = max(self.longest_gap_ms, (now - self.last_success) * 1000.0)
        self.last_success = now

    def as_dict(self):
        end = self.stopped or time.monotonic()
        return {
            "nodes": self.nodes,
            "interval_ms": round(self.interval * 1000),
            "duration_s": round(end - self.started, 1),
            "requests": self.requests,
            "failed": self.failed,
            "failed_writes": self.failed_writes,
            "failed_reads": self.failed_reads,
            "retried_attempts": self.retried_attempts,
            "errors": self.errors,
            "longest_gap_ms": round(self.longest_gap_ms),
            "acknowledged_writes": len(self.acknowledged),
            "writes_read_back": self.read_back,
            "lost": len(self.lost),
            "lost_sequences": self.lost[:20],
        }


class LoadClient:
    """Writes and reads through ``nodes`` (list of Node) until told to stop."""

    def __init__(self, nodes, token, mount, result, request_deadline=5.0, attempt_timeout=2.0):
        self.nodes = nodes
        self.token = token
        self.mount = mount.strip("/")
        self.result = result
        self.request_deadline = request_deadline
        self.attempt_timeout = attempt_timeout
        self.preferred = 0

    def call(self, method, path, body=None, accept=None, deadline=None, count=True):
        """Send one request to the preferred node, else the next ones in turn, until
        ``accept(status, data)`` holds or the deadline (``request_deadline`` s from now)
        passes. Returns the accepted ``(status, data)`` or None."""
        accept = accept or (lambda status, data: 200 <= status < 300)
        deadline = deadline or (time.monotonic() + self.request_deadline)
        index = self.preferred
        tried = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            node = self.nodes[index % len(self.nodes)]
            try:
                status, data = node.request(method, path, self.token, body, min(self.attempt_timeout, remaining))
            except (OSError, http.client.HTTPException) as exc:
                kind = type(exc).__name__
            else:
                if accept(status, data):
                    self.preferred = index % len(self.nodes)
                    return status, data
                kind = f"http {status}"
            if count:
                self.result.retried_attempts += 1
                self.result.note_error(kind)
            index += 1
            tried += 1
            if tried % len(self.nodes) == 0:  # every node refused: pause before the next round
                time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))

    def prepare(self, timeout=60.0):
        """Mount KV v2 at ``mount`` if missing and wait until a write succeeds (the mount
        upgrades itself for a moment after creation). Not counted in the figures."""
        deadline = time.monotonic() + timeout
        mounted = self.call("GET", f"/v1/sys/mounts/{self.mount}", deadline=deadline, count=False,
                            accept=lambda status, data: status in (200, 400, 404))
        if mounted is None:
            raise TimeoutError(f"no node of {[n.url for n in self.nodes]} answered sys/mounts within {timeout} s")
        if mounted[0] != 200:
            created = self.call("POST", f"/v1/sys/mounts/{self.mount}", deadline=deadline, count=False,
                                body={"type": "kv", "options": {"version": "2"}})
            if created is None:
                raise TimeoutError(f"could not mount KV v2 at {self.mount} within {timeout} s")
        ready = self.call("POST", f"/v1/{self.mount}/data/warm-up", body={"data": {"seq": -1}},
                          deadline=deadline, count=False)
        if ready is None:
            raise TimeoutError(f"KV v2 at {self.mount} did not accept a write within {timeout} s")

    def write(self, seq):
        self.result.requests += 1
        answer = self.call("POST", f"/v1/{self.mount}/data/seq-{seq}", body={"data": {"seq": seq}})
        if answer is None:
            self.result.failed += 1
            self.result.failed_writes += 1
            return False
        self.result.acknowledged.append(seq)
        self.result.note_success(time.monotonic())
        return True

    def read(self, seq):
        self.result.requests += 1
        answer = self.call("GET", f"/v1/{self.mount}/data/seq-{seq}", accept=_holds(seq))
        if answer is None:
            self.result.failed += 1
            self.result.failed_reads += 1
            return False
        self.result.note_success(time.monotonic())
        return True

    def run(self, interval, stop_file, max_seconds):
        """Issue one write and one read per tick until ``stop_file`` exists or
        ``max_seconds`` pass; a late tick is not caught up (no bursts)."""
        seq = 0
        start = time.monotonic()
        self.result.started = self.result.last_success = start
        next_tick = start
        while not os.path.exists(stop_file) and time.monotonic() - start < max_seconds:
            seq += 1
            self.write(seq)
            if self.result.acknowledged:
                self.read(self.result.acknowledged[-1])
            next_tick = max(next_tick + interval, time.monotonic())
            time.sleep(max(0.0, next_tick - time.monotonic()))
        self.result.stopped = time.monotonic()
        self.result.longest_gap_ms = max(self.result.longest_gap_ms,
                                         (self.result.stopped - self.result.last_success) * 1000.0)

    def verify(self, timeout=120.0):
        """Read every acknowledged write back through the active node (found with
        sys/health); a write is lost when its key does not hold its sequence number."""
        deadline = time.monotonic() + timeout
        active = None
        while active is None and time.monotonic() < deadline:
            for node in self.nodes:
                try:
                    status, _body = node.request("GET", "/v1/sys/health", self.token, timeout=self.attempt_timeout)
                except (OSError, http.client.HTTPException):
                    continue
                if status == 200:
                    active = node
                    break
            else:
                time.sleep(0.5)
        if active is None:
            raise TimeoutError(f"no active node among {[n.url for n in self.nodes]} within {timeout} s")
        checker = LoadClient([active], self.token, self.mount, Result([active.url], 0),
                             self.request_deadline, self.attempt_timeout)
        for seq in self.result.acknowledged:
            if checker.call("GET", f"/v1/{self.mount}/data/seq-{seq}", accept=_holds(seq), count=False):
                self.result.read_back += 1
            else:
                self.result.lost.append(seq)


def _holds(seq):
    """Accept a KV v2 read only when the secret carries sequence number ``seq``."""
    def accept(status, data):
        return status == 200 and ((data or {}).get("data") or {}).get("data", {}).get("seq") == seq
    return accept


def _token(keys_file):
    with open(keys_file, encoding="utf-8") as handle:
        token = json.load(handle).get("root_token")
    if not token:
        raise SystemExit(f"{keys_file}: no root_token (give the keys file written by vault_init)")
    return token


def _write_json(path, data):
    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--node", action="append", required=True, help="API URL of a node (repeat)")
    parser.add_argument("--ca-cert", help="CA bundle for HTTPS")
    parser.add_argument("--keys-file", required=True, help="keys file with root_token (vault_init)")
    parser.add_argument("--mount", default="upgrade-load", help="KV v2 mount path (created if missing)")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between ticks")
    parser.add_argument("--request-deadline", type=float, default=5.0, help="seconds per request, all retries")
    parser.add_argument("--attempt-timeout", type=float, default=2.0, help="seconds per attempt on one node")
    parser.add_argument("--stop-file", required=True, help="stop when this file exists")
    parser.add_argument("--ready-file", help="created once the mount takes writes and measuring starts")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="hard bound on the run")
    parser.add_argument("--result", required=True, help="JSON result file (written atomically)")
    args = parser.parse_args(argv)

    context = ssl.create_default_context(cafile=args.ca_cert) if args.ca_cert else ssl.create_default_context()
    nodes = [Node(url, context) for url in args.node]
    result = Result([n.url for n in nodes], args.interval)
    client = LoadClient(nodes, _token(args.keys_file), args.mount, result,
                        args.request_deadline, args.attempt_timeout)
    client.prepare()
    if args.ready_file:
        Path(args.ready_file).touch()
    client.run(args.interval, args.stop_file, args.max_seconds)
    client.verify()
    summary = result.as_dict()
    _write_json(args.result, summary)
    print(json.dumps({k: v for k, v in summary.items() if k != "nodes"}, sort_keys=True))
    return 0 if not result.lost else 1


if __name__ == "__main__":
    sys.exit(main())
