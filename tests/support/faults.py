"""A loopback HTTP server that misbehaves on purpose (test infrastructure only).

It speaks raw bytes over TCP so it can do what a well-behaved HTTP library would not:

- ``hang``: accept the connection, read the request, never answer;
- ``trickle_headers``: send the status line, then one header line every ``interval`` s
  and never finish the headers;
- ``trickle_body``: send complete headers announcing a large body, then one body byte
  every ``interval`` s;
- ``status``: answer ``status`` (with ``headers`` such as ``Retry-After``) and ``body``;
- ``close``: read the request, then close the connection without answering.

Each request takes the next behaviour from ``script``; when the script is used up,
``default`` applies. ``requests`` records (method, path, monotonic time) per request.
With ``tls=(certfile, keyfile)`` the server speaks HTTPS (``address`` says https).
A refused connection needs no server: use ``refused_address()``.

Usage::

    with FaultServer(default=("hang",)) as server:
        client(address=server.address) ...
"""
import json
import socket
import socketserver
import ssl
import threading
import time

from tests.support.net import free_port


def refused_address():
    """An http:// address on which nothing listens (connections are refused)."""
    return "http://127.0.0.1:%d" % free_port()


def ok(body=None):
    """A 200 JSON answer for ``script``."""
    return ("status", 200, {}, body if body is not None else {})


class FaultServer:
    def __init__(self, script=None, default=("hang",), interval=1.0, tls=None):
        self.script = list(script or [])
        self._tls = None
        if tls:
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(*tls)
        self.default = default
        self.interval = interval
        self.requests = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                outer._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

        self._server = Server(("127.0.0.1", 0), Handler)
        self.address = "%s://127.0.0.1:%d" % ("https" if tls else "http", self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    # -- lifecycle ----------------------------------------------------------
    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- behaviour ----------------------------------------------------------
    def _next(self):
        with self._lock:
            return self.script.pop(0) if self.script else self.default

    def _serve(self, sock):
        if self._tls is not None:
            try:
                sock = self._tls.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError):
                return
        reader = sock.makefile("rb")
        while not self._stop.is_set():
            request = _read_request(reader)
            if request is None:
                return
            with self._lock:
                self.requests.append((request[0], request[1], time.monotonic()))
            behaviour = self._next()
            if not self._act(sock, behaviour):
                return

    def _pause(self):
        """Sleep one interval; False when the server is stopping."""
        return not self._stop.wait(self.interval)

    def _act(self, sock, behaviour):
        """Carry out one behaviour; True when the connection can serve another request."""
        kind = behaviour[0]
        try:
            if kind == "hang":
                self._stop.wait()
                return False
            if kind == "close":
                sock.shutdown(socket.SHUT_RDWR)
                return False
            if kind == "trickle_headers":
                sock.sendall(b"HTTP/1.1 200 OK\r\n")
                number = 0
                while self._pause():
                    number += 1
                    sock.sendall(b"X-Trickle-%d: %d\r\n" % (number, number))
                return False
            if kind == "trickle_body":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 100000\r\n\r\n")
                while self._pause():
                    sock.sendall(b" ")
                return False
            if kind == "status":
                dummy, status, headers, body = behaviour
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                head = ["HTTP/1.1 %d Fault" % status, "Content-Type: application/json",
                        "Content-Length: %d" % len(data)]
                head += ["%s: %s" % item for item in (headers or {}).items()]
                sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + data)
                return True
        except OSError:
            return False
        raise ValueError("unknown fault behaviour %r" % (behaviour,))


def _read_request(reader):
    """(method, path) of the next request on the connection (body consumed), or None."""
    line = reader.readline()
    if not line:
        return None
    try:
        method, path, _version = line.decode("latin-1").split(" ", 2)
    except ValueError:
        return None
    length = 0
    while True:
        header = reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, dummy, value = header.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip() or 0)
    if length:
        reader.read(length)
    return method, path
