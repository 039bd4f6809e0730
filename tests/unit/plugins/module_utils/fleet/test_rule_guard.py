"""rules/values.requires_object: every check of one API object refuses a non-object first."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.consul import entry_problems
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.job import (
    constraint_problems,
    spread_problems,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.services import (
    check_problems,
    service_problems,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.tasks import (
    identity_problems,
    resources_problems,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.values import requires_object


@pytest.mark.parametrize("check, message", [
    (entry_problems, "a config entry must be an object"),
    (check_problems, "a check must be an object"),
    (service_problems, "a service must be an object"),
    (constraint_problems, "must be an object"),
    (spread_problems, "must be an object"),
    (resources_problems, "Missing task resources"),
    (identity_problems, "must not be nil"),
])
@pytest.mark.parametrize("value", [None, [], "x", 3])
def test_a_non_object_gets_one_problem(check, message, value):
    assert check(value) == [("", message)]


def test_an_object_runs_the_check_with_its_arguments():
    seen = []

    @requires_object("nope")
    def probe(value, flag=False):
        """Docstring kept."""
        seen.append((value, flag))
        return []

    assert probe({"a": 1}, flag=True) == [] and seen == [({"a": 1}, True)]
    assert probe(None) == [("", "nope")] and len(seen) == 1
    assert probe.__doc__ == "Docstring kept." and probe.__name__ == "probe"
    # A real check on a real object still reports its own problems.
    assert ("Attribute", "Missing spread attribute") in spread_problems({"Weight": 50})
