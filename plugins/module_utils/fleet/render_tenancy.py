# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-tenant Nomad objects: namespace, least-privilege ACL policy, Enterprise quota."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import ownership

# Submit and read jobs in the tenant's namespace; nothing node-, agent- or operator-wide.
TENANT_CAPABILITIES = ("list-jobs", "parse-job", "read-job", "submit-job", "dispatch-job",
                       "read-logs", "read-job-scaling", "scale-job")


def namespace(tenant):
    fleet = tenant.fleet
    body = {"Name": tenant.namespace,
            "Description": tenant.spec["description"] or f"agentfleet {fleet.name} tenant {tenant.name}",
            "Meta": dict(tenant.spec["meta"], **{ownership.OWNER_META: fleet.name, ownership.TENANT_META: tenant.name}),
            "Capabilities": {"EnabledTaskDrivers": [fleet.defaults["driver"]]}}
    if tenant.spec["quota"]:
        body["Quota"] = tenant.quota_name
    return body


def acl_policy_hcl(tenant):
    caps = ", ".join(f'"{c}"' for c in TENANT_CAPABILITIES)
    text = (f"# {ownership.description(tenant.fleet.name, 'tenant ' + tenant.name)}\n"
            f'namespace "{tenant.namespace}" {{\n'
            f"  capabilities = [{caps}]\n"
            "}\n")
    # Registering a job into a node pool needs read on that pool.
    for pool in sorted({a.effective["node_pool"] for a in tenant.agents}):
        text += f'\nnode_pool "{pool}" {{\n  policy = "read"\n}}\n'
    return text


def acl_policy(tenant):
    """Body for ``POST /v1/acl/policy/<name>``."""
    return {"Name": tenant.acl_policy_name,
            "Description": ownership.description(
                tenant.fleet.name, f"tenant {tenant.name}: submit/read jobs in namespace {tenant.namespace}"),
            "Rules": acl_policy_hcl(tenant)}


def quota(tenant):
    """Nomad Enterprise QuotaSpec from the tenant budget (rendered only when asked)."""
    budget = tenant.spec["budget"]
    limit = {}
    if budget.get("cpu"):
        limit["CPU"] = budget["cpu"]
    if budget.get("memory"):
        limit["MemoryMB"] = budget["memory"]
    return {"Name": tenant.quota_name,
            "Description": ownership.description(tenant.fleet.name, f"tenant {tenant.name} budget"),
            "Limits": [{"Region": tenant.fleet.defaults["region"], "RegionLimit": limit}]}
