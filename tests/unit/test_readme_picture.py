"""The README shows the example fleet's current picture (`make picture` writes it), and the
committed JSON Schema is current (`make schema`); both scripts' --check modes are what CI
would run, so they are exercised here."""
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inventories" / "local" / "group_vars" / "all" / "fleet.yml"


def _check(script):
    return subprocess.run([sys.executable, str(REPO / "scripts" / script), "--check"], capture_output=True,
                          text=True, timeout=120, check=False)


def test_readme_picture_is_up_to_date():
    done = _check("readme_picture.py")
    assert done.returncode == 0, done.stderr


def test_readme_picture_shows_every_agent_of_the_example():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- fleet-picture:start -->\n", 1)[1].split("<!-- fleet-picture:end -->", 1)[0]
    assert block.startswith("```mermaid\n") and block.endswith("```\n")
    tenants = yaml.safe_load(EXAMPLE.read_text())["agentfleet_fleet"]["tenants"]
    for tname, tenant in tenants.items():
        assert f'["tenant {tname}"]' in block
        for agent in tenant["agents"]:
            assert f'["{agent["name"]}<br/>{agent["kind"]} · ' in block


def test_schema_check_mode_says_when_the_file_is_stale(tmp_path):
    stale = tmp_path / "schema.json"
    stale.write_text("{}\n")
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "fleet_schema.py"), "--check", "--out", str(stale)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1 and "make schema" in done.stderr
    assert stale.read_text() == "{}\n", "--check changes nothing"
    assert _check("fleet_schema.py").returncode == 0
