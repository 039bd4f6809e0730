import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._durations import parse_duration


@pytest.mark.parametrize("value,seconds", [
    (None, None), (0, 0), (90, 90), ("90", 90), ("90s", 90), ("15m", 900), ("1h30m", 5400),
    ("7d", 604800), (" 2H ", 7200), ("1.5h", 5400), ("1500ms", 1), (3600.0, 3600),
])
def test_parses(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "abc", "1w", "h1", "1h x", "-5", -5, True, "1h-5m"])
def test_rejects_naming_option_and_value(value):
    with pytest.raises(ValueError) as err:
        parse_duration(value, "token_ttl")
    assert "token_ttl" in str(err.value) and repr(value) in str(err.value)


@given(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))
def test_units_add_up(d, h, m, s):
    assert parse_duration(f"{d}d{h}h{m}m{s}s") == d * 86400 + h * 3600 + m * 60 + s
