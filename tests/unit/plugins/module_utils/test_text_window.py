"""Old/new values cut for people: the changed part stays visible on both sides."""
from hypothesis import given, strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils.text_window import first_difference, shorten, window

OTEL = "service.namespace=research,service.version=1.4.2,service.instance.id=${NOMAD_ALLOC_ID},agentfleet.fleet=lab"


def test_short_values_are_kept_whole():
    assert window("1.0", "1.1", 20) == ("1.0", "1.1")


def test_a_change_past_the_cut_stays_visible_on_both_sides():
    old, new = window(OTEL, OTEL.replace("1.4.2", "2.0.0"), 40)
    assert "1.4.2" in old and "2.0.0" in new
    assert old.startswith("...") and old.endswith("...") and len(old) <= 40 and len(new) <= 40
    # The old way (both cut at the same point) showed two identical texts.
    assert OTEL[:37] == OTEL.replace("1.4.2", "2.0.0")[:37]


def test_only_the_long_side_is_cut():
    old, new = window("short", "x" * 100, 20)
    assert old == "short" and new == "x" * 17 + "..."


def test_first_difference_and_shorten():
    assert first_difference("abc", "abd") == 2 and first_difference("ab", "abc") == 2
    assert shorten("abcdef", 5) == "ab..." and shorten("abc", 5) == "abc"


@given(st.text(min_size=0, max_size=200), st.text(min_size=0, max_size=200), st.integers(10, 80))
def test_window_bounds_and_keeps_the_difference(old, new, width):
    cut_old, cut_new = window(old, new, width)
    assert len(cut_old) <= max(width, len(old)) and len(cut_old) <= width or cut_old == old
    assert len(cut_new) <= width or cut_new == new
    if old != new:
        assert cut_old != cut_new or (old.startswith(new) or new.startswith(old))
