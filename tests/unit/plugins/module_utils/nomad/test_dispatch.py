import base64

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.dispatch import (
    PAYLOAD_LIMIT, DispatchError, encode_payload)


def test_payload_is_base64_encoded():
    assert base64.b64decode(encode_payload("hello")) == b"hello"
    assert encode_payload(None, None) is None


def test_limit_is_16_kib_of_decoded_bytes():
    assert PAYLOAD_LIMIT == 16384
    assert encode_payload("x" * 16384)
    with pytest.raises(DispatchError, match="payload: 16385 bytes is over"):
        encode_payload("x" * 16385)
    raw = base64.b64encode(b"\0" * 16385).decode()
    with pytest.raises(DispatchError, match="payload_base64: 16385 bytes"):
        encode_payload(payload_base64=raw)


def test_invalid_base64_and_exclusive_options():
    with pytest.raises(DispatchError, match="payload_base64: not valid base64"):
        encode_payload(payload_base64="@@@")
    with pytest.raises(DispatchError, match="mutually exclusive"):
        encode_payload("a", "YQ==")
