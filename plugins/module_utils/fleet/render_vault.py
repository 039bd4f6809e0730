# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vault ACL policies (read-only on the agent's own KV v2 paths) and JWT auth roles for
Nomad workload identity, in the form the ``auth/<mount>/role/<name>`` API takes."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import ownership
from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import seconds


def secret_api_paths(agent):
    vault = agent.fleet.defaults["vault"]
    return sorted({f"{s['mount'] or vault['kv_mount']}/data/{s['path']}" for s in agent.spec["secrets"]})


def policy_hcl(agent):
    lines = [ownership.policy_header(agent.fleet.name, agent.tenant.name, agent.name),
             "# Read-only access to exactly the secrets this agent declares."]
    for path in secret_api_paths(agent):
        lines += ["", f'path "{path}" {{', '  capabilities = ["read"]', "}"]
    return "\n".join(lines) + "\n"


def jwt_role(agent):
    """Body for ``POST auth/<jwt_mount>/role/<name>``; TTLs in seconds (as Vault reads back).

    Nomad's identity claims name the parent job for periodic and dispatched children, so
    binding ``nomad_job_id`` to the agent's job ID covers every run of it.
    """
    vault = agent.fleet.defaults["vault"]
    return {
        "role_type": "jwt",
        "bound_audiences": list(vault["audience"]),
        "user_claim": "/nomad_job_id",
        "user_claim_json_pointer": True,
        "bound_claims_type": "string",
        "bound_claims": {"nomad_namespace": agent.namespace, "nomad_job_id": agent.job_id},
        "claim_mappings": {"nomad_namespace": "nomad_namespace", "nomad_job_id": "nomad_job_id",
                           "nomad_task": "nomad_task"},
        "token_policies": [agent.vault_name],
        "token_ttl": seconds(agent.effective["token_ttl"]),
        "token_max_ttl": seconds(agent.effective["token_max_ttl"]),
        "token_type": "service",
    }
