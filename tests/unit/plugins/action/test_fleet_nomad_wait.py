"""The wait phase hands its progress and outcome lines to Ansible's display (shown under
the task at normal verbosity) at the interval asked for."""
from unittest import mock

from ansible_collections.agentfleet.hashistack.plugins.action import fleet_nomad
from tests.support.actions import run_action

JOBS = [{"namespace": "t", "job_id": "a", "agent": "t/a"}]


def test_wait_prints_through_display_at_the_interval_given(tmp_path):
    seen = {}

    def wait(refs, timeout, interval, progress=None, progress_interval=None):
        seen.update(refs=refs, timeout=timeout, interval=interval, progress_interval=progress_interval)
        progress("t/a: deployment 3f2a1b9c successful in 1.0 s (1/1 healthy)")
        return [{"object": "deployment", "name": "a", "agent": "t/a", "outcome": "successful", "changed": False}]

    with mock.patch.object(fleet_nomad, "load_bundle", return_value={"fleet": "lab"}), \
            mock.patch.object(fleet_nomad, "connect"), \
            mock.patch.object(fleet_nomad, "NomadSync") as sync, \
            mock.patch("ansible.plugins.action.display") as display:
        sync.return_value.wait.side_effect = wait
        res = run_action("fleet_nomad", {"phase": "wait", "bundle": str(tmp_path / "b.json"), "jobs": JOBS,
                                         "wait_timeout": 30, "progress_interval": 2.5}, playbook_dir=tmp_path)
    assert not res.get("failed"), res
    assert seen == {"refs": JOBS, "timeout": 30, "interval": 0.5, "progress_interval": 2.5}
    display.display.assert_called_once_with("t/a: deployment 3f2a1b9c successful in 1.0 s (1/1 healthy)")
