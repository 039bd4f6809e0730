"""playbooks/dispatch.yml: idempotency tokens from work item IDs, a running-children cap."""
import pytest

from tests.integration.fleet_apply.conftest import Stack
from tests.integration.fleet_apply.helpers import run_fleet

pytestmark = pytest.mark.integration

ITEMS = [{"id": f"T-{n}", "payload": '{"ticket": %d}' % n, "meta": {"ticket_id": str(n)}} for n in (1, 2, 3)]


@pytest.fixture
def slow_stack(openbao, nomad_api_factory, consul_api):
    # Children stay pending/running for a minute, like real work in progress.
    return Stack(openbao, nomad_api_factory(settle_delay=60), consul_api, "dispatch")


def dispatch(stack, tmp_path, items, **extra):
    vars_ = {"agent": "support/ticket-worker", "max_running": 2, "work_items": items}
    vars_.update(extra)
    return run_fleet(stack.spec(), tmp_path, stack.env, playbook="dispatch.yml", extra=vars_)


def children(stack):
    return sorted(j for j in stack.nomad.jobs("support") if j.startswith("ticket-worker/"))


def test_dispatch_idempotent_and_capped(slow_stack, tmp_path):
    stack = slow_stack
    assert run_fleet(stack.spec(), tmp_path / "apply", stack.env, extra={"agent_fleet_wait": False}).rc == 0
    first = dispatch(stack, tmp_path / "first", ITEMS)
    assert first.rc != 0  # the third item is refused by the cap of 2
    res = first.result("agentfleet.hashistack.agent_fleet : Dispatch with idempotency tokens derived from the work item IDs")
    assert [r["outcome"] for r in res["results"]] == ["dispatched", "dispatched", "refused"]
    assert "cap of 2 running children" in res["msg"]
    assert len(children(stack)) == 2
    again = dispatch(stack, tmp_path / "again", ITEMS, agent_fleet_dispatch_fail_on_limit=False)
    assert again.rc == 0, again
    res2 = again.result("agentfleet.hashistack.agent_fleet : Dispatch with idempotency tokens derived from the work item IDs")
    assert [r["outcome"] for r in res2["results"]] == ["existing", "existing", "refused"]
    assert [r["dispatched_job_id"] for r in res2["results"][:2]] == [r["dispatched_job_id"] for r in res["results"][:2]]
    assert res2["changed"] is False and len(children(stack)) == 2


def test_dispatch_bad_input_sends_nothing(slow_stack, tmp_path):
    stack = slow_stack
    assert run_fleet(stack.spec(), tmp_path / "apply", stack.env, extra={"agent_fleet_wait": False}).rc == 0
    dup = dispatch(stack, tmp_path / "dup", [ITEMS[0], dict(ITEMS[1], id="T-1")])
    assert dup.rc != 0 and "items[1].id: 'T-1' is also items[0].id" in dup.stdout
    big = dispatch(stack, tmp_path / "big", [dict(ITEMS[0], payload="x" * 17000)])
    assert big.rc != 0 and "16 KiB" in big.stdout
    wrong = dispatch(stack, tmp_path / "wrong", ITEMS, agent="research/retriever")
    assert wrong.rc != 0 and "not a kind=dispatch agent" in wrong.stdout
    assert children(stack) == []


DISPATCH = "agentfleet.hashistack.agent_fleet : Dispatch with idempotency tokens derived from the work item IDs"


def test_dispatch_fault_mid_batch_reports_every_item_and_rerun_never_duplicates(slow_stack, tmp_path):
    stack = slow_stack
    assert run_fleet(stack.spec(), tmp_path / "apply", stack.env, extra={"agent_fleet_wait": False}).rc == 0
    items = [{"id": f"W-{n}", "payload": '{"ticket": %d}' % n, "meta": {"ticket_id": str(n)}} for n in range(1, 6)]
    # The third dispatch reaches Nomad and starts its child, but every answer to it is lost
    # (retries included): the worst case for duplicates.
    stack.nomad.inject_fault("drop_after", "/v1/job/ticket-worker/dispatch", method="POST", count=50, after=2)
    first = dispatch(stack, tmp_path / "first", items, max_running=10)
    assert first.rc != 0, first
    res = first.result(DISPATCH)
    assert res["changed"] is True and res["failed"] is True
    assert [r["outcome"] for r in res["results"]] == ["dispatched", "dispatched", "failed", "not_attempted",
                                                      "not_attempted"]
    assert res["summary"] == {"dispatched": 2, "existing": 0, "refused": 0, "failed": 1, "not_attempted": 2}
    assert "stopped at item W-3" in res["msg"] and "2 dispatched" in res["msg"]
    assert res["results"][3]["msg"] == "not attempted: item W-3 failed first"
    assert len(children(stack)) == 3  # W-3's child exists although its answer was lost
    stack.nomad.clear_faults()
    again = dispatch(stack, tmp_path / "again", items, max_running=10)
    assert again.rc == 0, again
    res2 = again.result(DISPATCH)
    assert [r["outcome"] for r in res2["results"]] == ["existing", "existing", "existing", "dispatched", "dispatched"]
    assert [r["token"] for r in res2["results"]] == [r["token"] for r in res["results"]]
    assert len(children(stack)) == 5  # one child per item, none twice
    print(res["msg"])
    print([(r["id"], r["outcome"]) for r in res["results"]], [(r["id"], r["outcome"]) for r in res2["results"]])
