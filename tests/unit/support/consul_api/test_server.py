"""The contract server itself follows Consul's documented config API strictly."""
import json

import pytest
import requests


def call(api, method, path, body=None, token=None, **params):
    token = api.management_token if token is None else token
    resp = requests.request(method, api.addr + path, params=params, timeout=5,
                            data=None if body is None else json.dumps(body),
                            headers={"X-Consul-Token": token} if token else {})
    try:
        return resp.status_code, resp.json()
    except ValueError:
        return resp.status_code, resp.text


SD = {"Kind": "service-defaults", "Name": "web", "Protocol": "http",
      "UpstreamConfig": {"Defaults": {"Limits": {"MaxConnections": 10},
                                      "PassiveHealthCheck": {"Interval": "10s", "EnforcingConsecutive5xx": 0}}}}


def test_put_get_renders_like_consul(consul_api):
    assert call(consul_api, "PUT", "/v1/config", SD) == (200, True)
    status, got = call(consul_api, "GET", "/v1/config/service-defaults/web")
    assert status == 200
    assert got["CreateIndex"] == got["ModifyIndex"] > 0 and isinstance(got["Hash"], int)
    assert got["MeshGateway"] == {} and got["Expose"] == {} and got["TransparentProxy"] == {}
    defaults = got["UpstreamConfig"]["Defaults"]
    assert defaults["Limits"] == {"MaxConnections": 10, "MaxPendingRequests": None, "MaxConcurrentRequests": None}
    assert defaults["PassiveHealthCheck"] == {"Interval": 10_000_000_000, "MaxFailures": 0,
                                              "EnforcingConsecutive5xx": 0}


def test_unknown_and_mistyped_fields_rejected(consul_api):
    # Type errors come first (mapstructure's own error list); unknown keys are only reported
    # once the body decodes (validateUnusedKeys, a go-multierror list).
    bad = dict(SD, Foo=1, UpstreamConfig={"Defaults": {"Limits": {"MaxConnections": "ten", "Max": 1}}})
    status, text = call(consul_api, "PUT", "/v1/config", bad)
    assert status == 400 and text.startswith("Request decoding failed: 1 error(s) decoding:")
    assert "'UpstreamConfig.Defaults.Limits.MaxConnections' expected type 'int'" in text
    assert "invalid config key" not in text
    bad = dict(SD, Foo=1, UpstreamConfig={"Defaults": {"Limits": {"MaxConnections": 10, "Max": 1}}})
    status, text = call(consul_api, "PUT", "/v1/config", bad)
    assert status == 400 and text.startswith("Request decoding failed: 2 errors occurred")
    assert 'invalid config key "Foo"' in text
    assert 'invalid config key "UpstreamConfig.Defaults.Limits.Max"' in text
    status, text = call(consul_api, "PUT", "/v1/config", dict(SD, Namespace="x"))
    assert status == 400 and "namespaces are a consul enterprise feature" in text
    assert consul_api.entries == {}


def test_unknown_kind_rejected(consul_api):
    status, text = call(consul_api, "PUT", "/v1/config", {"Kind": "service-frobnicator", "Name": "a"})
    assert status == 400 and "invalid config entry kind: service-frobnicator" in text
    status, text = call(consul_api, "DELETE", "/v1/config/service-frobnicator/a")
    assert status == 400


def test_not_found_and_delete_semantics(consul_api):
    status, text = call(consul_api, "GET", "/v1/config/service-defaults/nope")
    assert status == 404 and text == 'Config entry not found for "service-defaults" / "nope"'
    assert call(consul_api, "DELETE", "/v1/config/service-defaults/nope") == (200, {})
    assert call(consul_api, "PUT", "/v1/config", SD) == (200, True)
    assert call(consul_api, "DELETE", "/v1/config/service-defaults/web", cas="0") == (200, False)
    index = consul_api.entry("service-defaults", "web")["ModifyIndex"]
    assert call(consul_api, "DELETE", "/v1/config/service-defaults/web", cas=str(index)) == (200, True)
    assert consul_api.entries == {}


def test_intentions_normalised_on_write(consul_api):
    entry = {"Kind": "service-intentions", "Name": "api", "Sources": [
        {"Name": "*", "Action": "deny"}, {"Name": "web", "Action": "allow"}]}
    assert call(consul_api, "PUT", "/v1/config", entry) == (200, True)
    got = consul_api.entry("service-intentions", "api")
    assert [(s["Name"], s["Precedence"], s["Type"]) for s in got["Sources"]] == [("web", 9, "consul"), ("*", 8, "consul")]


@pytest.mark.parametrize("sources,fragment", [
    ([{"Name": "a"}], "Sources[0].Action must be set to 'allow' or 'deny'"),
    ([{"Name": "a", "Action": "allow"}, {"Name": "a", "Action": "deny"}], 'Sources[1] defines "a" more than once'),
    ([{"Name": "a", "Action": "allow", "Permissions": [{"Action": "allow", "HTTP": {"PathPrefix": "/"}}]}],
     "Action must be omitted if Permissions are specified"),
    ([{"Name": "a", "Permissions": [{"Action": "allow", "HTTP": {"PathPrefix": "x"}}]}], "doesn't start with '/'"),
    ([{"Name": "a", "Permissions": [{"Action": "allow", "HTTP": {"Methods": ["FETCH"]}}]}], "invalid method"),
    ([{"Name": "a", "Permissions": [{"Action": "allow", "HTTP": {}}]}], "HTTP should not be empty"),
    ([], "At least one source is required"),
])
def test_intention_validation_is_consuls(consul_api, sources, fragment):
    status, text = call(consul_api, "PUT", "/v1/config", {"Kind": "service-intentions", "Name": "api", "Sources": sources})
    assert status == 500 and fragment in text
    assert consul_api.entries == {}


def test_l7_permissions_need_http_protocol(consul_api):
    entry = {"Kind": "service-intentions", "Name": "api", "Sources": [
        {"Name": "web", "Permissions": [{"Action": "allow", "HTTP": {"PathPrefix": "/"}}]}]}
    status, text = call(consul_api, "PUT", "/v1/config", entry)
    assert status == 500 and 'protocol "tcp"' in text
    call(consul_api, "PUT", "/v1/config", {"Kind": "service-defaults", "Name": "api", "Protocol": "http"})
    assert call(consul_api, "PUT", "/v1/config", entry) == (200, True)


def test_resolver_durations_answered_as_go_strings(consul_api):
    entry = {"Kind": "service-resolver", "Name": "tools", "ConnectTimeout": "5s", "RequestTimeout": "90s"}
    assert call(consul_api, "PUT", "/v1/config", entry) == (200, True)
    got = consul_api.entry("service-resolver", "tools")
    assert got["ConnectTimeout"] == "5s" and got["RequestTimeout"] == "1m30s"


def test_proxy_defaults_must_be_global(consul_api):
    status, text = call(consul_api, "PUT", "/v1/config", {"Kind": "proxy-defaults", "Name": "mine"})
    assert status == 500 and 'only "global" is supported' in text


def test_acl_enforcement_per_kind(consul_api):
    web_only = consul_api.make_token('service "web" {\n  policy = "write"\n}\n')
    intent = consul_api.make_token({"service": {"api": {"policy": "read", "intentions": "write"}}})
    op = consul_api.make_token('operator = "write"')
    ixn = {"Kind": "service-intentions", "Name": "api", "Sources": [{"Name": "web", "Action": "allow"}]}
    status, text = call(consul_api, "PUT", "/v1/config", ixn, token=web_only)
    assert status == 403 and "lacks permission 'intentions:write' on \"api\"" in text
    assert call(consul_api, "PUT", "/v1/config", ixn, token=intent) == (200, True)
    assert call(consul_api, "PUT", "/v1/config", SD, token=web_only) == (200, True)
    assert call(consul_api, "PUT", "/v1/config", dict(SD, Name="api"), token=web_only)[0] == 403
    pd = {"Kind": "proxy-defaults", "Name": "global", "Config": {"protocol": "http"}}
    assert call(consul_api, "PUT", "/v1/config", pd, token=web_only)[0] == 403
    assert call(consul_api, "PUT", "/v1/config", pd, token=op) == (200, True)
    # Reads: intentions read is implied by service read; lists are filtered, not refused.
    assert call(consul_api, "GET", "/v1/config/service-intentions/api", token=intent)[0] == 200
    status, listed = call(consul_api, "GET", "/v1/config/service-defaults", token=intent)
    assert status == 200 and listed == []
    assert call(consul_api, "GET", "/v1/config/service-defaults/web", token="")[0] == 403
    assert call(consul_api, "GET", "/v1/config/service-defaults/web", token="bogus") == (403, "ACL not found")


def test_acl_can_be_disabled(consul_api_factory):
    api = consul_api_factory(acl=False)
    assert call(api, "PUT", "/v1/config", SD, token="") == (200, True)


def test_enterprise_parameters_refused(consul_api):
    status, text = call(consul_api, "GET", "/v1/config/service-defaults/web", partition="p1")
    assert status == 400 and "Partitions are a Consul Enterprise feature" in text


def test_fault_injection(consul_api):
    consul_api.inject_fault("error", "/v1/config", method="GET", status=502, count=1)
    assert call(consul_api, "GET", "/v1/config/service-defaults")[0] == 502
    assert call(consul_api, "GET", "/v1/config/service-defaults")[0] == 200
    consul_api.inject_fault("drop", "/v1/config", count=1)
    with pytest.raises(requests.ConnectionError):
        call(consul_api, "GET", "/v1/config/service-defaults")
    with pytest.raises(ValueError):
        consul_api.inject_fault("explode")


def test_delete_normalises_proxy_defaults_name(consul_api):
    status, text = call(consul_api, "DELETE", "/v1/config/proxy-defaults/mine")
    assert status == 500 and text == 'invalid name ("mine"), only "global" is supported'
    assert call(consul_api, "DELETE", "/v1/config/proxy-defaults/global") == (200, {})
