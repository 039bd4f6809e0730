"""Runbook playbooks/runbooks/tenant-offboard.yml against the Nomad and Consul contract
servers and a real OpenBao (the fixtures of tests/integration/fleet_apply).

The example fleet is applied; offboarding tenant ``support`` while another tenant still names
it is refused before any write; with those references taken out of the spec, check mode lists
every object of ``support`` per backend and changes nothing; the real run stops its jobs and
deletes its namespace, Nomad ACL policy, Vault policies and JWT roles and Consul entries and
revokes the Vault tokens its workloads logged in with; every ``research`` object (and token) is
the same as before; no token shows in -vvv output; a re-run changes nothing; a backend that does
not answer stops the run at the preflight.
"""
import copy
import itertools
import json
import time
import urllib.error

import hvac
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.integration.fleet_apply.conftest import Stack
from tests.integration.fleet_apply.helpers import run_fleet

pytestmark = pytest.mark.integration

_COUNTER = itertools.count()
PLAYBOOK = "runbooks/tenant-offboard.yml"
PREFLIGHT = "agentfleet.hashistack.agent_fleet : Check Nomad, Vault and Consul answer with the given tokens"
PREVIEW = "List what was removed (check mode - what would be removed), per backend"


@pytest.fixture
def stack(openbao, nomad_api, consul_api):
    return Stack(openbao, nomad_api, consul_api, "rbo%d" % next(_COUNTER))


def without_references_to(spec, tenant):
    """The spec with every other tenant's reference to ``tenant`` removed (the runbook's
    documented first step), the tenant itself still in it."""
    spec = copy.deepcopy(spec)
    spec["guardrails"]["shared_upstreams"] = [s for s in spec["guardrails"].get("shared_upstreams", [])
                                              if not s["service"].startswith(tenant + "/")]
    for name, body in spec["tenants"].items():
        if name == tenant:
            continue
        body["allow_upstream_from"] = [t for t in body.get("allow_upstream_from", []) if t != tenant]
        for agent in body["agents"]:
            agent["upstreams"] = [u for u in agent.get("upstreams", [])
                                  if not u["service"].startswith(tenant + "/")]
    for agent in spec["tenants"][tenant]["agents"]:
        agent["upstreams"] = [u for u in agent.get("upstreams", []) if "/" not in u["service"]]
    return spec


def workload_tokens(stack, agents):
    """Log in through the fleet's JWT roles as Nomad workloads would ({(tenant, agent): token}).
    The mount is given a local public key (as Nomad's JWKS would provide) and each identity
    carries the claims the roles bind (render_vault: nomad_namespace, nomad_job_id, aud)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    client = stack.openbao.client()
    client.auth.jwt.configure(jwt_validation_pubkeys=[pem], path=stack.jwt_mount)
    out = {}
    for tenant, name in agents:
        now = int(time.time())
        identity = jwt.encode({"aud": "vault.io", "iat": now, "nbf": now, "exp": now + 300,
                               "sub": "global:%s:%s:%s:agent:default" % (tenant, name, name),
                               "nomad_namespace": tenant, "nomad_job_id": name, "nomad_task": name},
                              key, algorithm="RS256")
        login = client.auth.jwt.jwt_login(role="%s--%s--%s" % (stack.fleet, tenant, name), jwt=identity,
                                          path=stack.jwt_mount)
        out[(tenant, name)] = login["auth"]["client_token"]
    return out


def token_alive(stack, token):
    """The token still exists (looked up with the root token, so a token whose policies were
    deleted still counts: only a revocation makes it disappear)."""
    try:
        stack.openbao.client().auth.token.lookup(token)
    except (hvac.exceptions.Forbidden, hvac.exceptions.InvalidRequest):
        return False
    return True


def snapshot(stack):
    """Everything the fleet owns, read straight from the servers (not through the collection)."""
    nomad = stack.nomad
    client = stack.openbao.client()
    policies = sorted(p for p in client.sys.list_acl_policies()["data"]["keys"]
                      if p.startswith(stack.fleet + "--"))
    try:
        roles = sorted(client.auth.jwt.list_roles(path=stack.jwt_mount)["data"]["keys"])
    except Exception:  # hvac raises InvalidPath when the mount has no role left
        roles = []
    namespaces = {}
    for ns in nomad._api("GET", "/v1/namespaces"):
        namespaces[ns["Name"]] = {k: v for k, v in ns.items() if not k.endswith("Index")}
    return {
        "jobs": {ns: {jid: (job.get("Stop", False), job["JobModifyIndex"]) for jid, job in nomad.jobs(ns).items()}
                 for ns in ("research", "support")},
        "namespaces": namespaces,
        "nomad_acl": {p["Name"]: nomad._api("GET", "/v1/acl/policy/%s" % p["Name"])["Rules"]
                      for p in nomad._api("GET", "/v1/acl/policies")},
        "vault_policies": {p: client.sys.read_acl_policy(p)["data"]["policy"] for p in policies},
        "vault_roles": {r: client.auth.jwt.read_role(r, path=stack.jwt_mount)["data"] for r in roles},
        "consul": {key: json.dumps(entry, sort_keys=True) for key, entry in stack.consul.entries.items()},
    }


def of_tenant(snap, fleet, tenant):
    """The part of a snapshot that belongs to ``tenant`` (by the fleet's naming)."""
    prefix = "%s--%s" % (fleet, tenant)
    return {
        "jobs": dict(snap["jobs"][tenant]),
        "namespace": snap["namespaces"].get(tenant),
        "nomad_acl": {k: v for k, v in snap["nomad_acl"].items() if k == prefix or k.startswith(prefix + "--")},
        "vault_policies": {k: v for k, v in snap["vault_policies"].items() if k.startswith(prefix + "--")},
        "vault_roles": {k: v for k, v in snap["vault_roles"].items() if k.startswith(prefix + "--")},
        "consul": {k: v for k, v in snap["consul"].items() if k[1].startswith(prefix + "--")},
    }


def test_offboard_refused_then_preview_then_removed_and_rerun_is_a_no_op(stack, tmp_path):
    fleet, spec = stack.fleet, stack.spec()
    assert run_fleet(spec, tmp_path / "apply", stack.env).rc == 0
    before = snapshot(stack)
    support = of_tenant(before, fleet, "support")
    agents = [a["name"] for a in spec["tenants"]["support"]["agents"]]
    assert sorted(support["jobs"]) == sorted(agents) and support["namespace"] is not None
    assert support["vault_policies"] and support["vault_roles"] and support["consul"] and support["nomad_acl"]

    tokens = workload_tokens(stack, [("support", "triage"), ("research", "retriever")])
    assert all(token_alive(stack, t) for t in tokens.values())

    # Research still calls support/triage: refused at validation, naming the path; nothing changed.
    refused = run_fleet(spec, tmp_path / "refused", stack.env, playbook=PLAYBOOK, extra={"tenant": "support"})
    assert refused.rc != 0
    msg = refused.result("Say why the offboarding stopped")["msg"]
    assert "tenants.research.agents.digest.upstreams[1].service" in msg and "remove those references" in msg, msg
    assert snapshot(stack) == before

    # No tenant named: refused.
    assert run_fleet(spec, tmp_path / "no-tenant", stack.env, playbook=PLAYBOOK).rc != 0

    ready = without_references_to(spec, "support")
    # Check mode: every object of support listed per backend, nothing written.
    check = run_fleet(ready, tmp_path / "check", stack.env, playbook=PLAYBOOK, check=True,
                      extra={"tenant": "support"})
    assert check.rc == 0, check
    preview = check.result(PREVIEW)["msg"]
    assert preview["check_mode"] is True
    assert sorted(preview["nomad"]) == sorted(
        ["job %s" % a for a in agents] + ["acl_policy %s" % p for p in support["nomad_acl"]]
        + ["namespace support"])
    assert sorted(preview["vault"]) == sorted(
        ["vault_policy %s" % p for p in support["vault_policies"]]
        + ["vault_jwt_role %s" % r for r in support["vault_roles"]])
    assert sorted(n.split(" ", 1)[1] for n in preview["consul"]) == sorted(name for _kind, name in support["consul"])
    assert preview["vault_tokens_revoked"] == 1  # support/triage's login; research's is not this tenant's
    assert snapshot(stack) == before
    assert all(token_alive(stack, t) for t in tokens.values())

    # -vvv (check mode): no Vault, Nomad or Consul token and no workload token in the output.
    loud = run_fleet(ready, tmp_path / "vvv", stack.env, playbook=PLAYBOOK, check=True,
                     extra={"tenant": "support"}, callback="default", verbosity=3)
    assert loud.rc == 0, loud
    assert "vault_tokens_revoked" in loud.output
    for secret in [stack.env["VAULT_TOKEN"], stack.env["NOMAD_TOKEN"], stack.env["CONSUL_HTTP_TOKEN"],
                   *tokens.values()]:
        assert secret and secret not in loud.output

    # For real.
    run = run_fleet(ready, tmp_path / "real", stack.env, playbook=PLAYBOOK, extra={"tenant": "support"})
    assert run.rc == 0, run
    assert run.result(PREVIEW)["msg"]["check_mode"] is False
    assert not token_alive(stack, tokens[("support", "triage")])
    assert token_alive(stack, tokens[("research", "retriever")])
    after = snapshot(stack)
    gone = of_tenant(after, fleet, "support")
    assert all(stop for stop, _index in gone["jobs"].values())  # stopped (kept by Nomad until GC)
    assert gone["namespace"] is None
    assert gone["nomad_acl"] == {} and gone["vault_policies"] == {} and gone["vault_roles"] == {}
    assert gone["consul"] == {}
    # research: every object exactly as before (same job modify indexes, texts and entries).
    assert of_tenant(after, fleet, "research") == of_tenant(before, fleet, "research")
    # the fleet-wide default deny is kept (a tenant subset never prunes fleet-wide objects)
    assert after["consul"][("service-intentions", "*")] == before["consul"][("service-intentions", "*")]

    # Re-run: nothing changes, nothing left to remove.
    again = run_fleet(ready, tmp_path / "again", stack.env, playbook=PLAYBOOK, extra={"tenant": "support"})
    assert again.rc == 0, again
    assert again.changed == [], again.changed
    assert again.result(PREVIEW)["msg"]["nomad"] == [] and again.result(PREVIEW)["msg"]["vault"] == []
    assert again.result(PREVIEW)["msg"]["vault_tokens_revoked"] == 0
    assert snapshot(stack) == after


def test_offboard_refuses_when_a_backend_does_not_answer(stack, tmp_path):
    spec = without_references_to(stack.spec(), "support")
    assert run_fleet(spec, tmp_path / "apply", stack.env).rc == 0
    before = snapshot(stack)
    env = dict(stack.env, VAULT_ADDR="http://127.0.0.1:9")  # nothing listens on the discard port
    run = run_fleet(spec, tmp_path / "down", env, playbook=PLAYBOOK, extra={"tenant": "support"})
    assert run.rc != 0
    msg = run.result(PREFLIGHT)["msg"]
    assert "127.0.0.1:9" in msg and "VAULT_ADDR" in msg, msg
    assert run.failed == [PREFLIGHT]  # stopped at the preflight, before the token scan and any write
    assert snapshot(stack) == before
    with pytest.raises(urllib.error.HTTPError):
        stack.nomad._api("GET", "/v1/namespace/nope-%s" % stack.fleet)
