"""Exact ownership markers: every object type is owned by exactly the fleet its marker
names; ``prod`` never owns what ``prod-eu`` wrote, nor the reverse."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api, ownership

from . import specs

PAIRS = [("prod", "prod-eu"), ("prod-eu", "prod"), ("a", "a-b"), ("a-b", "a")]


def _render(name, tenant):
    spec = specs.fleet(tenants={tenant: {"agents": [specs.service("api", secrets=[
        {"path": f"{tenant}/api/llm", "env": {"LLM_KEY": "k"}}])], "budget": {"cpu": 9000}, "quota": True}},
        name=name)
    return api.render(api.load_spec(spec))


@pytest.mark.parametrize("mine,theirs", PAIRS)
def test_each_object_type_is_owned_only_by_its_own_fleet(mine, theirs):
    ours, other = _render(mine, "team"), _render(theirs, "team")
    for rendered, fleet, owned in ((ours, mine, True), (other, mine, False), (other, theirs, True)):
        job = dict(rendered.jobs[0]["job"]["Job"])
        job["Meta"] = dict(job["Meta"], agentfleet_owner=ownership.owner_token(rendered.summary["fleet"]))
        assert ownership.job_owned(job, fleet) is owned
        assert ownership.meta_owned(rendered.namespaces[0], fleet) is owned
        assert ownership.description_owned(rendered.acl_policies[0], fleet) is owned
        assert ownership.description_owned(rendered.quotas[0], fleet) is owned
        pol = rendered.vault_policies[0]
        assert ownership.vault_policy_owned(pol["name"], pol["policy"], fleet) is owned
        role = rendered.vault_roles[0]
        owned_policies = [pol["name"]] if owned else []
        assert ownership.jwt_role_owned(role["name"], role["role"], fleet, owned_policies) is owned
        for entry in rendered.consul_entries:
            assert ownership.meta_owned(entry["entry"], fleet) is owned


def test_job_needs_both_exact_markers():
    meta = {"agentfleet_fleet": "prod", "agentfleet_owner": "agentfleet.fleet/prod"}
    assert ownership.job_owned({"Meta": meta}, "prod")
    assert not ownership.job_owned({"Meta": dict(meta, agentfleet_owner="agentfleet.fleet/prod-eu")}, "prod")
    assert not ownership.job_owned({"Meta": {"agentfleet_fleet": "prod"}}, "prod")
    assert not ownership.job_owned({"Meta": meta}, "pro")
    assert not ownership.job_owned(None, "prod")


def test_description_token_is_a_whole_word():
    assert ownership.description_owner({"Description": "agentfleet.fleet/prod tenant x"}) == "prod"
    assert ownership.description_owner({"Description": "agentfleet.fleet/prod-eu tenant x"}) == "prod-eu"
    for legacy in ("agentfleet prod: submit/read jobs in namespace x", "agentfleet.fleet/", "", None):
        assert ownership.description_owner({"Description": legacy}) is None


def test_vault_policy_header_must_be_the_first_line_exactly_and_match_the_name():
    text = ownership.policy_header("prod", "eu-team", "api") + "\npath \"x\" {}\n"
    assert ownership.vault_policy_owned("prod--eu-team--api", text, "prod")
    assert not ownership.vault_policy_owned("prod--eu-team--other", text, "prod")
    assert not ownership.vault_policy_owned("prod--eu-team--api", "\n" + text, "prod")
    assert not ownership.vault_policy_owned("prod--eu-team--api", text.replace("api\n", "api extra\n", 1), "prod")
    assert not ownership.vault_policy_owned("prod--eu-team--api", None, "prod")


def test_refusal_names_the_object_and_its_owner():
    msg = ownership.refusal("nomad acl policy", "prod--team", "prod-eu", "prod")
    assert "'prod--team'" in msg and "owned by fleet 'prod-eu'" in msg and "not owned by fleet 'prod'" in msg
    assert "has no agentfleet ownership marker" in ownership.refusal("vault policy", "x", None, "prod")
