"""Property: any combination of phase results gives one status per agent and counts that add up."""
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.report import (
    PHASES, STATUSES, build_report, summary_lines)

KEYS = ["t%d/a%d" % (t, a) for t in range(2) for a in range(3)]
OBJECTS = ["job", "vault_policy", "jwt_role", "service-defaults", "namespace", "acl_policy"]
OUTCOMES = ["created", "updated", "unchanged", "deleted", "absent", "failed", "not_applied", "stopped"]
WAITS = ["successful", "failed", "timeout", "reverted", "awaiting_promotion"]

agent_key = st.one_of(st.sampled_from(KEYS), st.none(), st.sampled_from(["t9/gone", "t0/old"]))
result = st.builds(lambda obj, name, agent, outcome: {"object": obj, "name": name, "agent": agent,
                                                      "outcome": outcome, "msg": "m"},
                   st.sampled_from(OBJECTS), st.sampled_from(["x", "y"]), agent_key, st.sampled_from(OUTCOMES))
wait = st.builds(lambda agent, outcome: {"object": "deployment", "name": "x", "agent": agent, "outcome": outcome,
                                         "reason": "r"}, agent_key, st.sampled_from(WAITS))
phase = st.one_of(st.none(), st.just({"skipped": True}), st.builds(lambda r: {"results": r}, st.lists(result, max_size=3)),
                  st.builds(lambda m, r: {"failed": True, "msg": m, "results": r},
                            st.text(max_size=20), st.lists(result, max_size=3)))
phases = st.one_of(st.none(), st.fixed_dictionaries(
    {name: phase for name in PHASES},
    optional={"error": st.one_of(st.none(), st.fixed_dictionaries({"task": st.text(max_size=10),
                                                                   "msg": st.text(max_size=10)}))}))


@settings(max_examples=300, deadline=None)
@given(agents=st.lists(st.sampled_from(KEYS), unique=True), applied=st.lists(result, max_size=15),
       waits=st.lists(wait, max_size=6), pruned=st.lists(result, max_size=6), phases=phases)
def test_counts_add_up_and_every_agent_has_one_status(agents, applied, waits, pruned, phases):
    rep = build_report(agents, applied, waits, pruned, phases)
    assert set(agents) <= set(rep["agents"])
    assert all(entry["status"] in STATUSES for entry in rep["agents"].values())
    assert sum(rep["counts"].values()) == rep["total"] == len(rep["agents"]) == len(agents) + rep["counts"]["pruned"]
    extra = set(rep["agents"]) - set(agents)
    assert all(rep["agents"][k]["status"] == "pruned" for k in extra)
    # Every failed or not-applied agent says why; a report with one is never ok.
    for entry in rep["agents"].values():
        if entry["status"] in ("failed", "not_applied", "reverted"):
            assert entry.get("reasons") and rep["ok"] is False
    failed_phase = any(isinstance(p, dict) and p.get("failed") for p in (phases or {}).values())
    if failed_phase:
        assert rep["ok"] is False
    halted_early = any(isinstance((phases or {}).get(n), dict) and phases[n].get("failed")
                       for n in ("preflight", "vault", "consul", "nomad"))
    if halted_early:  # no agent looks applied without a Nomad job result of its own
        with_job = {r["agent"] for r in applied if r["object"] == "job"}
        for key in agents:
            if rep["agents"][key]["status"] in ("unchanged", "updated"):
                assert key in with_job
    assert summary_lines(rep)[-1].startswith("%d agents: " % rep["total"])
