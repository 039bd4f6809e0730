"""The reference agent (examples/agents/reference) keeps the runtime contract.

Every test runs the real agent as a subprocess (``python -m reference_agent``) on a free
loopback port with a temporary data dir; upstreams are real loopback HTTP servers (or a
closed port). Every wait is bounded; nothing asserts on durations except generous
upper bounds.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.build_records import BuildRecords
from tests.support.net import free_port

AGENT_DIR = Path(__file__).resolve().parents[3] / "examples" / "agents" / "reference"
CONTRACT = {"AGENTFLEET_FLEET": "agents-lab", "AGENT_NAME": "retriever", "AGENT_TENANT": "research",
            "AGENT_KIND": "service", "AGENT_VERSION": "1.4.2", "AGENT_EXECUTION_ID": "alloc-7f3c",
            "LOG_FORMAT": "json"}
LOG_FIELDS = {"ts", "level", "msg", "fleet", "agent", "tenant", "kind", "version", "execution_id", "correlation_id"}
# The destination Nomad would export for an upstream `embedder` in the example fleet.
DESTINATION = "agents-lab--research--embedder"


def wait_until(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class AgentProcess:
    """The agent under test: its process, port and collected stdout lines."""

    def __init__(self, tmp_path: Path, contract=None, port_env="NOMAD_PORT_http", **env: str) -> None:
        self.port = free_port()
        self.data_dir = tmp_path / "alloc" / "data"
        full = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(AGENT_DIR), "HTTP_BIND": "127.0.0.1",
                port_env: str(self.port), "NOMAD_ALLOC_DIR": str(tmp_path / "alloc")}
        full.update(CONTRACT if contract is None else contract)
        full.update(env)
        self.lines: list[str] = []
        # cwd is a read-only-in-spirit place: the agent writes only under NOMAD_ALLOC_DIR/data.
        self.proc = subprocess.Popen([sys.executable, "-m", "reference_agent"], env=full, cwd=AGENT_DIR,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def records(self):
        return [json.loads(line) for line in list(self.lines)]

    def events(self, msg, **match):
        return [r for r in self.records() if r["msg"] == msg and all(r.get(k) == v for k, v in match.items())]

    def get(self, path):
        return request(f"http://127.0.0.1:{self.port}{path}")

    def post(self, body, headers=None):
        return request(f"http://127.0.0.1:{self.port}/work", json.dumps(body).encode(), headers)

    def wait_ready(self):
        wait_until(lambda: self.proc.poll() is None and self.get("/live")[0] == 200, what="/live 200")
        wait_until(lambda: self.get("/ready")[0] == 200, what="/ready 200")

    def state(self, execution_id):
        return self.get(f"/work/{execution_id}")[1]["state"]

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        self.reader.join(5)
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def request(url, data=None, headers=None):
    """(status, JSON body) of one request; (0, None) when nothing answers."""
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
    except (urllib.error.URLError, ConnectionError):
        return 0, None


class Upstream:
    """A real loopback HTTP upstream recording every POST (path, headers, body)."""

    def __init__(self, port=0, hold: threading.Event | None = None):
        self.calls: list[tuple[str, dict, object]] = []
        self.hold = hold
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.calls.append((self.path, self.headers, body))  # case-insensitive
                if outer.hold is not None:
                    outer.hold.wait(10)
                data = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.addr = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def agents():
    started = []

    def start(tmp_path, **kwargs):
        agent = AgentProcess(tmp_path, **kwargs)
        started.append(agent)
        return agent
    yield start
    for agent in started:
        agent.kill()


@pytest.fixture
def upstream():
    servers = []

    def start(**kwargs):
        server = Upstream(**kwargs)
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.close()


def test_health_logs_idempotency_and_graceful_stop(tmp_path, agents, upstream):
    up = upstream()
    # Nomad exports the upstream under its cleaned destination name (client/taskenv/env.go).
    env = {"UPSTREAM_SERVICE": DESTINATION, "NOMAD_UPSTREAM_ADDR_agents_lab__research__embedder": up.addr}
    # A proxy from the environment must not be used for the local sidecar (nothing listens there).
    agent = agents(tmp_path, http_proxy=f"http://127.0.0.1:{free_port()}", no_proxy="", **env)
    agent.wait_ready()

    item = {"execution_id": "research-digest/dispatch-1732-9a", "correlation_id": "req-42", "payload": {"q": "x"}}
    assert agent.post(item) == (202, {"execution_id": item["execution_id"], "status": "queued"})
    wait_until(lambda: agent.state(item["execution_id"]) == "done", what="item done")
    assert agent.post(item) == (200, {"execution_id": item["execution_id"], "status": "duplicate"})
    assert agent.post(dict(item, payload={"q": "other"}))[1]["status"] == "duplicate"  # keyed by ID only
    status, body = agent.post({"payload": 1})
    assert status == 400 and body["error"].startswith("execution_id must be")

    assert len(up.calls) == 1
    path, headers, body = up.calls[0]
    assert (path, body) == ("/work", item)
    assert headers["Idempotency-Key"] == item["execution_id"]
    assert headers["X-Correlation-ID"] == "req-42"
    assert len(agent.events("item.done")) == 1
    assert agent.events("item.done", execution_id=item["execution_id"], correlation_id="req-42")

    assert agent.stop(signal.SIGTERM) == 0
    records = agent.records()
    assert records, "no log lines"
    for record in records:
        assert LOG_FIELDS <= set(record), record
        assert (record["agent"], record["tenant"], record["version"], record["fleet"]) == \
            ("retriever", "research", "1.4.2", "agents-lab")
        assert record["ts"].endswith("Z") and record["level"] in ("debug", "info", "warning", "error")
    starting = agent.events("agent.starting")[0]
    assert (starting["execution_id"], starting["correlation_id"]) == ("alloc-7f3c", "alloc-7f3c")
    assert agent.events("agent.ready")[0]["port"] == agent.port
    assert agent.events("agent.ready")[0]["upstream"] == up.addr
    assert agent.events("agent.stopping", signal="SIGTERM")
    assert agent.events("agent.stopped", graceful=True)
    assert list(agent.data_dir.iterdir()) == [agent.data_dir / "done"]

    # The done-store survives a restart of the task: the same ID is still a duplicate.
    again = agents(tmp_path, **env)
    again.wait_ready()
    assert again.post(item)[1]["status"] == "duplicate"
    assert again.events("agent.starting")[0]["done_items"] == 1
    assert again.stop() == 0
    assert len(up.calls) == 1


def test_closed_upstream_retries_with_backoff_then_breaker_opens(tmp_path, agents):
    settings = {"RETRY_ATTEMPTS": "3", "RETRY_INITIAL": "0.05", "RETRY_MAX": "0.15", "RETRY_JITTER": "0.05",
                "BREAKER_FAIL_MAX": "3", "BREAKER_RESET": "120", "UPSTREAM_TIMEOUT": "1"}
    agent = agents(tmp_path, UPSTREAM_ADDR=f"127.0.0.1:{free_port()}", **settings)  # nothing listens there
    agent.wait_ready()

    assert agent.post({"execution_id": "first"})[0] == 202
    wait_until(lambda: agent.state("first") == "failed", what="first item failed")
    retries = agent.events("upstream.retry", execution_id="first")
    assert [r["attempt"] for r in retries] == [1, 2]
    for r in retries:  # min(0.05 * 2**(n-1) + uniform(0, 0.05), 0.15)
        low = min(0.05 * 2 ** (r["attempt"] - 1), 0.15)
        assert low <= r["wait_s"] <= min(low + 0.05, 0.15) + 0.001, r
        assert "Connection refused" in r["error"] or "UpstreamError" in r["error"]
    assert agent.events("breaker.state", state="open")
    assert "CircuitBreakerError" in agent.events("item.failed", execution_id="first")[0]["error"]

    status, body = agent.get("/ready")
    assert status == 503 and body["ready"] is False and "upstream circuit open" in body["reason"]
    assert agent.get("/live") == (200, {"live": True})

    # While open, items fail at once: no attempt, so no retry.
    assert agent.post({"execution_id": "second"})[0] == 202
    wait_until(lambda: agent.state("second") == "failed", what="second item failed")
    assert not agent.events("upstream.retry", execution_id="second")
    # A failed item is not done: the same ID may be submitted again.
    assert agent.post({"execution_id": "second"})[1]["status"] == "queued"
    assert agent.stop() == 0


def test_breaker_half_opens_and_readiness_recovers(tmp_path, agents, upstream):
    port = free_port()
    agent = agents(tmp_path, UPSTREAM_ADDR=f"127.0.0.1:{port}", RETRY_ATTEMPTS="1",
                   BREAKER_FAIL_MAX="1", BREAKER_RESET="1")
    agent.wait_ready()
    agent.post({"execution_id": "a"})
    wait_until(lambda: agent.state("a") == "failed", what="item a failed")
    # Ready again once the reset time has passed (the next call is the trial call).
    wait_until(lambda: agent.get("/ready")[0] == 200, what="/ready 200 after BREAKER_RESET")
    up = upstream(port=port)
    agent.post({"execution_id": "a"})
    wait_until(lambda: agent.state("a") == "done", what="item a done through the trial call")
    assert agent.events("breaker.state", state="closed")
    assert len(up.calls) == 1
    assert agent.stop() == 0


def test_stop_signal_finishes_current_item_then_exits_0(tmp_path, agents, upstream):
    hold = threading.Event()
    up = upstream(hold=hold)
    # kill_signal: SIGINT in the spec (the example fleet's embedder)
    agent = agents(tmp_path, UPSTREAM_ADDR=up.addr, STOP_SIGNALS="SIGINT")
    agent.wait_ready()
    agent.post({"execution_id": "slow"})
    wait_until(lambda: up.calls, what="upstream called")
    agent.proc.send_signal(signal.SIGINT)
    wait_until(lambda: agent.events("agent.stopping", signal="SIGINT"), what="stopping logged")
    assert agent.get("/ready") == (503, {"ready": False, "reason": "stopping"})
    assert agent.post({"execution_id": "late"})[0] == 503
    assert agent.proc.poll() is None  # still finishing "slow"
    hold.set()
    assert agent.proc.wait(10) == 0
    agent.reader.join(5)
    assert agent.events("item.done", execution_id="slow")
    assert agent.events("agent.stopped", graceful=True)


def test_dispatch_run_is_one_item_keyed_by_execution_id(tmp_path):
    task_dir = tmp_path / "local"
    task_dir.mkdir()
    (task_dir / "item.json").write_text('{"doc": 17}')
    # Settings from a file (a Nomad template would render it): here the payload file name.
    (task_dir / "agent.json").write_text('{"PAYLOAD_FILE": "item.json"}')
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(AGENT_DIR), **CONTRACT,
           "AGENT_KIND": "dispatch", "AGENT_EXECUTION_ID": "digest/dispatch-1764460800-3f2a",
           "NOMAD_TASK_DIR": str(task_dir), "NOMAD_ALLOC_DIR": str(tmp_path / "alloc"),
           "NOMAD_META_correlation_id": "ticket-991", "CONFIG_FILE": str(task_dir / "agent.json")}

    def run(**extra):
        return subprocess.run([sys.executable, "-m", "reference_agent"], env={**env, **extra}, cwd=AGENT_DIR,
                              capture_output=True, text=True, timeout=20, check=False)

    first = run()
    assert first.returncode == 0, first.stderr
    records = [json.loads(line) for line in first.stdout.splitlines()]
    done = [r for r in records if r["msg"] == "item.done"]
    assert len(done) == 1
    assert (done[0]["execution_id"], done[0]["correlation_id"]) == ("digest/dispatch-1764460800-3f2a", "ticket-991")
    # The payload file named in CONFIG_FILE was read (local work: SHA-256 of the JSON).
    assert done[0]["payload_sha256"] == hashlib.sha256(b'{"doc": 17}').hexdigest()
    # Nomad restarts the task (same dispatched child): the item is not processed again.
    second = run(LOG_FORMAT="text")
    assert second.returncode == 0, second.stderr
    assert "item.duplicate" in second.stdout and "item.start" not in second.stdout
    assert 'agent="retriever"' in second.stdout and 'execution_id="digest/dispatch-1764460800-3f2a"' in second.stdout


def test_bad_settings_are_all_reported_and_nothing_is_written(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(AGENT_DIR), **CONTRACT,
           "NOMAD_ALLOC_DIR": str(tmp_path / "alloc"), "RETRY_ATTEMPTS": "many", "LOG_FORMAT": "xml",
           "UPSTREAM_SERVICE": DESTINATION}
    del env["AGENT_NAME"]
    result = subprocess.run([sys.executable, "-m", "reference_agent"], env=env, cwd=AGENT_DIR,
                            capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 2
    errors = [json.loads(line)["error"] for line in result.stderr.splitlines()]
    assert any(e.startswith("AGENT_NAME: not set") for e in errors), errors
    assert "RETRY_ATTEMPTS: write an integer, at least 1 (got 'many')" in errors
    assert "LOG_FORMAT: write json or text (got 'xml')" in errors
    assert any(e.startswith("UPSTREAM_SERVICE: Nomad set no NOMAD_UPSTREAM_ADDR_agents_lab__research__embedder")
               for e in errors), errors
    assert not (tmp_path / "alloc").exists()
    assert result.stdout == ""


def test_the_example_spec_renders_jobs_this_agent_runs_under(tmp_path, agents, upstream):
    """examples/agents/reference/fleet.yml is a valid spec, and the agent runs with the
    environment of the job the collection renders from it, as Nomad would complete it."""
    # The spec names the image by its build (image: {build: reference-agent}); a record as
    # the role agent_image writes it after a push to the demo registry (make demo).
    digest = "sha256:" + hashlib.sha256(b"reference-agent image").hexdigest()
    records = tmp_path / "images"
    records.mkdir()
    (records / "reference-agent.json").write_text(json.dumps({
        "name": "reference-agent", "reference": "127.0.0.1:5000/agents/reference-agent:1.0.0", "digest": digest,
        "pinned": f"127.0.0.1:5000/agents/reference-agent@{digest}", "source_revision": "0" * 40,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "inputs_sha256": "1" * 64,
        "sbom": "reference-agent.cdx.json"}))
    data = api.load_spec_file(str(AGENT_DIR / "fleet.yml"))
    assert api.validate(data, records=BuildRecords(str(records))) == []
    # Without the record folder the spec is refused, naming the setting to give.
    assert "no build records folder is configured" in str(api.validate(data)[0])
    jobs = {j["agent"]: j["job"]["Job"] for j in api.render(api.load_spec(data, records=BuildRecords(str(records)))).jobs}
    assert {job["TaskGroups"][0]["Tasks"][0]["Config"]["image"] for job in jobs.values()} == {
        f"127.0.0.1:5000/agents/reference-agent@{digest}"}
    group = jobs["reference"]["TaskGroups"][0]
    task, service = group["Tasks"][0], group["Services"][0]
    # Mesh: the main port is not mapped (no NOMAD_PORT_http); the sidecar reaches the
    # agent on `to`, which must be the agent's HTTP_PORT default.
    assert group["Networks"][0]["DynamicPorts"] == [] and service["PortLabel"] == "8080"
    assert [(c["Path"], c["Expose"]) for c in service["Checks"]] == [("/ready", True), ("/live", True)]
    assert task["KillSignal"] in ("SIGTERM", "SIGINT")  # the agent's default STOP_SIGNALS
    assert float(task["Env"]["SHUTDOWN_GRACE"]) < task["KillTimeout"] / 1e9
    (destination,) = service["Connect"]["SidecarService"]["Proxy"]["Upstreams"]
    assert destination["DestinationName"] == task["Env"]["UPSTREAM_SERVICE"]

    # Nomad's part (client/taskenv/env.go): interpolate ${NOMAD_ALLOC_ID}, export the
    # upstream under the cleaned destination name. The real sidecar would listen on
    # LocalBindPort; a loopback upstream on a free port stands in for it.
    up = upstream()
    contract = {k: v.replace("${NOMAD_ALLOC_ID}", "5b1e0c2a-alloc") for k, v in task["Env"].items()}
    cleaned = destination["DestinationName"].replace("-", "_")
    agent = agents(tmp_path, contract=contract, port_env="HTTP_PORT",
                   **{f"NOMAD_UPSTREAM_ADDR_{cleaned}": up.addr})
    agent.wait_ready()
    for check in service["Checks"]:
        assert agent.get(check["Path"])[0] == 200
    assert agent.post({"execution_id": "chain-1", "payload": [1, 2]})[0] == 202
    wait_until(lambda: agent.state("chain-1") == "done", what="item done")
    assert up.calls[0][2] == {"execution_id": "chain-1", "correlation_id": "chain-1", "payload": [1, 2]}
    assert agent.stop(getattr(signal, task["KillSignal"]), timeout=task["KillTimeout"] / 1e9) == 0
    starting = agent.events("agent.starting")[0]
    assert (starting["agent"], starting["execution_id"]) == ("reference", "5b1e0c2a-alloc")


def test_lockfile_pins_match_the_dev_requirements_and_constraints():
    """The tests run the agent with the versions its image will install."""
    repo = AGENT_DIR.parents[2]

    def pins(path):
        return {line.split("==")[0].strip().lower(): line.split("==")[1].split()[0]
                for line in path.read_text().splitlines() if "==" in line and not line.startswith("#")}

    lock = pins(AGENT_DIR / "requirements.lock")
    assert set(lock) == {"pybreaker", "tenacity"}
    assert all(line.strip().startswith(("#", "--hash=sha256:", "pybreaker==", "tenacity==")) or not line.strip()
               for line in (AGENT_DIR / "requirements.lock").read_text().splitlines())
    for other in ("requirements-dev.txt", "constraints.txt"):
        assert {k: v for k, v in pins(repo / other).items() if k in lock} == lock, other
