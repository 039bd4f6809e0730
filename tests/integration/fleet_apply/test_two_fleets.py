"""Two fleets on the same servers never touch each other's objects (issue 12, "Apply safely").

Fleet ``prod`` with tenant ``eu-team`` and fleet ``prod-eu`` with tenant ``team`` are chosen
to collide under a ``-``-joined naming (``prod-eu-team-...`` for both) and under prefix
ownership (``"agentfleet prod-eu".startswith("agentfleet prod")``). Both are applied to one
Nomad contract server, one Consul contract server and one real OpenBao (same JWT and KV
mounts), in either order; then apply, prune and the kill switch of one fleet must leave
every object of the other byte-identical, as read back through the servers' HTTP APIs.

The objects of a fleet are the ones its own rendering names (``api.render``), so the test
follows whatever naming the product uses and checks that it is collision-free in practice.
"""
import copy
import json
import urllib.error
import urllib.request

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api
from tests.integration.fleet_apply.helpers import example_fleet, run_fleet

pytestmark = pytest.mark.integration

REPORT = "agentfleet.hashistack.agent_fleet : Build the per-agent report"
CONSUL = "agentfleet.hashistack.agent_fleet : Apply the default deny, intentions, service defaults and resolvers"


def fleet_spec(stack, name, tenant):
    """A small fleet: two mesh services (one calls the other), one batch caller, secrets
    under the tenant's own prefix; Vault mounts shared with the other fleet."""
    spec = example_fleet(name, stack.jwt_mount, stack.kv_mount)
    spec["guardrails"].pop("shared_upstreams", None)  # names the example's other tenant
    research = spec["tenants"]["research"]
    keep = {"retriever", "embedder", "indexer"}
    agents = [copy.deepcopy(a) for a in research["agents"] if a["name"] in keep]
    for agent in agents:
        for secret in agent.get("secrets", []):
            secret["path"] = secret["path"].replace("research/", f"{tenant}/", 1)
    spec["tenants"] = {tenant: {"description": f"{name} tenant {tenant}",
                                "budget": dict(research["budget"]), "agents": agents}}
    return spec


def _get(url, headers):
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read().decode()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def snapshot(stack, spec):
    """Every object ``spec`` renders, as raw response bytes of the servers' read APIs
    (``None`` for an object that does not exist)."""
    rendered = api.render(api.load_spec(copy.deepcopy(spec)))
    nomad = {"X-Nomad-Token": stack.nomad.management_token}
    consul = {"X-Consul-Token": stack.consul.management_token}
    vault = {"X-Vault-Token": stack.openbao.token}
    out = {}
    for ns in rendered.namespaces:
        out["nomad namespace " + ns["Name"]] = _get(f"{stack.nomad.addr}/v1/namespace/{ns['Name']}", nomad)
    for pol in rendered.acl_policies:
        out["nomad acl policy " + pol["Name"]] = _get(f"{stack.nomad.addr}/v1/acl/policy/{pol['Name']}", nomad)
    for job in rendered.jobs:
        out[f"nomad job {job['namespace']}/{job['job_id']}"] = _get(
            f"{stack.nomad.addr}/v1/job/{job['job_id']}?namespace={job['namespace']}", nomad)
    for entry in rendered.consul_entries:
        kind, name = entry["kind"], entry["name"]
        out[f"consul {kind}/{name}"] = _get(f"{stack.consul.addr}/v1/config/{kind}/{name}", consul)
    for pol in rendered.vault_policies:
        out["vault policy " + pol["name"]] = _get(
            f"{stack.openbao.addr}/v1/sys/policies/acl/{pol['name']}", vault)
    for role in rendered.vault_roles:
        out["vault jwt role " + role["name"]] = _get(
            f"{stack.openbao.addr}/v1/auth/{stack.jwt_mount}/role/{role['name']}", vault)
    # Response envelopes of OpenBao carry a per-request ID: keep the data only.
    for key, text in out.items():
        if key.startswith("vault ") and text is not None:
            out[key] = json.dumps(json.loads(text)["data"], sort_keys=True)
    return out


def failures(run):
    """The failed tasks' messages and failed objects of a playbook run (for assertion messages)."""
    out = []
    for res in run.results:
        result = res["result"]
        if result.get("failed"):
            out.append(result.get("msg"))
            out += [r for r in result.get("results", []) if r.get("outcome") == "failed"]
    return out


def changed_keys(before, after):
    return sorted(k for k in before if before[k] != after.get(k))


@pytest.mark.parametrize("first_name", ["prod-eu", "prod"])
def test_two_fleets_with_colliding_legacy_names_never_touch_each_other(stack, tmp_path, first_name):
    prod = fleet_spec(stack, "prod", "eu-team")
    prod_eu = fleet_spec(stack, "prod-eu", "team")
    first, second = (prod_eu, prod) if first_name == "prod-eu" else (prod, prod_eu)

    # Both apply, in either order: every object of each exists, and the second apply
    # leaves the first fleet's objects byte-identical.
    run = run_fleet(first, tmp_path / "apply-first", stack.env)
    assert run.rc == 0, failures(run)
    before = snapshot(stack, first)
    assert all(v is not None for v in before.values()), [k for k, v in before.items() if v is None]
    run = run_fleet(second, tmp_path / "apply-second", stack.env)
    assert run.rc == 0, failures(run)
    assert all(v is not None for v in snapshot(stack, second).values())
    assert changed_keys(before, snapshot(stack, first)) == []
    # The one cluster-wide object, the default deny, stays with the fleet that wrote it.
    deny = [r for r in run.result(CONSUL)["results"] if r["name"] == "*"]
    assert deny[0]["outcome"] == "unchanged" and "held by fleet %r" % first["name"] in deny[0]["msg"]
    other = snapshot(stack, prod_eu)

    # A change to prod (every job and its Vault role) then a prune of a removed agent.
    changed = copy.deepcopy(prod)
    changed["revision"] = "two-fleets.2"
    for agent in changed["tenants"]["eu-team"]["agents"]:
        agent.setdefault("vault", {})["token_ttl"] = "20m"
    changed["tenants"]["eu-team"]["agents"] = [a for a in changed["tenants"]["eu-team"]["agents"]
                                               if a["name"] != "retriever"]
    pruned = run_fleet(changed, tmp_path / "prune-prod", stack.env, extra={"fleet_prune": True})
    assert pruned.rc == 0, failures(pruned)
    assert pruned.result(REPORT)["ansible_facts"]["agent_fleet_report"]["agents"]["eu-team/retriever"][
        "status"] == "pruned"
    assert changed_keys(other, snapshot(stack, prod_eu)) == []

    # The kill switch of prod's tenant.
    stop = run_fleet(changed, tmp_path / "stop-prod", stack.env, playbook="fleet-stop.yml",
                     extra={"tenant": "eu-team"})
    assert stop.rc == 0, failures(stop)
    assert all(job["Stop"] for job in stack.nomad.jobs("eu-team").values())
    assert changed_keys(other, snapshot(stack, prod_eu)) == []

    # And the other way round: prod-eu's kill switch leaves prod's objects alone.
    mine = snapshot(stack, changed)
    stop = run_fleet(prod_eu, tmp_path / "stop-prod-eu", stack.env, playbook="fleet-stop.yml",
                     extra={"tenant": "team"})
    assert stop.rc == 0, failures(stop)
    assert all(job["Stop"] for job in stack.nomad.jobs("team").values())
    assert changed_keys(mine, snapshot(stack, changed)) == []
