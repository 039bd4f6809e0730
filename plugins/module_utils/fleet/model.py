# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The validated fleet as objects: names, effective settings, deterministic order."""
from __future__ import annotations

import hashlib
import json

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import naming, presets

DEFAULT_RESOURCES = {"cpu": 100, "memory": 300, "memory_max": None}


def digest(obj, length=16):
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


class Agent:
    """One agent with its fleet defaults applied (``effective``) and its derived names."""

    def __init__(self, fleet, tenant, spec):
        self.fleet = fleet
        self.tenant = tenant
        self.spec = spec
        self.name = spec["name"]
        self.kind = spec["kind"]
        self.job_id = self.name
        self.namespace = tenant.namespace
        self.service_name = naming.agent_object_name(fleet.name, tenant.name, self.name)
        self.vault_name = naming.agent_object_name(fleet.name, tenant.name, self.name)
        self.path = f"tenants.{tenant.name}.agents.{self.name}"
        self.effective = self._effective(fleet.defaults)
        self.digest = digest(spec)

    @property
    def key(self):
        return f"{self.tenant.name}/{self.name}"

    @property
    def in_mesh(self):
        """Registered as a Consul service (with a sidecar) when serving or calling."""
        return self.kind == "service" or bool(self.spec["upstreams"]) or self.is_upstream

    @property
    def is_upstream(self):
        return self.key in self.fleet.upstream_targets

    @property
    def groups(self):
        """(group name, count, group meta) triples: one per batch partition, else one."""
        if self.kind == "batch" and self.spec["partitions"]:
            return [(f"{self.name}-{p['name']}", self.spec["count"], p["meta"])
                    for p in self.spec["partitions"]]
        return [(self.name, self.spec["count"], {})]

    @property
    def max_replicas(self):
        """Worst-case allocations: scaling max for autoscaled agents, else count x groups."""
        if self.spec["scaling"]:
            return self.spec["scaling"]["max"]
        return sum(group[1] for group in self.groups)

    @property
    def resources(self):
        return self.spec["resources"] or dict(DEFAULT_RESOURCES)

    def _effective(self, defaults):
        s = self.spec
        effective = {
            "datacenters": s["datacenters"] or defaults["datacenters"],
            "node_pool": s["node_pool"] or defaults["node_pool"],
            "priority": s["priority"] or defaults["priority"],
            "kill_timeout": s["kill_timeout"] or defaults["kill_timeout"],
            "kill_signal": s["kill_signal"] or defaults["kill_signal"],
            "token_ttl": (s["vault"] or {}).get("token_ttl") or defaults["vault"]["token_ttl"],
            "token_max_ttl": (s["vault"] or {}).get("token_max_ttl") or defaults["vault"]["token_max_ttl"],
        }
        if s["retry"]:
            effective["restart"], effective["reschedule"] = presets.retry_policies(s["retry"])
        else:
            batch = self.kind != "service"
            effective["restart"] = presets.layered(presets.RESTART, defaults["restart"], s["restart"], batch)
            effective["reschedule"] = presets.layered(presets.RESCHEDULE, defaults["reschedule"], s["reschedule"], batch)
        if self.kind == "service":
            update = dict(defaults["update"])
            update.update({k: v for k, v in (s["update"] or {}).items() if v is not None})
            effective["update"] = update
        return effective


class Tenant:
    def __init__(self, fleet, name, spec):
        self.fleet = fleet
        self.name = name
        self.spec = spec
        self.namespace = spec["namespace"] or name
        self.acl_policy_name = naming.tenant_object_name(fleet.name, name)
        self.quota_name = naming.tenant_object_name(fleet.name, name)
        self.agents = []


class Fleet:
    """Built from a *normalized, valid* spec (see ``validate``)."""

    def __init__(self, spec, collection_version="0.0.0"):
        self.spec = spec
        self.name = spec["name"]
        self.revision = spec["revision"]
        self.defaults = spec["defaults"]
        self.guardrails = spec["guardrails"]
        self.collection_version = collection_version
        # "tenant/agent" -> build record summary of images given as {build: NAME} (api.load_spec)
        self.image_builds = {}
        self.tenants = []
        self.upstream_targets = set()
        for tname in sorted(spec["tenants"]):
            tenant = Tenant(self, tname, spec["tenants"][tname])
            self.tenants.append(tenant)
            for aspec in tenant.spec["agents"]:
                for up in aspec["upstreams"]:
                    self.upstream_targets.add(resolve_upstream(tname, up["service"]))
        self._by_key = {}
        for tenant in self.tenants:
            for aspec in sorted(tenant.spec["agents"], key=lambda a: a["name"]):
                agent = Agent(self, tenant, aspec)
                tenant.agents.append(agent)
                self._by_key[agent.key] = agent

    @property
    def agents(self):
        return [a for t in self.tenants for a in t.agents]

    def agent(self, key):
        return self._by_key.get(key)


def resolve_upstream(tenant_name, ref):
    """``"agent"`` means an agent of the same tenant; ``"tenant/agent"`` any tenant."""
    return ref if "/" in ref else f"{tenant_name}/{ref}"
