"""VaultClient.get_bytes / post_bytes (raft snapshots) against a loopback server."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.client import VaultClient
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError

BODY = b"\x1f\x8b" + bytes(range(256)) * 4


class _Snapshots(BaseHTTPRequestHandler):
    """GET: a gzip body (slowly when ``trickle``); POST: records the body, answers ``post_status``."""

    protocol_version = "HTTP/1.1"  # keep-alive, as Vault/OpenBao answer
    trickle = False
    post_status = 204
    posts = []

    def do_GET(self):  # noqa: N802 - http.server API
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        if not type(self).trickle:
            self.wfile.write(BODY)
            return
        try:
            for i in range(300):  # bounded: about 3 s, never the whole body; the client gives up at 1 s
                self.wfile.write(BODY[i:i + 1])
                self.wfile.flush()
                time.sleep(0.01)
        except OSError:
            pass

    def do_POST(self):  # noqa: N802 - http.server API
        length = int(self.headers.get("Content-Length") or 0)
        type(self).posts.append((self.headers.get("X-Vault-Token"), self.rfile.read(length)))
        self.send_response(type(self).post_status)
        if type(self).post_status != 204:
            body = b'{"errors": ["Vault is sealed"]}'
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Snapshots.trickle, _Snapshots.post_status, _Snapshots.posts = False, 204, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Snapshots)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _client(httpd, **extra):
    params = dict(url=f"http://127.0.0.1:{httpd.server_address[1]}", timeout=5, retries=3, token="t0k")
    params.update(extra)
    return VaultClient(params)


def test_get_bytes_returns_the_raw_body(server):
    assert _client(server).get_bytes("sys/storage/raft/snapshot") == BODY


def test_get_bytes_is_bounded_by_the_deadline(server):
    _Snapshots.trickle = True
    started = time.monotonic()
    with pytest.raises(VaultModuleError, match="download: timed out after 1"):
        _client(server, timeout=1, retries=0).get_bytes("sys/storage/raft/snapshot", action="download")
    assert time.monotonic() - started < 5


def test_post_bytes_sends_the_body_with_the_token(server):
    _client(server).post_bytes("sys/storage/raft/snapshot", BODY)
    assert _Snapshots.posts == [("t0k", BODY)]


def test_post_bytes_is_never_repeated(server):
    _Snapshots.post_status = 503
    with pytest.raises(VaultModuleError, match="restore: .*HTTP 503.*Vault is sealed"):
        _client(server).post_bytes("sys/storage/raft/snapshot", BODY, action="restore")
    assert len(_Snapshots.posts) == 1
