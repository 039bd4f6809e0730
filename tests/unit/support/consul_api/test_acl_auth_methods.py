"""ACL auth methods and binding rules of the Consul contract server
(tests/support/consul_api/acl_auth_methods.py), as Consul answers them: Nomad workload
identity's jwt method with its JWKS fetched from the Nomad contract server."""
import json

import pytest
import requests

METHOD = "nomad-workloads"


def call(api, method, path, body=None, token=None, **params):
    token = api.management_token if token is None else token
    resp = requests.request(method, api.addr + path, params=params, timeout=15,
                            data=None if body is None else json.dumps(body),
                            headers={"X-Consul-Token": token} if token else {})
    try:
        return resp.status_code, resp.json()
    except ValueError:
        return resp.status_code, resp.text


@pytest.fixture
def jwks_url(nomad_api):
    return nomad_api.addr + "/.well-known/jwks.json"


def auth_method(jwks_url, **config):
    conf = {"JWKSURL": jwks_url, "JWTSupportedAlgs": ["RS256"], "BoundAudiences": ["consul.io"],
            "ClaimMappings": {"nomad_namespace": "nomad_namespace", "nomad_job_id": "nomad_job_id",
                              "nomad_task": "nomad_task", "nomad_service": "nomad_service"}}
    conf.update(config)
    return {"Name": METHOD, "Type": "jwt", "Description": "Nomad workloads", "Config": conf}


SERVICE_RULE = {"AuthMethod": METHOD, "Description": "services", "BindType": "service",
                "BindName": "${value.nomad_service}", "Selector": '"nomad_service" in value'}


def test_nomad_jwks_is_open_and_a_key_set(nomad_api, jwks_url):
    resp = requests.get(jwks_url, timeout=5)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "max-age=900"
    (key,) = resp.json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["e"] == "AQAB"
    assert requests.post(jwks_url, timeout=5).status_code == 405


def test_method_written_read_and_listed(consul_api, jwks_url):
    status, got = call(consul_api, "PUT", "/v1/acl/auth-method/" + METHOD, auth_method(jwks_url))
    assert status == 200 and got["Name"] == METHOD and got["Config"]["JWKSURL"] == jwks_url
    assert got["CreateIndex"] == got["ModifyIndex"] > 0
    status, read = call(consul_api, "GET", "/v1/acl/auth-method/" + METHOD)
    assert status == 200 and read == got
    status, stubs = call(consul_api, "GET", "/v1/acl/auth-methods")
    assert status == 200 and [s["Name"] for s in stubs] == [METHOD] and "Config" not in stubs[0]
    status, again = call(consul_api, "PUT", "/v1/acl/auth-method/" + METHOD,
                         dict(auth_method(jwks_url), Description="changed"))
    assert status == 200 and again["CreateIndex"] == got["CreateIndex"] < again["ModifyIndex"]


def test_method_missing_is_404(consul_api):
    assert call(consul_api, "GET", "/v1/acl/auth-method/nope")[0] == 404


@pytest.mark.parametrize("token", ["", "unknown-secret"])
def test_anonymous_and_unknown_tokens_denied(consul_api, jwks_url, token):
    status, text = call(consul_api, "PUT", "/v1/acl/auth-method/" + METHOD, auth_method(jwks_url),
                        token=token or "")
    assert status == 403
    assert ("lacks permission 'acl:write'" in text) if not token else text == "ACL not found"
    assert call(consul_api, "GET", "/v1/acl/auth-method/" + METHOD)[0] == 404


@pytest.mark.parametrize("change, message", [
    ({"Config": {"JWKSURL": "x", "Bogus": 1}}, "has invalid keys: Bogus"),
    ({"Config": {"JWTSupportedAlgs": ["RS256"]}}, "exactly one of 'JWTValidationPubKeys', 'JWKSURL'"),
    ({"Config": {"JWKSURL": "http://127.0.0.1:9/jwks", "OIDCClientID": "a"}},
     "'OIDCClientID' must not be set for type \"jwt\""),
    ({"Type": "kubernetes"}, "Type should be one of"),
    ({"Name": "bad name"}, "invalid Name"),
    ({"TokenLocality": "planet"}, "TokenLocality should be one of"),
    ({"MaxTokenTTL": "30s"}, "cannot be less than 1m0s"),
])
def test_invalid_methods_refused_and_nothing_stored(consul_api, jwks_url, change, message):
    body = auth_method(jwks_url)
    body.update(change)
    status, text = call(consul_api, "PUT", "/v1/acl/auth-method", body)
    assert status == 500 and message in text, text
    assert call(consul_api, "GET", "/v1/acl/auth-methods")[1] == []


def test_unknown_body_field_is_400(consul_api, jwks_url):
    status, text = call(consul_api, "PUT", "/v1/acl/auth-method", dict(auth_method(jwks_url), Foo=1))
    assert status == 400 and text == 'AuthMethod decoding failed: json: unknown field "Foo"'


def test_name_mismatch_is_400(consul_api, jwks_url):
    status, text = call(consul_api, "PUT", "/v1/acl/auth-method/other", auth_method(jwks_url))
    assert (status, text) == (400, "AuthMethod Name in URL and payload do not match")


def test_jwks_url_is_fetched_when_written(consul_api, jwks_url):
    # Nothing listens on port 9: Consul refuses the method (oidcauth Config.Validate).
    status, text = call(consul_api, "PUT", "/v1/acl/auth-method",
                        auth_method("http://127.0.0.1:9/.well-known/jwks.json"))
    assert status == 500 and "error checking JWKSURL" in text
    # A page that is not a key set is refused too.
    status, text = call(consul_api, "PUT", "/v1/acl/auth-method",
                        auth_method(jwks_url.replace("/.well-known/jwks.json", "/v1/status/leader")))
    assert status == 500 and "error checking JWKSURL" in text
    status, text = call(consul_api, "PUT", "/v1/acl/auth-method",
                        auth_method(jwks_url, JWKSCACert="not a pem"))
    assert status == 500 and "error checking JWKSCACert" in text


def test_binding_rules_create_update_list_delete(consul_api, jwks_url):
    call(consul_api, "PUT", "/v1/acl/auth-method/" + METHOD, auth_method(jwks_url))
    status, rule = call(consul_api, "PUT", "/v1/acl/binding-rule", SERVICE_RULE)
    assert status == 200 and rule["ID"] and rule["BindName"] == "${value.nomad_service}"
    status, listed = call(consul_api, "GET", "/v1/acl/binding-rules", authmethod=METHOD)
    assert status == 200 and listed == [rule]
    assert call(consul_api, "GET", "/v1/acl/binding-rules", authmethod="other")[1] == []
    status, updated = call(consul_api, "PUT", "/v1/acl/binding-rule/" + rule["ID"],
                           dict(SERVICE_RULE, ID=rule["ID"], Description="svc"))
    assert status == 200 and updated["ID"] == rule["ID"] and updated["Description"] == "svc"
    assert call(consul_api, "GET", "/v1/acl/binding-rule/" + rule["ID"])[1] == updated
    assert call(consul_api, "DELETE", "/v1/acl/binding-rule/" + rule["ID"]) == (200, True)
    assert call(consul_api, "GET", "/v1/acl/binding-rule/" + rule["ID"])[0] == 404


def test_deleting_the_method_drops_its_rules(consul_api, jwks_url):
    call(consul_api, "PUT", "/v1/acl/auth-method/" + METHOD, auth_method(jwks_url))
    call(consul_api, "PUT", "/v1/acl/binding-rule", SERVICE_RULE)
    assert call(consul_api, "DELETE", "/v1/acl/auth-method/" + METHOD) == (200, True)
    assert call(consul_api, "GET", "/v1/acl/binding-rules")[1] == []


@pytest.mark.parametrize("change, message", [
    ({"AuthMethod": "missing"}, "unknown AuthMethod 'missing'"),
    ({"BindType": "user"}, "unknown BindType 'user'"),
    ({"BindName": ""}, "no BindName is set"),
    ({"BindName": "${value.not_mapped}"}, "invalid BindName"),
    ({"Selector": '"nomad_service" in'}, "invalid Selector"),
    ({"Selector": "Node.Meta == x"}, "invalid Selector"),
    ({"Selector": 'value.not_mapped == "x"'}, "invalid Selector"),
])
def test_invalid_binding_rules_refused(consul_api, jwks_url, change, message):
    call(consul_api, "PUT", "/v1/acl/auth-method/" + METHOD, auth_method(jwks_url))
    status, text = call(consul_api, "PUT", "/v1/acl/binding-rule", dict(SERVICE_RULE, **change))
    assert status == 500 and message in text, text
    assert call(consul_api, "GET", "/v1/acl/binding-rules")[1] == []


def test_binding_rule_reads_need_a_token(consul_api):
    status, text = call(consul_api, "GET", "/v1/acl/binding-rules", token="")
    assert status == 403 and "lacks permission 'acl:read'" in text


def test_method_type_cannot_change(consul_api, jwks_url):
    call(consul_api, "PUT", "/v1/acl/auth-method/" + METHOD, auth_method(jwks_url))
    status, text = call(consul_api, "PUT", "/v1/acl/auth-method/" + METHOD,
                        dict(auth_method(jwks_url), Type="oidc"))
    assert status == 500 and "cannot change the Type (from 'jwt' to 'oidc')" in text, text
