"""HTTP front of the contract server: routing, auth, query meta, faults.

Follows the "HTTP API" overview docs page: ``X-Nomad-Token`` (or
``Authorization: Bearer``) carries the ACL secret; ``namespace`` and ``region``
query parameters; blocking queries with ``index``/``wait``; responses carry
``X-Nomad-Index``, ``X-Nomad-KnownLeader`` and ``X-Nomad-LastContact``; errors
are plain text with the status code (command/agent/http.go).
"""
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from . import acl as aclmod
from .errors import TOKEN_NOT_FOUND, ApiError
from .schema import normalize, validate
from .state import State

MAX_WAIT_S = 600.0
DEFAULT_WAIT_S = 300.0
_DUR = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def parse_go_duration(text):
    """Parse a Go duration string ("5s", "1m30s", "250ms") into seconds."""
    text = text.strip()
    if text == "0":
        return 0.0
    pos, total = 0, 0.0
    for m in _DUR.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(f"invalid duration {text!r}")
    return total


def strict(body, struct):
    """Reject unknown fields and wrong JSON types with 400 (see README); return
    the body with keys renamed to the field names they matched (Go folds case)."""
    errors = validate(body, struct, struct, fold=True)
    if errors:
        raise ApiError(400, "Failed to decode request body: " + "; ".join(errors))
    return normalize(body, struct)


class Request:
    """One API call as the route functions see it."""

    def __init__(self, server, method, path, query, headers, body):
        self.server = server
        self.st = server.state
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.raw_body = body
        self.params = {}
        self.out_headers = {}
        self.status = 200
        self._acl = None
        self.token = None

    @property
    def namespace(self):
        return self.query.get("namespace") or "default"

    def json(self, required=True):
        if not self.raw_body.strip():
            if required:
                raise ApiError(400, "Request body is empty")
            return {}
        try:
            return json.loads(self.raw_body)
        except ValueError as exc:
            raise ApiError(400, f"Failed to decode request body: {exc}") from exc

    def bool_param(self, name):
        value = self.query.get(name)
        if value is None or value == "":
            return False
        if value in ("1", "t", "T", "TRUE", "true", "True"):  # strconv.ParseBool
            return True
        if value in ("0", "f", "F", "FALSE", "false", "False"):
            return False
        raise ApiError(400, f"Failed to parse value of {name!r} ({value!r}) as bool")

    def int_param(self, name, default=0):
        value = self.query.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError as exc:
            raise ApiError(400, f"Failed to parse {name}: {value!r}") from exc

    @property
    def acl(self):
        if self._acl is None:
            self._acl = self.server.resolve_acl(self)
        return self._acl

    def block(self, *tables):
        """Honour ``index``/``wait`` (Blocking Queries docs page)."""
        if "index" not in self.query:
            return
        self.acl  # an unknown or expired token is refused before waiting
        index = self.int_param("index")
        wait = DEFAULT_WAIT_S
        if self.query.get("wait"):
            try:
                wait = parse_go_duration(self.query["wait"])
            except ValueError as exc:
                raise ApiError(400, f"Invalid wait time: {exc}") from exc
        wait = min(wait, MAX_WAIT_S)  # Nomad also adds up to wait/16 jitter; not here
        self.st.block(tables, index, wait)

    def set_index(self, index):
        self.out_headers["X-Nomad-Index"] = str(index)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Nomad-contract"

    def log_message(self, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        # headers and body go out in separate writes; without this, Nagle plus
        # delayed ACKs stall every keep-alive response by ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _handle(self):
        api = self.server.api
        parts = urlsplit(self.path)
        path = parts.path
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = api.take_fault(self.command, path)
        if fault is not None:
            if fault["kind"] == "drop":
                api.log(self.command, path, 0)
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if fault["kind"] == "latency":
                time.sleep(fault["delay"])
            elif fault["kind"] == "status":
                if fault["delay"]:
                    time.sleep(fault["delay"])
                self._send(fault["status"], f"simulated fault: HTTP {fault['status']}",
                           {}, path, text=True)
                return
        req = Request(api, self.command, path, query, self.headers, body)
        try:
            status, payload = api.dispatch(req)
        except ApiError as exc:
            status, payload = exc.status, exc
        except Exception as exc:  # a bug in the contract server: say so loudly
            self._send(500, f"contract server error: {type(exc).__name__}: {exc}", {}, path,
                       text=True)
            raise
        if fault is not None and fault["kind"] == "drop_after":
            api.log(self.command, path, 0)  # applied, but the answer is lost
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if isinstance(payload, ApiError):
            self._send(payload.status, payload.message, req.out_headers, path, text=True)
            return
        self._send(status, payload, req.out_headers, path)

    def _send(self, status, payload, headers, path, text=False):
        if text:
            data, ctype = payload.encode(), "text/plain; charset=utf-8"
        elif isinstance(payload, bytes):  # a binary stream (operator snapshot)
            data, ctype = payload, "application/octet-stream"
        elif payload is _NO_BODY:
            data, ctype = b"", None
        else:
            data, ctype = json.dumps(payload).encode(), "application/json"
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for key, value in headers.items():
            self.send_header(key, value)
        if status < 300:
            self.send_header("X-Nomad-KnownLeader", "true")
            self.send_header("X-Nomad-LastContact", "0")
        self.send_header("Content-Length", str(len(data)))
        self.server.api.log(self.command, path, status)
        try:
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


_NO_BODY = object()
NO_BODY = _NO_BODY


class NomadApiServer:
    """A Nomad HTTP API contract server on a loopback port."""

    def __init__(self, host="127.0.0.1", port=0, acl=True, enterprise=False,
                 settle_delay=0.05, bootstrap=True, version="1.10.5", stop_delay=0.3,
                 nodes=None, gossip_key=None):
        from . import routes
        self.version = version
        self.state = State(acl=acl, enterprise=enterprise, settle_delay=settle_delay,
                           stop_delay=stop_delay, nodes=nodes, gossip_key=gossip_key)
        self.routes = routes.all_routes()
        self.request_log = []
        self._faults = []
        self._faults_lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.api = self
        self.host, self.port = self.httpd.server_address[:2]
        self._thread = None
        self.management_token = None
        if acl and bootstrap:
            from .routes_acl import bootstrap_token
            with self.state.lock:
                self.management_token = bootstrap_token(self.state)["SecretID"]

    @property
    def addr(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                        daemon=True,
                                        name=f"nomad-api-{self.port}")
        self._thread.start()
        return self

    def stop(self):
        self.state.stop()
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- request plumbing -----------------------------------------------------
    def log(self, method, path, status):
        self.request_log.append((method, path, status))

    def take_fault(self, method, path):
        with self._faults_lock:
            for fault in self._faults:
                if fault["remaining"] > 0 and path.startswith(fault["path_prefix"]) and (
                        fault["method"] is None or fault["method"] == method):
                    fault["remaining"] -= 1
                    return dict(fault)
        return None

    def inject_fault(self, kind, path_prefix="/", method=None, count=1, status=500, delay=0.0):
        if kind not in ("status", "latency", "drop", "drop_after"):
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._faults_lock:
            self._faults.append({"kind": kind, "path_prefix": path_prefix,
                                 "method": method.upper() if method else None,
                                 "remaining": count, "status": status, "delay": delay})

    def resolve_acl(self, req):
        st = self.state
        if not st.acl_enabled:
            return aclmod.ACL([], management=True)
        secret = req.headers.get("X-Nomad-Token") or ""
        auth = req.headers.get("Authorization") or ""
        if not secret and auth.lower().startswith("bearer "):
            secret = auth[7:].strip()
        with st.lock:
            if not secret:
                anon = st.policies.get("anonymous")
                return aclmod.ACL([anon["_compiled"]] if anon else [])
            accessor = st.secrets.get(secret)
            token = st.tokens.get(accessor) if accessor else None
            if token is None:
                raise ApiError(403, TOKEN_NOT_FOUND)
            if token.get("_expires_ns") and token["_expires_ns"] <= time.time_ns():
                raise ApiError(403, "ACL token expired")
            req.token = token
            if token["Type"] == "management":
                return aclmod.ACL([], management=True)
            compiled = [st.policies[name]["_compiled"] for name in self._token_policies(token)
                        if name in st.policies]
            return aclmod.ACL(compiled)

    def _token_policies(self, token):
        names = list(token.get("Policies") or [])
        for link in token.get("Roles") or []:
            role = self.state.roles.get(link.get("ID"))
            if role:
                names += [p["Name"] for p in role.get("Policies") or []]
        return names

    def dispatch(self, req):
        unsupported = [p for p in ("filter", "per_page", "next_token") if req.query.get(p)]
        if unsupported:
            raise ApiError(501, f"the contract server does not implement the query "
                                f"parameter(s) {unsupported} (see its README)")
        region = req.query.get("region")
        if region and region != "global":
            raise ApiError(500, "No path to region")
        allowed = []
        for methods, pattern, func in self.routes:
            match = pattern.fullmatch(req.path)
            if not match:
                continue
            if req.method not in methods:
                allowed.extend(methods)
                continue
            req.params = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
            result = func(req)
            return req.status, (_NO_BODY if result is NO_BODY else result)
        if allowed:
            raise ApiError(405, "Invalid method")
        raise ApiError(404, "Invalid URL path")
