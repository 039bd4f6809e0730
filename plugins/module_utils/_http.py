# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded HTTP for every backend client: one retry policy, one deadline, fast-fail.

Plain Python over requests/urllib3 (no Ansible imports). The Nomad, Consul and Vault
clients each build one ``BoundedSession`` from their connection options and use it
for every call (python-nomad and hvac take it as their ``session``).

Retry policy (urllib3 ``Retry``, see ``retry_policy``):

============================================  =====================  =======================
what happened                                 idempotent request     non-idempotent request
============================================  =====================  =======================
connection refused / connect time-out         retried                retried (never sent)
answer lost (read error, read time-out)       retried                not retried
429 (honouring Retry-After, capped), 503      retried                not retried
502, 504                                      retried                not retried
any other status (4xx, 500, 501, ...)         not retried            not retried
============================================  =====================  =======================

Idempotent: GET, HEAD, OPTIONS, DELETE and Vault's LIST, plus any call the client
declares idempotent with ``idempotent()`` (Nomad job register and plan, a dispatch with
an idempotency token, a Consul config write without check-and-set). POST and PUT are
otherwise not idempotent; a check-and-set write or delete is declared
``idempotent(False)`` because a repeat after a lost answer would fail its index check.
Retries are bounded by ``retries`` and back off exponentially from ``retry_delay``
(at most ``BACKOFF_MAX`` s between attempts).

Deadline: ``timeout`` bounds one call as a whole (connect, every attempt, every
back-off sleep, headers and body), not each socket read. A watchdog shuts the socket
down when the deadline passes, so a server that trickles header lines or body bytes
cannot keep a call alive; the call then fails with ``RequestTimedOut`` ("timed out
after N s waiting for <address>").

Connection failures name the backend, the address, where the address came from
(``origin``, when the caller knows it), the short cause (connection refused, timed out,
host name not resolved, TLS certificate verify failed, ...) and what to try
(``connection_message``), never a raw urllib3 ``HTTPConnectionPool(...)`` text.

Fast-fail: after ``fail_fast_after`` calls in a row failed without any answer
(cannot connect, timed out), the backend is taken as down and every later call on the
same session fails at once with ``BackendDown``; bulk operations therefore stop
trying the remaining objects. Any HTTP answer (even an error status) resets the count.
"""
from __future__ import annotations

import contextlib
import contextvars
import errno
import heapq
import itertools
import random
import socket
import ssl
import threading
import time

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import (
        MaxRetryError, NewConnectionError, ConnectTimeoutError, ResponseError, SSLError as Urllib3SSLError)
    from urllib3.util.retry import Retry
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # reported by each client
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
    HTTPAdapter = Retry = HTTPConnectionPool = HTTPSConnectionPool = object
    requests = None

# Statuses retried for an idempotent request, the server having said "not now":
# - 429: rate limited. Nomad's per-client HTTP connection limiter answers it
#   (command/agent/http.go, connLimiter); Consul's RPC rate limiter maps
#   ErrRetryElsewhere to it (agent/consul/rate/handler.go); Vault/OpenBao rate-limit
#   quotas answer it. Retry-After is honoured (capped at RETRY_AFTER_MAX).
# - 503: Consul maps the rate limiter's ErrRetryLater to it (same file); Vault/OpenBao
#   answer it while sealed or on a standby that cannot forward.
# - 502, 504: a gateway or load balancer in front of the server failed.
# 500 is not retried: Nomad answers it for any failed RPC (errCodeFromHandler in
# command/agent/http.go) and Consul for config entries it refuses, which a repeat
# cannot fix. 501 means Nomad OSS lacks an Enterprise endpoint.
RETRY_STATUSES = frozenset([429, 502, 503, 504])
# Methods that are safe to repeat (RFC 9110 section 9.2.2) plus Vault's LIST.
IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "OPTIONS", "DELETE", "LIST"])
BACKOFF_MAX = 5.0        # seconds, the longest back-off between two attempts
RETRY_AFTER_MAX = 30     # seconds, the longest Retry-After honoured (capped, not refused)
DEFAULT_FAIL_FAST_AFTER = 3

_IDEMPOTENT = contextvars.ContextVar("agentfleet_http_idempotent", default=None)
_CALL = contextvars.ContextVar("agentfleet_http_call", default=None)


@contextlib.contextmanager
def idempotent(flag=True):
    """Declare the calls made inside the block idempotent (False: not; None: by method).

    Example: ``with idempotent(): client.post(...)`` lets a lost answer or a 503 be
    retried for a write that gives the same result when repeated.
    """
    token = _IDEMPOTENT.set(None if flag is None else bool(flag))
    try:
        yield
    finally:
        _IDEMPOTENT.reset(token)


def is_idempotent(method):
    """Whether a request with ``method`` may be repeated, given the current declaration."""
    declared = _IDEMPOTENT.get()
    if declared is not None:
        return declared
    return (method or "").upper() in IDEMPOTENT_METHODS


# -- errors --------------------------------------------------------------------
if HAS_REQUESTS:
    class RequestTimedOut(requests.exceptions.ReadTimeout):
        """The call did not finish within its deadline (``seconds``)."""

    class CannotConnect(requests.exceptions.ConnectionError):
        """No connection could be made (refused, unreachable, name not resolved)."""

    class ConnectionLost(requests.exceptions.ConnectionError):
        """The server closed the connection before a complete answer."""

    class BackendDown(requests.exceptions.ConnectionError):
        """Fast-fail: the backend failed ``fail_fast_after`` calls in a row; not tried."""

    class TLSFailed(requests.exceptions.SSLError):
        """The TLS handshake failed (certificate not trusted, wrong port, ...)."""


# How each backend's address is set, named in "what to try": its environment variable,
# its module option and the agent_fleet role's inventory variable; and its CA option.
ADDRESS_SETTINGS = {
    "Nomad": {"env": "NOMAD_ADDR", "option": "address", "variable": "agent_fleet_nomad_addr",
              "ca": "ca_cert (NOMAD_CACERT)", "name": "tls_server_name (NOMAD_TLS_SERVER_NAME)"},
    "Consul": {"env": "CONSUL_HTTP_ADDR", "option": "url", "variable": "agent_fleet_consul_addr",
               "ca": "ca_path (CONSUL_CACERT)", "name": None},
    "Vault": {"env": "VAULT_ADDR", "option": "url", "variable": "agent_fleet_vault_addr",
              "ca": "ca_cert (VAULT_CACERT)", "name": None},
}


def where_to_set(backend):
    """Words naming the settings that give ``backend``'s address (see ADDRESS_SETTINGS)."""
    known = ADDRESS_SETTINGS.get(backend)
    if known is None:
        return "the address option"
    return "%s, the module option %s or the inventory variable %s" % (known["env"], known["option"],
                                                                      known["variable"])


def _chain(exc):
    """``exc`` and every error behind it (``reason``, a wrapped first argument, the cause
    and context), outermost first; each once."""
    out, seen, stack = [], set(), [exc]
    while stack:
        item = stack.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        out.append(item)
        first = item.args[0] if getattr(item, "args", None) else None
        stack.extend([getattr(item, "reason", None), first, item.__cause__, item.__context__])
    return out


def connection_cause(exc, seconds=None):
    """(cause, what to try) of a failed connection, in words, from the errors behind ``exc``;
    ``seconds`` is the connect deadline. The cause is one of: connection refused, host name
    not resolved (DNS), connect timed out, network or host unreachable, TLS certificate
    verify failed, TLS handshake failed, or "no connection" with the system's reason."""
    chain = _chain(exc)
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            detail = getattr(item, "verify_message", None) or "certificate not trusted"
            return ("TLS certificate verify failed (%s)" % detail,
                    "give the CA that signed the server's certificate ({ca}) or use the host name the "
                    "certificate is for")
    for item in chain:
        if isinstance(item, ssl.SSLError):
            return ("TLS handshake failed (%s)" % (getattr(item, "reason", None) or item),
                    "check the address is the server's TLS port (https://) and its TLS settings")
    for item in chain:
        if isinstance(item, ConnectionRefusedError):
            return ("connection refused", "check that {backend} is running and listening on that port")
        if isinstance(item, socket.gaierror) or type(item).__name__ == "NameResolutionError":
            return ("host name not resolved (DNS)", "check the host name in the address")
        if isinstance(item, OSError) and item.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return ("network or host unreachable", "check the address and the route to it")
    for item in chain:
        # urllib3's NewConnectionError subclasses ConnectTimeoutError: only a real time-out counts
        if isinstance(item, (socket.timeout, TimeoutError)) \
                or (isinstance(item, ConnectTimeoutError) and not isinstance(item, NewConnectionError)):
            waited = " after %s" % _seconds(seconds) if seconds else ""
            return ("connect timed out%s" % waited,
                    "a firewall may drop the packets or the host is wrong; check the address, or raise timeout")
    last = next((item for item in reversed(chain) if isinstance(item, OSError)), None)
    reason = getattr(last, "strerror", None) or "no connection could be made"
    return reason[:1].lower() + reason[1:], "check the address and that {backend} is running there"


def connection_message(backend, address, origin, cause, hint):
    """The one text of a failed connection: backend, address, where the address came from
    (``origin``, words such as "environment variable NOMAD_ADDR"; None: not known), the
    short ``cause`` and what to try (``hint`` may use {backend} and {ca})."""
    known = ADDRESS_SETTINGS.get(backend) or {}
    hint = hint.format(backend=backend, ca=known.get("ca") or "the CA certificate option")
    source = " (address from %s)" % origin if origin else ""
    return "cannot connect to %s at %s%s: %s; %s; to use another address set %s" % (
        backend, address, source, cause, hint, where_to_set(backend))


def _root_cause(exc):
    """The innermost urllib3/socket error behind a requests exception."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if inner is None and getattr(exc, "args", None) and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        if not isinstance(inner, BaseException):
            return exc
        exc = inner
    return exc


def _seconds(value):
    return "%g s" % value


# -- the retry policy ------------------------------------------------------------
class BoundedRetry(Retry):
    """urllib3 ``Retry`` with this collection's rules (see the module docstring).

    Differences from plain ``Retry``: POST/PUT are retried after being sent only when
    declared idempotent; Retry-After is honoured for 429 and 503 only; no retry is
    started when its back-off would end after the call's deadline.
    """

    RETRY_AFTER_STATUS_CODES = frozenset([429, 503])

    def _is_method_retryable(self, method):
        return is_idempotent(method)

    def get_backoff_time(self):
        """``retry_delay`` before the first retry, doubling after each further failure,
        at most ``backoff_max``, plus up to ``backoff_jitter`` (urllib3 waits nothing
        before the first retry; this policy always waits)."""
        failures = 0
        for attempt in reversed(self.history):
            if attempt.redirect_location is not None:
                break
            failures += 1
        if not failures:
            return 0.0
        wait = self.backoff_factor * (2 ** (failures - 1)) + random.random() * self.backoff_jitter
        return float(max(0.0, min(self.backoff_max, wait)))

    def planned_wait(self, response=None):
        """Seconds this Retry would sleep before the next attempt."""
        if response is not None and self.respect_retry_after_header:
            after = self.get_retry_after(response)
            if after:
                return after
        return self.get_backoff_time()

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        new = super().increment(method=method, url=url, response=response, error=error,
                                _pool=_pool, _stacktrace=_stacktrace)
        call = _CALL.get()
        if call is not None:
            if call.expired or call.remaining() <= new.planned_wait(response):
                reason = error or ResponseError("no time left before the deadline for another attempt")
                raise MaxRetryError(_pool, url, reason) from reason
            call.retries += 1
        return new


def retry_argument_spec():
    """The retry and fast-fail options every backend's modules take (documented once, in
    the ``agentfleet.hashistack.retries`` doc fragment); ``timeout`` stays per backend."""
    return dict(
        retries=dict(type="int", default=3),
        retry_delay=dict(type="float", default=0.5),
        fail_fast_after=dict(type="int", default=DEFAULT_FAIL_FAST_AFTER),
    )


def retry_policy(retries=3, retry_delay=0.5):
    """The one retry policy: a ``BoundedRetry`` allowing ``retries`` retries (>= 0)
    after the first attempt, backing off ``retry_delay`` s, then doubling, capped at
    ``BACKOFF_MAX`` s, with up to 10 % jitter."""
    if retries is None or int(retries) < 0:
        raise ValueError("retries must be 0 or more, got %r" % (retries,))
    if retry_delay is None or float(retry_delay) < 0:
        raise ValueError("retry_delay must be 0 or more seconds, got %r" % (retry_delay,))
    retries = int(retries)
    return BoundedRetry(
        total=retries, connect=retries, read=retries, status=retries, other=0, redirect=0,
        allowed_methods=IDEMPOTENT_METHODS, status_forcelist=RETRY_STATUSES,
        backoff_factor=float(retry_delay), backoff_max=BACKOFF_MAX, backoff_jitter=float(retry_delay) / 10,
        respect_retry_after_header=True, retry_after_max=RETRY_AFTER_MAX,
        raise_on_status=False, raise_on_redirect=False)


# -- the per-call deadline -----------------------------------------------------------
class _Call:
    """One call's deadline (monotonic), retry count and the connection it uses."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.retries = 0
        self.expired = False
        self.done = False
        self._lock = threading.Lock()
        self._conn = None
        _WATCHDOG.watch(self)

    @property
    def attempts(self):
        return self.retries + 1

    def remaining(self):
        return self.deadline - time.monotonic()

    def attach(self, conn):
        """Watch ``conn`` (a urllib3 connection) for the rest of the call."""
        with self._lock:
            self._conn = conn
            expired = self.expired
        if expired:
            _shut(conn)

    def expire(self):
        """Called by the watchdog at the deadline: cut the connection in use."""
        with self._lock:
            if self.done:
                return
            self.expired = True
            conn = self._conn
        if conn is not None:
            _shut(conn)

    def finish(self):
        with self._lock:
            self.done = True


class _Watchdog:
    """One daemon thread that expires calls at their deadlines (earliest first).

    It starts with the first call and ends after ``IDLE`` s without calls, so a
    process that forked (Ansible workers) simply starts its own.
    """

    IDLE = 5.0

    def __init__(self):
        self._cond = threading.Condition()
        self._heap = []
        self._order = itertools.count()
        self._thread = None

    def watch(self, call):
        with self._cond:
            heapq.heappush(self._heap, (call.deadline, next(self._order), call))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="agentfleet-http-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self):
        while True:
            with self._cond:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    if not self._cond.wait(timeout=self.IDLE) and not self._heap:
                        self._thread = None
                        return
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(timeout=wait)
                    continue
                call = heapq.heappop(self._heap)[2]
            call.expire()


_WATCHDOG = _Watchdog()


def _shut(conn):
    """Shut the socket of ``conn`` down so a blocked read returns at once.

    The plain ``socket.shutdown`` is used on TLS sockets too: the TLS layer then sees
    end-of-file instead of its state being torn down under a reading thread.
    """
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, TypeError, ValueError):
        pass


class _WatchedPoolMixin:
    """Connection pools that hand each connection a request uses to its watchdog."""

    def _make_request(self, conn, *args, **kwargs):
        call = _CALL.get()
        if call is not None:
            call.attach(conn)
        return super()._make_request(conn, *args, **kwargs)


class _WatchedHTTPPool(_WatchedPoolMixin, HTTPConnectionPool):
    pass


class _WatchedHTTPSPool(_WatchedPoolMixin, HTTPSConnectionPool):
    pass


class BoundedAdapter(HTTPAdapter):
    """requests adapter with the watched pools; ``server_name`` sets SNI and the name
    the certificate is checked against (for servers reached by IP)."""

    def __init__(self, server_name=None, **kwargs):
        self._server_name = server_name
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        if self._server_name:
            kwargs["server_hostname"] = self._server_name
            kwargs["assert_hostname"] = self._server_name
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


# -- fast-fail ---------------------------------------------------------------------
class BackendHealth:
    """Counts calls in a row that got no answer; ``down`` once ``threshold`` is reached
    (0 disables). Shared by the threads of one bulk operation.

    After a call got no answer, a new call first waits (at most ``max_wait`` s) for the
    calls already in flight to end, so that a wave of concurrent calls that all time
    out together trips fast-fail before any further call is sent.
    """

    def __init__(self, backend, address, threshold=DEFAULT_FAIL_FAST_AFTER):
        if threshold is None or int(threshold) < 0:
            raise ValueError("fail_fast_after must be 0 or more, got %r" % (threshold,))
        self.backend = backend
        self.address = address
        self.threshold = int(threshold)
        self._cond = threading.Condition()
        self._failures = 0
        self._in_flight = 0
        self._down = None

    @property
    def down(self):
        """The fast-fail message once the backend is taken as down (with the last failure's
        whole message: the one message of a bulk operation), else None."""
        return self._down

    @property
    def not_sent(self):
        """The short message of a call not sent once the backend is down (it points to the
        first failure instead of repeating it once per object)."""
        return ("%s at %s is not answering: %d calls in a row failed; not sent (the first failure says why)"
                % (self.backend, self.address, self._failures))

    def check(self):
        if self._down is not None:
            raise BackendDown(self.not_sent)

    def begin(self, max_wait):
        """Before a call: raise ``BackendDown`` when down, else count the call in flight."""
        with self._cond:
            if self.threshold and self._failures and self._down is None:
                self._cond.wait_for(lambda: self._down is not None or not self._failures or not self._in_flight,
                                    timeout=max_wait)
            self.check()
            self._in_flight += 1

    def answered(self):
        """After a call that got an HTTP answer (any status)."""
        self._end(None)

    def failed(self, error):
        """After a call that got no answer; ``error`` is its message."""
        self._end(error)

    def neither(self):
        """After a call that ended otherwise (TLS or request error): counts nothing."""
        self._end(False)

    def _end(self, error):
        with self._cond:
            self._in_flight = max(0, self._in_flight - 1)
            if error is None and self._down is None:
                self._failures = 0
            elif error:
                self._failures += 1
                if self.threshold and self._failures >= self.threshold and self._down is None:
                    self._down = ("%s at %s is not answering: %d calls in a row failed (last: %s); "
                                  "stopped sending it requests" % (self.backend, self.address, self._failures, error))
            self._cond.notify_all()


# -- the session -------------------------------------------------------------------
class BoundedSession(requests.Session if HAS_REQUESTS else object):
    """A requests session with the retry policy, the per-call deadline and fast-fail.

    ``backend`` ("Nomad", "Consul", "Vault") and ``address`` name the server in errors;
    ``timeout`` (s, > 0) is the deadline of each call; ``retries``, ``retry_delay`` as
    in ``retry_policy``; ``fail_fast_after`` as in ``BackendHealth``; ``pool_size``
    connections are kept per host; ``server_name`` as in ``BoundedAdapter``; ``origin``
    (words, or None when not known; may be set later) says where ``address`` came from.
    Errors raised: ``RequestTimedOut``, ``CannotConnect``, ``TLSFailed``,
    ``ConnectionLost``, ``BackendDown`` (all ``requests`` exceptions) with clean messages
    (``connection_message`` for the first two), carrying ``attempts``; a response
    carries ``attempts`` too.
    """

    def __init__(self, backend, address, timeout=10.0, retries=3, retry_delay=0.5,
                 fail_fast_after=DEFAULT_FAIL_FAST_AFTER, pool_size=10, server_name=None, origin=None):
        if not HAS_REQUESTS:
            raise ImportError("requests is required: %s" % REQUESTS_IMPORT_ERROR)
        super().__init__()
        if timeout is None or float(timeout) <= 0:
            raise ValueError("timeout must be a positive number of seconds, got %r" % (timeout,))
        self.backend = backend
        self.address = address
        self.origin = origin
        self.deadline_seconds = float(timeout)
        self.policy = retry_policy(retries, retry_delay)
        self.health = BackendHealth(backend, address, fail_fast_after)
        pool = int(pool_size or 10)
        self.mount("http://", BoundedAdapter(max_retries=self.policy, pool_connections=2, pool_maxsize=pool))
        self.mount("https://", BoundedAdapter(server_name=server_name, max_retries=self.policy,
                                              pool_connections=2, pool_maxsize=pool))

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE replace the session's own CA path
        # (or verify=False) when a call gives none (psf/requests#3829); the client's wins here.
        if verify is None and self.verify is not True:
            verify = self.verify
        return super().merge_environment_settings(url, proxies, stream, verify, cert)

    def send(self, request, **kwargs):
        outer = _CALL.get()
        if outer is not None:  # a redirect followed inside a call: same deadline
            left = max(outer.remaining(), 0.001)
            kwargs["timeout"] = (left, left)
            return super().send(request, **kwargs)
        self.health.begin(max_wait=self.deadline_seconds + 1)
        call = _Call(self.deadline_seconds)
        token = _CALL.set(call)
        kwargs["timeout"] = (self.deadline_seconds, self.deadline_seconds)
        outcome = False
        try:
            response = super().send(request, **kwargs)
            if call.expired:
                # The watchdog cut the connection: what was read may be cut short too
                # (headers end at end-of-file), so the answer is not trusted.
                response.close()
                raise requests.exceptions.ReadTimeout("deadline passed", request=request)
            outcome = None
        except requests.exceptions.RequestException as exc:
            error = self._translate(exc, call, request)
            if error is exc:
                raise
            if isinstance(error, (CannotConnect, RequestTimedOut)) and self.health.down is not None:
                # another call already failed the same way and said why: do not repeat it
                error = BackendDown(self.health.not_sent, request=request)
            # a TLS failure is an answer of sorts: it does not count towards fast-fail
            outcome = False if isinstance(error, TLSFailed) else str(error)
            raise error from None
        except OSError as exc:
            # requests checks the CA bundle and client certificate paths before it connects
            # (HTTPAdapter.cert_verify) and raises a bare OSError naming the path
            error = TLSFailed(connection_message(
                self.backend, self.address, self.origin, str(exc).rstrip(". "),
                "give the path of an existing file: the CA that signed the server's certificate ({ca}), "
                "and the client certificate and key when the server asks for them"), request=request)
            error.attempts, error.seconds = call.attempts, call.seconds
            raise error from None
        finally:
            call.finish()
            _CALL.reset(token)
            if outcome is None:
                self.health.answered()
            elif outcome:
                self.health.failed(outcome)
            else:
                self.health.neither()
        response.attempts = call.attempts
        return response

    def _translate(self, exc, call, request):
        """A clean error for ``exc`` (the same ``exc`` when it is not a transport failure)."""
        where = self.address
        root = _root_cause(exc)
        if isinstance(exc, requests.exceptions.ConnectTimeout) and not call.expired:
            cause, hint = connection_cause(exc, call.seconds)
            error = CannotConnect(connection_message(self.backend, where, self.origin, cause, hint), request=request)
        elif call.expired or isinstance(exc, requests.exceptions.Timeout):
            error = RequestTimedOut("timed out after %s waiting for %s" % (_seconds(call.seconds), where),
                                    request=request)
        elif isinstance(exc, requests.exceptions.SSLError) or isinstance(root, Urllib3SSLError):
            cause, hint = connection_cause(exc)
            error = TLSFailed(connection_message(self.backend, where, self.origin, cause, hint), request=request)
        elif isinstance(root, (NewConnectionError, ConnectTimeoutError, OSError)) \
                and not isinstance(root, (ConnectionResetError, BrokenPipeError)):
            cause, hint = connection_cause(exc, call.seconds)
            error = CannotConnect(connection_message(self.backend, where, self.origin, cause, hint), request=request)
        elif isinstance(exc, requests.exceptions.ConnectionError):
            error = ConnectionLost("%s closed the connection before answering" % where, request=request)
        else:
            return exc
        error.attempts = call.attempts
        error.seconds = call.seconds
        return error


def transport_error_message(exc):
    """The clean message of a transport error raised by ``BoundedSession``, else None."""
    if HAS_REQUESTS and isinstance(exc, (RequestTimedOut, CannotConnect, ConnectionLost, BackendDown, TLSFailed)):
        return str(exc)
    return None
