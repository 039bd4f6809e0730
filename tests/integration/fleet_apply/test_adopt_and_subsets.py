"""Adopt and subsets (issue 13.4) with real playbook runs against the Nomad and Consul
contract servers and a real OpenBao.

- Adopt: objects that exist without any agentfleet marker (a namespace, a Nomad ACL policy, a
  Vault policy and a Consul entry made by a platform team) are refused without the switch
  (the message says how to adopt), shown as "would adopt" in check mode with the switch
  (nothing written), adopted on apply (markers present as read back through the APIs), and
  a re-run changes nothing. An object owned by another fleet is refused even with the switch.
- Subsets: a tenant subset writes only that tenant's objects (no fleet-wide default deny);
  an unknown name fails before any write; an agent subset writes only that agent; a subset
  prune of one of two removed agents leaves the other one's job, Vault and Consul objects in
  place; a subset stop stops only the named agent.
"""
import copy
import json
import urllib.error
import urllib.request

import pytest

from tests.integration.fleet_apply.helpers import changed_objects, run_fleet

pytestmark = pytest.mark.integration

ROLE = "agentfleet.hashistack.agent_fleet"
VALIDATE = ROLE + " : Validate the whole spec and write the apply bundle (nothing is changed on any error)"
VAULT = ROLE + " : Apply every agent's Vault policy and JWT role"
CONSUL = ROLE + " : Apply the default deny, intentions, service defaults and resolvers"
NOMAD = ROLE + " : Apply namespaces, ACL policies, quotas and every job (many at a time)"
REPORT = ROLE + " : Build the per-agent report"
PRUNE_NOMAD = ROLE + " : Stop jobs, delete ACL policies and namespaces no longer in the spec"
PHASES = (VAULT, CONSUL, NOMAD, PRUNE_NOMAD, ROLE + " : Delete Consul config entries no longer in the spec",
          ROLE + " : Delete Vault roles and policies no longer in the spec")
HINT = "set agent_fleet_adopt=true (-e fleet_adopt=true) to take it over"


def report(run):
    return run.result(REPORT)["ansible_facts"]["agent_fleet_report"]


def by_object(run, task):
    return {(r["object"], r["name"]): r for r in run.result(task)["results"]}


def consul_put(stack, entry):
    req = urllib.request.Request(stack.consul.addr + "/v1/config", method="PUT", data=json.dumps(entry).encode(),
                                 headers={"X-Consul-Token": stack.consul.management_token})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert json.loads(resp.read()) is True


def consul_get(stack, kind, name):
    req = urllib.request.Request("%s/v1/config/%s/%s" % (stack.consul.addr, kind, name),
                                 headers={"X-Consul-Token": stack.consul.management_token})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def vault_policy(stack, name):
    try:
        return stack.openbao.client().sys.read_acl_policy(name)["data"]["policy"]
    except Exception as exc:  # hvac raises InvalidPath for a missing policy
        if type(exc).__name__ == "InvalidPath":
            return None
        raise


def live_jobs(stack, namespace):
    return {jid: job for jid, job in stack.nomad.jobs(namespace).items() if not job.get("Stop")}


def test_adopt_check_mode_then_apply_then_unchanged_and_never_another_fleets(stack, tmp_path):
    fleet, spec = stack.fleet, stack.spec()
    policy_name, service = "%s--research--retriever" % fleet, "%s--research--retriever" % fleet
    # What a platform team made by hand, under the names the fleet derives: no marker at all.
    stack.nomad._api("POST", "/v1/namespace/research", {"Name": "research", "Description": "made by the platform team"})
    stack.nomad._api("POST", "/v1/acl/policy/%s--research" % fleet,
                     {"Name": "%s--research" % fleet, "Description": "platform team",
                      "Rules": 'namespace "research" { policy = "read" }'})
    handmade = 'path "secret/data/research/*" {\n  capabilities = ["read"]\n}\n'
    stack.openbao.client().sys.create_or_update_acl_policy(policy_name, handmade)
    consul_put(stack, {"Kind": "service-defaults", "Name": service, "Protocol": "tcp"})
    # ... and one object another fleet owns: never adopted.
    other = "%s--support" % fleet
    stack.nomad._api("POST", "/v1/acl/policy/" + other,
                     {"Name": other, "Description": "agentfleet.fleet/other-fleet tenant support",
                      "Rules": 'namespace "support" { policy = "read" }'})

    # Without the switch: refused, and the message says how to take it over.
    run = run_fleet(spec, tmp_path / "refused", stack.env)
    assert run.rc != 0
    vault = by_object(run, VAULT)[("vault_policy", policy_name)]
    assert vault["outcome"] == "failed" and vault["msg"].endswith(HINT), vault
    assert vault_policy(stack, policy_name) == handmade

    # A plan (check mode, no switch) goes on past the refused Vault policy: the Consul
    # conflict and the Nomad jobs are planned in the same run, then the play fails.
    plan = run_fleet(spec, tmp_path / "plan-refused", stack.env, check=True)
    assert plan.rc != 0
    assert by_object(plan, VAULT)[("vault_policy", policy_name)]["outcome"] == "failed"
    consul = by_object(plan, CONSUL)[("consul_service_defaults", service)]
    assert consul["outcome"] == "failed" and consul["msg"].endswith(HINT), consul
    assert any(key[0] == "job" for key in by_object(plan, NOMAD)), "the Nomad phase was not planned"
    assert vault_policy(stack, policy_name) == handmade and live_jobs(stack, "research") == {}

    # Check mode with the switch: "would adopt" in results and report; nothing written.
    # (The Vault phase passes, so the Consul and Nomad phases run and show theirs too.)
    check = run_fleet(spec, tmp_path / "check", stack.env, check=True, extra={"fleet_adopt": True})
    adoptees = [("vault_policy", policy_name), ("vault_jwt_role", policy_name), ("consul_service_defaults", service),
                ("namespace", "research"), ("acl_policy", "%s--research" % fleet)]
    planned = {**by_object(check, VAULT), **by_object(check, CONSUL), **by_object(check, NOMAD)}
    for key in adoptees[:1] + adoptees[2:]:
        assert (planned[key]["outcome"], planned[key]["adoption"]) == ("adopted", "would adopt"), planned[key]
        assert planned[key]["msg"].startswith("would adopt "), planned[key]
    assert planned[adoptees[1]]["outcome"] == "created"  # the JWT role did not exist
    refused = planned[("acl_policy", other)]
    assert refused["outcome"] == "failed" and "owned by fleet 'other-fleet'" in refused["msg"], refused
    assert HINT not in refused["msg"]
    rep = report(check)
    assert "vault_policy %s (would adopt)" % policy_name in rep["agents"]["research/retriever"]["changed_objects"]
    assert "namespace research (would adopt)" in rep["fleet"]["changed_objects"]
    assert vault_policy(stack, policy_name) == handmade
    assert consul_get(stack, "service-defaults", service).get("Meta") in (None, {})
    assert "agentfleet_fleet" not in (stack.nomad._api("GET", "/v1/namespace/research").get("Meta") or {})
    assert live_jobs(stack, "research") == {}

    # The other fleet's policy stays refused; once it is gone, apply adopts the rest.
    stack.nomad._api("DELETE", "/v1/acl/policy/" + other)
    run = run_fleet(spec, tmp_path / "apply", stack.env, extra={"fleet_adopt": True})
    assert run.rc == 0, [r["result"].get("msg") for r in run.results if r["result"].get("failed")]
    applied = {**by_object(run, VAULT), **by_object(run, CONSUL), **by_object(run, NOMAD)}
    for key in adoptees[:1] + adoptees[2:]:
        assert (applied[key]["outcome"], applied[key]["adoption"]) == ("adopted", "adopted"), applied[key]
    # Markers present, as read back through the servers' APIs.
    assert vault_policy(stack, policy_name).startswith(
        "# Managed by agentfleet: fleet=%s tenant=research agent=retriever\n" % fleet)
    assert consul_get(stack, "service-defaults", service)["Meta"]["agentfleet_fleet"] == fleet
    assert stack.nomad._api("GET", "/v1/namespace/research")["Meta"]["agentfleet_fleet"] == fleet
    assert stack.nomad._api("GET", "/v1/acl/policy/%s--research" % fleet)["Description"].startswith(
        "agentfleet.fleet/%s " % fleet)
    # Re-runs, with and without the switch, change nothing.
    for adopt in (True, False):
        again = run_fleet(spec, tmp_path / ("again-%s" % adopt), stack.env, extra={"fleet_adopt": adopt})
        assert again.rc == 0 and changed_objects(again, PHASES) == [], changed_objects(again, PHASES)


def test_subset_apply_prune_and_stop_touch_only_the_selected(stack, tmp_path):
    fleet, spec = stack.fleet, stack.spec()
    # A tenant subset: only research's objects, no fleet-wide default deny; the report
    # lists research's agents only and its counts add up.
    run = run_fleet(spec, tmp_path / "research", stack.env, extra={"fleet_tenants": "research"})
    assert run.rc == 0, [r["result"].get("msg") for r in run.results if r["result"].get("failed")]
    rep = report(run)
    assert sorted(rep["agents"]) == ["research/digest", "research/embedder", "research/indexer", "research/retriever"]
    assert rep["total"] == sum(rep["counts"].values()) == 4
    assert sorted(live_jobs(stack, "research")) == ["digest", "embedder", "indexer", "retriever"]
    assert stack.nomad.jobs("support") == {}
    with pytest.raises(urllib.error.HTTPError):
        stack.nomad._api("GET", "/v1/namespace/support")
    assert vault_policy(stack, "%s--support--triage" % fleet) is None
    assert consul_get(stack, "service-intentions", "*") is None
    assert all(not name.startswith("%s--support--" % fleet) for _kind, name in stack.consul.entries)

    # An unknown name fails before anything is written, naming it and the known ones.
    bad = run_fleet(spec, tmp_path / "unknown", stack.env, extra={"fleet_agents": ["support/triage", "support/nope"]})
    assert bad.rc != 0
    msg = bad.result(VALIDATE)["msg"]
    assert "agent_fleet_agents: 'support/nope' is not an agent of fleet %r; known agents: research/digest" % fleet \
        in msg, msg
    with pytest.raises(KeyError):
        bad.result(VAULT)
    assert stack.nomad.jobs("support") == {}

    # An agent subset (comma string form): that agent and its tenant's namespace only.
    run = run_fleet(spec, tmp_path / "triage", stack.env, extra={"fleet_agents": "support/triage,"})
    assert run.rc == 0
    assert sorted(report(run)["agents"]) == ["support/triage"]
    assert sorted(stack.nomad.jobs("support")) == ["triage"]
    assert vault_policy(stack, "%s--support--ticket-worker" % fleet) is None

    # The whole fleet, then three agents leave the spec (two of research, one of support);
    # a prune limited to one of them removes that one and never touches the others.
    assert run_fleet(spec, tmp_path / "full", stack.env).rc == 0
    assert consul_get(stack, "service-intentions", "*") is not None
    smaller = copy.deepcopy(spec)
    smaller["tenants"]["research"]["agents"] = [a for a in smaller["tenants"]["research"]["agents"]
                                                if a["name"] not in ("digest", "indexer")]
    smaller["tenants"]["support"]["agents"] = [a for a in smaller["tenants"]["support"]["agents"]
                                               if a["name"] != "ticket-worker"]
    indexer_before = stack.nomad.jobs("research")["indexer"]
    worker = "%s--support--ticket-worker" % fleet
    assert vault_policy(stack, worker) is not None
    check = run_fleet(smaller, tmp_path / "prune-check", stack.env, check=True,
                      extra={"fleet_prune": True, "fleet_agents": "research/digest"})
    assert check.rc == 0, [r["result"].get("msg") for r in check.results if r["result"].get("failed")]
    assert [(r["name"], r["outcome"]) for r in check.result(PRUNE_NOMAD)["results"]] == [("digest", "deleted")]
    assert not stack.nomad.jobs("research")["digest"].get("Stop")
    pruned = run_fleet(smaller, tmp_path / "prune", stack.env,
                       extra={"fleet_prune": True, "fleet_agents": ["research/digest"]})
    assert pruned.rc == 0, [r["result"].get("msg") for r in pruned.results if r["result"].get("failed")]
    rep = report(pruned)
    assert rep["agents"]["research/digest"]["status"] == "pruned" and "research/indexer" not in rep["agents"]
    assert rep["total"] == sum(rep["counts"].values()) == 1  # no selected agent left in the spec, one pruned
    assert stack.nomad.jobs("research")["digest"]["Stop"] is True
    assert vault_policy(stack, "%s--research--digest" % fleet) is None
    indexer = stack.nomad.jobs("research")["indexer"]
    assert not indexer.get("Stop") and indexer["JobModifyIndex"] == indexer_before["JobModifyIndex"]
    assert consul_get(stack, "service-defaults", "%s--research--indexer" % fleet) is not None
    assert "namespace" not in {r["object"] for r in pruned.result(PRUNE_NOMAD)["results"]}
    assert not stack.nomad.jobs("support")["ticket-worker"].get("Stop")
    assert vault_policy(stack, worker) is not None
    assert stack.openbao.client().auth.jwt.read_role(worker, path=stack.jwt_mount)["data"]["token_policies"] == [worker]

    # A subset stop: only the named agent (the new variable; -e tenant= still works, see
    # test_fleet_apply's kill switch).
    stop = run_fleet(smaller, tmp_path / "stop", stack.env, playbook="fleet-stop.yml",
                     extra={"fleet_agents": "research/retriever"})
    assert stop.rc == 0
    jobs = stack.nomad.jobs("research")
    assert jobs["retriever"]["Stop"] is True and not jobs["embedder"].get("Stop") and not jobs["indexer"].get("Stop")
    assert not any(j.get("Stop") for j in stack.nomad.jobs("support").values())
    assert vault_policy(stack, "%s--research--retriever" % fleet) is None
    assert vault_policy(stack, "%s--support--triage" % fleet) is not None
