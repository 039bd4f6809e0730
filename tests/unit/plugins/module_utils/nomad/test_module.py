"""Range checks of the Nomad connection options (before any client is built)."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import (
    connection_argument_spec, connection_problem)

DEFAULTS = {k: v.get("default") for k, v in connection_argument_spec().items()}


def test_defaults_are_fine():
    assert connection_problem(DEFAULTS) is None
    assert (DEFAULTS["timeout"], DEFAULTS["retries"], DEFAULTS["retry_delay"], DEFAULTS["fail_fast_after"]) == \
        (10.0, 3, 0.5, 3)


@pytest.mark.parametrize("key,value", [("retries", -1), ("timeout", 0), ("timeout", -2.5), ("retry_delay", -0.1),
                                       ("fail_fast_after", -1), ("retry_delay", None)])
def test_out_of_range_values_are_named(key, value):
    msg = connection_problem(dict(DEFAULTS, **{key: value}))
    assert msg.startswith("%s=%s: write retries >= 0, timeout > 0" % (key, value))


def test_zero_retries_and_zero_fail_fast_are_allowed():
    assert connection_problem(dict(DEFAULTS, retries=0, fail_fast_after=0, retry_delay=0)) is None
