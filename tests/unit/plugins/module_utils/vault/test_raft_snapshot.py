import datetime
import os

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.raft_snapshot import (
    raft_health,
    snapshot_file_facts,
    snapshot_file_name,
)

SEALED = {"initialized": True, "sealed": True}
UNSEALED = {"initialized": True, "sealed": False, "cluster_name": "vault-cluster-1a2b"}
LEADER = {"ha_enabled": True, "is_self": True, "leader_address": "http://127.0.0.1:8200"}
HEALTHY = {"data": {"healthy": True, "servers": {"n1": {"healthy": True, "status": "leader"}}}}


class FakeClient:
    """Answers GETs from a table of path -> body; records the paths read."""

    url = "http://127.0.0.1:8200"

    def __init__(self, answers):
        self.answers = answers
        self.read = []

    def get(self, path, action=None, missing_ok=True):
        self.read.append(path)
        return self.answers[path]


def _client(seal=None, leader=None, autopilot=None):
    return FakeClient({"sys/seal-status": seal or UNSEALED, "sys/leader": leader or LEADER,
                       "sys/storage/raft/autopilot/state": autopilot or HEALTHY})


def test_healthy_cluster_has_no_problems():
    facts, problems = raft_health(_client())
    assert problems == []
    assert facts == {"cluster_name": "vault-cluster-1a2b", "sealed": False,
                     "leader": "http://127.0.0.1:8200", "autopilot_healthy": True}


def test_sealed_cluster_refused_without_reading_more():
    client = _client(seal=SEALED)
    _facts, problems = raft_health(client)
    assert problems == ["the server at http://127.0.0.1:8200 is sealed (unseal it first: docs/runbooks/README.md)"]
    assert client.read == ["sys/seal-status"]


def test_uninitialised_cluster_refused():
    _facts, problems = raft_health(_client(seal={"initialized": False, "sealed": True}))
    assert "not initialised" in problems[0]


def test_no_leader_and_unhealthy_autopilot_both_named():
    autopilot = {"data": {"healthy": False, "servers": {
        "n1": {"healthy": True, "status": "leader"}, "n2": {"healthy": False, "status": "voter"},
        "n3": {"healthy": False, "status": ""}}}}
    facts, problems = raft_health(_client(leader={"leader_address": ""}, autopilot=autopilot))
    assert facts["autopilot_healthy"] is False
    assert problems == ["the cluster has no leader (no active node)",
                        "raft autopilot reports the cluster unhealthy: unhealthy servers n2 (voter), n3 (unknown)"]


def test_missing_autopilot_data_is_unhealthy():
    _facts, problems = raft_health(_client(autopilot={"data": None}))
    assert problems == ["raft autopilot reports the cluster unhealthy"]


def test_file_name_is_cluster_and_utc_time():
    when = datetime.datetime(2026, 11, 30, 1, 2, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert snapshot_file_name("vault-cluster-1a2b", when) == "vault-cluster-1a2b-20261129T230203Z.snap"


def test_file_name_keeps_one_plain_name():
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert snapshot_file_name("../prod cluster/a", when) == "prod_cluster_a-20260102T030405Z.snap"
    assert snapshot_file_name("", when) == "cluster-20260102T030405Z.snap"


def test_file_facts(tmp_path):
    snap = tmp_path / "c-20260102T030405Z.snap"
    snap.write_bytes(b"\x1f\x8b" + b"x" * 10)
    os.utime(snap, (0, 86400))
    assert snapshot_file_facts(str(snap)) == {"path": str(snap), "size": 12, "modified": "1970-01-02T00:00:00Z"}


@pytest.mark.parametrize("make, expected", [
    (lambda p: None, "does not exist"),
    (lambda p: p.mkdir(), "is not a regular file"),
    (lambda p: p.write_bytes(b""), "is empty"),
])
def test_file_facts_refuses_unusable_files(tmp_path, make, expected):
    path = tmp_path / "x.snap"
    make(path)
    with pytest.raises(VaultModuleError, match=f"src: {path} {expected}"):
        snapshot_file_facts(str(path))
