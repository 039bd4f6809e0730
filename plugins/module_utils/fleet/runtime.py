# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runtime contract stamped on every task (env) and every job (ownership meta)."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import ownership
from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import seconds

RESERVED_ENV_PREFIXES = ("AGENT_", "AGENTFLEET_", "OTEL_", "NOMAD_", "VAULT_", "CONSUL_")
RESERVED_ENV = {"LOG_FORMAT"}
META_PREFIX = "agentfleet_"


def is_reserved_env(name):
    return name in RESERVED_ENV or name.startswith(RESERVED_ENV_PREFIXES)


def contract_env(agent):
    """Environment every task gets; ``${...}`` values are Nomad runtime interpolation."""
    fleet = agent.fleet
    env = {
        "AGENTFLEET_FLEET": fleet.name,
        "AGENT_NAME": agent.name,
        "AGENT_TENANT": agent.tenant.name,
        "AGENT_KIND": agent.kind,
        "AGENT_VERSION": agent.spec["version"],
        # The dispatched child's job ID identifies one unit of queued work; otherwise the alloc.
        "AGENT_EXECUTION_ID": "${NOMAD_JOB_ID}" if agent.kind == "dispatch" else "${NOMAD_ALLOC_ID}",
        "LOG_FORMAT": fleet.defaults["log_format"],
    }
    if agent.spec["max_run_duration"]:
        env["AGENT_MAX_RUN_SECONDS"] = str(seconds(agent.spec["max_run_duration"]))
    telemetry = fleet.defaults["telemetry"]
    if telemetry:
        env["OTEL_SERVICE_NAME"] = agent.service_name
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = telemetry["endpoint"]
        env["OTEL_EXPORTER_OTLP_PROTOCOL"] = telemetry["protocol"]
        env["OTEL_RESOURCE_ATTRIBUTES"] = ",".join([
            f"service.namespace={agent.tenant.name}",
            f"service.version={agent.spec['version']}",
            "service.instance.id=${NOMAD_ALLOC_ID}",
            f"agentfleet.fleet={fleet.name}",
        ])
    return env


def ownership_meta(agent):
    """Job meta recognised by the Nomad modules and the agent_fleet role (audit trail)."""
    fleet = agent.fleet
    meta = {ownership.OWNER_META: fleet.name,
            ownership.TENANT_META: agent.tenant.name,
            f"{META_PREFIX}agent": agent.name,
            f"{META_PREFIX}kind": agent.kind,
            f"{META_PREFIX}agent_version": agent.spec["version"],
            f"{META_PREFIX}agent_digest": agent.digest,
            f"{META_PREFIX}spec_revision": fleet.revision,
            f"{META_PREFIX}collection_version": fleet.collection_version}
    if agent.spec["max_run_duration"]:
        meta[f"{META_PREFIX}max_run_duration"] = agent.spec["max_run_duration"]
    return meta
