"""ACL enforcement, policies, tokens, bootstrap."""
import pytest
import requests

from tests.unit.support.nomad_api.helpers import Client, service_job

READ_DEFAULT = 'namespace "default" { policy = "read" }'
SUBMIT_DEFAULT = 'namespace "default" { capabilities = ["submit-job", "read-job"] }'


def test_token_without_submit_job_gets_403(nomad_api, client):
    secret = nomad_api.make_token(["reader"], {"reader": READ_DEFAULT})
    reader = Client(nomad_api, secret)
    resp = reader.call("POST", "/v1/jobs", {"Job": service_job()})
    assert (resp.status_code, resp.text) == (403, "Permission denied")
    assert reader.call("POST", "/v1/job/web/plan", {"Job": service_job()}).status_code == 403
    assert client.call("POST", "/v1/jobs", {"Job": service_job()}).status_code == 200
    assert reader.call("GET", "/v1/job/web").status_code == 200
    assert reader.call("DELETE", "/v1/job/web").status_code == 403


def test_capabilities_are_per_namespace(nomad_api, client):
    client.call("POST", "/v1/namespace/prod", {"Name": "prod"})
    secret = nomad_api.make_token(["submitter"], {"submitter": SUBMIT_DEFAULT})
    submitter = Client(nomad_api, secret)
    assert submitter.call("POST", "/v1/jobs", {"Job": service_job()}).status_code == 200
    prod = submitter.call("POST", "/v1/jobs", {"Job": service_job("p", Namespace="prod")})
    assert prod.status_code == 403
    # listing "*" only shows namespaces the token may list
    client.call("POST", "/v1/jobs", {"Job": service_job("q", Namespace="prod")})
    listed = Client(nomad_api, nomad_api.make_token(
        ["lister"], {"lister": 'namespace "default" { policy = "read" }'}, name="l"))
    ids = {j["ID"] for j in listed.call("GET", "/v1/jobs", namespace="*").json()}
    assert ids == {"web"}


def test_glob_namespace_and_deny(nomad_api, client):
    client.call("POST", "/v1/namespace/team-a", {"Name": "team-a"})
    rules = ('namespace "team-*" { policy = "write" }\n'
             'namespace "team-a" { policy = "deny" }\n'
             'namespace "default" { policy = "write" }')
    tok = Client(nomad_api, nomad_api.make_token(["g"], {"g": rules}))
    assert tok.call("POST", "/v1/jobs", {"Job": service_job()}).status_code == 200
    resp = tok.call("POST", "/v1/jobs", {"Job": service_job("x", Namespace="team-a")})
    assert resp.status_code == 403


def test_namespace_management_needs_management_token(nomad_api, client):
    tok = Client(nomad_api, nomad_api.make_token(
        ["w"], {"w": 'namespace "*" { policy = "write" }'}))
    assert tok.call("POST", "/v1/namespace/x", {"Name": "x"}).status_code == 403
    assert client.call("POST", "/v1/namespace/x", {"Name": "x"}).status_code == 200
    assert tok.call("DELETE", "/v1/namespace/x").status_code == 403


def test_unknown_and_missing_token(nomad_api):
    anon = Client(nomad_api, "")
    assert anon.call("GET", "/v1/jobs").status_code == 403
    bogus = Client(nomad_api, "00000000-0000-0000-0000-000000000000")
    resp = bogus.call("GET", "/v1/jobs")
    assert (resp.status_code, resp.text) == (403, "ACL token not found")


def test_anonymous_policy_applies_without_token(nomad_api, client):
    client.call("POST", "/v1/acl/policy/anonymous",
                {"Name": "anonymous", "Description": "", "Rules": READ_DEFAULT})
    assert Client(nomad_api, "").call("GET", "/v1/jobs").status_code == 200


def test_policy_crud_and_validation(client):
    resp = client.call("POST", "/v1/acl/policy/ops", {
        "Name": "ops", "Description": "ops", "Rules": READ_DEFAULT,
        "JobACL": {"Namespace": "default", "JobID": "web"}})
    assert resp.status_code == 200 and resp.text == ""
    pol = client.call("GET", "/v1/acl/policy/ops").json()
    assert pol["Rules"] == READ_DEFAULT and pol["JobACL"]["JobID"] == "web"
    assert [p["Name"] for p in client.call("GET", "/v1/acl/policies").json()] == ["ops"]
    mismatch = client.call("POST", "/v1/acl/policy/ops", {"Name": "other", "Rules": READ_DEFAULT})
    assert mismatch.status_code == 400
    bad = client.call("POST", "/v1/acl/policy/bad", {"Name": "bad",
                                                     "Rules": 'namespace "x" { policy = "own" }'})
    assert bad.status_code == 400 and bad.text.startswith("policy 0 invalid: 1 error occurred")
    assert "Invalid namespace policy" in bad.text
    json_rules = '{"namespace": {"default": {"policy": "write"}}}'
    assert client.call("POST", "/v1/acl/policy/js",
                       {"Name": "js", "Rules": json_rules}).status_code == 200
    assert client.call("DELETE", "/v1/acl/policy/ops").status_code == 200
    assert client.call("GET", "/v1/acl/policy/ops").status_code == 404


def test_token_crud(nomad_api, client):
    client.call("POST", "/v1/acl/policy/r", {"Name": "r", "Rules": READ_DEFAULT})
    created = client.call("POST", "/v1/acl/token", {
        "Name": "agent-1", "Type": "client", "Policies": ["r"],
        "ExpirationTTL": "1h"}).json()
    assert created["SecretID"] and created["ExpirationTime"] and created["Policies"] == ["r"]
    assert created["ExpirationTTL"] == "1h0m0s"
    stubs = client.call("GET", "/v1/acl/tokens").json()
    assert {t["Name"] for t in stubs} == {"Bootstrap Token", "agent-1"}
    assert all("SecretID" not in t for t in stubs)
    updated = client.call("POST", f"/v1/acl/token/{created['AccessorID']}", {
        "AccessorID": created["AccessorID"], "Name": "agent-1b", "Type": "client",
        "Policies": ["r"]}).json()
    assert updated["SecretID"] == created["SecretID"] and updated["Name"] == "agent-1b"
    assert updated["ExpirationTime"] == created["ExpirationTime"]
    toggled = client.call("POST", f"/v1/acl/token/{created['AccessorID']}", {
        "Name": "agent-1b", "Type": "client", "Policies": ["r"], "Global": True})
    assert toggled.status_code == 400 and "cannot toggle global mode" in toggled.text
    me = Client(nomad_api, created["SecretID"]).call("GET", "/v1/acl/token/self").json()
    assert me["AccessorID"] == created["AccessorID"]
    assert client.call("DELETE", f"/v1/acl/token/{created['AccessorID']}").status_code == 200
    assert client.call("GET", f"/v1/acl/token/{created['AccessorID']}").status_code == 404
    assert client.call("DELETE", f"/v1/acl/token/{created['AccessorID']}").status_code == 400


@pytest.mark.parametrize("body, message", [
    ({"Name": "x", "Type": "client"}, "client token missing policies or roles"),
    ({"Name": "x", "Type": "management", "Policies": ["r"]},
     "management token cannot be associated with policies or roles"),
    ({"Name": "x", "Type": "root"}, "token type must be client or management"),
    ({"Name": "x", "Type": "client", "Policies": ["r"], "ExpirationTTL": "1s"},
     "expiration time cannot be less than 1m0s in the future (was 1s)"),
    ({"Name": "x", "Type": "client", "Policies": ["r"], "ExpirationTTL": 48 * 3600 * 10**9},
     "expiration time cannot be more than 24h0m0s in the future (was 48h0m0s)"),
])
def test_token_validation(client, body, message):
    resp = client.call("POST", "/v1/acl/token", body)
    assert resp.status_code == 400
    assert resp.text == f"token 0 invalid: 1 error occurred:\n\t* {message}\n\n"


def test_non_management_cannot_manage_tokens(nomad_api):
    tok = Client(nomad_api, nomad_api.make_token(["r"], {"r": READ_DEFAULT}))
    assert tok.call("GET", "/v1/acl/tokens").status_code == 403
    assert tok.call("POST", "/v1/acl/policy/x", {"Name": "x", "Rules": READ_DEFAULT}
                    ).status_code == 403
    assert tok.call("GET", "/v1/acl/policy/r").status_code == 200  # its own policy


def test_bootstrap_once(nomad_api_factory):
    api = nomad_api_factory(bootstrap=False)
    assert api.management_token is None
    first = requests.post(api.addr + "/v1/acl/bootstrap", timeout=5)
    assert first.status_code == 200 and first.json()["Type"] == "management"
    again = requests.post(api.addr + "/v1/acl/bootstrap", timeout=5)
    assert again.status_code == 400 and again.text.startswith("ACL bootstrap already done")
    secret = first.json()["SecretID"]
    ok = requests.get(api.addr + "/v1/jobs", headers={"X-Nomad-Token": secret}, timeout=5)
    assert ok.status_code == 200


def test_acl_disabled_server_allows_all(nomad_api_factory):
    api = nomad_api_factory(acl=False)
    anon = Client(api, "")
    assert api.management_token is None and "NOMAD_TOKEN" not in api.env
    assert anon.call("POST", "/v1/jobs", {"Job": service_job()}).status_code == 200
    resp = anon.call("GET", "/v1/acl/tokens")
    assert (resp.status_code, resp.text) == (400, "ACL support disabled")


def test_role_grants_its_policies(nomad_api, client):
    client.call("POST", "/v1/acl/policy/sub", {"Name": "sub", "Rules": SUBMIT_DEFAULT})
    role = client.call("POST", "/v1/acl/role", {"Name": "deployers",
                                                "Policies": [{"Name": "sub"}]}).json()
    assert client.call("GET", "/v1/acl/role/name/deployers").json()["ID"] == role["ID"]
    token = client.call("POST", "/v1/acl/token", {
        "Name": "ci", "Type": "client", "Roles": [{"Name": "deployers"}]}).json()
    assert token["Roles"] == [{"ID": role["ID"], "Name": "deployers"}]
    ci = Client(nomad_api, token["SecretID"])
    assert ci.call("POST", "/v1/jobs", {"Job": service_job()}).status_code == 200
    missing = client.call("POST", "/v1/acl/role", {"Name": "x", "Policies": [{"Name": "nope"}]})
    assert missing.status_code == 500


def test_denied_blocking_read_does_not_wait(nomad_api, client):
    import time
    client.call("POST", "/v1/jobs", {"Job": service_job()})
    other = Client(nomad_api, nomad_api.make_token(
        ["o"], {"o": 'namespace "other" { policy = "read" }'}))
    started = time.monotonic()
    resp = other.call("GET", "/v1/job/web", index="999999", wait="5s")
    assert resp.status_code == 403 and time.monotonic() - started < 2
