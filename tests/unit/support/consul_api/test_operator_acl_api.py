"""Status, snapshot, gossip keyring and ACL token/policy endpoints of the Consul contract
server (operator.py, acl_api.py), including the real server's refusals."""
import base64
import json
import os

import requests

from tests.support.snapshot_archive import pack

SD = {"Kind": "service-defaults", "Name": "web", "Protocol": "http"}


def call(api, method, path, body=None, token=None, data=None):
    token = api.management_token if token is None else token
    resp = requests.request(method, api.addr + path, timeout=5,
                            data=data if data is not None else (None if body is None else json.dumps(body)),
                            headers={"X-Consul-Token": token} if token else {})
    return resp


def _key(size=32):
    return base64.b64encode(os.urandom(size)).decode()


def _token_with(api, rules, name="p"):
    policy = call(api, "PUT", "/v1/acl/policy", {"Name": name, "Rules": rules}).json()
    return call(api, "PUT", "/v1/acl/token", {"Description": name, "Policies": [{"ID": policy["ID"]}]}).json()


def test_status_leader_is_a_json_string(consul_api):
    assert call(consul_api, "GET", "/v1/status/leader").json() == "127.0.0.1:8300"
    consul_api.set_leader("")
    assert call(consul_api, "GET", "/v1/status/leader").json() == ""
    assert call(consul_api, "GET", "/v1/status/peers").json() == []


def test_snapshot_round_trip_with_meta_headers(consul_api):
    assert call(consul_api, "PUT", "/v1/config", SD).json() is True
    saved = call(consul_api, "GET", "/v1/snapshot")
    assert saved.status_code == 200 and saved.content[:2] == b"\x1f\x8b"
    assert int(saved.headers["X-Consul-Index"]) > 0
    assert saved.headers["X-Consul-KnownLeader"] == "true" and saved.headers["X-Consul-LastContact"] == "0"
    call(consul_api, "DELETE", "/v1/config/service-defaults/web")
    assert consul_api.entries == {}
    restored = call(consul_api, "PUT", "/v1/snapshot", data=saved.content)
    assert restored.status_code == 200
    assert list(consul_api.entries) == [("service-defaults", "web")]


def test_snapshot_refusals(consul_api):
    operator = consul_api.make_token({"operator": "write"})
    answer = call(consul_api, "GET", "/v1/snapshot", token=operator)
    assert answer.status_code == 403 and "lacks permission 'acl:write'" in answer.text
    saved = call(consul_api, "GET", "/v1/snapshot").content
    assert call(consul_api, "PUT", "/v1/snapshot", data=saved, token=operator).status_code == 403
    for junk in (b"junk", pack("nomad", 3, {}), saved[:-10]):
        answer = call(consul_api, "PUT", "/v1/snapshot", data=junk)
        assert answer.status_code == 500 and answer.text.startswith("failed to restore snapshot: ")
    assert call(consul_api, "POST", "/v1/snapshot").status_code == 405


def test_keyring_install_use_remove(consul_api):
    old = consul_api.keyring["primary"]
    pools = call(consul_api, "GET", "/v1/operator/keyring").json()
    assert [(p["WAN"], p["Keys"], p["PrimaryKeys"]) for p in pools] == [
        (True, {old: 1}, {old: 1}), (False, {old: 1}, {old: 1})]
    new = _key(16)
    assert call(consul_api, "POST", "/v1/operator/keyring", {"Key": new}).status_code == 200
    assert call(consul_api, "PUT", "/v1/operator/keyring", {"Key": new}).status_code == 200
    assert call(consul_api, "DELETE", "/v1/operator/keyring", {"Key": old}).status_code == 200
    assert consul_api.keyring["keys"] == [new] and consul_api.keyring["primary"] == new


def test_keyring_refusals(consul_api):
    primary = consul_api.keyring["primary"]
    for method, key, reason in (("POST", _key(20), "key size must be 16, 24 or 32 bytes"),
                                ("PUT", _key(), "Requested key is not in the keyring"),
                                ("DELETE", primary, "Removing the primary key is not allowed")):
        answer = call(consul_api, method, "/v1/operator/keyring", {"Key": key})
        assert answer.status_code == 500, method
        assert "dc1 (LAN) error: 1/1 nodes reported failure" in answer.text and reason in answer.text
    answer = call(consul_api, "POST", "/v1/operator/keyring", {"Key": "@@@"})
    assert answer.status_code == 500 and "illegal base64 data at input byte 0" in answer.text
    assert call(consul_api, "POST", "/v1/operator/keyring", data=b"{").status_code == 400
    reader = consul_api.make_token({"keyring": "read"})
    assert call(consul_api, "GET", "/v1/operator/keyring", token=reader).status_code == 200
    denied = call(consul_api, "POST", "/v1/operator/keyring", {"Key": _key()}, token=reader)
    assert denied.status_code == 403 and "lacks permission 'keyring:write'" in denied.text
    assert call(consul_api, "GET", "/v1/operator/keyring", token=consul_api.make_token({})).status_code == 403
    assert consul_api.keyring["keys"] == [primary]


def test_token_rotation_flow(consul_api):
    admin = _token_with(consul_api, 'acl = "write"\nservice_prefix "" { policy = "write" }', "fleet")
    secret = admin["SecretID"]
    me = call(consul_api, "GET", "/v1/acl/token/self", token=secret).json()
    assert me["Policies"] == admin["Policies"] and me["SecretID"] == secret
    # the policy's rules apply: service write yes, operator no
    assert call(consul_api, "PUT", "/v1/config", SD, token=secret).json() is True
    successor = call(consul_api, "PUT", "/v1/acl/token",
                     {"Description": "fleet (rotated)", "Policies": [{"Name": "fleet"}]}, token=secret).json()
    assert successor["Policies"] == admin["Policies"] and successor["SecretID"] != secret
    refused = call(consul_api, "DELETE", f"/v1/acl/token/{admin['AccessorID']}", token=secret)
    assert (refused.status_code, refused.text) == (
        500, "Deletion of the request's authorization token is not permitted")
    deleted = call(consul_api, "DELETE", f"/v1/acl/token/{admin['AccessorID']}", token=successor["SecretID"])
    assert deleted.json() is True
    assert call(consul_api, "GET", "/v1/acl/token/self", token=secret).status_code == 403
    assert call(consul_api, "PUT", "/v1/config", SD, token=successor["SecretID"]).json() is True


def test_acl_refusals(consul_api):
    reader = _token_with(consul_api, 'acl = "read"', "reader")["SecretID"]
    answer = call(consul_api, "PUT", "/v1/acl/token", {"Policies": [{"Name": "reader"}]}, token=reader)
    assert answer.status_code == 403 and "lacks permission 'acl:write'" in answer.text
    assert call(consul_api, "GET", "/v1/acl/tokens", token=reader).status_code == 200
    assert call(consul_api, "PUT", "/v1/acl/token", {"Policies": [{"Name": "nope"}]}).text == \
        "No such ACL policy with name 'nope'"
    assert call(consul_api, "PUT", "/v1/acl/token", {"Roles": [{"Name": "r"}]}).status_code == 400
    assert call(consul_api, "PUT", "/v1/acl/policy", {"Name": "reader", "Rules": ""}).status_code == 400
    assert call(consul_api, "PUT", "/v1/acl/policy", {"Name": "bad name", "Rules": ""}).status_code == 400
    assert call(consul_api, "PUT", "/v1/acl/policy", {"Name": "x", "Rules": 'key "a" {}'}).status_code == 400
    assert call(consul_api, "DELETE", "/v1/acl/token/not-a-uuid").text == "Accessor ID is missing or an invalid UUID"
    assert call(consul_api, "DELETE", "/v1/acl/token/00000000-0000-0000-0000-000000000002").status_code == 500
    assert call(consul_api, "GET", "/v1/acl/token/self", token="no-such-secret").status_code == 403
    management = call(consul_api, "PUT", "/v1/acl/token",
                      {"Policies": [{"Name": "global-management"}]}).json()["SecretID"]
    assert call(consul_api, "GET", "/v1/snapshot", token=management).status_code == 200
