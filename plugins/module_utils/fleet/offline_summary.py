# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an apply of a rendered fleet would create on empty servers, counted offline.

``lines(rendered)`` -> [str]: one line per backend (Nomad, Vault, Consul), then per tenant
one line and per agent one line naming its objects. Counts come from the rendered objects
only (``render.Rendered``); no server is asked, so this is not the live plan of
``playbooks/fleet.yml --check`` (which compares with what the servers hold). Plain Python.
"""
from __future__ import annotations


def _count(n, word, plural=None):
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _by(items, key):
    out = {}
    for item in items:
        out[item[key]] = out.get(item[key], 0) + 1
    return out


def lines(rendered):
    """Short offline summary of ``rendered`` (a ``Rendered``), about 4 + tenants + agents lines."""
    summary = rendered.summary
    kinds = _by(rendered.jobs, "kind")
    entry_kinds = _by(rendered.consul_entries, "kind")
    out = [f"fleet {summary['fleet']} (revision {summary['revision']}): on empty servers an apply would create",
           "  Nomad:  " + ", ".join([
               _count(len(rendered.namespaces), "namespace"), _count(len(rendered.acl_policies), "ACL policy", "ACL policies"),
               _count(len(rendered.quotas), "quota"),
               _count(len(rendered.jobs), "job") + " (" + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + ")"]),
           "  Vault:  " + ", ".join([_count(len(rendered.vault_policies), "policy", "policies"),
                                     _count(len(rendered.vault_roles), "JWT role") + f" (mount {summary['vault_jwt_mount']})"]),
           "  Consul: " + _count(len(rendered.consul_entries), "config entry", "config entries") + (
               " (" + ", ".join(f"{n} {k}" for k, n in sorted(entry_kinds.items())) + ")" if entry_kinds else "")]
    entries_of = {}
    for entry in rendered.consul_entries:
        entries_of.setdefault(entry["name"], []).append(entry["kind"])
    width = max([len(agent) for tenant in summary["tenants"].values() for agent in tenant["agents"]] or [0])
    for tname, tenant in sorted(summary["tenants"].items()):
        usage = tenant["usage_at_max_scale"]
        budget = tenant["budget"] or {}
        cap = f" of budget {budget['count']}" if budget.get("count") else ""
        out.append(f"  tenant {tname} (namespace {tenant['namespace']}): {_count(len(tenant['agents']), 'agent')}, "
                   f"up to {_count(usage['count'], 'allocation')}{cap}")
        for aname, agent in sorted(tenant["agents"].items()):
            objects = [f"Nomad {agent['kind']} job"]
            if agent["vault_role"]:
                objects.append("Vault policy + JWT role")
            consul = entries_of.get(agent["service"] or "", [])
            if consul:
                objects.append("Consul " + ", ".join(sorted(consul)))
            out.append(f"    {aname.ljust(width)}  " + "; ".join(objects))
    return out
