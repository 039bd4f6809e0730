"""The agent: a health server and a worker (service kind) or one work item (batch,
periodic and dispatch kinds), with a graceful stop on the configured signals.

HTTP (service kind, ``NOMAD_PORT_<label>`` else ``HTTP_PORT``):

* ``GET /live``: 200 while the worker loop runs (its heartbeat is younger than
  ``LIVE_STALE``), else 503.
* ``GET /ready``: 200 once startup is done (data dir writable, worker running) and while
  the upstream circuit lets calls through; 503 with a ``reason`` while starting, stopping
  or while the circuit is open.
* ``POST /work``: ``{"execution_id": str, "correlation_id"?: str, "payload"?: any}``
  (or ``X-Correlation-ID``); 202 queued, 200 ``duplicate`` when the ID is done or queued,
  400 bad item, 503 stopping.
* ``GET /work/<execution_id>``: ``{"state": "done" | "queued" | "failed" | "unknown"}``.

Exit codes: 0 done or stopped gracefully, 1 work failed or the stop overran
``SHUTDOWN_GRACE``, 2 bad settings.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import re
import signal
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

import pybreaker

from reference_agent import config, logs, store, upstream
from reference_agent.logs import event

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$")
_MAX_BODY = 1 << 20


@dataclass(frozen=True)
class WorkItem:
    execution_id: str
    correlation_id: str
    payload: Any


class Agent:  # pylint: disable=too-many-instance-attributes
    """Work queue, done-store, upstream and the state the health endpoints report."""

    def __init__(self, settings: config.Settings, logger: logging.Logger) -> None:
        self.settings = settings
        self.logger = logger
        self.stop = threading.Event()
        self.started = threading.Event()
        self.store = store.DoneStore(settings.data_dir)
        self.upstream = upstream.Upstream(settings, self.stop, logger, self.beat) if settings.upstream_addr else None
        self.queue: queue.Queue[WorkItem] = queue.Queue()
        self.lock = threading.Lock()
        self.queued: set[str] = set()
        self.failed: set[str] = set()
        self.heartbeat = time.monotonic()
        self.overran = False
        self.stop_signal: Optional[str] = None
        self.worker = threading.Thread(target=self._work_loop, name="worker", daemon=True)

    # -- state reported by the health endpoints
    def beat(self) -> None:
        """The worker is making progress (loop turn, upstream attempt, retry wait)."""
        self.heartbeat = time.monotonic()

    def live(self) -> bool:
        return self.worker.is_alive() and time.monotonic() - self.heartbeat < self.settings.live_stale

    def not_ready_reason(self) -> Optional[str]:
        if self.stop.is_set():
            return "stopping"
        if not self.started.is_set():
            return "starting"
        wait = self.upstream.open_for() if self.upstream else 0.0
        return f"upstream circuit open (trial call in {wait:.1f} s)" if wait > 0 else None

    def state_of(self, execution_id: str) -> str:
        with self.lock:
            if execution_id in self.queued:
                return "queued"
            if execution_id in self.failed:
                return "failed"
        return "done" if self.store.is_done(execution_id) else "unknown"

    def overrun(self) -> None:
        """``AGENT_MAX_RUN_SECONDS`` passed: stop, and fail the run."""
        self.overran = True
        event(self.logger, logging.ERROR, "agent.max_run_exceeded", max_run_s=self.settings.max_run_seconds)
        self.stop.set()

    # -- work
    def submit(self, item: WorkItem) -> bool:
        """Queue ``item``; False when its execution ID is already done or queued."""
        with self.lock:
            if item.execution_id in self.queued or self.store.is_done(item.execution_id):
                return False
            self.queued.add(item.execution_id)
            self.failed.discard(item.execution_id)
        self.queue.put(item)
        return True

    def process(self, item: WorkItem) -> bool:
        """Run one item unless it is done; True when it is done afterwards."""
        with logs.item_context(item.execution_id, item.correlation_id):
            if self.store.is_done(item.execution_id):
                event(self.logger, logging.INFO, "item.duplicate")
                return True
            started = time.monotonic()
            event(self.logger, logging.INFO, "item.start")
            fields: dict[str, Any] = {}
            try:
                if self.upstream:
                    self.upstream.call(item.payload, item.execution_id, item.correlation_id)
                else:  # no upstream configured: the work is local
                    fields["payload_sha256"] = hashlib.sha256(
                        json.dumps(item.payload, sort_keys=True).encode("utf-8")).hexdigest()
                self.store.mark_done(item.execution_id, item.correlation_id)
            except upstream.Interrupted:
                event(self.logger, logging.WARNING, "item.interrupted", reason="stop requested; the item stays not done")
                return False
            except (upstream.UpstreamError, upstream.PermanentError, pybreaker.CircuitBreakerError, OSError) as exc:
                event(self.logger, logging.ERROR, "item.failed", exc=exc,
                      duration_s=round(time.monotonic() - started, 3))
                return False
            event(self.logger, logging.INFO, "item.done", duration_s=round(time.monotonic() - started, 3), **fields)
            return True

    def _work_loop(self) -> None:
        while not self.stop.is_set():
            self.beat()
            try:
                item = self.queue.get(timeout=0.2)
            except queue.Empty:
                continue
            done = self.process(item)
            with self.lock:
                self.queued.discard(item.execution_id)
                if not done:
                    self.failed.add(item.execution_id)
        while not self.queue.empty():  # accepted but never started: the caller must resubmit
            item = self.queue.get_nowait()
            with logs.item_context(item.execution_id, item.correlation_id):
                event(self.logger, logging.WARNING, "item.dropped", reason="stopping before it started")


def parse_item(body: bytes, header_correlation: Optional[str]) -> WorkItem:
    """A ``WorkItem`` from a ``POST /work`` body; ``ValueError`` says what to send instead."""
    try:
        data = json.loads(body or b"null")
    except ValueError:
        raise ValueError("body is not JSON; send {\"execution_id\": \"...\", \"payload\": ...}") from None
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object with execution_id")
    execution_id = data.get("execution_id")
    if not isinstance(execution_id, str) or not _ID.match(execution_id):
        raise ValueError(f"execution_id must be 1-200 characters of letters, digits, '._:/-' (got {execution_id!r})")
    correlation_id = data.get("correlation_id") or header_correlation or execution_id
    if not isinstance(correlation_id, str) or not _ID.match(correlation_id):
        raise ValueError(f"correlation_id must be like execution_id (got {correlation_id!r})")
    return WorkItem(execution_id, correlation_id, data.get("payload"))


def make_handler(agent: Agent) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "reference-agent"

        def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
            event(agent.logger, logging.DEBUG, "http.request", line=format % args)

        def reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            if self.path == "/live":
                live = agent.live()
                self.reply(200 if live else 503, {"live": live})
            elif self.path == "/ready":
                reason = agent.not_ready_reason()
                self.reply(503 if reason else 200, {"ready": not reason, "reason": reason})
            elif self.path.startswith("/work/"):
                execution_id = urllib.parse.unquote(self.path[len("/work/"):])
                self.reply(200, {"execution_id": execution_id, "state": agent.state_of(execution_id)})
            else:
                self.reply(404, {"error": "no such path; use /live, /ready, /work"})

        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            if self.path != "/work":
                self.reply(404, {"error": "POST /work only"})
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= _MAX_BODY:
                self.close_connection = True
                self.reply(413, {"error": f"send a Content-Length of 0..{_MAX_BODY} bytes"})
                return
            body = self.rfile.read(length)
            if agent.stop.is_set():
                self.reply(503, {"error": "stopping; send the item to another instance"})
                return
            try:
                item = parse_item(body, self.headers.get("X-Correlation-ID"))
            except ValueError as exc:
                self.reply(400, {"error": str(exc)})
                return
            queued = agent.submit(item)
            self.reply(202 if queued else 200, {"execution_id": item.execution_id,
                                                "status": "queued" if queued else "duplicate"})

    return Handler


def _on_stop_signals(settings: config.Settings, agent: Agent) -> None:
    """The handler only records the signal (no logging or locks in a signal handler)."""
    def handler(signum: int, _frame: Any) -> None:
        agent.stop_signal = signal.Signals(signum).name
        agent.stop.set()
    for sig in settings.stop_signals:
        signal.signal(sig, handler)


def run_service(settings: config.Settings, agent: Agent) -> int:
    server = ThreadingHTTPServer((settings.bind, settings.port), make_handler(agent))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http", daemon=True).start()
    agent.worker.start()
    agent.started.set()
    event(agent.logger, logging.INFO, "agent.ready", port=server.server_address[1],
          upstream=settings.upstream_addr)
    agent.stop.wait()
    event(agent.logger, logging.INFO, "agent.stopping", signal=agent.stop_signal)
    agent.worker.join(settings.shutdown_grace)
    server.shutdown()
    server.server_close()
    if agent.worker.is_alive():
        event(agent.logger, logging.ERROR, "agent.stopped", graceful=False,
              reason=f"current item still running after SHUTDOWN_GRACE={settings.shutdown_grace} s")
        return 1
    event(agent.logger, logging.INFO, "agent.stopped", graceful=True)
    return 0


def run_once(settings: config.Settings, agent: Agent) -> int:
    """One work item keyed by this run's execution ID (the dispatched child's job ID for
    dispatch agents), payload from ``PAYLOAD_FILE`` under ``NOMAD_TASK_DIR`` if present."""
    payload = None
    if settings.payload_file and settings.payload_file.exists():
        try:
            payload = json.loads(settings.payload_file.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError) as exc:
            with logs.item_context(settings.execution_id, settings.correlation_id):
                event(agent.logger, logging.ERROR, "item.failed", exc=exc,
                      reason=f"payload {settings.payload_file} is not JSON; dispatch a JSON payload")
            return 1
    timer = None
    if settings.max_run_seconds:  # the contract's run deadline, enforced from here
        timer = threading.Timer(settings.max_run_seconds, agent.overrun)
        timer.daemon = True
        timer.start()
    agent.started.set()
    done = agent.process(WorkItem(settings.execution_id, settings.correlation_id, payload))
    if timer:
        timer.cancel()
    if agent.stop.is_set():
        event(agent.logger, logging.INFO, "agent.stopped", signal=agent.stop_signal, item_done=done)
    if agent.overran:
        return 1
    return 0 if done or agent.stop.is_set() else 1


def main(environ: Optional[dict[str, str]] = None) -> int:
    try:
        settings = config.load(os.environ if environ is None else environ)
    except config.ConfigError as exc:
        for line in str(exc).splitlines():
            sys.stderr.write(json.dumps({"level": "error", "msg": "config.invalid", "error": line}) + "\n")
        return 2
    logger = logs.setup(settings)
    agent = Agent(settings, logger)
    try:
        done_count = agent.store.prepare()
    except OSError as exc:
        event(logger, logging.ERROR, "config.invalid", exc=exc,
              hint=f"DATA_DIR={settings.data_dir} must be a writable directory (the job's alloc/data)")
        return 2
    _on_stop_signals(settings, agent)
    event(logger, logging.INFO, "agent.starting", data_dir=str(settings.data_dir), done_items=done_count,
          stop_signals=[s.name for s in settings.stop_signals])
    return run_service(settings, agent) if settings.kind == "service" else run_once(settings, agent)
