"""The playbook runner reads per-task results and honours check mode."""
import pytest
from ansible.release import __version__ as CORE_VERSION

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


@pytest.mark.smoke
def test_runner_uses_the_ansible_core_of_the_test_interpreter(tmp_path):
    """`make test-compat` runs pytest from .venv-core2.17/.venv-core2.18: the playbooks it
    starts must run on that venv's ansible-core, not on whatever is first on PATH."""
    task = {"name": "version", "ansible.builtin.debug": {"var": "ansible_version.full"}}
    run = run_playbook([task], tmp_path=tmp_path)
    assert run.rc == 0, run
    assert run.result("version")["ansible_version.full"] == CORE_VERSION
