"""fleet_render writes the picture (fleet.mmd, fleet.dot, fleet.svg when Graphviz is installed),
re-renders byte-identically, says why when there is no SVG, and never keeps a stale one."""
import shutil
from pathlib import Path

import pytest

from tests.support.actions import run_action

REPO = Path(__file__).resolve().parents[4]
EXAMPLE = REPO / "inventories" / "local" / "group_vars" / "all" / "fleet.yml"
HAS_DOT = shutil.which("dot") is not None


def _render(tmp_path, **args):
    return run_action("fleet_render", dict({"src": str(EXAMPLE), "dest": str(tmp_path / "out")}, **args),
                      playbook_dir=tmp_path)


def _tree(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot command is not installed (make setup installs it)")
def test_picture_files_written_then_unchanged(tmp_path):
    first = _render(tmp_path)
    assert not first.get("failed"), first
    assert first["picture"] == {"mermaid": "fleet.mmd", "dot": "fleet.dot", "svg": "fleet.svg", "svg_note": None}
    assert {"fleet.mmd", "fleet.dot", "fleet.svg"} <= set(first["changed_files"])
    out = tmp_path / "out"
    assert set(first["changed_files"]) == set(_tree(out)), "every written file is reported"
    before = _tree(out)
    assert before["fleet.svg"].startswith(b"<?xml") and b"triage" in before["fleet.svg"]
    again = _render(tmp_path)
    assert again["changed_files"] == [] and again["removed_files"] == [] and _tree(out) == before


def test_without_graphviz_the_svg_is_a_note_and_a_stale_one_goes(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "fleet.svg").write_text("<svg>an older fleet</svg>")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = _render(tmp_path)
    assert not result.get("failed"), result
    assert result["picture"]["svg"] is None and "apt-get install graphviz" in result["picture"]["svg_note"]
    assert result["removed_files"] == ["fleet.svg"] and not (out / "fleet.svg").exists()
    assert (out / "fleet.mmd").is_file() and (out / "fleet.dot").is_file()


def test_check_mode_writes_nothing_and_picture_can_be_off(tmp_path):
    result = _render(tmp_path, picture=False)
    assert "picture" not in result and not (tmp_path / "out" / "fleet.dot").exists()
    assert (tmp_path / "out" / "summary.json").is_file()
    check = run_action("fleet_render", {"src": str(EXAMPLE), "dest": str(tmp_path / "other")},
                       playbook_dir=tmp_path, check_mode=True)
    assert "fleet.mmd" in check["changed_files"] and not (tmp_path / "other").exists()


def test_plan_summary_counts_what_would_be_created(tmp_path):
    lines = _render(tmp_path, picture=False)["plan_summary"]
    assert lines[0] == "fleet agents-lab (revision 2026-11-28.1): on empty servers an apply would create"
    assert lines[1] == ("  Nomad:  2 namespaces, 2 ACL policies, 1 quota, "
                        "7 jobs (1 batch, 1 dispatch, 2 periodic, 3 service)")
    assert lines[2] == "  Vault:  4 policies, 4 JWT roles (mount jwt-nomad)"
    assert lines[3].startswith("  Consul: 13 config entries (")
    assert "  tenant support (namespace support): 3 agents, up to 4 allocations of budget 12" in lines
    assert len(lines) == 4 + 2 + 7, "one line per backend, per tenant and per agent"


def test_bad_dot_timeout_is_refused(tmp_path):
    result = _render(tmp_path, dot_timeout=0)
    assert result["failed"] and "dot_timeout must be at least 1" in result["msg"]
    assert not (tmp_path / "out").exists()


def test_demo_core_writes_a_diagram_that_matches_the_spec(tmp_path):
    """What `make demo` runs (fleet_render on the example, as playbooks/render.yml does): the
    written fleet.dot and fleet.mmd, read back, hold exactly the spec's agents and upstreams."""
    import yaml  # pylint: disable=import-outside-toplevel
    from tests.unit.plugins.module_utils.fleet.test_picture import (  # pylint: disable=import-outside-toplevel
        expected_graph, parse_dot, parse_mermaid)
    assert not _render(tmp_path).get("failed")
    nodes, edges = expected_graph(yaml.safe_load(EXAMPLE.read_text())["agentfleet_fleet"])
    clusters, dot_edges = parse_dot((tmp_path / "out" / "fleet.dot").read_text())
    key_of = {node_id: f"{label.split()[1]}/{node.splitlines()[0]}"
              for label, members in clusters.items() for node_id, node in members.items()}
    assert sorted(key_of.values()) == sorted(f"{t}/{a}" for t, agents in nodes.items() for a in agents)
    assert {(key_of[a], key_of[b]): "dashed" in attrs for (a, b), attrs in dot_edges.items()} == edges
    _groups, mm_edges = parse_mermaid((tmp_path / "out" / "fleet.mmd").read_text())
    assert {(key_of[a], key_of[b]): label is not None for (a, b), label in mm_edges.items()} == edges
