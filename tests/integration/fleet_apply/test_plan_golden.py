"""The plan people read, pinned: the example fleet (inventories/local) through
playbooks/fleet.yml --check --diff at default verbosity against the contract servers and
a real OpenBao. First plan (all creates, under 40 lines per agent for the whole output),
a no-change re-plan (one line per backend), a one-agent change (Nomad's annotations,
human durations, the changed part of a long value visible), the JSON plan file and the
fail-on-changes switch."""
import copy
import json
import re

import pytest

from tests.integration.fleet_apply.helpers import agent, run_fleet

pytestmark = pytest.mark.integration

SHOW = "TASK [agentfleet.hashistack.agent_fleet : Show the report]"
AGENTS = 7

FIRST_PLAN = [
    "PLAN (check mode, nothing changed):",
    "fleet:",
    "  + vault mount jwt-nomad: would create",
    "  + consul service-intentions *: would create",
    "  + nomad namespace research: would create",
    "  + nomad namespace support: would create",
    "  + nomad acl policy agents-lab--research: would create",
    "  + nomad acl policy agents-lab--support: would create",
    "research/digest: would be created",
    "  + vault policy agents-lab--research--digest: would create",
    "  + vault jwt role agents-lab--research--digest: would create",
    "  + consul service-defaults agents-lab--research--digest: would create",
    "  + nomad job research/digest: would create",
    "      + Task Group: \"digest\" (count 1)",
    "research/embedder: would be created",
    "  + consul service-defaults agents-lab--research--embedder: would create",
    "  + consul service-resolver agents-lab--research--embedder: would create",
    "  + consul service-intentions agents-lab--research--embedder: would create",
    "  + nomad job research/embedder: would create",
    "      + Task Group: \"embedder\" (count 2)",
    "research/indexer: would be created",
    "  + consul service-defaults agents-lab--research--indexer: would create",
    "  + nomad job research/indexer: would create",
    "      + Task Group: \"indexer-shard-a\" (count 1)",
    "      + Task Group: \"indexer-shard-b\" (count 1)",
    "research/retriever: would be created",
    "  + vault policy agents-lab--research--retriever: would create",
    "  + vault jwt role agents-lab--research--retriever: would create",
    "  + consul service-defaults agents-lab--research--retriever: would create",
    "  + consul service-resolver agents-lab--research--retriever: would create",
    "  + consul service-intentions agents-lab--research--retriever: would create",
    "  + nomad job research/retriever: would create",
    "      + Task Group: \"retriever\" (count 2)",
    "support/nightly-report: would be created",
    "  + nomad job support/nightly-report: would create",
    "      + Task Group: \"nightly-report\" (count 1)",
    "support/ticket-worker: would be created",
    "  + vault policy agents-lab--support--ticket-worker: would create",
    "  + vault jwt role agents-lab--support--ticket-worker: would create",
    "  + consul service-defaults agents-lab--support--ticket-worker: would create",
    "  + nomad job support/ticket-worker: would create",
    "      + Task Group: \"ticket-worker\" (count 1)",
    "support/triage: would be created",
    "  + vault policy agents-lab--support--triage: would create",
    "  + vault jwt role agents-lab--support--triage: would create",
    "  + consul service-defaults agents-lab--support--triage: would create",
    "  + consul service-resolver agents-lab--support--triage: would create",
    "  + consul service-intentions agents-lab--support--triage: would create",
    "  + nomad job support/triage: would create",
    "      + Task Group: \"triage\" (count 2)",
    "Vault: 9 to add, 0 to change, 0 to destroy (0 unchanged).",
    "Consul: 13 to add, 0 to change, 0 to destroy (0 unchanged).",
    "Nomad: 11 to add, 0 to change, 0 to destroy (0 unchanged).",
    "7 agents: 0 unchanged, 7 updated, 0 failed, 0 not_applied, 0 reverted, 0 pruned",
]

NO_CHANGE = [
    "PLAN (check mode, nothing changed):",
    "Vault: 0 to add, 0 to change, 0 to destroy (9 unchanged).",
    "Consul: 0 to add, 0 to change, 0 to destroy (13 unchanged).",
    "Nomad: 0 to add, 0 to change, 0 to destroy (11 unchanged).",
    "7 agents: 7 unchanged, 0 updated, 0 failed, 0 not_applied, 0 reverted, 0 pruned",
]

ONE_CHANGE = [
    "PLAN (check mode, nothing changed):",
    "research/retriever: would be updated",
    "  ~ vault jwt role agents-lab--research--retriever: would update",
    "      changed: token_ttl",
    "  ~ nomad job research/retriever: would update",
    "      +/- Meta[agentfleet_agent_digest]: \"<digest>\" => \"<digest>\"",
    "      +/- Meta[agentfleet_agent_version]: \"1.4.2\" => \"1.5.0\"",
    "      +/- Task Group: \"retriever\" (1 canary, 2 ignore)",
    "        - Network.Dynamic Port.Label: \"svc_agents-lab--research--retriever_ck_<hash>\"",
    "        + Network.Dynamic Port.Label: \"svc_agents-lab--research--retriever_ck_<hash>\"",
    "        +/- Service.Check.PortLabel: \"svc_agents-lab--research--retriever_ck_<hash>\" => \"svc_agents-lab--research--retriever_ck_<hash>\"",
    "        +/- Service.Check.Timeout: 2s => 3s",
    "        - Service.Connect.SidecarService.Proxy.Expose.Paths.ListenerPort: \"svc_agents-lab--research--retriever_ck_<hash>\"",
    "        + Service.Connect.SidecarService.Proxy.Expose.Paths.ListenerPort: \"svc_agents-lab--research--retriever_ck_<hash>\"",
    "        +/- Task: \"retriever\" (forces create/destroy update)",
    "          +/- Env[AGENT_VERSION]: \"1.4.2\" => \"1.5.0\"",
    "          +/- Env[OTEL_RESOURCE_ATTRIBUTES]: ...e.version=1.4.2,service.instance.id=${NOMAD_... => ...e.version=1.5.0,service.instance.id=${NOMAD_...",
    "Vault: 0 to add, 1 to change, 0 to destroy (8 unchanged).",
    "Consul: 0 to add, 0 to change, 0 to destroy (13 unchanged).",
    "Nomad: 0 to add, 1 to change, 0 to destroy (10 unchanged).",
    "7 agents: 6 unchanged, 1 updated, 0 failed, 0 not_applied, 0 reverted, 0 pruned",
]


def shown_plan(run, stack):
    """The lines of the role's "Show the report" task in the default callback's output,
    with this test's fleet name and mounts written as in the example fleet."""
    text = run.stdout
    start = text.index(SHOW)
    body = text[text.index("=> ", start) + 3:]
    body = body[:body.index("\n}\n") + 2]
    lines = json.loads(body)["msg"]
    out = []
    for line in lines:
        line = line.replace(stack.fleet, "agents-lab").replace(stack.jwt_mount, "jwt-nomad")
        line = re.sub(r'"[0-9a-f]{16}" => "[0-9a-f]{16}"', '"<digest>" => "<digest>"', line)  # agent digest
        out.append(re.sub(r"_ck_[0-9a-f]{6}", "_ck_<hash>", line))  # exposed check ports: a hash of the names
    return out


def test_plan_golden(stack, tmp_path):
    spec = stack.spec()
    first = run_fleet(spec, tmp_path / "plan", stack.env, check=True, diff=True, callback="default")
    assert first.rc == 0, first
    assert shown_plan(first, stack) == FIRST_PLAN
    # The whole output at default verbosity (task headers, recap, Nomad's warnings included).
    per_agent = len(first.stdout.splitlines()) / AGENTS
    print("first plan: %d lines, %.1f per agent" % (len(first.stdout.splitlines()), per_agent))
    assert per_agent < 40, first.stdout

    plan_file = tmp_path / "out" / "plan.json"
    applied = run_fleet(spec, tmp_path / "apply", stack.env)
    assert applied.rc == 0, applied
    again = run_fleet(spec, tmp_path / "again", stack.env, check=True, diff=True, callback="default",
                      extra={"fleet_fail_on_changes": True, "fleet_plan_file": str(plan_file)})
    assert again.rc == 0, again
    assert shown_plan(again, stack) == NO_CHANGE
    document = json.loads(plan_file.read_text())
    assert document["changes"] is False and document["mode"] == "plan" and document["agents"] == {}
    assert oct(plan_file.stat().st_mode & 0o777) == "0o600"

    changed = copy.deepcopy(spec)
    retriever = agent(changed, "research", "retriever")
    retriever["version"] = "1.5.0"
    retriever["vault"] = {"token_ttl": "20m"}
    retriever["checks"]["readiness"]["timeout"] = "3s"
    drift = run_fleet(changed, tmp_path / "drift", stack.env, check=True, diff=True, callback="default",
                      extra={"fleet_fail_on_changes": True, "fleet_plan_file": str(plan_file)})
    assert shown_plan(drift, stack) == ONE_CHANGE
    assert drift.rc != 0 and "the clusters differ from the fleet spec: Vault: 0 to add, 1 to change" in drift.stdout
    document = json.loads(plan_file.read_text())
    assert document["changes"] is True and list(document["agents"]) == ["research/retriever"]
    assert stack.openbao.token not in plan_file.read_text()
    # Check mode wrote nothing: the live job still has the old version.
    assert stack.nomad.jobs("research")["retriever"]["Meta"]["agentfleet_agent_version"] == "1.4.2"
