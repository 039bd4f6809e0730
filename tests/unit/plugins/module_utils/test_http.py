"""The one retry policy (``_http.retry_policy``) as a table, its bounds, fast-fail and
the deadline watchdog."""
import socket
import threading
import time

import pytest
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError

from ansible_collections.agentfleet.hashistack.plugins.module_utils import _http
from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import (
    BackendDown, BackendHealth, idempotent, is_idempotent, retry_policy)

# (method, declared idempotent, status) -> retried?
STATUS_TABLE = [
    ("GET", None, 429, True), ("GET", None, 502, True), ("GET", None, 503, True), ("GET", None, 504, True),
    ("GET", None, 500, False), ("GET", None, 501, False), ("GET", None, 400, False), ("GET", None, 403, False),
    ("GET", None, 404, False), ("GET", None, 409, False), ("GET", None, 413, False), ("GET", None, 200, False),
    ("DELETE", None, 503, True), ("LIST", None, 503, True), ("HEAD", None, 502, True),
    ("POST", None, 503, False), ("POST", None, 429, False), ("PUT", None, 502, False),
    ("POST", True, 503, True), ("POST", True, 429, True), ("PUT", True, 504, True), ("POST", True, 500, False),
    ("DELETE", False, 503, False), ("GET", False, 503, False),
]


@pytest.mark.parametrize("method,declared,status,retried", STATUS_TABLE)
def test_status_table(method, declared, status, retried):
    policy = retry_policy(retries=3)
    with idempotent(declared):
        assert policy.is_retry(method, status, has_retry_after=True) is retried


def _increment(policy, method, error):
    return policy.increment(method=method, url="/v1/x", error=error)


@pytest.mark.parametrize("method,declared", [("GET", None), ("POST", None), ("PUT", None), ("POST", False)])
def test_a_connection_that_could_not_be_made_is_retried_for_any_method(method, declared):
    # The request never left: repeating it cannot do anything twice.
    with idempotent(declared):
        new = _increment(retry_policy(retries=2), method, NewConnectionError(None, "refused"))
    assert new.total == 1 and new.connect == 1


@pytest.mark.parametrize("error", [ReadTimeoutError(None, "/v1/x", "read timed out"),
                                   ProtocolError("Connection aborted.", ConnectionResetError())])
@pytest.mark.parametrize("method,declared,retried", [
    ("GET", None, True), ("DELETE", None, True), ("POST", True, True),
    ("POST", None, False), ("PUT", None, False), ("GET", False, False)])
def test_a_lost_answer_is_retried_only_for_idempotent_calls(error, method, declared, retried):
    with idempotent(declared):
        if retried:
            assert _increment(retry_policy(retries=2), method, error).read == 1
        else:
            with pytest.raises(type(error)):
                _increment(retry_policy(retries=2), method, error)


def test_attempts_are_bounded():
    policy = retry_policy(retries=2)
    error = NewConnectionError(None, "refused")
    policy = _increment(policy, "GET", error)
    policy = _increment(policy, "GET", error)
    with pytest.raises(MaxRetryError):
        _increment(policy, "GET", error)


def test_zero_retries_means_one_attempt():
    with pytest.raises(MaxRetryError):
        _increment(retry_policy(retries=0), "GET", NewConnectionError(None, "refused"))


def test_backoff_doubles_from_retry_delay_and_is_capped():
    policy = retry_policy(retries=10, retry_delay=1.0)
    policy.backoff_jitter = 0
    waits = []
    for dummy in range(6):
        policy = _increment(policy, "GET", NewConnectionError(None, "refused"))
        waits.append(policy.get_backoff_time())
    # retry_delay before the first retry, then doubling, capped at BACKOFF_MAX.
    assert waits == [1.0, 2.0, 4.0, _http.BACKOFF_MAX, _http.BACKOFF_MAX, _http.BACKOFF_MAX]


def test_backoff_jitter_is_at_most_a_tenth_of_retry_delay():
    policy = _increment(retry_policy(retries=3, retry_delay=2.0), "GET", NewConnectionError(None, "refused"))
    assert all(2.0 <= policy.get_backoff_time() <= 2.2 for dummy in range(50))


class _Resp:
    def __init__(self, retry_after):
        self.headers = {"Retry-After": retry_after}


def test_retry_after_is_honoured_and_capped():
    policy = retry_policy()
    assert policy.planned_wait(_Resp("2")) == 2
    assert policy.planned_wait(_Resp("86400")) == _http.RETRY_AFTER_MAX


@pytest.mark.parametrize("kwargs", [{"retries": -1}, {"retry_delay": -0.1}, {"retries": None}])
def test_bad_settings_refused(kwargs):
    with pytest.raises(ValueError, match="must be 0 or more"):
        retry_policy(**kwargs)


def test_idempotent_by_method_unless_declared():
    assert [is_idempotent(m) for m in ("GET", "get", "LIST", "DELETE", "POST", "PUT")] == \
        [True, True, True, True, False, False]
    with idempotent():
        assert is_idempotent("POST")
        with idempotent(False):
            assert not is_idempotent("GET")
        assert is_idempotent("PUT")
    assert not is_idempotent("POST")


def test_health_trips_after_threshold_and_an_answer_resets_the_count():
    health = BackendHealth("Nomad", "http://n:4646", threshold=3)
    health.failed("timed out after 1 s")
    health.failed("timed out after 1 s")
    health.answered()
    health.failed("x")
    health.failed("y")
    assert health.down is None
    health.check()
    health.failed("cannot connect")
    assert health.down == ("Nomad at http://n:4646 is not answering: 3 calls in a row failed "
                           "(last: cannot connect); stopped sending it requests")
    with pytest.raises(BackendDown, match="Nomad at http://n:4646 is not answering"):
        health.check()
    health.answered()  # once down, it stays down for the task
    assert health.down is not None


def test_health_zero_never_trips():
    health = BackendHealth("Vault", "http://v:8200", threshold=0)
    for dummy in range(50):
        health.failed("x")
    assert health.down is None


def test_after_a_failure_a_new_call_waits_for_the_calls_in_flight():
    health = BackendHealth("Nomad", "http://n:4646", threshold=2)
    health.begin(1)
    health.begin(1)
    health.failed("timed out")  # one of two in-flight calls failed
    started = []
    waiter = threading.Thread(target=lambda: started.append(_try_begin(health)))
    waiter.start()
    waiter.join(0.2)
    assert not started  # still waiting for the other call in flight
    health.failed("timed out")  # the other one fails too: down
    waiter.join(2)
    assert started == ["down"]


def _try_begin(health):
    try:
        health.begin(5)
    except BackendDown:
        return "down"
    return "sent"


class _Conn:
    """Stands in for a urllib3 connection: the watchdog shuts ``sock`` down."""

    def __init__(self):
        self.sock, self.peer = socket.socketpair()


def test_watchdog_cuts_the_connection_of_a_call_at_its_deadline_only():
    late, early, finished = _http._Call(5), _http._Call(0.1), _http._Call(0.1)
    conns = [_Conn() for dummy in range(3)]
    for call, conn in zip((late, early, finished), conns):
        call.attach(conn)
    finished.finish()
    time.sleep(0.4)
    assert (early.expired, late.expired, finished.expired) == (True, False, False)
    assert conns[1].sock.recv(1) == b""  # shut down: a blocked read returns at once
    for conn in (conns[0], conns[2]):
        conn.sock.setblocking(False)
        with pytest.raises(BlockingIOError):  # still open, nothing to read
            conn.sock.recv(1)
    late.finish()
    for conn in conns:
        conn.sock.close()
        conn.peer.close()


# -- connection failure messages --------------------------------------------------------
def _wrapped(inner):
    """A requests error as the adapter raises it, with ``inner`` behind urllib3's errors."""
    import requests
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/v1/x", inner))


def test_connection_causes_are_named_in_words():
    import errno

    from urllib3.exceptions import ConnectTimeoutError

    from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import connection_cause

    refused = NewConnectionError(None, "Failed to establish a new connection")
    refused.__context__ = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    assert connection_cause(_wrapped(refused))[0] == "connection refused"  # not a time-out, though a subclass
    assert connection_cause(_wrapped(ConnectTimeoutError(None, "timed out")), 10)[0] == "connect timed out after 10 s"
    dns = NewConnectionError(None, "x")
    dns.__context__ = socket.gaierror(-2, "Name or service not known")
    assert connection_cause(_wrapped(dns))[0] == "host name not resolved (DNS)"
    unreachable = NewConnectionError(None, "x")
    unreachable.__context__ = OSError(errno.EHOSTUNREACH, "No route to host")
    assert connection_cause(_wrapped(unreachable))[0] == "network or host unreachable"
    other = NewConnectionError(None, "x")
    other.__context__ = OSError(errno.EACCES, "Permission denied")
    assert connection_cause(_wrapped(other)) == ("permission denied",
                                                 "check the address and that {backend} is running there")


def test_a_connection_message_names_backend_address_origin_cause_and_settings():
    from ansible_collections.agentfleet.hashistack.plugins.module_utils._http import connection_message

    msg = connection_message("Consul", "http://c:8500", "environment variable CONSUL_HTTP_ADDR",
                             "TLS certificate verify failed (self-signed certificate)",
                             "give the CA that signed the server's certificate ({ca})")
    assert msg == ("cannot connect to Consul at http://c:8500 (address from environment variable CONSUL_HTTP_ADDR): "
                   "TLS certificate verify failed (self-signed certificate); give the CA that signed the server's "
                   "certificate (ca_path (CONSUL_CACERT)); to use another address set CONSUL_HTTP_ADDR, the module "
                   "option url or the inventory variable agent_fleet_consul_addr")
    assert "(address from" not in connection_message("Nomad", "http://n:4646", None, "connection refused", "x")


def test_calls_after_the_backend_is_down_point_to_the_first_failure():
    health = BackendHealth("Nomad", "http://n:4646", threshold=1)
    health.failed("cannot connect to Nomad at http://n:4646: connection refused; ...")
    assert "connection refused" in health.down
    with pytest.raises(BackendDown) as err:
        health.check()
    assert str(err.value) == ("Nomad at http://n:4646 is not answering: 1 calls in a row failed; not sent "
                              "(the first failure says why)")
