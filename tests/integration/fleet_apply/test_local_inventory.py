"""The README's main command, as written: ansible-playbook -i inventories/local playbooks/fleet.yml
(connection settings from the environment, as the local inventory documents)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.playbook import REPO

pytestmark = pytest.mark.integration


def run(env, tmp_path, *args, secrets=None):
    cmd = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", "inventories/local",
           "playbooks/fleet.yml", "-e", f"agent_fleet_work_dir={tmp_path}", "-e", "agent_fleet_wait_interval=0.1",
           *args]
    full = {k: v for k, v in os.environ.items() if not k.startswith(("NOMAD_", "VAULT_", "CONSUL_"))}
    full.update(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                ANSIBLE_LOCAL_TEMP=str(tmp_path / ".tmp"), AGENTFLEET_LAB_SECRETS=str(secrets or tmp_path / "none"),
                **env)
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
    # One work file per spec source (file name + a hash of its real path).
    assert len(list(tmp_path.glob("fleet-*.bundle.json"))) == 1


def test_preflight_names_the_lab_token_file(openbao, nomad_api, consul_api, tmp_path):
    """A wrong token in the lab secrets file: the preflight names the file, never the token."""
    secrets = tmp_path / "lab"
    secrets.mkdir()
    (secrets / "nomad.token").write_text("11111111-2222-3333-4444-555555555555")
    env = dict(openbao.env, **consul_api.env, NOMAD_ADDR=nomad_api.addr)  # no NOMAD_TOKEN
    res = run(env, tmp_path, secrets=secrets)
    assert res.returncode != 0
    expected = ("Nomad at %s (address from environment variable NOMAD_ADDR; token from file %s/nomad.token): "
                "the token was refused" % (nomad_api.addr, secrets))
    assert expected in res.stdout, res.stdout[-4000:]
    assert "11111111-2222-3333-4444-555555555555" not in res.stdout + res.stderr
    assert "7 agents: 0 unchanged, 0 updated, 0 failed, 7 not_applied, 0 reverted, 0 pruned" in res.stdout
    assert nomad_api.jobs("research") == {} and consul_api.writes() == []
