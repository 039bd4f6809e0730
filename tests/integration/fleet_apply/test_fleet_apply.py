"""End to end: the example fleet through playbooks/fleet.yml against the Nomad and Consul
contract servers and a real OpenBao server.

plan (check mode) -> apply -> re-apply with zero changes -> one agent changed changes only
its objects -> failing deployments reported (failed with the reason / reverted) -> prune
removes a deleted agent and nothing unowned -> kill switch stops a tenant.
"""
import copy

import pytest

from tests.integration.fleet_apply.helpers import agent, changed_objects, run_fleet

pytestmark = pytest.mark.integration

BUNDLE = "agentfleet.hashistack.agent_fleet : Validate the whole spec and write the apply bundle (nothing is changed on any error)"
VAULT = "agentfleet.hashistack.agent_fleet : Apply every agent's Vault policy and JWT role"
CONSUL = "agentfleet.hashistack.agent_fleet : Apply the default deny, intentions, service defaults and resolvers"
NOMAD = "agentfleet.hashistack.agent_fleet : Apply namespaces, ACL policies, quotas and every job (many at a time)"
WAIT = "agentfleet.hashistack.agent_fleet : Wait for the deployments of the changed jobs"
REPORT = "agentfleet.hashistack.agent_fleet : Build the per-agent report"
PRUNE_NOMAD = "agentfleet.hashistack.agent_fleet : Stop jobs, delete ACL policies and namespaces no longer in the spec"
PRUNE_CONSUL = "agentfleet.hashistack.agent_fleet : Delete Consul config entries no longer in the spec"
PRUNE_VAULT = "agentfleet.hashistack.agent_fleet : Delete Vault roles and policies no longer in the spec"
APPLY_TASKS = (VAULT, CONSUL, NOMAD)
PRUNE_TASKS = (PRUNE_NOMAD, PRUNE_CONSUL, PRUNE_VAULT)


def report(run):
    return run.result(REPORT)["ansible_facts"]["agent_fleet_report"]


def live_jobs(stack):
    return {ns: stack.nomad.jobs(ns) for ns in ("research", "support")}


def vault_policy(stack, name):
    """The policy text, or None (read straight from OpenBao, not through the collection)."""
    resp = stack.openbao.client().adapter.get(f"/v1/sys/policies/acl/{name}", raise_exception=False)
    if getattr(resp, "status_code", 200) == 404:
        return None
    return resp["data"]["policy"]


def vault_role(stack, name):
    client = stack.openbao.client()
    try:
        return client.auth.jwt.read_role(name, path=stack.jwt_mount)["data"]
    except Exception:  # hvac raises InvalidPath for a missing role or mount
        return None


@pytest.mark.smoke  # make test-compat runs this one on every supported ansible-core line
def test_plan_apply_reapply_and_change_one_agent(stack, tmp_path):
    spec = stack.spec()
    # Plan: everything would be created, nothing is written anywhere.
    plan = run_fleet(spec, tmp_path / "plan", stack.env, check=True, diff=True)
    assert plan.rc == 0, plan
    jobs = [r for r in plan.result(NOMAD)["results"] if r["object"] == "job"]
    assert sorted(r["job_id"] for r in jobs) == sorted(
        a["name"] for t in spec["tenants"].values() for a in t["agents"])
    assert {r["outcome"] for r in jobs} == {"created"}
    assert plan.result(VAULT)["summary"] == {"created": 9}  # JWT mount + 4 policies + 4 roles
    assert plan.result(CONSUL)["summary"] == {"created": 13}
    assert live_jobs(stack) == {"research": {}, "support": {}}
    assert stack.consul.entries == {}
    assert vault_policy(stack, f"{stack.fleet}--research--retriever") is None
    assert report(plan)["counts"]["updated"] == 7

    # Apply.
    applied = run_fleet(spec, tmp_path / "apply", stack.env)
    assert applied.rc == 0, applied
    live = live_jobs(stack)
    assert sorted(live["research"]) == ["digest", "embedder", "indexer", "retriever"]
    assert sorted(live["support"]) == ["nightly-report", "ticket-worker", "triage"]
    meta = live["research"]["retriever"]["Meta"]
    assert meta["agentfleet_fleet"] == stack.fleet and meta["agentfleet_agent"] == "retriever"
    assert meta["agentfleet_owner"] == f"agentfleet.fleet/{stack.fleet}"
    assert len(stack.consul.entries) == 13
    assert ("service-intentions", "*") in stack.consul.entries
    assert "research/retriever/llm" in vault_policy(stack, f"{stack.fleet}--research--retriever")
    role = vault_role(stack, f"{stack.fleet}--research--retriever")
    assert role["bound_claims"] == {"nomad_namespace": "research", "nomad_job_id": "retriever"}
    waits = applied.result(WAIT)["results"]
    assert {w["outcome"] for w in waits} == {"successful"}
    assert report(applied)["counts"]["updated"] == 7

    # Re-apply: zero changes.
    again = run_fleet(spec, tmp_path / "again", stack.env)
    assert again.rc == 0, again
    assert again.changed == [], again.changed
    assert report(again)["counts"] == {"unchanged": 7, "updated": 0, "failed": 0, "not_applied": 0, "reverted": 0,
                                       "pruned": 0}

    # Change one agent: only its objects change.
    changed = copy.deepcopy(spec)
    retriever = agent(changed, "research", "retriever")
    retriever["version"] = "1.4.3"
    retriever["vault"] = {"token_ttl": "20m"}
    one = run_fleet(changed, tmp_path / "one", stack.env, diff=True)
    assert one.rc == 0, one
    touched = changed_objects(one, APPLY_TASKS)
    assert {agent_key for _obj, _name, agent_key in touched} == {"research/retriever"}, touched
    assert {obj for obj, _name, _agent in touched} == {"job", "vault_jwt_role"}
    rep = report(one)
    assert rep["agents"]["research/retriever"]["status"] == "updated"
    assert rep["counts"]["unchanged"] == 6
    assert stack.nomad.jobs("research")["retriever"]["Meta"]["agentfleet_agent_version"] == "1.4.3"
    assert vault_role(stack, f"{stack.fleet}--research--retriever")["token_ttl"] == 1200

    # Canaries: retriever (auto_promote) promoted itself above; triage waits for an operator,
    # which is reported, not a failure.
    agent(changed, "support", "triage")["version"] = "3.2.1"
    canary = run_fleet(changed, tmp_path / "canary", stack.env)
    assert canary.rc == 0, canary
    assert [w["outcome"] for w in canary.result(WAIT)["results"]] == ["awaiting_promotion"]
    triage = report(canary)["agents"]["support/triage"]
    assert triage["status"] == "updated" and triage["awaiting_promotion"] == ["triage"]
    assert [w["outcome"] for w in one.result(WAIT)["results"]] == ["successful"]


def test_failing_deployments_are_reported_with_reason(stack, tmp_path):
    spec = stack.spec()
    assert run_fleet(spec, tmp_path / "apply", stack.env).rc == 0
    broken = copy.deepcopy(spec)
    agent(broken, "research", "embedder").update(version="0.9.1", update={"auto_revert": False})
    agent(broken, "research", "retriever")["version"] = "1.4.3"  # auto_revert: true
    stack.nomad.set_deployment_outcome(
        "embedder", "failed", namespace="research",
        failed_task_event={"DisplayMessage": "image pull failed: manifest unknown for embedder@sha256"})
    stack.nomad.set_deployment_outcome("retriever", "failed", namespace="research")
    run = run_fleet(broken, tmp_path / "broken", stack.env)
    assert run.rc != 0, run
    rep = report(run)
    embedder = rep["agents"]["research/embedder"]
    assert embedder["status"] == "failed"
    assert "manifest unknown for embedder" in " ".join(embedder["reasons"])
    assert embedder["failed_allocations"]
    retriever = rep["agents"]["research/retriever"]
    assert retriever["status"] == "reverted", retriever
    assert "rolling back to job version" in " ".join(retriever["reasons"])
    assert rep["counts"]["unchanged"] == 5
    assert "Fail when an agent failed, was not applied or was reverted" in " ".join(run.failed)


def test_prune_removes_a_deleted_agent_only(stack, tmp_path):
    spec = stack.spec()
    assert run_fleet(spec, tmp_path / "apply", stack.env).rc == 0
    # Unowned neighbours that share names and namespaces with the fleet.
    stack.nomad._api("POST", "/v1/jobs", {"Job": {
        "ID": "legacy", "Name": "legacy", "Namespace": "support", "Type": "service", "Datacenters": ["dc1"],
        "TaskGroups": [{"Name": "legacy", "Count": 1, "Tasks": [{"Name": "legacy", "Driver": "docker",
                                                                 "Config": {"image": "legacy:1"}}]}]}})
    client = stack.openbao.client()
    client.sys.create_or_update_acl_policy(f"{stack.fleet}--support--legacy", 'path "x/*" { capabilities = ["read"] }')
    gone = copy.deepcopy(spec)
    gone["tenants"]["support"]["agents"] = [a for a in gone["tenants"]["support"]["agents"]
                                            if a["name"] != "ticket-worker"]
    vault_name = f"{stack.fleet}--support--ticket-worker"

    # Without fleet_prune nothing is removed.
    kept = run_fleet(gone, tmp_path / "noprune", stack.env)
    assert kept.rc == 0, kept
    assert not stack.nomad.jobs("support")["ticket-worker"].get("Stop")
    assert all(kept.result(t).get("skipped") for t in PRUNE_TASKS)

    # Check mode lists what prune would remove, and removes nothing.
    plan = run_fleet(gone, tmp_path / "plan", stack.env, check=True, extra={"fleet_prune": True})
    assert plan.rc == 0, plan
    listed = changed_objects(plan, PRUNE_TASKS)
    # ticket-worker was the only caller with a request timeout on triage, so triage's
    # service-resolver goes too.
    assert sorted((o, n) for o, n, _agent in listed) == sorted([
        ("job", "ticket-worker"), ("consul_service_defaults", f"{stack.fleet}--support--ticket-worker"),
        ("consul_service_resolver", f"{stack.fleet}--support--triage"),
        ("vault_jwt_role", vault_name), ("vault_policy", vault_name)])
    assert not stack.nomad.jobs("support")["ticket-worker"].get("Stop")
    assert vault_role(stack, vault_name) is not None

    pruned = run_fleet(gone, tmp_path / "prune", stack.env, extra={"fleet_prune": True})
    assert pruned.rc == 0, pruned
    assert stack.nomad.jobs("support")["ticket-worker"]["Stop"] is True
    assert ("service-defaults", f"{stack.fleet}--support--ticket-worker") not in stack.consul.entries
    assert vault_role(stack, vault_name) is None and vault_policy(stack, vault_name) is None
    assert report(pruned)["agents"]["support/ticket-worker"]["status"] == "pruned"
    # Unowned objects untouched, the rest of the fleet too.
    assert not stack.nomad.jobs("support")["legacy"].get("Stop")
    assert vault_policy(stack, f"{stack.fleet}--support--legacy") is not None
    assert not stack.nomad.jobs("support")["triage"].get("Stop")
    # A second prune has nothing left to do.
    again = run_fleet(gone, tmp_path / "again", stack.env, extra={"fleet_prune": True})
    assert again.rc == 0 and again.changed == [], again.changed


def test_kill_switch_stops_a_tenant_and_revokes_vault(stack, tmp_path):
    spec = stack.spec()
    assert run_fleet(spec, tmp_path / "apply", stack.env).rc == 0
    run = run_fleet(spec, tmp_path / "stop", stack.env, playbook="fleet-stop.yml", extra={"tenant": "research"})
    assert run.rc == 0, run
    assert all(job["Stop"] for job in stack.nomad.jobs("research").values())
    assert not any(job.get("Stop") for job in stack.nomad.jobs("support").values())
    for name in ("retriever", "digest"):
        assert vault_role(stack, f"{stack.fleet}--research--{name}") is None
        assert vault_policy(stack, f"{stack.fleet}--research--{name}") is None
    assert vault_role(stack, f"{stack.fleet}--support--triage") is not None
    # Stopping again changes nothing.
    again = run_fleet(spec, tmp_path / "again", stack.env, playbook="fleet-stop.yml", extra={"tenant": "research"})
    assert again.rc == 0 and again.changed == [], again.changed
    # One agent only.
    one = run_fleet(spec, tmp_path / "one", stack.env, playbook="fleet-stop.yml", extra={"agent": "support/triage"})
    assert one.rc == 0, one
    support = stack.nomad.jobs("support")
    assert support["triage"]["Stop"] is True
    assert not support["ticket-worker"].get("Stop") and not support["nightly-report"].get("Stop")
    assert vault_role(stack, f"{stack.fleet}--support--triage") is None
    assert vault_role(stack, f"{stack.fleet}--support--ticket-worker") is not None
    # Bad input: no tenant and no agent -> clear failure, nothing stopped.
    bad = run_fleet(spec, tmp_path / "bad", stack.env, playbook="fleet-stop.yml")
    assert bad.rc != 0 and "give -e tenant=<name>" in bad.stdout
    assert [j for j, job in stack.nomad.jobs("support").items() if job.get("Stop")] == ["triage"]
