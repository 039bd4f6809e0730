"""The stand-ins' autopilot health (tests/support/standin/autopilot.py): the reply shape of
the real endpoint, each server's own version, and the healthy rule."""
import json
import time
from types import SimpleNamespace

from tests.support.standin import autopilot, cluster

NOW = 1000.0


def _entry(name, status="alive", version="1.18.2", index=7, role="server"):
    return {"name": name, "addr": "10.0.0.%s" % name[-1], "server_port": 8300, "role": role,
            "status": status, "version": version, "index": index}


def _table(*entries):
    return [_entry("s1")] + list(entries)


def test_a_whole_cluster_is_healthy_with_each_servers_version():
    table = _table(_entry("s2", version="1.18.3"), _entry("s3"), _entry("c1", role="client"))
    reply = autopilot.health(table, {"s1", "s2", "s3"}, {"s2": NOW - 0.1, "s3": NOW}, now=NOW)
    assert reply["Healthy"] is True and reply["FailureTolerance"] == 1
    assert [(s["Name"], s["Version"], s["Leader"], s["Voter"], s["SerfStatus"]) for s in reply["Servers"]] == [
        ("s1", "1.18.2", True, True, "alive"), ("s2", "1.18.3", False, True, "alive"),
        ("s3", "1.18.2", False, True, "alive")]
    assert reply["Servers"][0]["LastContact"] == "0s" and reply["Servers"][1]["LastContact"] == "100ms"
    assert reply["Servers"][1]["Address"] == "10.0.0.2:8300"
    assert reply["Servers"][0]["ID"] == autopilot.node_id("s1") != autopilot.node_id("s2")


def test_a_failed_server_makes_the_cluster_unhealthy():
    reply = autopilot.health(_table(_entry("s2", status="failed"), _entry("s3")),
                             {"s1", "s2", "s3"}, {}, now=NOW)
    assert reply["Healthy"] is False and reply["FailureTolerance"] == 0
    assert [s["Healthy"] for s in reply["Servers"]] == [True, False, True]


def test_a_server_trailing_an_old_export_is_unhealthy():
    old = time.time_ns() - int(10 * cluster.FAILED_AFTER_S * 1e9)
    table = [_entry("s1", index=old + 5), _entry("s2", index=old), _entry("s3", index=old + 5)]
    reply = autopilot.health(table, {"s1", "s2", "s3"}, {}, now=NOW)
    assert [s["Healthy"] for s in reply["Servers"]] == [True, False, True]
    # a fresh export on its way to the followers does not count against them
    fresh = time.time_ns()
    table = [_entry("s1", index=fresh), _entry("s2", index=old), _entry("s3", index=old)]
    assert autopilot.health(table, {"s1", "s2", "s3"}, {}, now=NOW)["Healthy"] is True


def test_go_durations():
    assert [autopilot.go_duration(s) for s in (0, 0.0125, 0.5, 1.5, 12)] == [
        "0s", "12.5ms", "500ms", "1.5s", "12s"]


def _agent(acl=True):
    ms = cluster.Membership(_entry("s1"), 1, {}, lambda: None)
    ms.merge([dict(_entry("s2"), heartbeat=5)])
    ms.tick()
    rt = SimpleNamespace(acl_enabled=acl, default_policy="deny", region="global")
    return SimpleNamespace(rt=rt, membership=ms, management_secrets=lambda: {"secret"})


def test_the_endpoint_needs_get_and_operator_read():
    agent = _agent()
    assert autopilot.answer(agent, "PUT", "secret", nomad=False)[0] == 405
    assert autopilot.answer(agent, "PUT", "secret", nomad=True)[:3:2] == (404, b"Invalid method")
    status, _headers, body = autopilot.answer(agent, "GET", None, nomad=False)
    assert status == 403 and b"lacks permission 'operator:read'" in body
    assert autopilot.answer(agent, "GET", "other", nomad=True)[::2] == (403, b"Permission denied")


def test_nomad_adds_leader_and_voters_and_answers_429_when_unhealthy():
    agent = _agent()
    status, headers, body = autopilot.answer(agent, "GET", "secret", nomad=True)
    reply = json.loads(body)
    assert headers["Content-Type"] == "application/json"
    assert reply["Leader"] == autopilot.node_id("s1") and len(reply["Voters"]) == 2
    assert reply["Servers"][0]["Name"] == "s1.global"
    assert status == (200 if reply["Healthy"] else 429)
    with agent.membership.lock:
        agent.membership.members["s2"]["status"] = "failed"
    status, _headers, body = autopilot.answer(agent, "GET", "secret", nomad=False)
    assert status == 429 and json.loads(body)["Healthy"] is False
