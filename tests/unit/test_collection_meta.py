"""Collection metadata stays in sync with the code it describes."""
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
GROUP_PREFIXES = {"nomad": "nomad_", "vault": "vault_", "consul": "consul_"}


def _modules():
    return sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__")


def test_action_groups_list_exactly_the_modules_of_each_backend():
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    groups = runtime["action_groups"]
    assert set(groups) == set(GROUP_PREFIXES)
    for group, prefix in GROUP_PREFIXES.items():
        expected = [m for m in _modules() if m.startswith(prefix)]
        assert sorted(groups[group] or []) == expected, f"action_groups.{group} out of sync"


def test_requires_ansible_matches_the_pinned_core():
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    pinned = re.search(r"^ansible==(\S+)$", (REPO / "requirements.txt").read_text(), re.M).group(1)
    assert pinned == "12.3.0"  # ansible 12.x bundles ansible-core 2.19
    assert runtime["requires_ansible"] == ">=2.19.0,<2.20.0"


def test_every_dependency_is_pinned_exactly():
    for name in ("requirements.txt", "requirements-dev.txt", "constraints.txt"):
        for line in (REPO / name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if not line or line.startswith("-r "):
                continue
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), f"{name}: {line!r} not pinned"


def test_galaxy_metadata():
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    assert (galaxy["namespace"], galaxy["name"]) == ("agentfleet", "hashistack")
    assert galaxy["license"] and galaxy["repository"] and galaxy["tags"]
    assert ".venv" in galaxy["build_ignore"]


def test_collection_symlink_points_at_the_repository():
    link = REPO / ".collections" / "ansible_collections" / "agentfleet" / "hashistack"
    assert link.is_symlink() and link.resolve() == REPO
