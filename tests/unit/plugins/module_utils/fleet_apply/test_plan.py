"""The human plan: one block per changing agent, Nomad's annotations, "would" wording,
human durations, no false removals, footers that add up."""
from hypothesis import given, strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.plan import (
    BACKENDS, build_plan, footer, plan_lines)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.report import build_report
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.jobs import readable_diff, summarize_plan

AGENTS = ["t/a", "t/b"]


def res(obj, name, agent, outcome, **kw):
    return dict(object=obj, name=name, agent=agent, outcome=outcome, **kw)


def plan_of(applied, pruned=(), check=True, agents=tuple(AGENTS), waits=()):
    return build_plan(build_report(list(agents), applied, waits, pruned), applied, pruned, check=check)


NOMAD_PLAN = {"Diff": {"Type": "Edited", "ID": "a", "Fields": [
    {"Type": "Edited", "Name": "Meta[agentfleet_agent_version]", "Old": "1.0", "New": "1.1"}],
    "TaskGroups": [{"Type": "Edited", "Name": "a", "Updates": {"canary": 1, "ignore": 2},
                    "Objects": [{"Type": "Edited", "Name": "Update", "Fields": [
                        {"Type": "Edited", "Name": "HealthyDeadline", "Old": "180000000000", "New": "300000000000"}]}],
                    "Tasks": [{"Type": "Edited", "Name": "a", "Annotations": ["forces create/destroy update"],
                               "Fields": [{"Type": "Edited", "Name": "Env[AGENT_VERSION]", "Old": "1.0",
                                           "New": "1.1"}]}]}]}}


def test_check_mode_block_with_nomads_annotations_and_durations():
    applied = [res("vault_policy", "f--t--a", "t/a", "unchanged"),
               res("vault_jwt_role", "f--t--a", "t/a", "updated", differences=["token_ttl"]),
               res("consul_service_defaults", "f--t--a", "t/a", "updated", kind="service-defaults",
                   differences=["UpstreamConfig.Defaults.ConnectTimeoutMs: 2000 -> 3000"]),
               res("job", "a", "t/a", "updated", namespace="t", plan={"changes": summarize_plan(NOMAD_PLAN)}),
               res("job", "b", "t/b", "unchanged", namespace="t", plan={"changes": []})]
    plan = plan_of(applied)
    assert plan["changes"] is True
    assert plan_lines(plan) == [
        "t/a: would be updated",
        "  ~ vault jwt role f--t--a: would update",
        "      changed: token_ttl",
        "  ~ consul service-defaults f--t--a: would update",
        "      UpstreamConfig.Defaults.ConnectTimeoutMs: 2000 -> 3000",
        "  ~ nomad job t/a: would update",
        '      +/- Meta[agentfleet_agent_version]: "1.0" => "1.1"',
        '      +/- Task Group: "a" (1 canary, 2 ignore)',
        "        +/- Update.HealthyDeadline: 3m => 5m",
        '        +/- Task: "a" (forces create/destroy update)',
        '          +/- Env[AGENT_VERSION]: "1.0" => "1.1"',
        "Vault: 0 to add, 1 to change, 0 to destroy (1 unchanged).",
        "Consul: 0 to add, 1 to change, 0 to destroy (0 unchanged).",
        "Nomad: 0 to add, 1 to change, 0 to destroy (1 unchanged).",
    ]


def test_applied_words_are_past_tense():
    applied = [res("vault_policy", "f--t--a", "t/a", "created"), res("job", "a", "t/a", "updated", namespace="t",
                                                                     plan={"changes": summarize_plan(NOMAD_PLAN)})]
    lines = plan_lines(plan_of(applied, check=False))
    assert lines[0] == "t/a: updated"
    assert "  + vault policy f--t--a: created" in lines and "  ~ nomad job t/a: updated" in lines
    assert lines[-3:] == ["Vault: 1 added, 0 changed, 0 destroyed (0 unchanged).",
                          "Consul: no objects applied (the phase did not run).",  # no Consul result at all
                          "Nomad: 0 added, 1 changed, 0 destroyed (0 unchanged)."]
    assert not any("would" in line for line in lines)


def test_a_new_agent_would_be_created_and_a_new_object_shows_no_fields():
    applied = [res("consul_service_defaults", "f--t--a", "t/a", "created", kind="service-defaults",
                   differences=["Kind: added", "Name: added", "Protocol: added"]),
               res("job", "a", "t/a", "created", namespace="t",
                   plan={"changes": ['+ Job: "a"', '  + Task Group: "a" (count 2)']})]
    assert plan_lines(plan_of(applied))[:4] == [
        "t/a: would be created",
        "  + consul service-defaults f--t--a: would create",
        "  + nomad job t/a: would create",
        '      + Task Group: "a" (count 2)',
    ]


def test_no_change_plan_is_one_line_per_backend():
    applied = [res("vault_policy", "p", "t/a", "unchanged"), res("consul_service_defaults", "c", "t/a", "unchanged"),
               res("namespace", "t", None, "unchanged"), res("job", "a", "t/a", "unchanged", plan={"changes": []})]
    plan = plan_of(applied)
    assert plan["changes"] is False
    assert plan_lines(plan) == ["Vault: 0 to add, 0 to change, 0 to destroy (1 unchanged).",
                                "Consul: 0 to add, 0 to change, 0 to destroy (1 unchanged).",
                                "Nomad: 0 to add, 0 to change, 0 to destroy (2 unchanged)."]


def test_prune_counts_as_destroy_and_fleet_objects_have_their_own_block():
    applied = [res("namespace", "t", None, "created", differences=[])]
    pruned = [res("job", "old", "t/old", "deleted", namespace="t"), res("consul_service_defaults", "x", None,
                                                                        "deleted", kind="service-defaults")]
    plan = plan_of(applied, pruned)
    lines = plan_lines(plan)
    assert lines[:3] == ["fleet:", "  - consul service-defaults x: would delete", "  + nomad namespace t: would create"]
    assert "t/old: would be pruned" in lines and "  - nomad job t/old: would delete" in lines
    assert lines[-1] == "Nomad: 1 to add, 0 to change, 1 to destroy (0 unchanged)."
    assert lines[-2] == "Consul: 0 to add, 0 to change, 1 to destroy (0 unchanged)."


def test_failures_and_not_applied_are_shown_once_with_their_reason():
    applied = [res("vault_policy", "p", "t/a", "failed", msg="vault policy 'p' exists and is not owned"),
               res("job", "b", "t/b", "not_applied", namespace="t", msg="not applied: namespace t failed first")]
    lines = plan_lines(plan_of(applied))
    assert lines.count("      vault policy 'p' exists and is not owned") == 1
    assert "t/a: failed" in lines and "  ! vault policy p: failed" in lines
    assert "t/b: would not be applied" in lines
    assert not any(line.startswith("  ! vault_policy p:") for line in lines)  # the report reason, not twice
    assert lines[-3] == "Vault: 0 to add, 0 to change, 0 to destroy, 1 failed (0 unchanged)."
    assert lines[-1] == "Nomad: 0 to add, 0 to change, 0 to destroy, 1 not applied (0 unchanged)."


def test_reasons_without_an_object_and_canaries_awaiting_promotion_are_shown():
    applied = [res("job", "a", "t/a", "updated", namespace="t", plan={"changes": []})]
    waits = [res("deployment", "a", "t/a", "awaiting_promotion", groups=["a"])]
    lines = plan_lines(plan_of(applied, check=False, waits=waits))
    assert "  canaries awaiting promotion: a" in lines
    report = build_report(AGENTS, [], phases={"preflight": {"failed": True, "msg": "Nomad unreachable"},
                                              "nomad": None})
    lines = plan_lines(build_plan(report, [], check=True, ran={"vault": False, "consul": False, "nomad": False}))
    assert lines[0].startswith("fleet: failed - the preflight phase failed: Nomad unreachable")
    assert "t/a: would not be applied" in lines
    assert any(line.startswith("  ! not applied: the preflight phase failed") for line in lines)
    assert lines[-1] == "Nomad: no objects planned (the phase did not run)."


def test_long_details_are_capped_at_normal_verbosity_and_whole_otherwise():
    changes = ['+/- Job: "a"'] + ['  +/- Env[V%02d]: "1" => "2"' % i for i in range(40)]
    plan = plan_of([res("job", "a", "t/a", "updated", namespace="t", plan={"changes": changes})])
    short, full = plan_lines(plan), plan_lines(plan, None)
    assert len(full) == 2 + 40 + 3
    assert len(short) == 2 + 15 + 1 + 3 and "25 more line(s)" in short[17]


def test_a_server_default_never_reads_as_removed():
    """The readable before/after of a job Nomad has stored with defaults the spec never set
    and lists in another order: before == after, so nothing is shown as removed."""
    ports = [{"Label": "http"}, {"Label": "admin"}]
    templates = [{"DestPath": "x"}, {"DestPath": "y"}]
    desired = {"ID": "a", "TaskGroups": [{"Name": "a", "Networks": [{"DynamicPorts": ports}],
                                          "Tasks": [{"Name": "a", "Templates": templates}]}]}
    live = {"ID": "a", "Version": 3, "TaskGroups": [{"Name": "a", "Networks": [{"DynamicPorts": [
        {"Label": "admin", "HostNetwork": "default"}, {"Label": "http", "HostNetwork": "default"}]}],
        "Tasks": [{"Name": "a", "Templates": [{"DestPath": "y", "Splay": 5000000000},
                                              {"DestPath": "x", "Splay": 5000000000}]}]}]}
    diff = readable_diff(live, desired)
    assert diff["before"] == diff["after"]


OUTCOMES = ["created", "updated", "deleted", "unchanged", "failed", "not_applied", "absent", "promoted", "stopped"]
OBJECTS = ["vault_policy", "vault_jwt_role", "consul_service_defaults", "namespace", "job", "acl_policy"]


@given(st.lists(st.tuples(st.sampled_from(OBJECTS), st.sampled_from(OUTCOMES), st.sampled_from(AGENTS + [None])),
                max_size=30), st.booleans())
def test_footer_counts_add_up(items, check):
    applied = [res(obj, "o%d" % i, agent, outcome, namespace="t") for i, (obj, outcome, agent) in enumerate(items)]
    plan = plan_of(applied, check=check)
    every = ("add", "change", "destroy", "unchanged", "failed", "not_applied")
    assert sum(t[k] for t in plan["totals"].values() for k in every) == len(applied)
    shown = sum(len(b["objects"]) for b in plan["agents"].values()) + len(plan["fleet"])
    assert shown == sum(t[k] for t in plan["totals"].values() for k in every if k != "unchanged")
    changing = ("created", "updated", "deleted", "promoted", "stopped")
    assert plan["changes"] == any(outcome in changing for _obj, outcome, _agent in items)
    for backend in BACKENDS:
        assert footer(backend, plan["totals"][backend], check) in plan_lines(plan)


def test_an_applied_agent_shows_how_long_its_deployment_took():
    applied = [res("job", "a", "t/a", "updated", namespace="t", plan={"changes": summarize_plan(NOMAD_PLAN)}),
               res("job", "b", "t/b", "updated", namespace="t", plan={"changes": summarize_plan(NOMAD_PLAN)})]
    waits = [res("deployment", "a", "t/a", "successful", seconds=12.4, deployment_id="3f2a1b9c-1", healthy=3,
                 desired=3)]
    lines = plan_lines(plan_of(applied, check=False, waits=waits))
    assert "t/a: updated [deployed in 12.4 s]" in lines
    assert "t/b: updated" in lines  # no deployment waited for: no duration
    plan_mode = plan_lines(plan_of(applied, check=True, waits=waits))
    assert not any("deployed in" in line for line in plan_mode)  # check mode never claims a deployment


def test_an_adopted_object_is_a_change_in_the_plan_and_its_totals():
    applied = [res("vault_policy", "f--t--a", "t/a", "adopted", adoption="would adopt"),
               res("consul_service_defaults", "f--t--a", "t/a", "adopted", kind="service-defaults",
                   adoption="would adopt", differences=["Protocol: tcp -> http"])]
    plan = plan_of(applied)
    assert plan["changes"] is True  # drift detection (fail_on_changes) sees an adoption
    lines = plan_lines(plan)
    assert "  ~ vault policy f--t--a: would adopt" in lines
    assert "  ~ consul service-defaults f--t--a: would adopt" in lines and "      Protocol: tcp -> http" in lines
    assert "Vault: 0 to add, 1 to change, 0 to destroy (0 unchanged)." in lines
    assert "  ~ vault policy f--t--a: adopted" in plan_lines(plan_of(applied, check=False))
