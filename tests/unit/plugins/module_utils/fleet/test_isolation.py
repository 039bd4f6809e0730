"""Tenant isolation: secrets under the tenant's own prefix and upstreams inside the tenant,
unless an explicit share says otherwise; refusals carry the spec path and what to write."""
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api

from . import specs


def _two_tenants(research_agents, support_agents, **extra):
    return specs.fleet(tenants={"research": {"agents": research_agents},
                                "support": {"agents": support_agents}}, **extra)


def _secret(path, **extra):
    return [dict({"path": path, "env": {"LLM_KEY": "api_key"}}, **extra)]


def _errors(spec):
    return [str(e) for e in api.validate(spec)]


def test_own_tenant_prefix_is_allowed():
    spec = _two_tenants([specs.service("a", secrets=_secret("research/a/llm") + _secret("research/shared", env={
        "OTHER_KEY": "k"}))], [specs.service("b", secrets=_secret("support/b/llm"))])
    assert _errors(spec) == []


def test_another_tenants_secret_is_refused_with_its_path():
    spec = _two_tenants([specs.service("a", secrets=_secret("support/triage/tls"))],
                        [specs.service("b", secrets=_secret("support/b/llm"))])
    assert _errors(spec) == [
        "tenants.research.agents.a.secrets[0].path: is outside tenant research's secrets (research/...): put the "
        "secret under 'research/', or have the platform team share it with guardrails.shared_secret_paths: "
        '[{path: support/triage/tls, tenants: [research]}] (got "support/triage/tls")']
    rendered_nothing = api.validate(spec)
    assert rendered_nothing  # load_spec would raise: nothing is rendered or written


def test_prefix_is_compared_by_whole_segments():
    spec = specs.fleet(tenants={"team": {"agents": [specs.service("a", secrets=_secret("team-b/x"))]},
                                "team-b": {"agents": [specs.service("b", secrets=_secret("team-b/y"))]}})
    assert [e.split(":")[0] for e in _errors(spec)] == ["tenants.team.agents.a.secrets[0].path"]
    spec = specs.fleet(tenants={"team": {"agents": [specs.service("a", secrets=_secret("team"))]}})
    assert _errors(spec) == []


def test_explicit_share_allows_only_the_listed_tenants_and_mount():
    share = {"path": "shared/llm", "tenants": ["research"]}
    spec = _two_tenants([specs.service("a", secrets=_secret("shared/llm/openai"))],
                        [specs.service("b", secrets=_secret("shared/llm/openai"))])
    spec["guardrails"]["shared_secret_paths"] = [share]
    assert [e.split(":")[0] for e in _errors(spec)] == ["tenants.support.agents.b.secrets[0].path"]
    share["tenants"].append("support")
    assert _errors(spec) == []
    share["mount"] = "kv-shared"  # the share is for another mount than the one the secrets use
    assert len(_errors(spec)) == 2
    for agent in (spec["tenants"]["research"]["agents"][0], spec["tenants"]["support"]["agents"][0]):
        agent["secrets"][0]["mount"] = "kv-shared"
    assert _errors(spec) == []


def test_share_naming_an_unknown_tenant_is_an_error():
    spec = _two_tenants([specs.service("a", secrets=[])], [specs.service("b", secrets=[])])
    spec["guardrails"]["shared_secret_paths"] = [{"path": "shared", "tenants": ["nobody"]}]
    assert _errors(spec) == ['guardrails.shared_secret_paths[0].tenants[0]: names no tenant of this fleet (got "nobody")']


def _caller():
    return specs.dispatch("caller", secrets=[], ports={"admin": {"to": 8081}},
                          upstreams=[{"service": "research/a", "local_port": 9001}])


def test_cross_tenant_upstream_is_refused_unless_accepted():
    spec = _two_tenants([specs.service("a", secrets=[])], [_caller()])
    assert _errors(spec) == [
        "tenants.support.agents.caller.upstreams[0].service: calls tenant research, which does not accept tenant "
        "support: add allow_upstream_from: [support] to tenants.research, or a guardrail shared_upstreams: "
        '[{service: research/a, tenants: [support]}] (got "research/a")']


def test_target_tenant_may_accept_callers():
    spec = _two_tenants([specs.service("a", secrets=[])], [_caller()])
    spec["tenants"]["research"]["allow_upstream_from"] = ["support"]
    assert _errors(spec) == []
    rendered = api.render(api.load_spec(spec))
    intentions = {e["name"]: e["entry"] for e in rendered.consul_entries if e["kind"] == "service-intentions"}
    assert [s["Name"] for s in intentions["lab--research--a"]["Sources"]] == ["lab--support--caller"]


def test_guardrail_may_share_one_service():
    spec = _two_tenants([specs.service("a", secrets=[])], [_caller()])
    spec["guardrails"]["shared_upstreams"] = [{"service": "research/a", "tenants": ["support"]}]
    assert _errors(spec) == []
    spec["guardrails"]["shared_upstreams"] = [{"service": "research/zz", "tenants": ["support", "ghost"]}]
    errors = _errors(spec)
    assert 'guardrails.shared_upstreams[0].service: names no agent of this fleet (got "research/zz")' in errors
    assert 'guardrails.shared_upstreams[0].tenants[1]: names no tenant of this fleet (got "ghost")' in errors
    assert any(e.startswith("tenants.support.agents.caller.upstreams[0].service: calls tenant research") for e in errors)
