"""The TLS probe loop of molecule/site side_effect (tests/support/tls_probe.py) counts a
healthy answer as ok, a refused connection, an error status or an empty leader as failed,
and lists the certificates it was served."""
import http.server
import ssl
import threading

import pytest

from tests.support import tls_probe
from tests.support.net import free_port
from tests.support.registry import TestCA


class _Leader(http.server.BaseHTTPRequestHandler):
    body = b'"10.0.0.1:4647"'
    status = 200

    def do_GET(self):  # noqa: N802 - http.server naming
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def https_server(tmp_path):
    ca = TestCA(tmp_path / "ca")
    cert, key = ca.issue(tmp_path / "srv", ["127.0.0.1"])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    handler = type("Handler", (_Leader,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server, handler, str(ca.cert_path)
    server.shutdown()
    server.server_close()


def _target(name, port, ca_file, expect="leader"):
    return {"name": name, "addr": "127.0.0.1", "port": port, "path": "/v1/status/leader",
            "ca_file": ca_file, "expect": expect}


def test_counts_answers_failures_and_serials(https_server, tmp_path):
    server, _handler, ca_file = https_server
    targets = [_target("up", server.server_address[1], ca_file),
               _target("down", free_port(), ca_file)]
    result = tls_probe.run(targets, str(tmp_path / "stop"), interval=0.01, max_seconds=0.3)
    up, down = result["targets"]["up"], result["targets"]["down"]
    assert result["rounds"] > 0
    assert up["ok"] == result["rounds"] and up["failed"] == 0 and len(up["serials"]) == 1
    assert down["ok"] == 0 and down["failed"] == result["rounds"]
    assert "ConnectionRefusedError" in down["errors"][0] and down["serials"] == []


@pytest.mark.parametrize("status,body,expect,error", [
    (200, b'""', "leader", "no leader"),
    (503, b"sealed", "200", "HTTP 503 sealed"),
])
def test_an_unhealthy_answer_is_a_failure(https_server, tmp_path, status, body, expect, error):
    server, handler, ca_file = https_server
    handler.status, handler.body = status, body
    result = tls_probe.run([_target("api", server.server_address[1], ca_file, expect)],
                           str(tmp_path / "stop"), interval=0.01, max_seconds=0.2)
    api = result["targets"]["api"]
    assert api["ok"] == 0 and api["failed"] == result["rounds"] > 0
    assert api["errors"][0].endswith(error)


def test_the_stop_file_ends_the_loop(tmp_path):
    (tmp_path / "stop").touch()
    result = tls_probe.run([], str(tmp_path / "stop"), interval=0.01, max_seconds=60)
    assert result["rounds"] == 0
