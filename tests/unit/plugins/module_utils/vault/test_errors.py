import hvac.exceptions as hexc
import pytest
import requests

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError, translate


@pytest.mark.parametrize("cls,status,needle", [
    (hexc.Forbidden, 403, "permission denied"),
    (hexc.InvalidRequest, 400, "rejected as invalid"),
    (hexc.VaultDown, 503, "sealed"),
    (hexc.VaultNotInitialized, 501, "not initialised"),
    (hexc.Unauthorized, 401, "authentication failed"),
])
def test_http_errors_name_action_status_and_path(cls, status, needle):
    exc = cls(errors=["server says no"], method="post", url="http://127.0.0.1:8200/v1/sys/policies/acl/x?y=1")
    err = translate(exc, "write policy 'x'")
    assert isinstance(err, VaultModuleError) and err.status == status
    text = str(err)
    assert text.startswith("write policy 'x': ") and needle in text
    assert f"HTTP {status} on POST /v1/sys/policies/acl/x" in text and "server says no" in text
    assert "y=1" not in text


@pytest.mark.parametrize("exc,needle", [
    (requests.exceptions.SSLError("bad cert"), "TLS verification failed"),
    (requests.exceptions.ConnectTimeout("slow"), "timed out"),
    (requests.exceptions.ConnectionError("refused"), "cannot connect"),
])
def test_transport_errors(exc, needle):
    assert needle in str(translate(exc, "read x", "https://vault:8200"))


def test_already_translated_passes_through():
    err = VaultModuleError("x")
    assert translate(err, "y") is err
