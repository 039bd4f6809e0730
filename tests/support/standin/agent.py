"""TEST INFRASTRUCTURE: the runtime shared by the stand-in ``consul`` and ``nomad`` agents.

An ``Agent`` checks its data_dir like the real agent (created if missing; must be a
writable directory), restores its persisted state (``<data_dir>/standin-state.json``: ACL
bootstrap and membership), joins through ``cluster.py``, serves the HTTP API on the
configured listeners (TLS, and client certificates when ``verify_incoming`` /
``verify_https_client`` is on) and stops on SIGTERM/SIGINT; SIGHUP re-reads and re-checks
the configuration, re-reads the TLS certificate files (new handshakes use them; see
``Agent.reload``) and logs the result. Server agents run the product's contract server on
an internal loopback port; API calls other than the agent-local endpoints are served by
the leader's contract server (followers forward over the cluster port), so every server
answers with the same data. Logs go to stderr (journald keeps them).
"""
import base64
import datetime
import hashlib
import http.client
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import StreamRequestHandler, ThreadingTCPServer
from urllib.parse import parse_qs, urlsplit

from . import cluster
from .loader import ConfigError

FORWARD_TIMEOUT_S = 30.0
RPC_HOLD_S = 7.0
STATE_FILE = "standin-state.json"


def log(level, msg):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    sys.stderr.write("%s [%s] %s\n" % (now, level.ljust(5), msg))
    sys.stderr.flush()


def redact(obj, secret_keys):
    """A copy of ``obj`` with the values of secret keys replaced by ``"<redacted>"``."""
    if isinstance(obj, dict):
        return {k: ("<redacted>" if k in secret_keys and v not in (None, "") else
                    redact(v, secret_keys)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [redact(v, secret_keys) for v in obj]
    return obj


def sd_notify(state):
    """Tell systemd our state when it asked (``NOTIFY_SOCKET``), as the real agents do
    for ``Type=notify`` units; nothing otherwise."""
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return
    if path.startswith("@"):
        path = "\0" + path[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(path)
            sock.sendall(state.encode())
    except OSError as exc:
        log("WARN", "agent: sd_notify failed: %s" % exc)


class _TLSHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    ssl_context = None

    def finish_request(self, request, client_address):
        request.settimeout(10.0)
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                log("WARN", "http: TLS handshake error from %s: %s" % (client_address[0], exc))
                return
        super().finish_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _handle(self):
        agent = self.server.agent
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        token = agent.product.token(self.headers, query)
        try:
            result = agent.product.local_route(agent, self.command, url.path, query, token, body)
            if result is None:
                result = agent.forward(self.command, self.path, dict(self.headers.items()), body)
        except Exception as exc:  # a stand-in bug: answer 500 and log it
            log("ERROR", "http: %s %s: %s: %s" % (self.command, url.path, type(exc).__name__, exc))
            result = (500, {"Content-Type": "text/plain"}, ("stand-in error: %s" % exc).encode())
        status, headers, payload = result
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "date",
                                   "server"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


class _ClusterHandler(StreamRequestHandler):
    timeout = cluster.IO_TIMEOUT_S * 5

    def setup(self):
        if self.server.ssl_context is not None:
            self.request.settimeout(self.timeout)
            self.request = self.server.ssl_context.wrap_socket(self.request, server_side=True)
        super().setup()

    def handle(self):
        agent = self.server.agent
        key = self.server.key
        line = self.rfile.readline(cluster.MAX_MESSAGE)
        if not line:
            return
        try:
            try:
                text = line.decode()
            except UnicodeDecodeError as exc:
                raise cluster.Refused("not a stand-in message (TLS on a plain port?)") from exc
            msg = cluster.unseal(key, text)
        except cluster.Refused as exc:
            log("ERROR", "memberlist: failed to receive from=%s:%d: %s"
                % (self.client_address[0], self.client_address[1], exc))
            # answer under our key: a sender with another key cannot authenticate it and
            # logs the refusal on its side too (memberlist behaves the same both ways)
            self.wfile.write(cluster.seal(key, {"error": "refused: %s" % exc}))
            return
        answer = agent.on_message(msg)
        self.wfile.write(cluster.seal(key, answer))


class _ClusterServer(ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    key = None
    ssl_context = None

    def handle_error(self, request, client_address):
        log("WARN", "cluster: connection from %s failed: %s" % (client_address[0],
                                                                sys.exc_info()[1]))


class Agent:
    """One running stand-in agent; ``product`` supplies the API-specific parts."""

    def __init__(self, rt, product, config_paths):
        self.rt = rt
        self.product = product
        self.config_paths = config_paths
        self.key = cluster.gossip_key_bytes(rt.encrypt) if rt.encrypt else None
        self.stop_event = threading.Event()
        self.lock = threading.RLock()
        self.acl = {"index": 0, "token": None}
        self.data = {"version": 0, "digest": None, "tables": None}  # replicate.py
        self.contract = None
        self.http_servers = []
        self.cluster_servers = []
        self.membership = None
        self.agent_tokens = {}
        self.tls = {"https": None, "channels": {}, "client": None}  # see build_tls
        self.product_version = getattr(product, "version", "0.0.0")

    # -- state ----------------------------------------------------------------
    def _state_path(self):
        return os.path.join(self.rt.data_dir, STATE_FILE)

    def prepare_data_dir(self):
        """Create/check data_dir as the agent does; the persisted state, or None (logged)
        when data_dir cannot be created or written."""
        path = self.rt.data_dir
        try:
            os.makedirs(path, exist_ok=True)
            probe = os.path.join(path, ".standin-write-check")
            with open(probe, "w", encoding="ascii") as handle:
                handle.write("ok")
            os.unlink(probe)
        except OSError as exc:
            log("ERROR", "agent: data_dir %s is not usable: %s" % (path, exc))
            sys.stderr.write("==> Error starting agent: data_dir %r: %s\n" % (path, exc.strerror))
            return None
        try:
            with open(self._state_path(), encoding="utf-8") as handle:
                return json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log("WARN", "agent: ignoring unreadable %s: %s" % (self._state_path(), exc))
            return {}

    def save_state(self):
        with self.lock:
            data = dict(self.membership.persisted(), acl=self.acl, data=self.data)
            tmp = self._state_path() + ".tmp"
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self._state_path())

    # -- ACL state (bootstrap token), replicated by gossip -----------------------
    def adopt_acl(self, acl):
        if not acl or acl.get("index", 0) <= self.acl.get("index", 0):
            return
        with self.lock:
            self.acl = acl
            if self.contract is not None and acl.get("token"):
                self.product.install_token(self.contract, acl["token"])
        log("INFO", "acl: bootstrap state replicated (index %d)" % acl["index"])
        self.save_state()

    def adopt_data(self, data):
        """Keep and load a newer export of the leader's tables (servers only)."""
        if not self.rt.server or not data or not data.get("tables"):
            return
        with self.lock:
            if data.get("version", 0) <= self.data.get("version", 0):
                return
            self.data = data
            self.product.import_tables(self.contract, data["tables"])
        self.save_state()

    def export_data(self):
        """On the leader: a new export when the replicated tables changed."""
        tables = self.product.export_tables(self.contract)
        digest = hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()
        with self.lock:
            if digest == self.data.get("digest"):
                return
            self.data = {"version": time.time_ns(), "digest": digest, "tables": tables}
        self.save_state()

    def _data_for(self, table):
        """Replicated tables go only to servers (``table[0]`` is the asker)."""
        if self.rt.server and table and table[0].get("role") == "server":
            return self.data
        return None

    def management_secrets(self):
        secrets = set()
        if self.acl.get("token"):
            secrets.add(self.acl["token"]["SecretID"])
        if self.rt.initial_management:
            secrets.add(self.rt.initial_management)
        return secrets

    # -- cluster ------------------------------------------------------------------
    def on_message(self, msg):
        kind = msg.get("type")
        if kind == "gossip":
            self.adopt_data(msg.get("data"))
            self.membership.merge(msg.get("table", []))
            self.adopt_acl(msg.get("acl"))
            return {"table": self.membership.table(), "acl": self.acl,
                    "data": self._data_for(msg.get("table"))}
        if kind == "leave":
            self.membership.merge(msg.get("table", []))
            return {"ok": True}
        if kind == "http":
            leader = self.membership.leader()
            if not leader or leader["name"] != self.rt.node_name:
                return {"status": 500, "headers": {"Content-Type": "text/plain"},
                        "body": base64.b64encode(b"No cluster leader").decode()}
            status, headers, payload = self.serve_leader(
                msg["method"], msg["path"], msg["headers"], base64.b64decode(msg["body"]))
            return {"status": status, "headers": headers,
                    "body": base64.b64encode(payload).decode()}
        return {"error": "unknown message type %r" % kind}

    def channel(self):
        """``(key, tls)`` for talking to servers: the gossip key, or for a Nomad client
        the RPC channel (no gossip key; mutual TLS when ``tls.rpc`` is on)."""
        return self.product.client_channel(self) if not self.rt.server else (self.key, None)

    def _targets(self):
        addrs = set()
        for text in self.rt.retry_join + list(getattr(self.rt, "client_servers", [])):
            try:
                addrs.add(cluster.split_addr(text, self.product.join_port(self.rt, text)))
            except ValueError:
                log("WARN", "agent: cannot parse join address %r" % text)
        for member in self.membership.table()[1:]:
            if member["status"] != "left" and member["port"] and not (
                    self.product.clients_use_rpc and not self.rt.server):
                addrs.add((member["addr"], member["port"]))
        rpc_client = self.product.clients_use_rpc and not self.rt.server
        for member in self.membership.table()[1:]:
            if rpc_client and member["role"] == "server" and member["status"] != "left":
                addrs.add((member["addr"], member["server_port"]))
        addrs.discard((self.rt.advertise_addr, self.rt.cluster_port))
        return addrs

    def _gossip_loop(self):
        refused = {}
        while not self.stop_event.is_set():
            self.membership.beat()
            with self.membership.lock:  # how far this server's replicated tables are
                self.membership.me["index"] = self.data.get("version", 0)
            leader = self.membership.leader()
            is_leader = bool(leader and leader["name"] == self.rt.node_name)
            with self.membership.lock:
                self.membership.me["leader"] = is_leader
            if is_leader:
                self.export_data()
            key, tls = self.channel()
            for addr in self._targets():
                try:
                    answer = cluster.request(addr, key, {
                        "type": "gossip", "table": self.membership.table(), "acl": self.acl,
                        "data": self.data if self.rt.server else None},
                        timeout=1.0, tls=tls)
                except cluster.Refused as exc:
                    if refused.get(addr) != str(exc):
                        log("ERROR", "memberlist: refusing %s:%d: %s" % (addr + (exc,)))
                        refused[addr] = str(exc)
                    continue
                except (OSError, ValueError) as exc:
                    if isinstance(exc, ssl.SSLError) and refused.get(addr) != str(exc):
                        log("ERROR", "rpc: TLS with %s:%d failed: %s" % (addr + (exc,)))
                        refused[addr] = str(exc)
                    continue
                refused.pop(addr, None)
                self.adopt_data(answer.get("data"))
                self.membership.merge(answer.get("table", []))
                self.adopt_acl(answer.get("acl"))
            self.membership.tick()
            self.stop_event.wait(cluster.GOSSIP_INTERVAL_S)

    def _membership_changed(self):
        leader = self.membership.leader()
        name = leader["name"] if leader else None
        if name != getattr(self, "_last_leader", "?"):
            self._last_leader = name
            if name == self.rt.node_name:
                log("INFO", "raft: stand-in election won: this node is the leader")
                if self.contract is not None and self.acl.get("token"):
                    self.product.install_token(self.contract, self.acl["token"])
            elif name:
                log("INFO", "raft: leader is %s" % name)
            else:
                log("WARN", "raft: no cluster leader")
        if name == self.rt.node_name and self.contract is not None:
            self.product.on_membership(self)
        self.save_state()

    # -- HTTP forwarding --------------------------------------------------------
    def forward(self, method, path, headers, body):
        """Serve on the leader, forwarding when it is another server. While there is no
        leader or the leader cannot be reached, retry until ``RPC_HOLD_S`` (Consul
        ``performance.rpc_hold_timeout``, Nomad's RPC retry: a request survives a change
        of leader), then answer 500."""
        deadline = time.monotonic() + RPC_HOLD_S
        while True:
            leader = self.membership.leader()
            if leader is not None and leader["name"] == self.rt.node_name:
                return self.serve_leader(method, path, headers, body)
            if leader is None:
                error = "No cluster leader"
            else:
                key, tls = self.channel()
                port = leader["server_port"] if self.product.clients_use_rpc and \
                    not self.rt.server else leader["port"]
                try:
                    answer = cluster.request((leader["addr"], port), key, {
                        "type": "http", "method": method, "path": path, "headers": headers,
                        "body": base64.b64encode(body).decode()}, timeout=FORWARD_TIMEOUT_S,
                        tls=tls)
                except (cluster.Refused, OSError) as exc:
                    error = "rpc error: failed to forward to the leader: %s" % exc
                else:
                    if not (answer["status"] == 500 and
                            base64.b64decode(answer["body"]) == b"No cluster leader"):
                        return (answer["status"], answer["headers"],
                                base64.b64decode(answer["body"]))
                    error = "No cluster leader"
            if time.monotonic() >= deadline:
                return 500, {"Content-Type": "text/plain"}, error.encode()
            time.sleep(0.2)

    def replicate_now(self):
        """After a write on the leader: export and push the tables to every alive server
        before answering (a write acknowledged is on the other servers, as a Raft commit)."""
        self.export_data()
        payload = {"type": "gossip", "table": self.membership.table(), "acl": self.acl,
                   "data": self.data}
        for member in self.membership.table()[1:]:
            if member["role"] == "server" and member["status"] == "alive":
                try:
                    cluster.request((member["addr"], member["port"]), self.key, payload,
                                    timeout=1.0)
                except (cluster.Refused, OSError) as exc:
                    log("WARN", "raft: could not replicate to %s: %s" % (member["name"], exc))

    def serve_leader(self, method, path, headers, body):
        result = self._serve_leader(method, path, headers, body)
        if method not in ("GET", "HEAD") and result[0] < 300:
            self.replicate_now()
        return result

    def _serve_leader(self, method, path, headers, body):
        handled = self.product.leader_route(self, method, urlsplit(path).path, headers, body)
        if handled is not None:
            return handled
        host, port = self.contract.host_port
        conn = http.client.HTTPConnection(host, port, timeout=FORWARD_TIMEOUT_S)
        try:
            keep = {k: v for k, v in headers.items()
                    if k.lower() not in ("host", "content-length", "connection")}
            conn.request(method, path, body=body or None, headers=keep)
            resp = conn.getresponse()
            payload = resp.read()
            return resp.status, dict(resp.getheaders()), payload
        finally:
            conn.close()

    # -- listeners -----------------------------------------------------------------
    def ssl_context(self, conf):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(conf["cert_file"], conf["key_file"])
        if conf.get("ca_file"):
            ctx.load_verify_locations(conf["ca_file"])
        if conf.get("verify_incoming"):
            ctx.verify_mode = ssl.CERT_REQUIRED
        return ctx

    def build_tls(self, rt):
        """The TLS contexts of configuration ``rt``, read from its certificate files:
        ``{"https": context or None, "channels": {port: context or None}, "client":
        (context, server name) or None}``. Raises OSError or ssl.SSLError when a file is
        missing or unreadable or the key does not match the certificate."""
        https = None
        if any(scheme == "https" for scheme, _host, _port in rt.listeners()):
            https = self.ssl_context(rt.https_tls())
        channels = {port: ctx for port, _key, ctx in self.product.extra_channels(self, rt)}
        return {"https": https, "channels": channels, "client": self.product.client_tls(rt)}

    def start_listeners(self):
        self.tls = self.build_tls(self.rt)
        for scheme, host, port in self.rt.listeners():
            httpd = _TLSHTTPServer((host, port), _Handler)
            httpd.agent = self
            if scheme == "https":
                httpd.ssl_context = self.tls["https"]
            self.http_servers.append(httpd)
            threading.Thread(target=httpd.serve_forever, args=(0.2,), daemon=True,
                             name="http-%d" % port).start()
            log("INFO", "agent: started %s API server on %s:%d" % (scheme.upper(), host, port))
        channels = [(self.rt.cluster_port, self.key, None)] if self.product.member_entry(
            self.rt)["port"] else []
        channels += [(port, None, ctx) for port, ctx in self.tls["channels"].items()]
        ports = [channel[0] for channel in channels]
        for port, key, ctx in channels:
            srv = _ClusterServer((self.product.cluster_bind(self.rt), port), _ClusterHandler)
            srv.agent, srv.key, srv.ssl_context = self, key, ctx
            self.cluster_servers.append(srv)
            threading.Thread(target=srv.serve_forever, args=(0.2,), daemon=True,
                             name="cluster-%d" % port).start()
        log("INFO", "agent: stand-in cluster listener on %s port(s) %s (TEST INFRASTRUCTURE, "
            "not Serf/Raft)" % (self.product.cluster_bind(self.rt), ports))

    def reload_tls(self, rt):
        """Re-read the certificate files on SIGHUP and use them for every new handshake on
        the running listeners (HTTPS, Nomad's server RPC port) and for a Nomad client's RPC
        to the servers; open connections keep their session. Real agents: Consul
        ``agent/agent.go`` ``reloadConfigInternal`` -> ``tlsConfigurator.Update`` (a failure
        is "Failed reloading tls configuration" and the old files stay in use); Nomad
        ``command/agent/command.go`` ``handleReload`` -> ``agent.Reload`` (the key loader
        shared by server and client loads the new pair; an error keeps the old one) and
        ``reloadHTTPServer``. Nomad closes and reopens its HTTP listener there (a
        connection in that instant is refused); the stand-in swaps the context on the
        open listener instead and does not model that instant. A reload neither turns TLS
        on nor off (Consul: only a configuration already TLS-enabled is reloaded). Returns
        True when the new files are in use."""
        try:
            tls = self.build_tls(rt)
        except (OSError, ssl.SSLError, KeyError) as exc:
            log("ERROR", "agent: reload failed: cannot load the TLS certificates, keeping "
                "the running ones: %s" % exc)
            return False
        for httpd in self.http_servers:
            if httpd.ssl_context is not None and tls["https"] is not None:
                httpd.ssl_context = tls["https"]
        for srv in self.cluster_servers:
            ctx = tls["channels"].get(srv.server_address[1])
            if srv.ssl_context is not None and ctx is not None:
                srv.ssl_context = ctx
        if self.tls["client"] is not None and tls["client"] is not None:
            self.tls["client"] = tls["client"]
        return True

    # -- lifecycle ---------------------------------------------------------------------
    def reload(self):
        """SIGHUP: re-read and re-check the configuration (the running listeners and
        membership keep their settings) and the TLS certificate files (``reload_tls``)."""
        try:
            rt = self.product.load(self.config_paths)
        except ConfigError as exc:
            log("ERROR", "agent: reload failed, keeping the running configuration: %s"
                % "; ".join(exc.messages))
            return
        self.rt.raw = rt.raw
        if self.reload_tls(rt):
            log("INFO", "agent: reloaded configuration and TLS certificates from %s"
                % ", ".join(self.config_paths))

    def run(self):
        for warning in self.rt.warnings:
            log("WARN", "agent: %s" % warning)
        persisted = self.prepare_data_dir()
        if persisted is None:
            return 1
        self.acl = persisted.get("acl") or self.acl
        me = self.product.member_entry(self.rt)
        me["version"] = self.product_version  # peers see it as serf tag / autopilot Version
        self.membership = cluster.Membership(me, self.rt.bootstrap_expect if self.rt.server else 0,
                                             persisted, self._membership_changed)
        if self.rt.server:
            self.contract = self.product.start_contract(self.rt)
            saved = persisted.get("data") or {}
            if saved.get("tables"):
                self.data = saved
                self.product.import_tables(self.contract, saved["tables"])
            if self.acl.get("token"):
                self.product.install_token(self.contract, self.acl["token"])
        try:
            self.start_listeners()
        except (OSError, ssl.SSLError) as exc:
            sys.stderr.write("==> Error starting agent: %s\n" % exc)
            log("ERROR", "agent: cannot bind: %s" % exc)
            return 1
        self.save_state()
        signal.signal(signal.SIGTERM, lambda *_: self.stop_event.set())
        signal.signal(signal.SIGINT, lambda *_: self.stop_event.set())
        signal.signal(signal.SIGHUP, lambda *_: threading.Thread(target=self.reload).start())
        sd_notify("READY=1")
        log("INFO", "agent: %s stand-in started: node=%s server=%s (TEST INFRASTRUCTURE)"
            % (self.product.name, self.rt.node_name, self.rt.server))
        gossip = threading.Thread(target=self._gossip_loop, daemon=True, name="gossip")
        gossip.start()
        while not self.stop_event.wait(0.5):
            pass
        log("INFO", "agent: caught signal, shutting down")
        sd_notify("STOPPING=1")
        self.stop_event.set()
        gossip.join(timeout=3)
        self.membership.leave("left" if self.rt.leave_on_terminate else "failed")
        key, tls = self.channel()
        for addr in self._targets():
            try:
                cluster.request(addr, key, {"type": "leave", "table": self.membership.table()},
                                timeout=0.5, tls=tls)
            except (cluster.Refused, OSError, ValueError):
                pass
        if self.rt.leave_on_terminate:
            log("INFO", "agent: graceful leave complete")
        for srv in self.http_servers + self.cluster_servers:
            srv.shutdown()
            srv.server_close()
        if self.contract is not None:
            self.contract.stop()
        self.save_state()
        log("INFO", "agent: shutdown complete")
        return 0


def host_port_of(addr):
    """``"http://h:p"`` -> ``(h, p)``."""
    parts = urlsplit(addr)
    return parts.hostname, parts.port


def hostname():
    return socket.gethostname()


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def monotonic():
    return time.monotonic()
