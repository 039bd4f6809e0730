"""Durations and cron expressions."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.cron import check_cron
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.durations import (
    format_duration, parse_duration)


@pytest.mark.parametrize("text,ns", [("30s", 30 * 10 ** 9), ("1h30m", 5400 * 10 ** 9), ("250ms", 250 * 10 ** 6),
                                     ("0s", 0), ("1h0m5s", 3605 * 10 ** 9), ("7us", 7000), ("3ns", 3)])
def test_parse_duration(text, ns):
    assert parse_duration(text) == ns
    assert parse_duration(format_duration(ns)) == ns


@pytest.mark.parametrize("text", ["", "30", "1.5h", "-1s", "1d", "s", " 1s", 30, None])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("expr", ["* * * * *", "*/5 0-6 1,15 jan-mar mon-fri", "0 3 * * 7", "@daily",
                                  "0 0 ? * sun", "0 12 1 1 * 2030", "5-10/2 * * * *", "@hourly"])
def test_cron_accepts(expr):
    check_cron(expr)


@pytest.mark.parametrize("expr,why", [("60 * * * *", "minute: 60"), ("* 24 * * *", "hour: 24"),
                                      ("* * 0 * *", "day-of-month: 0"), ("* * * 13 *", "month: 13"),
                                      ("* * * * 8", "day-of-week: 8"), ("* * *", "needs 5 fields"),
                                      ("@often", "unknown shortcut"), ("10-5 * * * *", "runs backwards"),
                                      ("*/0 * * * *", "step"), ("0 0 L * *", "not a number"),
                                      ("? * * * *", "minute"), ("", "non-empty")])
def test_cron_rejects(expr, why):
    with pytest.raises(ValueError, match=why):
        check_cron(expr)
