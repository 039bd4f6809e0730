"""The one Go duration parser/formatter (grammar of Go's time.ParseDuration)."""
import pytest
from hypothesis import given, strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils import go_duration as D

H, M, S = 3600 * 10 ** 9, 60 * 10 ** 9, 10 ** 9


@pytest.mark.parametrize("text,ns", [
    # the three parsers this one replaces disagreed on each of these
    ("1.5h", 5400 * S), ("0", 0), ("3\u00b5s", 3000), ("3\u03bcs", 3000),
    ("0s", 0), ("-0", 0), ("+5s", 5 * S), ("-1.5s", -1_500_000_000), ("30s", 30 * S),
    ("1h30m", 90 * M), ("250ms", 250 * 10 ** 6), ("7us", 7000), ("3ns", 3), (".5s", S // 2),
    ("1.s", S), ("1h0m5s", 3605 * S), ("2h45m30.5s", 2 * H + 45 * M + 30 * S + S // 2),
    ("1.0000000001s", S), ("9223372036854775807ns", 2 ** 63 - 1), ("2562047h", 2562047 * H),
    ("-9223372036854775808ns", -(2 ** 63)),
])
def test_accepts_go_grammar(text, ns):
    assert D.parse(text) == ns


@pytest.mark.parametrize("text", [
    "", "+", "-", "30", "1", "7d", "1w", "s", ".s", "1..5s", " 1s", "1s ", "1 s", "1h x", "h1",
    "1h-5m", "1S", "1Ms", "ten seconds", "9223372036854775808ns", "2562048h",
    "99999999999999999999h", "1e3s", "0x10s", "\u0661s",
])
def test_refuses(text):
    with pytest.raises(D.DurationError):
        D.parse(text)


@pytest.mark.parametrize("value", [30, 1.5, None, True, ["1s"], {"a": 1}])
def test_refuses_non_strings(value):
    with pytest.raises(D.DurationError):
        D.parse(value)


def test_overflow_message_says_the_limit():
    with pytest.raises(D.DurationError, match="overflows a Go duration"):
        D.parse("99999999999999999999h")


def test_days_only_where_the_caller_allows_them():
    assert not D.is_duration("7d")
    assert D.seconds_or_duration("7d", "ttl", whole_days=True) == 7 * 86400
    with pytest.raises(D.DurationError):
        D.seconds_or_duration("7d", "ttl")
    with pytest.raises(D.DurationError):  # Vault: whole days only (parseutil.ParseDurationSecond)
        D.seconds_or_duration("1d12h", "ttl", whole_days=True)


@pytest.mark.parametrize("ns,text", [
    (10 * S, "10s"), (90 * S, "1m30s"), (H, "1h0m0s"), (1_500_000_000, "1.5s"), (500 * 10 ** 6, "500ms"),
    (0, "0s"), (1500, "1.5\u00b5s"), (3, "3ns"), (-90 * S, "-1m30s"), (2 ** 63 - 1, "2562047h47m16.854775807s"),
])
def test_formats_like_go(ns, text):
    assert D.format_duration(ns) == text


@given(st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1))
def test_format_then_parse_round_trips(ns):
    assert D.parse(D.format_duration(ns)) == ns


def test_api_values_in_either_spelling():
    assert D.canonical(10_000_000_000) == D.canonical("10s") == D.canonical(10_000_000_000.0) == "10s"
    for bad in ("10", True, None, [1], 2 ** 63):
        with pytest.raises(D.DurationError):
            D.canonical(bad)


@pytest.mark.parametrize("value,seconds", [
    (None, None), (0, 0), (90, 90), ("90", 90), ("90s", 90), ("15m", 900), ("1h30m", 5400),
    ("7d", 604800), ("1.5h", 5400), ("1500ms", 1), (3600.0, 3600), ("0", 0),
])
def test_seconds_or_duration_for_vault(value, seconds):
    assert D.seconds_or_duration(value, "ttl", whole_days=True) == seconds


@pytest.mark.parametrize("value", ["", "abc", "1w", "h1", "1h x", "-5", -5, True, "1h-5m", "-1s",
                                   float("nan"), float("inf"), "99999999999999999999h"])
def test_seconds_or_duration_refuses_naming_option_and_value(value):
    with pytest.raises(D.DurationError) as err:
        D.seconds_or_duration(value, "token_ttl", whole_days=True)
    assert "token_ttl" in str(err.value) and repr(value) in str(err.value)


@given(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))
def test_units_add_up(h, m, s):
    assert D.seconds_or_duration(f"{h}h{m}m{s}s", whole_days=True) == h * 3600 + m * 60 + s


@pytest.mark.parametrize("ns,text", [
    (0, "0s"), (120 * S, "2m"), (H, "1h"), (H + 30 * S, "1h30s"), (90 * S, "1m30s"), (1_500_000_000, "1.5s"),
    (500, "500ns"), (2500, "2.5\u00b5s"), (250 * 10 ** 6, "250ms"), (24 * H, "24h"), (-120 * S, "-2m"),
    (25 * M + S // 2, "25m0.5s"),
])
def test_format_human_leaves_out_zero_parts(ns, text):
    assert D.format_human(ns) == text


@given(st.integers(-(2 ** 63), 2 ** 63 - 1))
def test_format_human_reads_back_as_the_same_duration(ns):
    assert D.parse(D.format_human(ns)) == ns
