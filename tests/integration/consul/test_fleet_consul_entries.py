"""The fleet renderer's Consul output for the example fleet applies and re-applies unchanged."""
from pathlib import Path

import pytest

from tests.integration.consul.helpers import module_defaults
from tests.support.playbook import run_playbook

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # loops over every rendered entry, twice

fleet_api = pytest.importorskip(
    "ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.api",
    reason="the fleet renderer (issue 3) is not in this tree")
EXAMPLE = Path(__file__).resolve().parents[3] / "inventories/local/group_vars/all/fleet.yml"


def rendered_entries():
    fleet = fleet_api.load_spec(fleet_api.load_spec_file(EXAMPLE, key="agentfleet_fleet"))
    return [{"kind": e["kind"], "name": e["name"], "config": e["entry"]}
            for e in fleet_api.render(fleet).consul_entries]


def test_example_fleet_applies_and_reapplies_unchanged(consul_api, tmp_path):
    entries = rendered_entries()
    kinds = {e["kind"] for e in entries}
    assert {"service-intentions", "service-defaults"} <= kinds
    task = {"name": "apply fleet entries",
            "agentfleet.hashistack.consul_config_entry": {
                "kind": "{{ item.kind }}", "name": "{{ item.name }}", "config": "{{ item.config }}"},
            "loop": "{{ fleet_entries }}", "loop_control": {"label": "{{ item.kind }}/{{ item.name }}"}}
    first = run_playbook([task], tmp_path=tmp_path / "first", extra_vars={"fleet_entries": entries},
                         module_defaults=module_defaults(consul_api))
    assert first.rc == 0, first
    results = first.result("apply fleet entries")["results"]
    assert len(results) == len(entries) and all(r["changed"] for r in results)
    assert set(consul_api.entries) == {(e["kind"], e["name"]) for e in entries}
    second = run_playbook([task], tmp_path=tmp_path / "second", extra_vars={"fleet_entries": entries},
                          module_defaults=module_defaults(consul_api))
    assert second.rc == 0, second
    unchanged = second.result("apply fleet entries")["results"]
    assert [r["item"]["name"] for r in unchanged if r["changed"]] == []
    assert consul_api.entry("service-intentions", "*")["Sources"][0]["Action"] == "deny"
