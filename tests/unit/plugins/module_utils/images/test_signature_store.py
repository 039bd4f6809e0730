"""An https lookaside store is read through the collection's bounded HTTP session: a
signature, none (404), a server error, a stalled server (the timeout holds), bounded
retries, and an untrusted certificate, each a clear answer (tests/support/faults.py)."""
import time

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.images import simple_signing as sig

from tests.support.faults import FaultServer
from tests.unit.plugins.module_utils.test_http_faults import self_signed  # noqa: F401  pylint: disable=unused-import

IMAGE = "registry.example.com/agents/api@sha256:" + "ab" * 32


def _store(server, cert, **kwargs):
    return sig.Store(server.address + "/sigstore", ca_cert=cert, **kwargs)


def test_a_signature_is_read_from_its_lookaside_url(self_signed):  # noqa: F811
    with FaultServer(default=("status", 200, {}, "signed-bytes"), tls=self_signed) as server:
        assert _store(server, self_signed[0]).read(IMAGE, 1) == b"signed-bytes"
    assert server.requests[0][1] == "/sigstore/agents/api@sha256=%s/signature-1" % ("ab" * 32)


def test_no_signature_is_none(self_signed):  # noqa: F811
    with FaultServer(default=("status", 404, {}, ""), tls=self_signed) as server:
        assert _store(server, self_signed[0]).read(IMAGE, 1) is None


def test_a_server_error_is_unreachable(self_signed):  # noqa: F811
    with FaultServer(default=("status", 500, {}, ""), tls=self_signed) as server:
        with pytest.raises(sig.SigningError) as caught:
            _store(server, self_signed[0]).read(IMAGE, 1)
    assert caught.value.kind == sig.UNREACHABLE and "answered HTTP 500" in str(caught.value)


def test_retries_are_bounded(self_signed):  # noqa: F811
    with FaultServer(default=("status", 503, {}, ""), tls=self_signed) as server:
        with pytest.raises(sig.SigningError):
            _store(server, self_signed[0], retries=2).read(IMAGE, 1)
    assert len(server.requests) == 3  # the first try and two retries


def test_a_stalled_store_times_out(self_signed):  # noqa: F811
    with FaultServer(default=("hang",), tls=self_signed) as server:
        started = time.monotonic()
        with pytest.raises(sig.SigningError) as caught:
            _store(server, self_signed[0], timeout=0.5, retries=0).read(IMAGE, 1)
        elapsed = time.monotonic() - started
    assert caught.value.kind == sig.UNREACHABLE and "timed out" in str(caught.value)
    assert elapsed < 3


def test_an_untrusted_certificate_is_refused(self_signed):  # noqa: F811
    with FaultServer(default=("status", 200, {}, "x"), tls=self_signed) as server:
        with pytest.raises(sig.SigningError) as caught:
            _store(server, None).read(IMAGE, 1)
    assert caught.value.kind == sig.UNREACHABLE and "certificate verify failed" in str(caught.value)
