"""First-run messages of ``playbooks/fleet.yml``: a backend that cannot be reached or refuses
the token is ONE message naming the backend, its address, where the address came from and
what to try; never a raw ``HTTPConnectionPool(...)`` text, never repeated once per agent."""
import pytest

from tests.integration.fleet_apply.helpers import run_fleet
from tests.support.net import free_port

pytestmark = pytest.mark.integration

PREFLIGHT = "agentfleet.hashistack.agent_fleet : Check Nomad, Vault and Consul answer with the given tokens"
SHOW = "agentfleet.hashistack.agent_fleet : Show the report"
RAW = ("HTTPConnectionPool", "Max retries exceeded", "NewConnectionError", "Traceback", "'url'")


def _one_message(run, needle):
    """The preflight's single failure and the report lines, checking ``needle`` (the address)
    appears in exactly one report line."""
    pre = run.result(PREFLIGHT)
    assert pre["failed"] and len(pre["failures"]) == 1, pre
    lines = run.result(SHOW)["msg"]
    assert sum(needle in line for line in lines) == 1, "\n".join(lines)
    for raw in RAW:
        assert raw not in run.output, raw
    return pre["failures"][0], lines


@pytest.mark.parametrize("source", ["environment", "inventory"])
def test_nomad_at_a_closed_port_is_one_message_with_address_source_and_what_to_try(stack, tmp_path, source):
    address = "http://127.0.0.1:%d" % free_port()
    env, extra = dict(stack.env), {}
    if source == "environment":
        env["NOMAD_ADDR"] = address
        origin = "environment variable NOMAD_ADDR"
    else:
        extra["agent_fleet_nomad_addr"] = address
        origin = "variable agent_fleet_nomad_addr"
    run = run_fleet(stack.spec(), tmp_path, env, extra=extra)
    assert run.rc != 0, run
    msg, lines = _one_message(run, address)
    assert msg.startswith("Nomad at %s (address from %s; token from " % (address, origin)), msg
    assert ": connection refused; check that Nomad is running and listening on that port; to use another " \
        "address set NOMAD_ADDR, the module option address or the inventory variable agent_fleet_nomad_addr" in msg
    assert lines[-1] == "7 agents: 0 unchanged, 0 updated, 0 failed, 7 not_applied, 0 reverted, 0 pruned"
    assert stack.nomad.jobs("research") == {} and stack.consul.entries == {}
    assert stack.nomad.management_token not in run.output
    print("\n" + "\n".join(lines))


def test_a_wrong_nomad_token_is_one_message_naming_where_the_token_came_from(stack, tmp_path):
    wrong = "00000000-0000-4000-8000-000000000000"
    run = run_fleet(stack.spec(), tmp_path, dict(stack.env, NOMAD_TOKEN=wrong))
    assert run.rc != 0, run
    msg, lines = _one_message(run, stack.nomad.env["NOMAD_ADDR"])
    assert msg.startswith("Nomad at %s (address from environment variable NOMAD_ADDR; token from environment "
                          "variable NOMAD_TOKEN): the token was refused" % stack.nomad.env["NOMAD_ADDR"]), msg
    assert wrong not in run.output
    print("\n" + "\n".join(lines))


def test_a_missing_vault_address_names_the_variable_to_set(stack, tmp_path):
    env = {k: v for k, v in stack.env.items() if k != "VAULT_ADDR"}
    run = run_fleet(stack.spec(), tmp_path, env, extra={"agent_fleet_vault_addr": ""})
    assert run.rc != 0, run
    msg = run.result(PREFLIGHT)["failures"][0]
    assert msg.startswith("Vault/OpenBao at (no address) (address from nowhere: not set; "), msg
    assert "no Vault/OpenBao address: set VAULT_ADDR, the module option url or the inventory variable " \
        "agent_fleet_vault_addr" in msg
    for raw in RAW:
        assert raw not in run.output, raw
