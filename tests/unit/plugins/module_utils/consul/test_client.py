"""The Consul client against the contract server: auth, retries, errors, CAS."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.client import (
    ConsulClient,
    ConsulError,
    resolve_url,
)
from tests.support.net import free_port

ENTRY = {"Kind": "service-defaults", "Name": "web", "Protocol": "http"}


def client(api, token=None, **kw):
    kw.setdefault("retry_delay", 0.01)
    return ConsulClient(api.addr, token=api.management_token if token is None else token, **kw)


def test_token_is_sent_as_header(consul_api):
    c = client(consul_api)
    assert c.put_config_entry(ENTRY) is True
    assert consul_api.request_log[-1]["token"] == consul_api.management_token
    assert c.get_config_entry("service-defaults", "web")["Protocol"] == "http"
    assert c.get_config_entry("service-defaults", "missing") is None
    assert [e["Name"] for e in c.list_config_entries("service-defaults")] == ["web"]


def test_cas_put_and_delete(consul_api):
    c = client(consul_api)
    assert c.put_config_entry(ENTRY, cas=0) is True
    assert c.put_config_entry(ENTRY, cas=0) is False  # exists already
    index = c.get_config_entry("service-defaults", "web")["ModifyIndex"]
    assert c.put_config_entry(dict(ENTRY, Protocol="grpc"), cas=index + 5) is False
    assert c.put_config_entry(dict(ENTRY, Protocol="grpc"), cas=index) is True
    new_index = c.get_config_entry("service-defaults", "web")["ModifyIndex"]
    assert c.delete_config_entry("service-defaults", "web", cas=index) is False
    assert c.delete_config_entry("service-defaults", "web", cas=new_index) is True
    assert c.delete_config_entry("service-defaults", "web") is True  # absent: still {}


def test_5xx_is_retried_then_succeeds(consul_api):
    consul_api.inject_fault("error", "/v1/config", status=503, count=2)
    assert client(consul_api, retries=3).put_config_entry(ENTRY) is True
    assert [r["status"] for r in consul_api.request_log] == [503, 503, 200]


def test_5xx_retries_are_bounded(consul_api):
    consul_api.inject_fault("error", "/v1/config", status=503, count=-1)
    with pytest.raises(ConsulError) as err:
        client(consul_api, retries=2).get_config_entry("service-defaults", "web")
    assert err.value.status == 503 and err.value.attempts == 3
    assert len(consul_api.request_log) == 3
    assert "HTTP 503" in str(err.value) and "/v1/config/service-defaults/web" in str(err.value)


def test_500_is_not_retried(consul_api):
    # Consul answers 500 for config entries it refuses (agent/config_endpoint.go), which
    # a retry cannot fix.
    consul_api.inject_fault("error", "/v1/config", status=500, count=-1)
    with pytest.raises(ConsulError) as err:
        client(consul_api, retries=3).get_config_entry("service-defaults", "web")
    assert err.value.status == 500 and len(consul_api.request_log) == 1


def test_check_and_set_write_is_not_repeated_after_a_503(consul_api):
    consul_api.inject_fault("error", "/v1/config", status=503, count=1)
    with pytest.raises(ConsulError) as err:
        client(consul_api, retries=3).put_config_entry(ENTRY, cas=0)
    assert err.value.status == 503 and len(consul_api.request_log) == 1


def test_dropped_connection_is_retried(consul_api):
    consul_api.inject_fault("drop", "/v1/config", count=1)
    assert client(consul_api).put_config_entry(ENTRY) is True
    assert consul_api.request_log[0]["status"] == "dropped"


def test_4xx_is_never_retried_and_token_not_leaked(consul_api):
    with pytest.raises(ConsulError) as err:
        client(consul_api, token="not-a-real-token", retries=5).put_config_entry(ENTRY)
    assert err.value.status == 403 and len(consul_api.request_log) == 1
    assert "ACL not found" in str(err.value) and "not-a-real-token" not in str(err.value)


def test_permission_denied_text_comes_from_consul(consul_api):
    token = consul_api.make_token('service "web" { policy = "read" }')
    with pytest.raises(ConsulError) as err:
        client(consul_api, token=token).put_config_entry(ENTRY)
    assert "lacks permission 'service:write'" in str(err.value) and token not in str(err.value)


def test_timeout_bounds_the_whole_call_then_next_call_succeeds(consul_api):
    # ``timeout`` is the deadline of the call as a whole: a slow first attempt uses it
    # up, so no retry starts; the next call gets a fresh deadline.
    consul_api.inject_fault("latency", "/v1/config", delay=1.0, count=1)
    c = client(consul_api, timeout=0.3, retries=1)
    with pytest.raises(ConsulError) as err:
        c.put_config_entry(ENTRY)
    assert str(err.value) == "Consul PUT /v1/config failed: timed out after 0.3 s waiting for %s" % consul_api.addr
    assert c.put_config_entry(ENTRY) is True


def test_server_down_is_a_clear_error():
    c = ConsulClient("http://127.0.0.1:%d" % free_port(), retries=1, retry_delay=0.01, timeout=1)
    with pytest.raises(ConsulError) as err:
        c.get_config_entry("service-defaults", "web")
    assert err.value.status is None and err.value.attempts == 2
    assert "cannot connect to Consul at http://127.0.0.1:" in str(err.value)
    assert ": connection refused; check that Consul is running" in str(err.value)
    assert "Max retries exceeded" not in str(err.value)


def test_enterprise_namespace_refused_by_ce(consul_api):
    with pytest.raises(ConsulError) as err:
        client(consul_api, namespace="team-a").get_config_entry("service-defaults", "web")
    assert err.value.status == 400 and "Namespaces are a Consul Enterprise feature" in str(err.value)
    assert consul_api.request_log[-1]["query"]["ns"] == "team-a"


@pytest.mark.parametrize("url,ssl,want", [
    (None, None, "http://127.0.0.1:8500"), ("consul:8501", True, "https://consul:8501"),
    ("consul:8500", False, "http://consul:8500"), ("http://c:1/", True, "https://c:1"),
    ("https://c:1", None, "https://c:1"),
])
def test_resolve_url(url, ssl, want):
    assert resolve_url(url, ssl) == want


def test_bad_scheme_and_names_refused():
    with pytest.raises(ValueError):
        resolve_url("ftp://x")
    with pytest.raises(ValueError):
        ConsulClient()._entry_path("service-defaults", "a/b")
