"""fleet_plan: the plan from the phases' registered results, its JSON file (0600), and a
file that cannot be written reported without losing the plan."""
import json
import os
from unittest import mock

from tests.support.actions import run_action

REPORT = {"agents": {"t/a": {"status": "updated", "changed_objects": ["job a (created)"]}},
          "fleet": {"changed_objects": [], "failed": []}}
PHASES = {
    "vault": {"changed": False,
              "results": [{"object": "vault_policy", "name": "p", "agent": "t/a", "outcome": "unchanged"}]},
    "consul": {"skipped": True, "false_condition": "agent_fleet_consul_enabled | bool"},
    "nomad": {"changed": True, "results": [{"object": "job", "name": "a", "agent": "t/a", "namespace": "t",
                                            "outcome": "created", "plan": {"changes": ['+ Job: "a"']}}]},
    "prune_nomad": None,
}


def test_plan_lines_and_file(tmp_path):
    dest = tmp_path / "out" / "plan.json"
    res = run_action("fleet_plan", {"report": REPORT, "phases": PHASES, "fleet": "lab", "dest": str(dest)},
                     playbook_dir=tmp_path, check_mode=True)
    assert not res.get("failed") and res["changed"] is False and res["changes"] is True
    assert res["lines"] == ["t/a: would be created", "  + nomad job t/a: would create",
                            "Vault: 0 to add, 0 to change, 0 to destroy (1 unchanged).",
                            "Consul: no objects planned (the phase did not run).",
                            "Nomad: 1 to add, 0 to change, 0 to destroy (0 unchanged)."]
    assert oct(os.stat(dest).st_mode & 0o777) == "0o600" and res["dest"] == str(dest)
    document = json.loads(dest.read_text())
    assert document["fleet"] == "lab" and document["mode"] == "plan" and document["lines"] == res["lines"]


def test_a_plan_file_that_cannot_be_written_keeps_the_plan(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with mock.patch("ansible.plugins.action.display") as display:
        display.verbosity = 0
        res = run_action("fleet_plan", {"report": REPORT, "phases": PHASES, "dest": str(blocker / "plan.json")},
                         playbook_dir=tmp_path)
    assert not res.get("failed") and "cannot write the plan file" in res["dest_error"]
    assert res["lines"][0] == "t/a: created"
    display.warning.assert_called_once()
