"""A strict Consul config-entry API server for tests (stdlib only).

Endpoints (api-docs/config):
- ``PUT /v1/config[?cas=N]``: create/update; answers ``true``/``false``. ``cas=0`` writes
  only if the entry does not exist; ``cas=N`` only if its ModifyIndex is N.
- ``GET /v1/config/:kind/:name``: the entry, or 404 ``Config entry not found for "k" / "n"``.
- ``GET /v1/config/:kind``: entries of a kind the token may read (others filtered out).
- ``DELETE /v1/config/:kind/:name[?cas=N]``: without cas answers ``{}`` (also when absent,
  agent/config_endpoint.go configDelete); with cas answers ``true``/``false`` and
  ``cas=0`` never deletes.
Error mapping (agent/http.go ``wrap``/``HTTPError``): the body is the reason text alone
(``HTTPError.Error()`` returns ``Reason``; there is no "Bad request: " prefix): decoding
errors 400 ``Request decoding failed: ...``, permission denied 403, not found 404, errors
from the config-entry RPC (normalise/validate) 500. On PUT the order follows the
``ConfigEntry.Apply`` RPC: resolve token, Normalize, Validate, then the ACL write check.
Consul CE is modelled: ``ns``/``partition`` parameters are refused with 400.
Tokens come from ``X-Consul-Token``, ``Authorization: Bearer`` or ``?token=``.

Fault injection (``inject_fault``): ``latency`` (sleep, then answer normally), ``error``
(answer ``status`` with a Consul-like body), ``drop`` (close the connection unanswered).
"""
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.consul_api import acl as acl_mod
from tests.support.consul_api import acl_auth_methods
from tests.support.consul_api import schema

DATACENTER = "dc1"


@dataclass
class Fault:
    kind: str
    path_prefix: str = "/"
    method: str = None
    count: int = 1
    status: int = 500
    delay: float = 0.0

    def matches(self, method, path):
        return self.count != 0 and path.startswith(self.path_prefix) and (
            self.method is None or self.method.upper() == method)


@dataclass
class Raw:
    """A non-JSON answer (the snapshot stream) with its own headers."""
    data: bytes
    content_type: str = "application/octet-stream"
    headers: dict = None


class HTTPError(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ConsulState:
    """Stored entries, raft-like indexes, ACLs, faults and the request log."""

    def __init__(self, acl=True):
        self.lock = threading.RLock()
        self.index = 10
        self.store = {}  # (kind, name) -> {"entry", "create", "modify"}
        self.acl = acl_mod.ACLStore(enabled=acl)
        self.leader = "127.0.0.1:8300"  # /v1/status/leader; "" = no leader (operator.py)
        self.keyring = None  # gossip keyring, set by operator.init_keyring
        self.faults = []
        self.request_log = []

    def next_index(self):
        self.index += 1
        return self.index

    def lookup(self, kind, name):
        item = self.store.get((kind, name))
        return item["entry"] if item else None

    def rendered(self, kind, name):
        item = self.store.get((kind, name))
        return schema.render(item["entry"], item["create"], item["modify"]) if item else None

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.count > 0:
                        fault.count -= 1
                    return fault
        return None


class Handler(BaseHTTPRequestHandler):
    server_version = "consul-contract/1"
    protocol_version = "HTTP/1.1"

    @property
    def state(self):
        return self.server.state

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, body, index=None):
        if isinstance(body, Raw):
            self.send_response(status)
            self.send_header("Content-Type", body.content_type)
            for key, value in (body.headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body.data)))
            self.end_headers()
            self.wfile.write(body.data)
            return
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if not isinstance(body, str) else "text/plain; charset=utf-8")
        if index is not None:
            self.send_header("X-Consul-Index", str(index))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _token(self, query):
        token = self.headers.get("X-Consul-Token")
        auth = self.headers.get("Authorization", "")
        if not token and auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        return token or (query.get("token") or [None])[0]

    def _handle(self, method):
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        token = self._token(query)
        log = {"method": method, "path": path, "query": {k: v[0] for k, v in query.items()},
               "token": token, "body": raw.decode("utf-8", "replace"), "status": None}
        with self.state.lock:
            self.state.request_log.append(log)
        fault = self.state.take_fault(method, path)
        if fault:
            if fault.kind == "latency":
                time.sleep(fault.delay)
            elif fault.kind == "drop":
                log["status"] = "dropped"
                self.close_connection = True
                return
            elif fault.kind == "error":
                log["status"] = fault.status
                return self._send(fault.status, "injected fault: %d" % fault.status)
        try:
            status, body, index = self._route(method, path, query, raw, token)
        except HTTPError as exc:
            status, body, index = exc.status, exc.reason, None
        log["status"] = status
        self._send(status, body, index)

    def _route(self, method, path, query, raw, token):
        for param, what in (("ns", "Namespaces"), ("partition", "Partitions")):
            if query.get(param) and query[param][0]:
                raise HTTPError(400, 'Invalid query parameter: "%s" - %s are a Consul Enterprise feature' % (param, what))
        if self.headers.get("X-Consul-Namespace"):
            raise HTTPError(400, "Invalid header: \"X-Consul-Namespace\" - Namespaces are a Consul Enterprise feature")
        dc = (query.get("dc") or [DATACENTER])[0]
        if dc != DATACENTER:
            raise HTTPError(500, "No path to datacenter")
        if path.startswith(acl_auth_methods.PREFIXES):
            try:
                return acl_auth_methods.route(self.state, self._resolve(token), method, path, query, raw)
            except acl_auth_methods.RPCError as exc:
                raise HTTPError(exc.status, exc.reason)
        from tests.support.consul_api import acl_api, operator  # they import this module
        for extra in (operator.route, acl_api.route):
            answer = extra(self, method, path, query, raw, token)
            if answer is not None:
                return answer
        if path == "/v1/config":
            if method != "PUT":
                raise HTTPError(405, "method %s not allowed" % method)
            return self._apply(query, raw, token)
        if not path.startswith("/v1/config/"):
            raise HTTPError(404, "404 page not found")
        parts = path[len("/v1/config/"):].split("/", 1)
        if method == "GET":
            if len(parts) == 2:
                return self._get(parts[0], parts[1], token)
            return self._list(parts[0], token)
        if method == "DELETE":
            if len(parts) != 2:
                raise HTTPError(404, "Must provide both a kind and name to delete")
            return self._delete(parts[0], parts[1], query, token)
        raise HTTPError(405, "method %s not allowed" % method)

    def _resolve(self, token):
        try:
            return self.state.acl.resolve(token)
        except acl_mod.PermissionDenied as exc:
            raise HTTPError(403, str(exc))

    def _authorize(self, tok, kind, name, write):
        try:
            acl_mod.authorize(tok, kind, name, write)
        except acl_mod.PermissionDenied as exc:
            raise HTTPError(403, str(exc))

    @staticmethod
    def _check_kind(kind):
        if kind not in schema.KINDS and kind not in schema.UNMODELLED_KINDS:
            raise HTTPError(400, "invalid config entry kind: %s" % kind)

    def _apply(self, query, raw, token):
        try:
            body = json.loads(raw.decode("utf-8") or "null")
        except ValueError as exc:
            raise HTTPError(400, "Request decoding failed: %s" % exc)
        try:
            kind, entry = schema.decode_entry(body)
        except schema.DecodeError as exc:
            raise HTTPError(400, str(exc))
        tok = self._resolve(token)
        cas = query.get("cas", [None])[0]
        if cas is not None and not cas.isdigit():
            raise HTTPError(500, 'strconv.ParseUint: parsing "%s": invalid syntax' % cas)
        with self.state.lock:
            try:
                schema.normalise(entry)
                schema.validate(entry, self.state.lookup)
            except schema.ValidationError as exc:
                raise HTTPError(500, str(exc))
            self._authorize(tok, kind, entry["Name"], write=True)
            key = (kind, entry["Name"])
            existing = self.state.store.get(key)
            if cas is not None:
                cas = int(cas)
                if (cas == 0 and existing) or (cas != 0 and (not existing or existing["modify"] != cas)):
                    return 200, False, None
            index = self.state.next_index()
            self.state.store[key] = {"entry": entry, "create": existing["create"] if existing else index,
                                     "modify": index}
        return 200, True, None

    def _get(self, kind, name, token):
        self._check_kind(kind)
        tok = self._resolve(token)
        self._authorize(tok, kind, name, write=False)
        with self.state.lock:
            out = self.state.rendered(kind, name)
            index = self.state.index
        if out is None:
            raise HTTPError(404, 'Config entry not found for "%s" / "%s"' % (kind, name))
        return 200, out, index

    def _list(self, kind, token):
        self._check_kind(kind)
        tok = self._resolve(token)
        out = []
        with self.state.lock:
            for (k, name) in sorted(self.state.store):
                if k != kind:
                    continue
                try:
                    acl_mod.authorize(tok, kind, name, write=False)
                except acl_mod.PermissionDenied:
                    continue
                out.append(self.state.rendered(k, name))
            index = self.state.index
        return 200, out, index

    def _delete(self, kind, name, query, token):
        self._check_kind(kind)
        tok = self._resolve(token)
        if kind in schema.KINDS:  # the Delete RPC normalises too (proxy-defaults: only "global")
            try:
                schema.normalise({"Kind": kind, "Name": name})
            except schema.ValidationError as exc:
                raise HTTPError(500, str(exc))
        self._authorize(tok, kind, name, write=True)
        cas = query.get("cas", [None])[0]
        with self.state.lock:
            existing = self.state.store.get((kind, name))
            if cas is not None:
                if not cas.isdigit():
                    raise HTTPError(500, 'strconv.ParseUint: parsing "%s": invalid syntax' % cas)
                if not existing or int(cas) == 0 or existing["modify"] != int(cas):
                    return 200, False, None
            if existing:
                del self.state.store[(kind, name)]
                self.state.next_index()
        return 200, (True if cas is not None else {}), None

    def do_GET(self):  # noqa: N802
        self._handle("GET")

    def do_PUT(self):  # noqa: N802
        self._handle("PUT")

    def do_DELETE(self):  # noqa: N802
        self._handle("DELETE")

    def do_POST(self):  # noqa: N802
        self._handle("POST")


class ConsulContractServer:
    """Start/stop wrapper; ``addr`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, host="127.0.0.1", port=0, acl=True, gossip_key=None):
        from tests.support.consul_api.operator import init_keyring
        self.state = ConsulState(acl=acl)
        init_keyring(self.state, gossip_key)
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.state = self.state
        self.thread = None

    @property
    def port(self):
        return self.httpd.server_address[1]

    @property
    def addr(self):
        return "http://%s:%d" % (self.httpd.server_address[0], self.port)

    @property
    def management_token(self):
        return self.state.acl.management_token

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="consul-contract", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread:
            self.thread.join(timeout=5)
