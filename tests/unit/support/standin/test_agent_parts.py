"""Pieces of the stand-in agent runtime: the authenticated cluster messages, join
addresses, the member table and leader rule, and systemd notification."""
import socket

import pytest

from tests.support.standin import agent, cluster

KEY = bytes(range(32))
OTHER = bytes(range(1, 33))


def test_a_message_sealed_with_another_key_is_refused():
    line = cluster.seal(KEY, {"type": "gossip"}).decode()
    assert cluster.unseal(KEY, line) == {"type": "gossip"}
    with pytest.raises(cluster.Refused, match="No installed keys could decrypt the message"):
        cluster.unseal(OTHER, line)
    with pytest.raises(cluster.Refused, match="Encryption is configured on one side only"):
        cluster.unseal(None, line)
    tampered = line.replace("gossip", "gossiq")
    with pytest.raises(cluster.Refused):
        cluster.unseal(KEY, tampered)


@pytest.mark.parametrize("text,expected", [
    ("10.0.0.1", ("10.0.0.1", 8301)), ("10.0.0.1:9301", ("10.0.0.1", 9301)),
    ("[fd00::1]:9301", ("fd00::1", 9301)), ("[fd00::1]", ("fd00::1", 8301)),
    ("consul-1.example", ("consul-1.example", 8301))])
def test_join_addresses(text, expected):
    assert cluster.split_addr(text, 8301) == expected


def _member(name, role="server", heartbeat=1, status="alive"):
    return {"name": name, "addr": "127.0.0.1", "port": 1, "role": role, "server_port": 2,
            "heartbeat": heartbeat, "status": status}


def test_leader_needs_bootstrap_expect_then_a_majority():
    ms = cluster.Membership(_member("s2"), 3, {}, lambda: None)
    ms.merge([_member("s3")])
    assert ms.leader() is None  # two of three expected servers
    ms.merge([_member("s1")])
    assert ms.leader()["name"] == "s1" and ms.persisted()["peers"] == ["s1", "s2", "s3"]
    ms.merge([_member("s1", heartbeat=2, status="failed"), _member("s3", heartbeat=2,
                                                                   status="failed")])
    assert ms.leader() is None  # one of three peers alive: no quorum
    ms.merge([_member("s3", heartbeat=3)])
    assert ms.leader()["name"] == "s2"


def test_a_restarted_member_is_alive_again():
    ms = cluster.Membership(_member("s1"), 1, {}, lambda: None)
    ms.merge([_member("s2", heartbeat=500)])
    ms.merge([_member("s2", heartbeat=600, status="failed")])
    assert {m["name"]: m["status"] for m in ms.table()}["s2"] == "failed"
    restarted = cluster.Membership(_member("s2"), 1, {}, lambda: None)
    restarted.beat()  # wall-clock milliseconds: larger than any earlier heartbeat
    ms.merge([restarted.table()[0]])
    assert {m["name"]: m["status"] for m in ms.table()}["s2"] == "alive"


def test_sd_notify_tells_systemd(tmp_path, monkeypatch):
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", path)
        agent.sd_notify("READY=1")
        assert sock.recv(100) == b"READY=1"
    monkeypatch.delenv("NOTIFY_SOCKET")
    agent.sd_notify("READY=1")  # no socket: nothing to do, no error
