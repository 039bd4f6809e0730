"""The fleet_validate / fleet_render filters are thin shells over the core."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.agentfleet.hashistack.plugins.filter.fleet import FilterModule
from tests.unit.plugins.module_utils.fleet import specs

FILTERS = FilterModule().filters()


def test_fleet_validate_lists_errors_with_paths():
    spec = specs.fleet([specs.batch(resources={"cpu": 100000, "memory": 10})])
    assert FILTERS["fleet_validate"](spec) == [
        "tenants.team.agents.crunch.resources.cpu: exceeds the guardrail of 4000 per task (got 100000)"]
    assert FILTERS["fleet_validate"](specs.fleet([specs.batch()])) == []


def test_fleet_render_returns_objects_or_fails_with_every_error():
    rendered = FILTERS["fleet_render"](specs.fleet([specs.service("api")]))
    assert [j["job_id"] for j in rendered["jobs"]] == ["api"]
    assert rendered["vault_roles"][0]["mount"] == "jwt-nomad"
    with pytest.raises(AnsibleFilterError, match="tenants.team.agents.api.image: must be pinned"):
        FILTERS["fleet_render"](specs.fleet([specs.service("api", image="registry.example.com/agents/api:1")]))
