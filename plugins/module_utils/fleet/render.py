# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a validated Fleet into every artefact, as files and as structured objects."""
from __future__ import annotations

import hashlib

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import picture as fleet_picture
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import render_consul, render_tenancy, render_vault
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError, SpecError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.job_checks import entry_problems, namespace_problems
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.jsonfmt import canonical_json
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.render_nomad import JobRenderer
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.writer import MANIFEST


class Rendered:
    """``files``: relative path -> text. The lists hold the same objects as data for modules."""

    def __init__(self):
        self.files = {}
        self.jobs = []
        self.namespaces = []
        self.acl_policies = []
        self.quotas = []
        self.vault_policies = []
        self.vault_roles = []
        self.consul_entries = []
        self.summary = {}

    FIELDS = ("files", "jobs", "namespaces", "acl_policies", "quotas", "vault_policies", "vault_roles",
              "consul_entries", "summary")

    def as_dict(self):
        return {k: getattr(self, k) for k in self.FIELDS}


def render_fleet(fleet, templates_dir=None, template_dirs=(), picture=False):
    """``picture``: also ``fleet.mmd`` and ``fleet.dot`` (``picture.py``), listed in the manifest."""
    out = Rendered()
    renderer = JobRenderer(templates_dir, template_dirs)
    errors = []
    vault = fleet.defaults["vault"]
    for tenant in fleet.tenants:
        namespace_body = render_tenancy.namespace(tenant)
        errors += [SpecError(f"tenants.{tenant.name}", f"rendered namespace: {path}: {message} (real Nomad would refuse it)",
                             namespace_body.get(path.split(".", 1)[1])) for path, message in namespace_problems(namespace_body)]
        out.namespaces.append(namespace_body)
        out.files[f"nomad/namespaces/{tenant.namespace}.json"] = canonical_json(namespace_body)
        policy = render_tenancy.acl_policy(tenant)
        out.acl_policies.append(policy)
        out.files[f"nomad/acl/{policy['Name']}.hcl"] = policy["Rules"]
        if tenant.spec["quota"]:
            quota = render_tenancy.quota(tenant)
            out.quotas.append(quota)
            out.files[f"nomad/quotas/{quota['Name']}.json"] = canonical_json(quota)
        for agent in tenant.agents:
            body, job_errors = renderer.render(agent)
            errors += job_errors
            if body is None:
                continue
            rel = f"nomad/{agent.namespace}/{agent.job_id}.json"
            out.jobs.append({"tenant": tenant.name, "agent": agent.name, "kind": agent.kind,
                             "namespace": agent.namespace, "job_id": agent.job_id, "file": rel,
                             "autoscaled": bool(agent.spec["scaling"]), "job": body})
            out.files[rel] = canonical_json(body)
            if agent.spec["secrets"]:
                hcl = render_vault.policy_hcl(agent)
                out.vault_policies.append({"name": agent.vault_name, "policy": hcl,
                                           "file": f"vault/policies/{agent.vault_name}.hcl"})
                out.files[f"vault/policies/{agent.vault_name}.hcl"] = hcl
                role = render_vault.jwt_role(agent)
                out.vault_roles.append({"name": agent.vault_name, "mount": vault["jwt_mount"], "role": role,
                                        "file": f"vault/roles/{agent.vault_name}.json"})
                out.files[f"vault/roles/{agent.vault_name}.json"] = canonical_json(role)
    entries = render_consul.config_entries(fleet)
    errors += _entry_errors(fleet, entries)
    if errors:
        raise FleetSpecError(errors)
    for entry in entries:
        rel = f"consul/{render_consul.entry_filename(entry)}"
        out.consul_entries.append({"kind": entry["Kind"], "name": entry["Name"], "entry": entry, "file": rel})
        out.files[rel] = canonical_json(entry)
    if picture:
        graph = fleet_picture.fleet_graph(fleet)
        out.files[fleet_picture.MERMAID_FILE] = fleet_picture.mermaid(graph)
        out.files[fleet_picture.DOT_FILE] = fleet_picture.dot(graph)
    out.summary = summary(fleet, out)
    out.files[MANIFEST] = canonical_json(out.summary)
    return out


def _entry_errors(fleet, entries):
    """Consul's rules on the rendered config entries, mapped to the agent owning the service."""
    owners = {agent.service_name: agent.path for agent in fleet.agents}
    errors = []
    for entry in entries:
        where = owners.get(entry.get("Name"), "defaults.consul")
        errors += [SpecError(where, f"rendered Consul {entry.get('Kind')} {entry.get('Name')!r}: {p}: {m} "
                             "(real Consul would refuse it)", entry.get("Name"))
                   for p, m in entry_problems(entry)]
    return errors


def summary(fleet, out):
    tenants = {}
    for tenant in fleet.tenants:
        used = {"cpu": 0, "memory": 0, "count": 0}
        agents = {}
        for agent in tenant.agents:
            res = agent.resources
            n = agent.max_replicas
            used["count"] += n
            used["cpu"] += n * res["cpu"]
            used["memory"] += n * res["memory"]
            agents[agent.name] = {"kind": agent.kind, "job_id": agent.job_id, "version": agent.spec["version"],
                                  "replicas_max": n, "service": agent.service_name if agent.in_mesh else None,
                                  "vault_role": agent.vault_name if agent.spec["secrets"] else None,
                                  "upstreams": sorted(u["service"] for u in agent.spec["upstreams"]),
                                  "digest": agent.digest}
        tenants[tenant.name] = {"namespace": tenant.namespace, "budget": tenant.spec["budget"],
                                "usage_at_max_scale": used, "agents": agents}
    files = {rel: hashlib.sha256(text.encode("utf-8")).hexdigest() for rel, text in sorted(out.files.items())}
    kinds = {}
    for agent in fleet.agents:
        kinds[agent.kind] = kinds.get(agent.kind, 0) + 1
    return {"fleet": fleet.name, "revision": fleet.revision, "collection_version": fleet.collection_version,
            "counts": {"tenants": len(fleet.tenants), "agents": len(fleet.agents), "by_kind": kinds,
                       "jobs": len(out.jobs), "vault_policies": len(out.vault_policies),
                       "vault_roles": len(out.vault_roles), "consul_entries": len(out.consul_entries)},
            "vault_jwt_mount": fleet.defaults["vault"]["jwt_mount"],
            "tenants": tenants, "files": files}
