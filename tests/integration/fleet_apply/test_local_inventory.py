"""The README's main command, as written: ansible-playbook -i inventories/local playbooks/fleet.yml
(connection settings from the environment, as the local inventory documents)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.playbook import REPO

pytestmark = pytest.mark.integration


def run(env, tmp_path, *args):
    cmd = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", "inventories/local",
           "playbooks/fleet.yml", "-e", f"agent_fleet_work_dir={tmp_path}", "-e", "agent_fleet_wait_interval=0.1",
           *args]
    full = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                ANSIBLE_LOCAL_TEMP=str(tmp_path / ".tmp"), AGENTFLEET_LAB_SECRETS=str(tmp_path / "none"), **env)
    return subprocess.run(cmd, cwd=str(REPO), env=full, capture_output=True, text=True, timeout=600, check=False)


def test_main_command_on_the_local_inventory(openbao, nomad_api, consul_api, tmp_path):
    env = dict(openbao.env, **nomad_api.env, **consul_api.env)
    first = run(env, tmp_path)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    assert "7 agents: 0 unchanged, 7 updated, 0 failed, 0 not_applied, 0 reverted, 0 pruned" in first.stdout
    assert sorted(nomad_api.jobs("research")) == ["digest", "embedder", "indexer", "retriever"]
    again = run(env, tmp_path)
    assert again.returncode == 0
    assert "7 agents: 7 unchanged, 0 updated, 0 failed, 0 not_applied, 0 reverted, 0 pruned" in again.stdout
    assert "changed=0" in again.stdout


def test_fleet_file_plan_writes_nothing(openbao, nomad_api, consul_api, tmp_path):
    """-e fleet_file=<group_vars file>: the spec is read by the plugin; --check plans only."""
    env = dict(openbao.env, **nomad_api.env, **consul_api.env)
    spec_file = REPO / "inventories" / "example-production" / "group_vars" / "all" / "fleet.yml"
    plan = run(env, tmp_path, "--check", "-e", f"fleet_file={spec_file}")
    assert plan.returncode == 0, plan.stdout[-4000:] + plan.stderr[-2000:]
    assert "PLAN (check mode, nothing changed):" in plan.stdout
    assert "7 agents: 0 unchanged, 7 updated, 0 failed, 0 not_applied, 0 reverted, 0 pruned" in plan.stdout
    assert nomad_api.jobs("research") == {} and consul_api.writes() == []
    assert (tmp_path / "fleet.bundle.json").is_file()
