# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A picture of the fleet: tenants as clusters, agents as nodes, allowed upstream calls as edges.

    graph = fleet_graph(fleet)        # plain data, deterministic order
    mermaid(graph) -> str             # fleet.mmd: Mermaid flowchart (renders on GitHub)
    dot(graph) -> str                 # fleet.dot: Graphviz DOT, built with the PyPI ``graphviz`` package
    svg(dot_text, timeout=30)         # (SVG text or None, note): Graphviz's ``dot`` command, if installed

Edges are exactly the agents' ``upstreams``: validation refuses any upstream that tenant
isolation does not allow (``isolation.py``), and the rendered Consul intentions allow exactly
these callers (``render_consul.py``), so the edges are the allowed calls. An edge into another
tenant is marked ``cross_tenant`` with the grant(s) that allow it (the target tenant's
``allow_upstream_from`` and/or ``guardrails.shared_upstreams``).

Names are data: node and cluster identifiers are an injective encoding of the names into
``[A-Za-z0-9_]`` (valid in both DOT and Mermaid, never a keyword thanks to a prefix), and label
text is escaped for each format (``graphviz.escape`` for DOT, Mermaid entity codes such as
``#34;`` for Mermaid). Plain Python: no Ansible imports.
"""
from __future__ import annotations

import shutil
import subprocess

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.model import resolve_upstream

try:
    import graphviz
except ImportError:  # reported when a DOT file is asked for (requirements.txt pins it)
    graphviz = None

MERMAID_FILE = "fleet.mmd"
DOT_FILE = "fleet.dot"
SVG_FILE = "fleet.svg"
DOT_TIMEOUT = 30  # seconds for one ``dot -Tsvg`` run
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# Characters Mermaid would read as syntax or markup inside a quoted label, as its entity codes.
_MERMAID_ENTITIES = {"&": "#38;", '"': "#34;", "#": "#35;", "<": "#60;", ">": "#62;", "`": "#96;"}


def ident(prefix, text):
    """``prefix`` + ``text`` with every character outside ``[a-z0-9]`` written ``_<hex>_``:
    injective, and valid as a DOT ID and a Mermaid node/subgraph id."""
    return prefix + "".join(c if c in _SAFE else f"_{ord(c):x}_" for c in text)


def _replicas(agent):
    spec = agent.spec
    if spec["scaling"]:
        return f"autoscaled {spec['scaling']['min']}\u2013{spec['scaling']['max']}"
    groups = agent.groups
    if len(groups) > 1:
        return f"{len(groups)} partitions \u00d7 {spec['count']}"
    return f"count {spec['count']}"


def _vault(agent):
    secrets = agent.spec["secrets"]
    if not secrets:
        return "no Vault"
    return f"Vault: {len(secrets)} secret{'s' if len(secrets) != 1 else ''}"


def _grants(fleet, caller_tenant, ref):
    """Which spec settings allow ``caller_tenant`` to call ``ref`` (``tenant/agent``)."""
    target_tenant = ref.split("/", 1)[0]
    grants = []
    tenant_spec = fleet.spec["tenants"].get(target_tenant) or {}
    if caller_tenant in (tenant_spec.get("allow_upstream_from") or []):
        grants.append("allow_upstream_from")
    for share in fleet.guardrails.get("shared_upstreams") or []:
        if share.get("service") == ref and caller_tenant in (share.get("tenants") or []):
            grants.append("shared_upstreams")
            break
    return grants


def fleet_graph(fleet):
    """The picture as data::

        {"fleet": str,
         "tenants": [{"id", "name", "agents": [{"id", "key", "name", "kind", "lines": [str]}]}],
         "edges": [{"from": key, "to": key, "cross_tenant": bool, "grants": [str]}]}

    Tenants and agents in name order, edges sorted by (from, to), one edge per pair."""
    tenants = []
    edges = {}
    for tenant in fleet.tenants:
        agents = []
        for agent in tenant.agents:
            agents.append({"id": ident("a_", agent.key), "key": agent.key, "name": agent.name,
                           "kind": agent.kind,
                           "lines": [agent.name, f"{agent.kind} \u00b7 {_replicas(agent)}", _vault(agent)]})
            for upstream in agent.spec["upstreams"]:
                target = resolve_upstream(tenant.name, upstream["service"])
                cross = target.split("/", 1)[0] != tenant.name
                edges[(agent.key, target)] = {"from": agent.key, "to": target, "cross_tenant": cross,
                                              "grants": _grants(fleet, tenant.name, target) if cross else []}
        tenants.append({"id": ident("t_", tenant.name), "name": tenant.name, "agents": agents})
    return {"fleet": fleet.name, "tenants": tenants, "edges": [edges[k] for k in sorted(edges)]}


def _edge_label(edge):
    return "cross-tenant" + (f" ({', '.join(edge['grants'])})" if edge["grants"] else "")


def _mermaid_text(text):
    out = []
    for char in text:
        if char in _MERMAID_ENTITIES:
            out.append(_MERMAID_ENTITIES[char])
        elif char < " " or char == "\x7f":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def mermaid(graph):
    """Mermaid ``flowchart LR`` text: a subgraph per tenant, same-tenant calls as solid arrows,
    cross-tenant calls dotted and labelled."""
    ids = {a["key"]: a["id"] for t in graph["tenants"] for a in t["agents"]}
    lines = ["%% Fleet " + _mermaid_text(graph["fleet"]) + ": generated by agentfleet.hashistack fleet_render",
             "flowchart LR"]
    for tenant in graph["tenants"]:
        lines.append(f'  subgraph {tenant["id"]}["tenant {_mermaid_text(tenant["name"])}"]')
        for agent in tenant["agents"]:
            label = "<br/>".join(_mermaid_text(line) for line in agent["lines"])
            lines.append(f'    {agent["id"]}["{label}"]')
        lines.append("  end")
    for edge in graph["edges"]:
        if edge["cross_tenant"]:
            lines.append(f'  {ids[edge["from"]]} -.->|"{_mermaid_text(_edge_label(edge))}"| {ids[edge["to"]]}')
        else:
            lines.append(f'  {ids[edge["from"]]} --> {ids[edge["to"]]}')
    return "\n".join(lines) + "\n"


def _dot_label(lines):
    """A DOT label of literal lines (backslashes and ``<...>`` lose their meaning), one per row."""
    return graphviz.nohtml("\\n".join(graphviz.escape(line) for line in lines))


def dot(graph):
    """Graphviz DOT text (a ``cluster_`` subgraph per tenant; cross-tenant edges dashed and
    labelled), built with the ``graphviz`` package so quoting follows its rules."""
    if graphviz is None:
        raise ValueError(f"writing {DOT_FILE} needs the Python package graphviz "
                         "(pip install -r requirements.txt in the controller's Python)")
    ids = {a["key"]: a["id"] for t in graph["tenants"] for a in t["agents"]}
    out = graphviz.Digraph("fleet", graph_attr={"rankdir": "LR", "label": _dot_label([f"fleet {graph['fleet']}"]),
                                                "labelloc": "t", "fontname": "Helvetica"},
                           node_attr={"shape": "box", "style": "rounded", "fontname": "Helvetica"},
                           edge_attr={"fontname": "Helvetica", "fontsize": "10"})
    for tenant in graph["tenants"]:
        with out.subgraph(name="cluster_" + tenant["id"]) as cluster:
            cluster.attr(label=_dot_label([f"tenant {tenant['name']}"]), style="rounded")
            for agent in tenant["agents"]:
                cluster.node(agent["id"], label=_dot_label(agent["lines"]))
    for edge in graph["edges"]:
        if edge["cross_tenant"]:
            out.edge(ids[edge["from"]], ids[edge["to"]], label=_dot_label([_edge_label(edge)]),
                     style="dashed", color="firebrick", fontcolor="firebrick")
        else:
            out.edge(ids[edge["from"]], ids[edge["to"]])
    return out.source


def svg(dot_text, timeout=DOT_TIMEOUT):
    """(SVG text, None) from Graphviz's ``dot -Tsvg``, or (None, why not) when the command is
    absent, fails or runs past ``timeout`` seconds. Never raises for a missing Graphviz."""
    command = shutil.which("dot")
    if command is None:
        return None, (f"{SVG_FILE} not written: Graphviz's dot command is not installed "
                      "(Debian: apt-get install graphviz; make setup installs it)")
    try:
        done = subprocess.run([command, "-Tsvg"], input=dot_text, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, f"{SVG_FILE} not written: {command} -Tsvg ran past {timeout} s"
    except OSError as exc:
        return None, f"{SVG_FILE} not written: {command} could not run: {exc}"
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or [""])[0]
        return None, f"{SVG_FILE} not written: {command} -Tsvg exited {done.returncode}: {first}"
    return done.stdout, None
