"""Go formatting helpers the validation messages rely on (gofmt.py)."""
import pytest

from tests.support.nomad_api import gofmt

SECOND = 1_000_000_000


@pytest.mark.parametrize("ns, text", [
    (0, "0s"), (1, "1ns"), (1_500, "1.5\u00b5s"), (2_000_000, "2ms"), (500_000_000, "500ms"),
    (SECOND, "1s"), (1_500_000_000, "1.5s"), (90 * SECOND, "1m30s"), (300 * SECOND, "5m0s"),
    (3600 * SECOND, "1h0m0s"), (-SECOND, "-1s"), (26 * 3600 * SECOND, "26h0m0s"),
])
def test_duration_prints_like_go(ns, text):
    assert gofmt.duration(ns) == text


def test_quoting_like_go_verbs():
    assert gofmt.q('a"b') == '"a\\"b"'
    assert gofmt.qlist(["constant", "exponential"]) == '["constant" "exponential"]'
    assert gofmt.vlist(["agent", "prio"]) == "[agent prio]"
