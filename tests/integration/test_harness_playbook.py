"""The playbook runner reads per-task results and honours check mode."""
import pytest

from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration


def test_runner_reports_changed_and_check_mode(tmp_path):
    target = tmp_path / "out.txt"
    task = {"name": "write", "ansible.builtin.copy": {"dest": str(target), "content": "x\n", "mode": "0600"}}
    planned = run_playbook([task], tmp_path=tmp_path / "check", check=True)
    assert planned.rc == 0, planned
    assert planned.changed == ["write"] and not target.exists()
    applied = run_playbook([task], tmp_path=tmp_path / "apply")
    assert applied.changed == ["write"] and target.read_text() == "x\n"
    again = run_playbook([task], tmp_path=tmp_path / "again")
    assert again.rc == 0 and again.changed == []
