"""The fleet picture (fleet/picture.py): the diagram's nodes and edges are read back from the
DOT and Mermaid text and compared with the spec read independently (raw YAML, not the model):
every agent a node in its tenant's cluster, every upstream an edge, cross-tenant edges marked,
nothing else. Names are data: identifiers stay distinct and labels literal."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api, picture

from . import specs
from .conftest import render_spec
from .strategies import valid_fleets

REPO = Path(__file__).resolve().parents[5]
EXAMPLES = [REPO / "inventories" / "local" / "group_vars" / "all" / "fleet.yml",
            REPO / "inventories" / "example-production" / "group_vars" / "all" / "fleet.yml"]
HAS_DOT = shutil.which("dot") is not None
NO_DOT = "Graphviz's dot command is not installed (make setup installs Debian's graphviz)"


def expected_graph(raw):
    """(tenant -> {agent names}, {(caller key, target key): cross_tenant}) from the raw spec."""
    nodes, edges = {}, {}
    for tname, tenant in raw["tenants"].items():
        nodes[tname] = {a["name"] for a in tenant.get("agents") or []}
        for agent in tenant.get("agents") or []:
            for up in agent.get("upstreams") or []:
                target = up["service"] if "/" in up["service"] else f"{tname}/{up['service']}"
                edges[(f"{tname}/{agent['name']}", target)] = target.split("/")[0] != tname
    return nodes, edges


def _unescape_dot(text):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def parse_dot(text):
    """(cluster label -> {node id: label}, {(from id, to id): attrs text}) of our DOT output."""
    clusters, edges, current = {}, {}, None
    quoted = r'"((?:[^"\\]|\\.)*)"'
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("subgraph "):
            current = {}
            continue
        match = re.fullmatch(r"label=" + quoted + r" style=rounded", line)
        if match and current is not None:
            clusters[_unescape_dot(match.group(1))] = current
            continue
        if line == "}":
            current = None
            continue
        match = re.fullmatch(r"(\w+) \[label=" + quoted + r"\]", line)
        if match:
            assert current is not None, f"node outside any tenant cluster: {line}"
            current[match.group(1)] = _unescape_dot(match.group(2))
            continue
        match = re.fullmatch(r"(\w+) -> (\w+)(?: \[(.*)\])?", line)
        if match:
            edges[(match.group(1), match.group(2))] = match.group(3) or ""
            continue
        assert line.startswith(("digraph ", "graph [", "node [", "edge [")), f"unexpected DOT line: {line}"
    return clusters, edges


def parse_mermaid(text):
    """(tenant label -> {node id: label}, {(from id, to id): edge label or None})."""
    clusters, edges, current = {}, {}, None
    for line in text.splitlines()[2:]:
        line = line.strip()
        match = re.fullmatch(r'subgraph (\w+)\["([^"]*)"\]', line)
        if match:
            current = clusters.setdefault(match.group(2), {})
            continue
        if line == "end":
            current = None
            continue
        match = re.fullmatch(r'(\w+)\["([^"]*)"\]', line)
        if match:
            assert current is not None, f"node outside any tenant subgraph: {line}"
            current[match.group(1)] = match.group(2)
            continue
        match = re.fullmatch(r'(\w+) (?:-->|-\.->\|"([^"]*)"\|) (\w+)', line)
        assert match, f"unexpected Mermaid line: {line}"
        edges[(match.group(1), match.group(3))] = match.group(2)
    return clusters, edges


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parts[-4])
def test_diagram_nodes_and_edges_match_the_spec(path):
    raw = yaml.safe_load(path.read_text())["agentfleet_fleet"]
    rendered = render_spec(raw, picture=True)
    nodes, edges = expected_graph(raw)

    clusters, dot_edges = parse_dot(rendered.files["fleet.dot"])
    assert set(clusters) == {f"tenant {t}" for t in nodes}
    key_of = {}
    for tname, agents in nodes.items():
        labels = clusters[f"tenant {tname}"]
        assert sorted(label.split("\n")[0] for label in labels.values()) == sorted(agents)
        key_of.update({node_id: f"{tname}/{label.splitlines()[0]}" for node_id, label in labels.items()})
    assert {(key_of[a], key_of[b]) for a, b in dot_edges} == set(edges)
    for (a, b), attrs in dot_edges.items():
        if edges[(key_of[a], key_of[b])]:
            assert "style=dashed" in attrs and 'label="cross-tenant' in attrs, attrs
        else:
            assert attrs == "", f"same-tenant edge {key_of[a]} -> {key_of[b]} is plain"

    groups, mm_edges = parse_mermaid(rendered.files["fleet.mmd"])
    assert {t: sorted(label.split("<br/>")[0] for label in agents.values()) for t, agents in groups.items()} \
        == {f"tenant {t}": sorted(agents) for t, agents in nodes.items()}
    assert set(mm_edges) == set(dot_edges), "Mermaid and DOT use the same ids and edges"
    for pair, label in mm_edges.items():
        assert (label is not None) == edges[(key_of[pair[0]], key_of[pair[1]])]
        if label is not None:
            assert label.startswith("cross-tenant")


def test_edges_are_the_callers_the_consul_intentions_allow():
    raw = yaml.safe_load(EXAMPLES[0].read_text())["agentfleet_fleet"]
    rendered = render_spec(raw, picture=True)
    fleet = raw["name"]
    allowed = set()
    for entry in rendered.consul_entries:
        if entry["kind"] == "service-intentions" and entry["name"] != "*":
            allowed |= {(s["Name"], entry["name"]) for s in entry["entry"]["Sources"] if s["Action"] == "allow"}
    _clusters, dot_edges = parse_dot(rendered.files["fleet.dot"])
    graph = picture.fleet_graph(api.load_spec(raw))
    ids = {a["id"]: a["key"] for t in graph["tenants"] for a in t["agents"]}

    def service(key):
        return f"{fleet}--{key.replace('/', '--')}"
    assert {(service(ids[a]), service(ids[b])) for a, b in dot_edges} == allowed


def test_example_labels_show_kind_replicas_and_vault():
    raw = yaml.safe_load(EXAMPLES[0].read_text())["agentfleet_fleet"]
    text = render_spec(raw, picture=True).files["fleet.mmd"]
    assert '["retriever<br/>service · autoscaled 2–6<br/>Vault: 1 secret"]' in text
    assert '["indexer<br/>batch · 2 partitions × 1<br/>no Vault"]' in text
    assert '["triage<br/>service · count 2<br/>Vault: 1 secret"]' in text
    assert '-.->|"cross-tenant (allow_upstream_from)"|' in text
    assert '-.->|"cross-tenant (shared_upstreams)"|' in text


def test_picture_is_deterministic_and_only_on_request():
    raw = yaml.safe_load(EXAMPLES[0].read_text())["agentfleet_fleet"]
    first, second = render_spec(raw, picture=True), render_spec(raw, picture=True)
    assert first.files["fleet.dot"] == second.files["fleet.dot"]
    assert first.files["fleet.mmd"] == second.files["fleet.mmd"]
    assert "fleet.dot" in first.summary["files"] and "fleet.mmd" in first.summary["files"]
    plain = render_spec(raw)
    assert "fleet.dot" not in plain.files and "fleet.mmd" not in plain.files


def test_identifiers_are_injective_and_safe():
    names = ["a-b/c", "a/b-c", "a_2d_b/c", "end", "a/b", "ab/", 'x"y', "x\\y", "é/ü"]
    ids = [picture.ident("a_", n) for n in names]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"a_[a-z0-9_]+", i) for i in ids)


HOSTILE = {"fleet": 'f"<b>x</b>\\', "tenants": [
    {"id": picture.ident("t_", "t"), "name": 'end"] --> x', "agents": [
        {"id": "a_1", "key": "t/1", "name": "1", "kind": "service",
         "lines": ['<<b>bold</b>>', 'quote " back\\ slash\\', "#35; & `tick`", "line\nbreak"]}]},
    {"id": picture.ident("t_", "u"), "name": "u", "agents": [
        {"id": "a_2", "key": "u/2", "name": "2", "kind": "batch", "lines": ["\\N \\G"]}]}],
    "edges": [{"from": "t/1", "to": "u/2", "cross_tenant": True, "grants": ['shared"] x']}]}


def test_mermaid_labels_are_escaped():
    text = picture.mermaid(HOSTILE)
    groups, edges = parse_mermaid(text)
    assert list(groups) == ["tenant end#34;] --#62; x", "tenant u"]
    label = groups["tenant end#34;] --#62; x"]["a_1"]
    assert label == "#60;#60;b#62;bold#60;/b#62;#62;<br/>quote #34; back\\ slash\\<br/>#35;35; #38; #96;tick#96;<br/>line break"
    assert edges == {("a_1", "a_2"): "cross-tenant (shared#34;] x)"}


def _esc_string(text):
    """Graphviz's reading of an escString label: ``\\`` a backslash, ``\\n`` a line break;
    any other escape (``\\N``, ``\\G``, ``\\l``...) would be expanded, so it is an error here."""
    def one(match):
        assert match.group(1) in "\\n", f"label keeps an active escape \\{match.group(1)}"
        return "\n" if match.group(1) == "n" else "\\"
    return re.sub(r"\\(.)", one, text, flags=re.S)


@pytest.mark.skipif(not HAS_DOT, reason=NO_DOT)
def test_dot_labels_stay_literal_when_graphviz_parses_them():
    """Graphviz itself reads the DOT back (``dot -Tjson`` gives each label as it parsed it)."""
    source = picture.dot(HOSTILE)
    done = subprocess.run(["dot", "-Tjson"], input=source, capture_output=True, text=True, timeout=30, check=True)
    data = yaml.safe_load(done.stdout)  # JSON is YAML
    labels = {o["name"]: _esc_string(o["label"]) for o in data["objects"] if "label" in o}
    for tenant in HOSTILE["tenants"]:
        assert labels["cluster_" + tenant["id"]] == f"tenant {tenant['name']}"
        for agent in tenant["agents"]:
            assert labels[agent["id"]] == "\n".join(agent["lines"])
    assert _esc_string(data["label"]) == f"fleet {HOSTILE['fleet']}"
    assert len(data["edges"]) == 1 and data["edges"][0]["style"] == "dashed"
    assert _esc_string(data["edges"][0]["label"]) == 'cross-tenant (shared"] x)'


@pytest.mark.skipif(not HAS_DOT, reason=NO_DOT)
def test_svg_from_graphviz():
    spec = specs.fleet([specs.service("api"), specs.batch("job", upstreams=[{"service": "api", "local_port": 9001}],
                                                          ports={"admin": {"to": 8081}})])
    dot_text = render_spec(spec, picture=True).files["fleet.dot"]
    svg, note = picture.svg(dot_text)
    assert note is None and svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert svg == picture.svg(dot_text)[0], "the same DOT draws the same SVG"


def test_svg_without_graphviz_is_a_note_not_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    svg, note = picture.svg("digraph fleet {}")
    assert svg is None and "not installed" in note and "apt-get install graphviz" in note


def test_svg_run_past_its_timeout_is_a_note(monkeypatch, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nexec /bin/sleep 20\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    svg, note = picture.svg("digraph fleet {}", timeout=1)
    assert svg is None and "ran past 1 s" in note


def test_svg_failure_is_a_note(monkeypatch, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    svg, note = picture.svg("digraph fleet {}")
    assert svg is None and "exited 1: Error: syntax error in line 1" in note


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_fleets())
def test_generated_fleets_draw_exactly_their_agents_and_upstreams(spec):
    nodes, edges = expected_graph(spec)
    clusters, dot_edges = parse_dot(render_spec(spec, picture=True).files["fleet.dot"])
    key_of = {node_id: f"{label.split()[1]}/{node.splitlines()[0]}"
              for label, members in clusters.items() for node_id, node in members.items()}
    assert sorted(key_of.values()) == sorted(f"{t}/{a}" for t, agents in nodes.items() for a in agents)
    assert {(key_of[a], key_of[b]): "dashed" in attrs for (a, b), attrs in dot_edges.items()} == edges


def test_dot_without_the_graphviz_package_says_what_to_install(monkeypatch):
    monkeypatch.setattr(picture, "graphviz", None)
    with pytest.raises(ValueError, match=r"needs the Python package graphviz \(pip install -r requirements.txt"):
        picture.dot(HOSTILE)
    assert picture.mermaid(HOSTILE).startswith("%% Fleet"), "Mermaid needs no library"
