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
    assert rep["counts"] == {"unchanged": 1, "updated": 1, "failed": 1, "not_applied": 0, "reverted": 1, "pruned": 1}
    assert rep["ok"] is False
    lines = summary_lines(rep)
    assert lines[-1] == "5 agents: 1 unchanged, 1 updated, 1 failed, 0 not_applied, 1 reverted, 1 pruned"
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


# -- outcomes when a phase or a namespace fails ----------------------------------------

def ok_phase(results=()):
    return {"changed": False, "results": list(results)}


def test_preflight_failure_leaves_every_agent_not_applied_with_the_reason():
    msg = ("preflight failed, nothing was changed: Nomad at http://127.0.0.1:1 (address from environment variable "
           "NOMAD_ADDR; token from nowhere: no token is set): unreachable")
    rep = build_report(AGENTS, phases={"preflight": {"failed": True, "msg": msg},
                                       "error": {"task": "Check Nomad", "msg": msg}})
    assert rep["counts"]["not_applied"] == 4 and rep["total"] == 4 and rep["ok"] is False
    for entry in rep["agents"].values():
        assert entry["status"] == "not_applied"
        # the message once (the fleet line), not once per agent
        assert entry["reasons"] == ["not applied: the preflight phase failed before the Nomad job was applied "
                                    "(its message: the 'fleet: failed' line)"]
    assert rep["fleet"]["failed"][0].startswith("the preflight phase failed: preflight failed")
    assert sum("NOMAD_ADDR" in line for line in summary_lines(rep)) == 1
    assert len(rep["fleet"]["failed"]) == 1  # the rescue's copy of the same failure is not repeated
    assert summary_lines(rep)[-1] == "4 agents: 0 unchanged, 0 updated, 0 failed, 4 not_applied, 0 reverted, 0 pruned"


def test_preflight_failures_are_one_fleet_line_per_backend_each_whole():
    nomad = ("Nomad at http://127.0.0.1:1 (address from environment variable NOMAD_ADDR; token from nowhere: no "
             "token is set): cannot connect to Nomad at http://127.0.0.1:1: connection refused; " + "x" * 150)
    consul = "Consul at http://127.0.0.1:3 (address from the default; token from nowhere: no token is set): refused"
    msg = "preflight failed, nothing was changed: " + nomad + " || " + consul
    rep = build_report(AGENTS, phases={"preflight": {"failed": True, "msg": msg, "failures": [nomad, consul]},
                                       "error": {"task": "Check", "msg": msg}})
    assert rep["fleet"]["failed"] == ["the preflight phase failed: " + nomad, "the preflight phase failed: " + consul]
    lines = summary_lines(rep)
    assert sum("http://127.0.0.1:1" in line for line in lines) == 1
    assert sum("http://127.0.0.1:3" in line for line in lines) == 1


def test_vault_object_failure_fails_its_agent_and_leaves_the_others_not_applied():
    vault = [res("vault_policy", "x-t-a", "t/a", "failed", msg="permission denied"),
             res("vault_policy", "x-t-b", "t/b", "created")]
    rep = build_report(AGENTS, vault, phases={
        "preflight": ok_phase(), "vault": {"failed": True, "msg": "1 of 2 objects failed", "results": vault},
        "error": {"task": "Apply every agent's Vault policy and JWT role", "msg": "1 of 2 objects failed"}})
    agents = rep["agents"]
    assert agents["t/a"]["status"] == "failed" and agents["t/a"]["reasons"] == ["vault_policy x-t-a: permission denied"]
    for key in ("t/b", "t/c", "t/d"):
        assert agents[key]["status"] == "not_applied"
        assert "the vault phase failed before the Nomad job was applied" in agents[key]["reasons"][0]
    assert agents["t/b"]["changed_objects"] == ["vault_policy x-t-b (created)"]
    assert rep["counts"] == {"unchanged": 0, "updated": 0, "failed": 1, "not_applied": 3, "reverted": 0, "pruned": 0}


def test_namespace_not_owned_gives_not_applied_jobs_with_the_namespace_reason():
    nomad = [res("namespace", "t", None, "failed", msg="namespace 't' exists and is not owned by fleet 'x'"),
             res("job", "a", "t/a", "not_applied", msg="not applied: namespace t failed first: exists and is not owned"),
             res("job", "b", "t/b", "not_applied", msg="not applied: namespace t failed first: exists and is not owned")]
    rep = build_report(["t/a", "t/b"], nomad, phases={"preflight": ok_phase(), "nomad": ok_phase(nomad)})
    assert rep["counts"]["not_applied"] == 2 and rep["ok"] is False
    assert rep["agents"]["t/a"]["reasons"] == ["job a: not applied: namespace t failed first: exists and is not owned"]
    assert rep["fleet"]["failed"] == ["namespace t: namespace 't' exists and is not owned by fleet 'x'"]


def test_whole_nomad_phase_failure_without_results():
    rep = build_report(["t/a"], [res("vault_policy", "p", "t/a", "unchanged")], phases={
        "preflight": ok_phase(), "vault": ok_phase(), "nomad": {"failed": True, "msg": "Nomad API unreachable"}})
    assert rep["agents"]["t/a"]["status"] == "not_applied"
    assert "the nomad phase failed" in rep["agents"]["t/a"]["reasons"][0]
    assert rep["fleet"]["failed"] == ["the nomad phase failed: Nomad API unreachable"]


def test_a_failed_wait_phase_keeps_the_applied_statuses_but_is_not_ok():
    nomad = [res("job", "a", "t/a", "updated")]
    rep = build_report(["t/a"], nomad, phases={"nomad": ok_phase(nomad), "wait": {"failed": True, "msg": "boom"}})
    assert rep["agents"]["t/a"]["status"] == "updated" and rep["ok"] is False


def test_tag_limited_run_without_nomad_phase_is_not_not_applied():
    vault = [res("vault_policy", "p", "t/a", "updated")]
    rep = build_report(["t/a"], vault, phases={"preflight": ok_phase(), "vault": ok_phase(vault)})
    assert rep["agents"]["t/a"]["status"] == "updated" and rep["ok"] is True


def test_skipped_phase_is_not_a_failure():
    nomad = [res("job", "a", "t/a", "unchanged")]
    rep = build_report(["t/a"], nomad, phases={"vault": {"skipped": True, "changed": False}, "nomad": ok_phase(nomad)})
    assert rep["ok"] is True and rep["counts"]["unchanged"] == 1


def test_after_a_failed_wait_an_agent_without_job_result_is_still_not_applied():
    nomad = [res("job", "a", "t/a", "updated")]
    rep = build_report(["t/a", "t/b"], nomad, phases={"nomad": ok_phase(nomad), "wait": {"failed": True, "msg": "x"}})
    assert rep["agents"]["t/a"]["status"] == "updated"
    assert rep["agents"]["t/b"]["status"] == "not_applied"
    assert rep["agents"]["t/b"]["reasons"] == ["not applied: the Nomad phase returned no result for this agent's job"]


def test_deployment_duration_and_grouped_failures_are_kept_per_agent():
    groups = [{"count": 2, "task": "x", "event": "Driver Failure", "message": "pull failed", "allocations": ["1", "2"]}]
    applied = [res("job", "a", "t/a", "updated"), res("job", "b", "t/b", "updated")]
    waits = [res("deployment", "a", "t/a", "successful", seconds=12.4, deployment_id="3f2a1b9c-1", healthy=3,
                 desired=3),
             res("deployment", "b", "t/b", "failed", seconds=8.1, deployment_id="5e9d", healthy=0, desired=2,
                 reason="boom", failure_groups=groups)]
    rep = build_report(["t/a", "t/b"], applied, waits)
    assert rep["agents"]["t/a"]["deployment"] == {"outcome": "successful", "seconds": 12.4, "id": "3f2a1b9c-1",
                                                  "healthy": 3, "desired": 3}
    assert rep["agents"]["t/b"]["deployment"]["outcome"] == "failed"
    assert rep["agents"]["t/b"]["failure_groups"] == groups and "failure_groups" not in rep["agents"]["t/a"]
    assert rep["counts"]["updated"] == 1 and rep["counts"]["failed"] == 1 and rep["total"] == 2
    lines = summary_lines(rep)
    assert lines[0] == "t/a: updated (job a (updated)) [deployed in 12.4 s]"
    assert lines[1] == "t/b: failed - boom"
