"""Derived names are injective over (fleet, tenant, agent) and the spec refuses names that
would break that, or exceed the targets' limits, with path-qualified errors."""
from hypothesis import given, settings, strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api, naming

from . import specs

# A small alphabet so that hyphen placement is what tells names apart (the collision risk).
WORD = st.text("ab1", min_size=1, max_size=3)
NAME = st.builds(lambda first, rest: "-".join([first] + rest), st.text("ab", min_size=1, max_size=3),
                 st.lists(WORD, max_size=3))
TRIPLE = st.tuples(NAME, NAME, NAME)


@settings(max_examples=200, deadline=None)
@given(TRIPLE, TRIPLE)
def test_distinct_triples_never_share_a_derived_name(one, two):
    assert all(naming.name_problem(n) is None for n in one + two)
    if one != two:
        assert naming.agent_object_name(*one) != naming.agent_object_name(*two)
    if one[:2] != two[:2]:
        assert naming.tenant_object_name(*one[:2]) != naming.tenant_object_name(*two[:2])


@settings(max_examples=200, deadline=None)
@given(TRIPLE)
def test_a_derived_name_splits_back_into_its_triple(triple):
    name = naming.agent_object_name(*triple)
    assert naming.parse_agent_object_name(name) == triple
    # Nomad's service and policy name rules hold for every derived name of valid parts.
    assert all(c.isalnum() or c == "-" for c in name)


def test_the_legacy_collision_is_gone():
    # "prod" + "eu-team" and "prod-eu" + "team" were both "prod-eu-team" joined with "-".
    assert naming.tenant_object_name("prod", "eu-team") == "prod--eu-team"
    assert naming.tenant_object_name("prod-eu", "team") == "prod-eu--team"
    assert naming.agent_object_name("prod", "eu-team", "x") != naming.agent_object_name("prod-eu", "team", "x")


def test_names_that_are_not_derived_names_do_not_parse():
    for name in ("prod-eu-team-x", "prod--eu--team--x", "prod--x", "prod----x", "Prod--t--a", "prod--t--a-", ""):
        assert naming.parse_agent_object_name(name) is None, name


def test_name_problem_says_what_to_write_instead():
    assert "single hyphens" in naming.name_problem("eu--team") and "'eu-team'" in naming.name_problem("eu--team")
    assert "at most 32" in naming.name_problem("a" * 33)
    assert naming.name_problem("eu-team") is None


def _errors(spec):
    return [str(e) for e in api.validate(spec)]


def test_spec_refuses_the_separator_in_fleet_tenant_and_agent_names():
    spec = specs.fleet(tenants={"eu--team": {"agents": [specs.service("my--api")]}}, name="prod--eu")
    errors = _errors(spec)
    assert any(e.startswith("name: contains '--'") and '(got "prod--eu")' in e for e in errors), errors
    assert any(e.startswith("tenants.eu--team: tenant name contains '--'") for e in errors), errors
    assert any(e.startswith("tenants.eu--team.agents.my--api.name: agent name contains '--'") for e in errors), errors


def test_spec_refuses_a_derived_service_name_nomad_would_refuse():
    fleet_name, tenant, agent = "f" * 32, "t" * 20, "a" * 10  # 32 + 2 + 20 + 2 + 10 = 66 > 63
    spec = specs.fleet(tenants={tenant: {"agents": [specs.service(agent, secrets=[])]}}, name=fleet_name)
    errors = _errors(spec)
    assert [e for e in errors if "derived service name" in e] == [
        f"tenants.{tenant}.agents.{agent}.name: the derived service name '{fleet_name}--{tenant}--{agent}' is 66 "
        "characters; Nomad refuses service names over 63 (RFC 1123): shorten the fleet, tenant or agent name by 3 "
        f'(got "{agent}")']
    spec["tenants"] = {tenant[:17]: spec["tenants"][tenant]}
    assert _errors(spec) == []
