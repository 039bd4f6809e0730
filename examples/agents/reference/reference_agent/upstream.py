"""Upstream calls with retries (tenacity) inside a circuit breaker (pybreaker).

One work item = at most ``RETRY_ATTEMPTS`` attempts, none started (sleep included) past
``ITEM_DEADLINE`` seconds, each bounded by ``UPSTREAM_TIMEOUT``.
Between attempts the wait is ``min(RETRY_INITIAL * 2**(n-1) + uniform(0, RETRY_JITTER),
RETRY_MAX)`` seconds after the n-th failure (tenacity ``wait_exponential_jitter``).
Every attempt goes through the breaker: ``BREAKER_FAIL_MAX`` consecutive failures open
it (a 4xx answer counts as the upstream being up); while open, items fail at once
without calling the upstream; after ``BREAKER_RESET``
seconds one trial call is let through (half-open) and its result closes or reopens it.
A stop request ends the retries: no new attempt starts and backoff sleeps are cut short.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable

import pybreaker
import tenacity

from reference_agent.config import Settings
from reference_agent.logs import event

# Straight to the upstream (the local sidecar): no HTTP(S)_PROXY from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class UpstreamError(Exception):
    """A failure worth retrying (connection refused, timeout, HTTP 5xx or 429)."""


class PermanentError(Exception):
    """The upstream refused the item itself (HTTP 4xx): retrying cannot help."""


class Interrupted(Exception):
    """A stop was requested before the next attempt."""


class _BreakerLog(pybreaker.CircuitBreakerListener):
    def __init__(self, owner: "Upstream") -> None:
        self.owner = owner

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        if new_state.name == pybreaker.STATE_OPEN:
            self.owner.opened_at = time.monotonic()
        event(self.owner.logger, logging.WARNING if new_state.name == pybreaker.STATE_OPEN else logging.INFO,
              "breaker.state", state=new_state.name, previous=old_state.name if old_state else None)


class Upstream:
    """``call(payload, execution_id, correlation_id)`` POSTs the work item
    ``{"execution_id", "correlation_id", "payload"}`` (what this agent's own ``POST /work``
    takes, so agents of this image chain) and returns the upstream's JSON reply."""

    def __init__(self, settings: Settings, stop: threading.Event, logger: logging.Logger,
                 beat: Callable[[], None]) -> None:
        self.settings = settings
        self.beat = beat  # called before every attempt and every wait (the liveness heartbeat)
        self.stop = stop
        self.logger = logger
        self.opened_at = 0.0
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=settings.breaker_fail_max, reset_timeout=settings.breaker_reset,
            exclude=[PermanentError], listeners=[_BreakerLog(self)], name="upstream")

    def open_for(self) -> float:
        """Seconds until the open circuit lets a trial call through; 0 when it would."""
        if self.breaker.current_state != pybreaker.STATE_OPEN:
            return 0.0
        return max(0.0, self.opened_at + self.settings.breaker_reset - time.monotonic())

    def call(self, payload: Any, execution_id: str, correlation_id: str) -> Any:
        s = self.settings
        retrying = tenacity.Retrying(
            stop=(tenacity.stop_after_attempt(s.retry_attempts) | tenacity.stop_before_delay(s.item_deadline)
                  | tenacity.stop_when_event_set(self.stop)),
            wait=tenacity.wait_exponential_jitter(multiplier=s.retry_initial, max=s.retry_max, jitter=s.retry_jitter),
            retry=tenacity.retry_if_exception_type(UpstreamError),
            sleep=self.stop.wait, reraise=True, before_sleep=self._before_sleep)
        return retrying(self._guarded, payload, execution_id, correlation_id)

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        self.beat()
        exc = state.outcome.exception() if state.outcome else None
        event(self.logger, logging.WARNING, "upstream.retry", attempt=state.attempt_number,
              wait_s=round(state.upcoming_sleep, 3), error=f"{type(exc).__name__}: {exc}")

    def _guarded(self, payload: Any, execution_id: str, correlation_id: str) -> Any:
        if self.stop.is_set():  # checked outside the breaker: not an upstream outcome
            raise Interrupted("stop requested")
        self.beat()
        return self.breaker.call(self._attempt, payload, execution_id, correlation_id)

    def _attempt(self, payload: Any, execution_id: str, correlation_id: str) -> Any:
        s = self.settings
        request = urllib.request.Request(
            f"http://{s.upstream_addr}{s.upstream_path}", method="POST",
            data=json.dumps({"execution_id": execution_id, "correlation_id": correlation_id, "payload": payload}).encode("utf-8"),
            headers={"Content-Type": "application/json", "Idempotency-Key": execution_id,
                     "X-Execution-ID": execution_id, "X-Correlation-ID": correlation_id})
        try:
            with _OPENER.open(request, timeout=s.upstream_timeout) as response:
                body = response.read(1 << 20)
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise UpstreamError(f"HTTP {exc.code} from {s.upstream_addr}") from None
            raise PermanentError(f"HTTP {exc.code} from {s.upstream_addr}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise UpstreamError(f"{s.upstream_addr}: {reason}") from None
        try:
            return json.loads(body) if body else None
        except ValueError:
            raise PermanentError(f"{s.upstream_addr} answered with a body that is not JSON") from None
