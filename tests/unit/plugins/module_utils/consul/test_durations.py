"""Go durations: parsing both spellings Consul uses and formatting like Go does."""
import pytest
from hypothesis import given, strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul._durations import (
    canonical_duration,
    format_duration,
    parse_duration,
)


@pytest.mark.parametrize("text,nanos", [
    ("10s", 10 * 10 ** 9), ("1m30s", 90 * 10 ** 9), ("1.5s", 1_500_000_000), ("500ms", 500 * 10 ** 6),
    ("1h", 3600 * 10 ** 9), ("250us", 250_000), ("0", 0), (15_000_000_000, 15_000_000_000),
])
def test_parse(text, nanos):
    assert parse_duration(text) == nanos


@pytest.mark.parametrize("nanos,text", [
    (10 * 10 ** 9, "10s"), (90 * 10 ** 9, "1m30s"), (3600 * 10 ** 9, "1h0m0s"), (1_500_000_000, "1.5s"),
    (500 * 10 ** 6, "500ms"), (0, "0s"), (1500, "1.5\u00b5s"),
])
def test_format_like_go(nanos, text):
    assert format_duration(nanos) == text


@pytest.mark.parametrize("bad", ["", "10", "ten seconds", "5x", "1s2", True, None, [1]])
def test_invalid_durations_are_refused(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_int_nanoseconds_and_string_are_the_same_duration():
    assert canonical_duration(10_000_000_000) == canonical_duration("10s") == "10s"


@given(st.integers(min_value=0, max_value=10 ** 15))
def test_format_then_parse_round_trips(nanos):
    assert parse_duration(format_duration(nanos)) == nanos
