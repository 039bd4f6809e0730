"""The kill switch refuses a malformed agent reference before any call, and warns when
nothing of the fleet matched (a typo must not look like a successful stop)."""
from unittest import mock

from ansible_collections.agentfleet.hashistack.plugins.action import fleet_nomad
from tests.support.actions import run_action


def test_malformed_agent_is_refused_and_nothing_is_sent(tmp_path):
    with mock.patch.object(fleet_nomad, "connect") as connect:
        res = run_action("fleet_nomad", {"phase": "stop", "fleet": "lab", "agents": ["support", "a/b/c", "/x"],
                                         "address": "http://127.0.0.1:9"}, playbook_dir=tmp_path)
    assert res["failed"] and "'support', 'a/b/c', '/x'" in res["msg"] and "<tenant>/<agent>" in res["msg"]
    connect.assert_not_called()


def test_no_match_warns(nomad_api, tmp_path):
    with mock.patch("ansible.plugins.action.display") as display:
        res = run_action("fleet_nomad", {"phase": "stop", "fleet": "lab", "tenants": ["suport"],
                                         "address": nomad_api.addr, "token": nomad_api.management_token},
                         playbook_dir=tmp_path)
    assert not res.get("failed"), res
    assert res["results"] == []
    (text,), _kwargs = display.warning.call_args
    assert "no job of fleet 'lab' carries tenant ['suport']" in text
