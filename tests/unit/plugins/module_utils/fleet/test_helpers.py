"""Cron expressions (durations: tests/unit/plugins/module_utils/test_go_duration.py)."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.cron import check_cron


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
