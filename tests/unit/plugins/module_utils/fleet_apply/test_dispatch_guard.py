"""Dispatch guard: stable tokens, item checks before sending, the running-children cap."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.dispatch_guard import (
    check_items, dispatch_items, item_token)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
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


class FlakyNomad(FakeNomad):
    """Dispatch calls after the first ``ok`` ones fail; ``applied``: the failing call still starts a child
    (its answer is lost), like a dropped connection after Nomad acted."""

    def __init__(self, jobs, ok, applied=False):
        super().__init__(jobs)
        self.ok, self.applied, self.attempts = ok, applied, 0

    def dispatch_job(self, job_id, namespace=None, payload=None, meta=None, idempotency_token=None):
        self.attempts += 1
        if self.attempts > self.ok:
            if self.applied:
                super().dispatch_job(job_id, namespace, payload, meta, idempotency_token)
            raise NomadError(None, "POST", "/v1/job/%s/dispatch" % job_id, "ConnectionError: connection reset")
        return super().dispatch_job(job_id, namespace, payload, meta, idempotency_token)


@pytest.mark.parametrize("applied", [False, True])
def test_mid_batch_failure_reports_every_item_and_rerun_sends_only_the_missing(applied):
    client = FlakyNomad([PARENT], ok=2, applied=applied)
    items = [{"id": "T-%d" % n} for n in range(1, 6)]
    res = dispatch_items(client, "worker", "t", items, max_running=10)
    assert [r["outcome"] for r in res] == ["dispatched", "dispatched", "failed", "not_attempted", "not_attempted"]
    assert "connection reset" in res[2]["msg"] and res[3]["msg"] == "not attempted: item T-3 failed first"
    assert [r["token"] for r in res] == [item_token("t", "worker", i["id"]) for i in items]
    client.ok = 100
    again = dispatch_items(client, "worker", "t", items, max_running=10)
    # T-3 reached Nomad when the failure came after it acted: its token finds that child.
    assert [r["outcome"] for r in again] == ["existing", "existing", "existing" if applied else "dispatched",
                                             "dispatched", "dispatched"]
    tokens = [d[1] for d in client.dispatched]
    assert sorted(tokens) == sorted(set(tokens)) and len(tokens) == 5  # one child per item, never two


def test_failure_reading_children_marks_every_item_not_attempted():
    class Down(FakeNomad):
        def list_jobs(self, namespace=None, prefix=None):
            raise NomadError(None, "GET", "/v1/jobs", "ConnectionError: refused")
    res = dispatch_items(Down([PARENT]), "worker", "t", [{"id": "a"}, {"id": "b"}], max_running=1)
    assert [r["outcome"] for r in res] == ["not_attempted", "not_attempted"]
    assert "reading the children of t/worker failed" in res[0]["msg"]


def test_items_are_checked_against_the_parents_parameterized_block():
    items = [{"id": "a", "meta": {"priority": "1"}},
             {"id": "b", "payload": "x", "meta": {"ticket_id": "7", "colour": "red"}},
             {"id": "c", "payload": "x", "meta": {"ticket_id": "8"}}]
    errors = check_items(items, payload="required", meta_required=["ticket_id"], meta_optional=["priority"])
    assert errors == [
        "items[0].payload: the agent requires a payload (dispatch.payload: required); add payload or payload_base64",
        "items[0].meta: missing required key(s) ticket_id (dispatch.meta_required)",
        "items[1].meta: key(s) colour not allowed; the agent accepts priority, ticket_id "
        "(dispatch.meta_required, meta_optional)"]
    assert check_items([{"id": "d", "payload": "x"}], payload="forbidden") == [
        "items[0].payload: the agent forbids a payload (dispatch.payload: forbidden); remove it"]
    # Without the parent's block nothing of it is checked (the module used on its own).
    assert check_items(items) == []
