"""Snapshot and gossip-keyring endpoints of the Nomad contract server (routes_operator.py)."""
import base64
import hashlib
import os

import requests

from tests.support.snapshot_archive import pack
from tests.unit.support.nomad_api.helpers import service_job


def _key(size=32):
    return base64.b64encode(os.urandom(size)).decode()


def test_snapshot_save_then_restore_replaces_the_state(nomad_api, client):
    client.call("POST", "/v1/jobs", {"Job": service_job()})
    client.call("PUT", "/v1/var/app/cfg", {"Items": {"a": "1"}})
    answer = client.call("GET", "/v1/operator/snapshot")
    assert answer.status_code == 200
    data = answer.content
    assert data[:2] == b"\x1f\x8b"
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert answer.headers["Digest"] == f"sha-256={digest}"
    client.call("DELETE", "/v1/job/web", purge="true")
    client.call("DELETE", "/v1/var/app/cfg")
    client.call("POST", "/v1/jobs", {"Job": service_job("later")})
    restored = requests.put(nomad_api.addr + "/v1/operator/snapshot", data=data, timeout=10,
                            headers={"X-Nomad-Token": nomad_api.management_token})
    assert (restored.status_code, restored.text) == (200, "")
    assert sorted(nomad_api.jobs()) == ["web"]
    assert client.call("GET", "/v1/var/app/cfg").json()["Items"] == {"a": "1"}
    # ACL policies come back usable (compiled again)
    token = nomad_api.make_token(["p"], rules={"p": 'namespace "default" { policy = "read" }'})
    snap = client.call("GET", "/v1/operator/snapshot").content
    requests.put(nomad_api.addr + "/v1/operator/snapshot", data=snap, timeout=10,
                 headers={"X-Nomad-Token": nomad_api.management_token})
    assert client.call("GET", "/v1/jobs", token=token).status_code == 200


def test_snapshot_refusals(nomad_api, client):
    url = nomad_api.addr + "/v1/operator/snapshot"
    op_write = nomad_api.make_token(["ow"], rules={"ow": 'operator { policy = "write" }'})
    op_read = nomad_api.make_token(["or"], rules={"or": 'operator { policy = "read" }'})
    assert client.call("GET", "/v1/operator/snapshot", token=op_write).status_code == 200
    assert client.call("GET", "/v1/operator/snapshot", token=op_read).status_code == 403
    unknown = client.call("GET", "/v1/operator/snapshot", token="00000000-0000-0000-0000-00000000dead")
    assert (unknown.status_code, unknown.text) == (400, "ACL token not found")
    snap = client.call("GET", "/v1/operator/snapshot").content
    # restore needs a management token, operator write is not enough
    answer = requests.put(url, data=snap, headers={"X-Nomad-Token": op_write}, timeout=10)
    assert answer.status_code == 403
    for junk in (b"not a snapshot", pack("consul", 5, {}), snap[:-20]):
        answer = requests.put(url, data=junk, headers={"X-Nomad-Token": nomad_api.management_token},
                              timeout=10)
        assert answer.status_code == 500 and answer.text.startswith("failed to restore from snapshot: ")
    assert client.call("DELETE", "/v1/operator/snapshot").status_code == 405


def test_keyring_install_use_remove(nomad_api, client):
    old = nomad_api.keyring["primary"]
    listed = client.call("GET", "/v1/agent/keyring/list").json()
    assert listed == {"Messages": {}, "Keys": {old: 1}, "NumNodes": 1}
    new = _key()
    assert client.call("PUT", "/v1/agent/keyring/install", {"Key": new}).status_code == 200
    assert client.call("PUT", "/v1/agent/keyring/use", {"Key": new}).status_code == 200
    assert client.call("PUT", "/v1/agent/keyring/remove", {"Key": old}).status_code == 200
    assert nomad_api.keyring["keys"] == [new] and nomad_api.keyring["primary"] == new


def test_keyring_refusals(nomad_api, client):
    primary = nomad_api.keyring["primary"]
    failure = (500, "1/1 nodes reported failure")
    for op, key in (("install", _key(20)), ("use", _key()), ("remove", primary)):
        answer = client.call("PUT", f"/v1/agent/keyring/{op}", {"Key": key})
        assert (answer.status_code, answer.text) == failure, op
    answer = client.call("PUT", "/v1/agent/keyring/install", {"Key": "not base64!"})
    assert answer.status_code == 500 and answer.text.startswith("illegal base64 data at input byte ")
    assert client.call("PUT", "/v1/agent/keyring/install", {"Key": primary, "Extra": 1}).status_code == 400
    agent_read = nomad_api.make_token(["ar"], rules={"ar": 'agent { policy = "read" }'})
    assert client.call("GET", "/v1/agent/keyring/list", token=agent_read).status_code == 403
    agent_write = nomad_api.make_token(["aw"], rules={"aw": 'agent { policy = "write" }'})
    assert client.call("GET", "/v1/agent/keyring/list", token=agent_write).status_code == 200
    assert client.call("GET", "/v1/agent/keyring/install").status_code == 405
    assert nomad_api.keyring["keys"] == [primary]


def test_leader_can_be_taken_away(nomad_api, client):
    assert client.call("GET", "/v1/status/leader").json() == "127.0.0.1:4647"
    nomad_api.set_leader("")
    assert client.call("GET", "/v1/status/leader").json() == ""
