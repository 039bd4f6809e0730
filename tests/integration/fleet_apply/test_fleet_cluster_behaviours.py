"""The fleet apply against a Nomad that behaves like a real cluster (Vault and Consul
phases off): Nomad warnings per agent, a count-0 agent without a deployment wait, a
--diff without server additions, and a prune that waits for stopped jobs."""
import copy

import pytest

from tests.integration.fleet_apply.helpers import agent, example_fleet, run_fleet

pytestmark = pytest.mark.integration

APPLY = "agentfleet.hashistack.agent_fleet : Apply namespaces, ACL policies, quotas and every job (many at a time)"
WAIT = "agentfleet.hashistack.agent_fleet : Wait for the deployments of the changed jobs"
PRUNE = "agentfleet.hashistack.agent_fleet : Stop jobs, delete ACL policies and namespaces no longer in the spec"
NOMAD_ONLY = {"agent_fleet_vault_enabled": False, "agent_fleet_consul_enabled": False}
RETRIEVER_WARNING = ('agent research/retriever (Nomad job research/retriever): Memory oversubscription is not '
                     'enabled; Task "retriever.retriever" memory_max value will be ignored. Update the '
                     'Scheduler Configuration to allow oversubscription.')


def test_fleet_apply_copes_with_real_cluster_behaviours(nomad_api, tmp_path):
    spec = example_fleet("lab-behave")
    agent(spec, "support", "triage")["count"] = 0
    run = run_fleet(spec, tmp_path / "apply", nomad_api.env, extra=NOMAD_ONLY)
    assert run.rc == 0, run

    # 1. Nomad's warnings reach the operator, one per agent and warning.
    warnings = run.result(APPLY)["warnings"]
    assert RETRIEVER_WARNING in warnings
    assert all(w.startswith("agent ") and "(Nomad job " in w for w in warnings)

    # 3. The count-0 agent is applied without waiting for a deployment that never comes.
    waits = {r["name"]: r for r in run.result(WAIT)["results"]}
    assert waits["triage"]["outcome"] == "successful"
    assert "every task group has count 0" in waits["triage"]["msg"]

    # 5. --diff of a changed mesh agent shows only what the fleet manages.
    changed = copy.deepcopy(spec)
    agent(changed, "research", "retriever")["version"] = "1.4.3"
    # (the raw before/after of --diff is returned with -v; at normal verbosity the role's plan is shown)
    plan = run_fleet(changed, tmp_path / "plan", nomad_api.env, check=True, diff=True, verbosity=1, extra=NOMAD_ONLY)
    assert plan.rc == 0, plan
    diffs = [d for d in plan.result(APPLY)["diff"] if d["before_header"].startswith("research/retriever")]
    assert len(diffs) == 1
    before, after = diffs[0]["before"]["Job"] if "Job" in diffs[0]["before"] else diffs[0]["before"], \
        diffs[0]["after"]["Job"] if "Job" in diffs[0]["after"] else diffs[0]["after"]
    group_before, group_after = before["TaskGroups"][0], after["TaskGroups"][0]
    assert [t["Name"] for t in group_before["Tasks"]] == [t["Name"] for t in group_after["Tasks"]]
    assert group_before["Networks"] == group_after["Networks"]
    assert group_before["Services"] == group_after["Services"]

    # 4. Prune waits (bounded) until the stopped jobs are terminal, then deletes the namespace.
    gone = copy.deepcopy(spec)
    del gone["tenants"]["support"]
    # the example's cross-tenant grants name the removed tenant: a spec naming it is refused
    gone["guardrails"]["shared_upstreams"] = [u for u in gone["guardrails"].get("shared_upstreams") or []
                                              if not u["service"].startswith("support/")]
    gone["tenants"]["research"].pop("allow_upstream_from", None)
    for item in gone["tenants"]["research"]["agents"]:
        item["upstreams"] = [u for u in item.get("upstreams") or [] if not u["service"].startswith("support/")]
    pruned = run_fleet(gone, tmp_path / "prune", nomad_api.env, extra=dict(NOMAD_ONLY, fleet_prune=True))
    assert pruned.rc == 0, pruned
    results = {(r["object"], r["name"]): r for r in pruned.result(PRUNE)["results"]}
    waited = results[("prune_wait", "stopped jobs")]
    assert waited["outcome"] == "waited" and waited["jobs"] >= 1
    assert results[("namespace", "support")]["outcome"] == "deleted"
    assert nomad_api.jobs("support") == {}
