"""FleetAction.finish: one message when the backend was taken as down (fast-fail)."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import (
    FleetAction, FleetActionFailed)


def _action():
    action = FleetAction.__new__(FleetAction)  # finish() needs no task or connection
    action.diff = False
    return action


def _results(count, failed):
    return [{"object": "job", "name": "j%d" % i, "outcome": "failed" if i < failed else "unchanged",
             "changed": False, "msg": "boom %d" % i} for i in range(count)]


def test_fast_fail_gives_one_message_and_keeps_every_result():
    down = "Nomad at http://n:4646 is not answering: 3 calls in a row failed (last: timed out after 10 s ...)"
    with pytest.raises(FleetActionFailed) as info:
        _action().finish(_results(50, 50), down=down)
    assert str(info.value) == down + "; 50 of 50 objects not applied"
    assert len(info.value.extra["results"]) == 50 and info.value.extra["summary"] == {"failed": 50}


def test_without_fast_fail_failures_are_listed():
    with pytest.raises(FleetActionFailed) as info:
        _action().finish(_results(3, 1))
    assert str(info.value) == "1 of 3 objects failed: job j0: boom 0"


def test_down_without_failures_does_not_fail():
    assert _action().finish(_results(2, 0), down="x")["summary"] == {"unchanged": 2}


def test_valid_args_are_the_options_and_their_aliases():
    class Probe(FleetAction):
        ARGSPEC = {"url": {"type": "str", "aliases": ["address"]}, "concurrency": {"type": "int"}}

    assert Probe._VALID_ARGS == frozenset({"url", "address", "concurrency"})


def test_fleet_actions_accept_their_options_and_aliases():
    from ansible_collections.agentfleet.hashistack.plugins.action import fleet_consul, fleet_nomad, fleet_vault
    assert fleet_consul.ActionModule._VALID_ARGS == frozenset(fleet_consul.ARGSPEC) | {"address"}
    for action in (fleet_nomad, fleet_vault):
        assert action.ActionModule._VALID_ARGS == frozenset(action.ARGSPEC)


@pytest.mark.parametrize("concurrency,ran", [(0, False), (1, True)])
def test_concurrency_below_one_fails_before_anything_runs(monkeypatch, concurrency, ran):
    from types import SimpleNamespace

    from ansible.plugins.action import ActionBase
    seen = []

    class Probe(FleetAction):
        ARGSPEC = {"concurrency": {"type": "int"}}

        def execute(self, params):
            seen.append(params)
            return {"changed": False}

    monkeypatch.setattr(ActionBase, "run", lambda self, tmp=None, task_vars=None: {})
    probe = Probe.__new__(Probe)
    probe.validate_argument_spec = lambda **kwargs: (None, {"concurrency": concurrency})
    probe._task = SimpleNamespace(check_mode=False, diff=False)
    result = probe.run()
    assert bool(seen) is ran
    if not ran:
        assert result["failed"] and result["msg"] == "concurrency: must be >= 1, got 0"


def test_load_bundle_without_a_bundle_names_what_is_needed(tmp_path):
    from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import load_bundle
    bare = {"fleet": "f", "agents": {}}
    assert load_bundle({"bundle": None, "phase": "stop", "fleet": "f"}, "stop", bare, "fleet") is bare
    with pytest.raises(FleetActionFailed, match=r"^bundle is required for phase=apply \(fleet for phase=stop\)$"):
        load_bundle({"bundle": None, "phase": "apply", "fleet": "f"}, "stop", bare, "fleet")
    with pytest.raises(FleetActionFailed, match=r"^bundle is required for phase=revoke \(fleet and names"):
        load_bundle({"bundle": None, "phase": "revoke", "fleet": None}, "revoke", bare, "fleet and names")
    broken = tmp_path / "bundle.json"
    broken.write_text("{not json")
    with pytest.raises(FleetActionFailed, match=str(broken)):
        load_bundle({"bundle": str(broken), "phase": "apply", "fleet": None}, "stop", bare, "fleet")
