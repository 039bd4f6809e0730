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


def _pins(name):
    """{package name (lower case): version} of an exactly pinned requirements file."""
    pins = {}
    for line in (REPO / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r "):
            package, version = line.split("==")
            pins[package.lower()] = version
    return pins


def _compat_files():
    return sorted(p.name for p in REPO.glob("requirements-compat-*.txt"))


def test_requires_ansible_covers_exactly_the_tested_cores():
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    pinned = _pins("requirements.txt")["ansible"]
    assert pinned == "12.3.0"  # ansible 12.x bundles ansible-core 2.19
    main_core = _pins("constraints.txt")["ansible-core"]
    assert main_core.startswith("2.19.")
    lines = {"2.19"}
    for name in _compat_files():
        line = re.fullmatch(r"requirements-compat-(2\.\d+)\.txt", name).group(1)
        assert _pins(name)["ansible-core"].startswith(line + "."), f"{name} pins another ansible-core line"
        lines.add(line)
    assert lines == {"2.17", "2.18", "2.19"}
    assert runtime["requires_ansible"] == ">=2.17.0,<2.20.0"


def test_roles_claim_only_the_ansible_core_lines_they_are_tested_on():
    """agent_fleet runs in the fleet-apply smoke test on every line; the cluster roles only
    in Molecule, on the main venv's 2.19."""
    claimed = {}
    for meta in sorted((REPO / "roles").glob("*/meta/main.yml")):
        claimed[meta.parent.parent.name] = str(yaml.safe_load(meta.read_text())["galaxy_info"]["min_ansible_version"])
    assert claimed.pop("agent_fleet") == "2.17"
    assert set(claimed.values()) == {"2.19"}, claimed


def test_compat_venvs_share_every_other_pin_with_the_main_venv():
    """Only ansible, ansible-core and resolvelib (ansible-core < 2.19 needs resolvelib < 1.1)
    may differ between a compatibility venv and the main one."""
    main = {}
    for name in ("requirements.txt", "requirements-dev.txt", "constraints.txt"):
        main.update(_pins(name))
    for name in _compat_files():
        for package, version in _pins(name).items():
            if package not in ("ansible", "ansible-core", "resolvelib"):
                assert main.get(package) == version, f"{name}: {package}=={version}, main venv has {main.get(package)}"


def test_every_dependency_is_pinned_exactly():
    for name in ("requirements.txt", "requirements-dev.txt", "constraints.txt", *_compat_files()):
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
    assert ".venv-core*" in galaxy["build_ignore"]  # the older ansible-core venvs (make test-compat)


def test_collection_symlink_points_at_the_repository():
    link = REPO / ".collections" / "ansible_collections" / "agentfleet" / "hashistack"
    assert link.is_symlink() and link.resolve() == REPO
