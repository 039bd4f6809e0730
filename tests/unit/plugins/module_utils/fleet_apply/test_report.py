"""Per-agent report: exactly one status per agent, reasons kept."""
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.report import build_report, summary_lines

AGENTS = ["t/a", "t/b", "t/c", "t/d"]


def res(obj, name, agent, outcome, **kw):
    return dict(object=obj, name=name, agent=agent, outcome=outcome, **kw)


def test_statuses():
    applied = [res("job", "a", "t/a", "unchanged"), res("job", "b", "t/b", "updated"),
               res("vault_policy", "x-t-b", "t/b", "created"), res("job", "c", "t/c", "updated"),
               res("job", "d", "t/d", "failed", msg="HTTP 400: bad"), res("namespace", "t", None, "created")]
    waits = [res("deployment", "c", "t/c", "reverted", reason="Failed due to unhealthy allocations - rolling back"),
             res("deployment", "b", "t/b", "awaiting_promotion", groups=["b"])]
    pruned = [res("job", "old", "t/old", "deleted")]
    rep = build_report(AGENTS, applied, waits, pruned)
    agents = rep["agents"]
    assert agents["t/a"]["status"] == "unchanged"
    assert agents["t/b"]["status"] == "updated" and agents["t/b"]["awaiting_promotion"] == ["b"]
    assert agents["t/b"]["changed_objects"] == ["job b (updated)", "vault_policy x-t-b (created)"]
    assert agents["t/c"]["status"] == "reverted" and "rolling back" in agents["t/c"]["reasons"][0]
    assert agents["t/d"]["status"] == "failed" and agents["t/d"]["reasons"] == ["job d: HTTP 400: bad"]
    assert agents["t/old"]["status"] == "pruned"
    assert rep["fleet"]["changed_objects"] == ["namespace t (created)"]
    assert rep["counts"] == {"unchanged": 1, "updated": 1, "failed": 1, "reverted": 1, "pruned": 1}
    assert rep["ok"] is False
    lines = summary_lines(rep)
    assert lines[-1] == "1 unchanged, 1 updated, 1 failed, 1 reverted, 1 pruned"
    assert any(line.startswith("t/d: failed - job d: HTTP 400") for line in lines)


def test_failed_wait_keeps_allocations_and_all_clean_is_ok():
    allocs = [{"id": "1", "tasks": {"x": [{"type": "Driver Failure", "message": "pull failed"}]}}]
    rep = build_report(["t/a"], [res("job", "a", "t/a", "updated")],
                       [res("deployment", "a", "t/a", "failed", reason="boom", failed_allocations=allocs)])
    assert rep["agents"]["t/a"]["failed_allocations"] == allocs
    assert build_report(["t/a"], [res("job", "a", "t/a", "unchanged")])["ok"] is True


def test_fleet_level_failure_makes_report_not_ok():
    rep = build_report(["t/a"], [res("namespace", "t", None, "failed", msg="403")])
    assert rep["ok"] is False and rep["fleet"]["failed"] == ["namespace t: 403"]
