"""Dispatch guard: stable tokens, item checks before sending, the running-children cap."""
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.dispatch_guard import (
    check_items, dispatch_items, item_token)
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeNomad

PARENT = {"ID": "worker", "Namespace": "t", "Type": "batch", "ParameterizedJob": {"Payload": "optional"}}


def test_tokens_are_stable_and_distinct():
    assert item_token("t", "worker", "T-1") == item_token("t", "worker", "T-1")
    assert item_token("t", "worker", "T-1") != item_token("t", "worker", "T-2")
    assert item_token("t", "worker", 7) == item_token("t", "worker", "7")
    assert item_token("a", "worker", "T-1") != item_token("b", "worker", "T-1")


def test_check_items_lists_every_problem_with_its_path():
    errors = check_items([{"id": "a"}, {"id": "a"}, {"payload": "x"}, {"id": "b", "meta": {"k": 1}},
                          {"id": "c", "payload": "x" * 20000}, {"id": "d", "color": "red"}, "nope"])
    text = "\n".join(errors)
    assert "items[1].id: 'a' is also items[0].id" in text
    assert "items[2].id: a non-empty string or number is required" in text
    assert "items[3].meta: expected a map of strings" in text
    assert "items[4].payload: 20000 bytes is over" in text
    assert "items[5]: unknown key(s) color" in text
    assert "items[6]: expected a mapping" in text
    assert check_items([{"id": 1, "payload": "{}", "meta": {"k": "v"}}]) == []


def test_cap_counts_running_children_and_reuses_existing_tokens():
    running = {"ID": "worker/old", "Namespace": "t", "ParentID": "worker", "Status": "running"}
    done = {"ID": "worker/done", "Namespace": "t", "ParentID": "worker", "Status": "dead",
            "DispatchIdempotencyToken": item_token("t", "worker", "T-1")}
    client = FakeNomad([PARENT, running, done])
    items = [{"id": "T-1"}, {"id": "T-2", "payload": "hi"}, {"id": "T-3"}]
    res = dispatch_items(client, "worker", "t", items, max_running=2)
    assert [r["outcome"] for r in res] == ["existing", "dispatched", "refused"]
    assert res[0]["dispatched_job_id"] == "worker/done"
    assert "2 children of t/worker are pending or running, the cap is 2" in res[2]["msg"]
    assert [d[1] for d in client.dispatched] == [item_token("t", "worker", "T-2")]
    again = dispatch_items(client, "worker", "t", items, max_running=2)
    assert [r["outcome"] for r in again] == ["existing", "existing", "refused"]
    assert len(client.dispatched) == 1


def test_check_mode_dispatches_nothing():
    client = FakeNomad([PARENT])
    res = dispatch_items(client, "worker", "t", [{"id": "a"}, {"id": "b"}], max_running=1, check_mode=True)
    assert [r["outcome"] for r in res] == ["dispatched", "refused"] and client.dispatched == []
