"""The apply report tells the truth when a backend fails: every agent gets an outcome with a
reason, the counts add up, the play fails, and the preflight names each backend's address,
where it came from and where the token came from (never the token)."""
import pytest

from tests.integration.fleet_apply.helpers import run_fleet
from tests.support.net import free_port

pytestmark = pytest.mark.integration

PREFLIGHT = "agentfleet.hashistack.agent_fleet : Check Nomad, Vault and Consul answer with the given tokens"
REPORT = "agentfleet.hashistack.agent_fleet : Build the per-agent report"
SHOW = "agentfleet.hashistack.agent_fleet : Show the report"
FAIL = "agentfleet.hashistack.agent_fleet : Fail when an agent failed, was not applied or was reverted"
VAULT = "agentfleet.hashistack.agent_fleet : Apply every agent's Vault policy and JWT role"
NOMAD = "agentfleet.hashistack.agent_fleet : Apply namespaces, ACL policies, quotas and every job (many at a time)"
AGENTS = 7  # in the example fleet


def report(run):
    return run.result(REPORT)["ansible_facts"]["agent_fleet_report"]


def assert_counts_add_up(rep):
    assert sum(rep["counts"].values()) == rep["total"] == len(rep["agents"]) == AGENTS


def vault_policies(stack):
    names = stack.openbao.client().sys.list_acl_policies()["data"]["keys"]
    return [n for n in names if n.startswith(stack.fleet)]


def test_nomad_down_nothing_written_every_agent_not_applied(stack, tmp_path):
    port = free_port()
    env = dict(stack.env, NOMAD_ADDR="http://127.0.0.1:%d" % port)
    for check in (True, False):  # check mode runs the preflight too
        run = run_fleet(stack.spec(), tmp_path / ("check" if check else "apply"), env, check=check)
        assert run.rc != 0, run
        pre = run.result(PREFLIGHT)
        assert pre["failed"] and len(pre["failures"]) == 1, pre
        msg = pre["failures"][0]
        assert msg.startswith("Nomad at http://127.0.0.1:%d (address from environment variable NOMAD_ADDR; "
                              "token from environment variable NOMAD_TOKEN): " % port), msg
        assert stack.nomad.management_token not in run.output and stack.openbao.token not in run.output
        rep = report(run)
        assert_counts_add_up(rep)
        assert rep["counts"]["not_applied"] == AGENTS and rep["ok"] is False
        for key, entry in rep["agents"].items():
            assert entry["status"] == "not_applied", (key, entry)
            assert entry["reasons"] == ["not applied: the preflight phase failed before the Nomad job was applied "
                                        "(its message: the 'fleet: failed' line)"]
        lines = run.result(SHOW)["msg"]
        assert lines[-1] == "7 agents: 0 unchanged, 0 updated, 0 failed, 7 not_applied, 0 reverted, 0 pruned"
        assert FAIL in run.failed
        # Nothing written anywhere: the Vault and Consul phases never ran.
        with pytest.raises(KeyError):
            run.result(VAULT)
        assert vault_policies(stack) == [] and stack.consul.entries == {}
    print("\n".join(lines))


def test_preflight_one_message_per_backend_with_variable_sources(stack, tmp_path):
    port = free_port()
    env = dict(stack.env, VAULT_TOKEN="not-a-real-token")
    run = run_fleet(stack.spec(), tmp_path / "apply", env,
                    extra={"agent_fleet_nomad_addr": "http://127.0.0.1:%d" % port,
                           "agent_fleet_consul_token": "00000000-0000-0000-0000-000000000000"})
    assert run.rc != 0, run
    failures = run.result(PREFLIGHT)["failures"]
    assert len(failures) == 3, failures
    nomad, vault, consul = failures
    assert nomad.startswith("Nomad at http://127.0.0.1:%d (address from variable agent_fleet_nomad_addr; "
                            "token from environment variable NOMAD_TOKEN): " % port), nomad
    assert vault.startswith("Vault/OpenBao at %s (address from environment variable VAULT_ADDR; token from "
                            "environment variable VAULT_TOKEN): " % stack.openbao.addr), vault
    assert "403" in vault or "permission denied" in vault
    assert consul.startswith("Consul at %s (address from environment variable CONSUL_HTTP_ADDR; token from "
                             "variable agent_fleet_consul_token): " % stack.consul.addr), consul
    assert "403" in consul
    assert "not-a-real-token" not in run.output and "00000000-0000-0000-0000-000000000000" not in run.output
    assert_counts_add_up(report(run))
    assert vault_policies(stack) == [] and stack.consul.entries == {}
    print("\n".join(failures))


def test_unowned_namespace_fails_the_play_and_leaves_agents_not_applied(stack, tmp_path):
    stack.nomad._api("POST", "/v1/namespace/research", {"Name": "research", "Description": "someone else's"})
    run = run_fleet(stack.spec(), tmp_path / "apply", stack.env)
    assert run.rc != 0, run
    assert not run.result(PREFLIGHT).get("failed")
    nomad = run.result(NOMAD)
    assert nomad["summary"]["not_applied"] == AGENTS, nomad["summary"]
    rep = report(run)
    assert_counts_add_up(rep)
    assert rep["counts"]["not_applied"] == AGENTS and rep["ok"] is False
    unowned = "nomad namespace 'research' exists and is not owned by fleet %r" % stack.fleet
    assert any(unowned in line for line in rep["fleet"]["failed"]), rep["fleet"]
    for key, entry in rep["agents"].items():
        assert entry["status"] == "not_applied"
        assert "not applied: namespace research failed first: " + unowned in entry["reasons"][0], (key, entry)
    assert FAIL in run.failed
    # The namespace is untouched and no job was registered.
    assert stack.nomad.jobs("research") == {} and stack.nomad.jobs("support") == {}
    assert stack.nomad._api("GET", "/v1/namespace/research")["Description"] == "someone else's"
    print("\n".join(run.result(SHOW)["msg"]))


def test_nomad_failing_after_the_preflight_leaves_agents_not_applied(stack, tmp_path):
    # Nomad answers the preflight, then every namespace read fails (retries included).
    stack.nomad.inject_fault("status", "/v1/namespace/", method="GET", count=1000, status=500)
    run = run_fleet(stack.spec(), tmp_path / "apply", stack.env)
    assert run.rc != 0, run
    assert not run.result(PREFLIGHT).get("failed")
    rep = report(run)
    assert_counts_add_up(rep)
    assert rep["counts"]["not_applied"] == AGENTS and rep["ok"] is False
    for key, entry in rep["agents"].items():
        assert entry["status"] == "not_applied"
        assert "failed first:" in entry["reasons"][0] and "HTTP 500" in entry["reasons"][0], (key, entry)
    assert stack.nomad.jobs("research") == {} and stack.nomad.jobs("support") == {}
    print("\n".join(run.result(SHOW)["msg"]))


def test_vault_phase_failure_stops_before_consul_and_nomad(stack, tmp_path):
    # A token the preflight accepts (lookup-self is in the default policy) but that may not
    # write policies: the Vault phase fails, nothing after it is written, the report says so.
    token = stack.openbao.client().auth.token.create(policies=["default"], ttl="10m")["auth"]["client_token"]
    env = dict(stack.env, VAULT_TOKEN=token)
    run = run_fleet(stack.spec(), tmp_path / "apply", env)
    assert run.rc != 0, run
    assert not run.result(PREFLIGHT).get("failed") and run.result(VAULT)["failed"]
    rep = report(run)
    assert_counts_add_up(rep)
    assert rep["ok"] is False and rep["counts"]["failed"] + rep["counts"]["not_applied"] == AGENTS
    for key, entry in rep["agents"].items():
        assert entry["status"] in ("failed", "not_applied") and entry["reasons"], (key, entry)
        if entry["status"] == "not_applied":
            assert "the vault phase failed before the Nomad job was applied" in entry["reasons"][0]
    assert stack.consul.entries == {} and stack.nomad.jobs("research") == {} and stack.nomad.jobs("support") == {}
    assert token not in run.output
    print("\n".join(run.result(SHOW)["msg"]))
