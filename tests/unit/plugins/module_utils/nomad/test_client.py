"""NomadClient against a scripted loopback HTTP server (real sockets, real python-nomad)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import (
    NomadClient, NomadError, hcl_variables)
from tests.support.net import free_port


class Scripted:
    """Answers requests from a script of (status, body) and records what it got."""

    def __init__(self):
        self.script = []
        self.seen = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.seen.append({"method": self.command, "path": self.path,
                                   "token": self.headers.get("X-Nomad-Token"),
                                   "body": json.loads(body) if body else None})
                status, payload = outer.script.pop(0) if outer.script else (200, {})
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.addr = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http():
    server = Scripted()
    yield server
    server.stop()


def make(addr, **extra):
    config = {"address": addr, "token": "s3cr3t-token", "namespace": "agents", "retries": 2,
              "retry_delay": 0.01, "timeout": 2}
    config.update(extra)
    return NomadClient(config)


def test_get_job_sends_token_and_namespace(http):
    http.script = [(200, {"ID": "web", "Namespace": "agents"})]
    job = make(http.addr).get_job("web")
    assert job["ID"] == "web"
    assert http.seen[0]["method"] == "GET"
    assert http.seen[0]["path"] == "/v1/job/web?namespace=agents"
    assert http.seen[0]["token"] == "s3cr3t-token"


def test_missing_job_is_none(http):
    http.script = [(404, "job not found")]
    assert make(http.addr).get_job("nope") is None
    assert len(http.seen) == 1


def test_502_503_504_are_retried_then_succeed(http):
    http.script = [(503, "no leader"), (502, "bad gateway"), (504, "gateway timeout"), (200, {"EvalID": "e1"})]
    resp = make(http.addr, retries=3).register_job({"ID": "web", "Namespace": "agents"})
    assert resp == {"EvalID": "e1"}
    assert len(http.seen) == 4
    assert all(s["path"] == "/v1/jobs?namespace=agents" for s in http.seen)


def test_5xx_retries_are_bounded_and_reported(http):
    http.script = [(503, "boom")] * 5
    with pytest.raises(NomadError) as info:
        make(http.addr).get_job("web")
    assert len(http.seen) == 3  # 1 + retries=2
    err = info.value
    assert err.status == 503 and err.attempts == 3
    assert "HTTP 503" in str(err) and "/v1/job/web" in str(err) and "boom" in str(err)


@pytest.mark.parametrize("status", [400, 403, 409])
def test_4xx_is_never_retried(http, status):
    http.script = [(status, "Permission denied")] * 3
    with pytest.raises(NomadError) as info:
        make(http.addr).plan_job({"ID": "web"})
    assert len(http.seen) == 1
    assert info.value.status == status
    assert info.value.method == "POST"
    assert info.value.endpoint.startswith("/v1/job/web/plan")
    assert "Permission denied" in str(info.value)
    assert "s3cr3t-token" not in str(info.value)


@pytest.mark.parametrize("status", [500, 501])
def test_500_and_501_are_not_retried(http, status):
    # 501: Nomad OSS answers it for Enterprise-only endpoints; 500: Nomad's catch-all
    # for a failed RPC (command/agent/http.go errCodeFromHandler), often permanent.
    http.script = [(status, "Nomad Enterprise only endpoint")] * 3
    with pytest.raises(NomadError) as info:
        make(http.addr).request("GET", "/v1/quota/q")
    assert len(http.seen) == 1 and info.value.status == status


def test_unreachable_server_is_retried_and_translated():
    addr = "http://127.0.0.1:%d" % free_port()
    with pytest.raises(NomadError) as info:
        make(addr).get_job("web")
    err = info.value
    assert err.status is None and err.attempts == 3
    assert str(err).startswith("Nomad GET /v1/job/web")
    assert "cannot connect to Nomad at %s: connection refused; check that Nomad is running" % addr in str(err)
    assert "Max retries exceeded" not in str(err) and "HTTPConnectionPool" not in str(err)


def test_dispatch_puts_idempotency_token_in_query_and_payload_in_body(http):
    http.script = [(200, {"DispatchedJobID": "p/dispatch-1", "EvalID": "e"})]
    make(http.addr).dispatch_job("p", payload="aGk=", meta={"a": "b"}, idempotency_token="tok")
    seen = http.seen[0]
    assert seen["path"].startswith("/v1/job/p/dispatch?")
    assert "idempotency_token=tok" in seen["path"] and "namespace=agents" in seen["path"]
    assert seen["body"] == {"JobID": "p", "Payload": "aGk=", "Meta": {"a": "b"}}


def test_dispatch_without_token_is_not_retried(http):
    http.script = [(503, "x"), (200, {})]
    with pytest.raises(NomadError):
        make(http.addr).dispatch_job("p")
    assert len(http.seen) == 1


def test_dispatch_with_token_is_retried(http):
    http.script = [(503, "x"), (200, {"DispatchedJobID": "p/d"})]
    assert make(http.addr).dispatch_job("p", idempotency_token="t")["DispatchedJobID"] == "p/d"
    assert len(http.seen) == 2


def test_register_with_enforce_index_is_not_retried(http):
    http.script = [(503, "x"), (200, {})]
    with pytest.raises(NomadError):
        make(http.addr).register_job({"ID": "w"}, enforce_index=3)
    assert len(http.seen) == 1


def test_other_posts_are_not_retried_once_sent(http):
    http.script = [(503, "x"), (200, {})]
    with pytest.raises(NomadError):
        make(http.addr).request("POST", "/v1/namespace/team", body={"Name": "team"})
    assert len(http.seen) == 1


def test_register_with_enforce_index_and_preserve_counts(http):
    http.script = [(200, {"EvalID": "e"})]
    make(http.addr).register_job({"ID": "w"}, namespace="other", enforce_index=7, preserve_counts=True)
    seen = http.seen[0]
    assert seen["path"] == "/v1/jobs?namespace=other"
    assert seen["body"]["EnforceIndex"] is True and seen["body"]["JobModifyIndex"] == 7
    assert seen["body"]["PreserveCounts"] is True and seen["body"]["Job"] == {"ID": "w"}


def test_parse_hcl_sends_variables_file(http):
    http.script = [(200, {"ID": "x"})]
    make(http.addr).parse_hcl('job "x" {}', variables={"image": "a:1", "count": 2})
    body = http.seen[0]["body"]
    assert body["JobHCL"] == 'job "x" {}'
    assert body["Variables"] == 'count = 2\nimage = "a:1"\n'


def test_hcl_variables_escapes_templates_and_rejects_bad_names():
    assert hcl_variables({"v": "${x} %{y}"}) == 'v = "$${x} %%{y}"\n'
    assert hcl_variables({"l": ["a", 1], "m": {"k": True}}) == 'l = ["a", 1]\nm = {"k": true}\n'
    with pytest.raises(ValueError, match="invalid HCL variable name"):
        hcl_variables({"bad name": 1})


def test_bad_address_rejected():
    with pytest.raises(ValueError, match="address must be a URL"):
        NomadClient({"address": "localhost"})


def test_tls_options_reach_requests(http):
    client = make(http.addr, skip_verify=True, client_cert="/c.pem", client_key="/k.pem")
    assert client.api().job.verify is False
    assert client.api().job.cert == ("/c.pem", "/k.pem")
    client = make(http.addr, ca_cert="/ca.pem")
    assert client.api().job.verify == "/ca.pem"
