# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet spec schema: every key, its type and its default (see docs/fleet-spec.md)."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet._schema_engine import Field

NAME = r"^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$"
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
META_KEY = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
FILE_NAME = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
KINDS = ("service", "batch", "periodic", "dispatch")
RESTART_PRESETS = ("standard", "resilient", "fail-fast")
RESCHEDULE_PRESETS = ("standard", "limited", "none")
STR_MAP = dict(item=Field("str"))
# A build record's name (<build_records_dir>/<name>.json): a plain file name, no path
# separators and no leading dot, so a spec can never name a file outside the operator's folder.
BUILD_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
REVISION = r"^[A-Za-z0-9][A-Za-z0-9._:+/-]{0,199}$"


def _retry_policy(presets, **own):
    """A restart or reschedule block: a preset name, the fields both share, and ``own``."""
    return Field("struct", default={}, fields=dict(
        preset=Field("str", choices=presets), attempts=Field("int", minimum=0),
        interval=Field("duration"), delay=Field("duration"), **own))


def _restart():
    return _retry_policy(RESTART_PRESETS, mode=Field("str", choices=("fail", "delay")))


def _reschedule():
    return _retry_policy(RESCHEDULE_PRESETS, max_delay=Field("duration"), unlimited=Field("bool"),
                         delay_function=Field("str", choices=("constant", "exponential", "fibonacci")))


def _update(defaults):
    d = (lambda v: v) if defaults else (lambda v: None)
    opt = {} if not defaults else None
    fields = {
        "max_parallel": Field("int", minimum=0, default=d(1)),
        "canary": Field("int", minimum=0, default=d(0)),
        "auto_revert": Field("bool", default=d(True)),
        "auto_promote": Field("bool", default=d(False)),
        "min_healthy_time": Field("duration", default=d("10s")),
        "healthy_deadline": Field("duration", default=d("5m")),
        "progress_deadline": Field("duration", default=d("10m")),
    }
    return Field("struct", default=opt if opt is not None else {}, fields=fields)


VAULT_DEFAULTS = Field("struct", default={}, fields={
    "kv_mount": Field("str", default="secret", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$"),
    "jwt_mount": Field("str", default="jwt-nomad", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$"),
    "audience": Field("list", item=Field("str"), default=["vault.io"], min_items=1),
    "cluster": Field("str", default="default"),
    "token_ttl": Field("duration", default="1h"),
    "token_max_ttl": Field("duration", default="4h"),
    "identity_ttl": Field("duration", default="1h"),
})

DEFAULTS = Field("struct", default={}, fields={
    "region": Field("str", default="global"),
    "datacenters": Field("list", item=Field("str"), default=["*"], min_items=1),
    "node_pool": Field("str", default="default"),
    "priority": Field("int", default=50, minimum=1, maximum=100),
    "driver": Field("str", default="docker", choices=("docker", "podman")),
    "restart": _restart(),
    "reschedule": _reschedule(),
    "update": _update(defaults=True),
    "kill_timeout": Field("duration", default="30s"),
    "kill_signal": Field("str", default="SIGTERM", pattern=r"^SIG[A-Z0-9]+$"),
    "log_format": Field("str", default="json", choices=("json", "text")),
    "telemetry": Field("struct", fields={
        "endpoint": Field("str", required=True, pattern=r"^(https?|grpc)://\S+$"),
        "protocol": Field("str", default="grpc", choices=("grpc", "http/protobuf", "http/json")),
    }),
    "vault": VAULT_DEFAULTS,
    "consul": Field("struct", default={}, fields={
        "default_deny": Field("bool", default=True),
        "protocol": Field("str", default="http", choices=("http", "http2", "grpc", "tcp")),
    }),
})

GUARDRAILS = Field("struct", default={}, fields={
    "max_replicas_per_agent": Field("int", default=10, minimum=1),
    "max_replicas_per_tenant": Field("int", default=50, minimum=1),
    "max_cpu_per_task": Field("int", default=4000, minimum=1),
    "max_memory_per_task": Field("int", default=8192, minimum=1),
    "require_image_digest": Field("bool", default=True),
    # Verified by the agent_fleet role's preflight against the operator's keys and signature
    # store (fleet_images action); the operator's agent_fleet_require_signed_images forces it on.
    "require_signed_images": Field("bool", default=False),
    "allowed_registries": Field("list", item=Field("str", pattern=r"^[a-z0-9.-]+(:\d+)?(/[a-z0-9._/-]+)?$"),
                                required=True, min_items=1),
    "require_checks": Field("bool", default=True),
    "require_resources": Field("bool", default=True),
    "max_secret_ttl": Field("duration", default="24h"),
    # Reviewed exceptions to tenant isolation (see isolation.py); the platform team's section.
    "shared_secret_paths": Field("list", default=[], item=Field("struct", fields={
        "path": Field("str", required=True, pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"),
        "mount": Field("str", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$"),
        "tenants": Field("list", required=True, min_items=1, item=Field("str", pattern=NAME)),
    })),
    "shared_upstreams": Field("list", default=[], item=Field("struct", fields={
        "service": Field("str", required=True, pattern=r"^[a-z]([a-z0-9-]*[a-z0-9])?/[a-z]([a-z0-9-]*[a-z0-9])?$"),
        "tenants": Field("list", required=True, min_items=1, item=Field("str", pattern=NAME)),
    })),
})

CHECK_RESTART = Field("struct", fields={
    "limit": Field("int", default=3, minimum=1),
    "grace": Field("duration", default="30s"),
    "ignore_warnings": Field("bool", default=False),
})

CHECK = Field("struct", fields={
    "type": Field("str", default="http", choices=("http", "tcp", "script")),
    "path": Field("str", pattern=r"^/\S*$"),
    "method": Field("str", default="GET", choices=("GET", "HEAD", "POST")),
    "port": Field("str", pattern=NAME),
    "command": Field("str"),
    "args": Field("list", item=Field("str"), default=[]),
    "interval": Field("duration", default="10s"),
    "timeout": Field("duration", default="2s"),
    "check_restart": CHECK_RESTART,
})

UPSTREAM = Field("struct", fields={
    "service": Field("str", required=True, pattern=r"^[a-z]([a-z0-9-]*[a-z0-9])?(/[a-z]([a-z0-9-]*[a-z0-9])?)?$"),
    "local_port": Field("int", required=True, minimum=1, maximum=65535),
    "connect_timeout": Field("duration", default="5s"),
    "request_timeout": Field("duration"),
    "limits": Field("struct", default={}, fields={
        "max_connections": Field("int", minimum=1),
        "max_pending_requests": Field("int", minimum=1),
        "max_concurrent_requests": Field("int", minimum=1),
    }),
    "passive_health_check": Field("struct", fields={
        "interval": Field("duration", default="10s"),
        # Consul PassiveHealthCheck.MaxFailures is a uint32 (agent/structs/config_entry.go)
        "max_failures": Field("int", default=5, minimum=1, maximum=2 ** 32 - 1),
        "enforcing_consecutive_5xx": Field("int", default=100, minimum=0, maximum=100),
    }),
})

SECRET = Field("struct", fields={
    "path": Field("str", required=True, pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"),
    "mount": Field("str", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$"),
    "env": Field("map", item=Field("str", pattern=r"^[A-Za-z0-9_.-]+$"), key_pattern=ENV_NAME, default={}),
    "files": Field("map", item=Field("str", pattern=r"^[A-Za-z0-9_.-]+$"), key_pattern=FILE_NAME, default={}),
    "change_mode": Field("str", default="restart", choices=("restart", "signal", "noop")),
    "change_signal": Field("str", pattern=r"^SIG[A-Z0-9]+$"),
})

SCALING = Field("struct", fields={
    "enabled": Field("bool", default=True),
    "min": Field("int", required=True, minimum=0),
    "max": Field("int", required=True, minimum=1),
    "cooldown": Field("duration", default="1m"),
    "evaluation_interval": Field("duration", default="30s"),
    "policy": Field("struct", required=True, fields={
        "type": Field("str", required=True, choices=("queue_depth", "latency")),
        "source": Field("str", default="prometheus"),
        "query": Field("str", required=True),
        "target": Field("number", required=True, minimum=0),
    }),
})

AGENT = Field("struct", fields={
    "name": Field("str", required=True, pattern=NAME),
    "kind": Field("str", required=True, choices=KINDS),
    "description": Field("str", default=""),
    # A reference, or {build: NAME} resolved from the operator's build records (build_records.py).
    "image": Field("str", required=True, alt=Field("struct", fields={
        "build": Field("str", required=True, pattern=BUILD_NAME),
        "revision": Field("str", pattern=REVISION),
    })),
    "version": Field("str", required=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]*$"),
    "command": Field("str"),
    "args": Field("list", item=Field("str"), default=[]),
    "count": Field("int", default=1, minimum=0),
    "resources": Field("struct", fields={
        "cpu": Field("int", required=True, minimum=1),
        "memory": Field("int", required=True, minimum=10),  # Nomad's minimum MemoryMB
        "memory_max": Field("int", minimum=10),
    }),
    "ports": Field("map", key_pattern=NAME, default={}, item=Field("struct", fields={
        "to": Field("int", required=True, minimum=1, maximum=65535),
        "protocol": Field("str", choices=("http", "http2", "grpc", "tcp")),
    })),
    "checks": Field("struct", fields={"readiness": CHECK, "liveness": CHECK}),
    "update": _update(defaults=False),
    "scaling": SCALING,
    "partitions": Field("list", item=Field("struct", fields={
        "name": Field("str", required=True, pattern=NAME),
        "meta": Field("map", key_pattern=META_KEY, default={}, **STR_MAP),
    })),
    "max_run_duration": Field("duration"),
    "retry": Field("struct", fields={
        "attempts": Field("int", default=2, minimum=0),
        "reschedule_attempts": Field("int", default=1, minimum=0),
        "delay": Field("duration", default="15s"),
        "backoff": Field("str", default="exponential", choices=("constant", "exponential")),
        "interval": Field("duration", default="24h"),
    }),
    "schedule": Field("struct", fields={
        "crons": Field("list", item=Field("str"), required=True, min_items=1),
        "time_zone": Field("str", default="UTC"),
        "prohibit_overlap": Field("bool", default=True),
        "enabled": Field("bool", default=True),
    }),
    "dispatch": Field("struct", fields={
        "payload": Field("str", default="optional", choices=("required", "optional", "forbidden")),
        "payload_file": Field("str", default="payload.json", pattern=FILE_NAME),
        "meta_required": Field("list", item=Field("str", pattern=META_KEY), default=[]),
        "meta_optional": Field("list", item=Field("str", pattern=META_KEY), default=[]),
    }),
    "restart": _restart(),
    "reschedule": _reschedule(),
    "kill_timeout": Field("duration"),
    "kill_signal": Field("str", pattern=r"^SIG[A-Z0-9]+$"),
    "env": Field("map", key_pattern=ENV_NAME, default={}, **STR_MAP),
    "secrets": Field("list", item=SECRET, default=[]),
    "vault": Field("struct", default={}, fields={
        "token_ttl": Field("duration"),
        "token_max_ttl": Field("duration"),
    }),
    "upstreams": Field("list", item=UPSTREAM, default=[]),
    "meta": Field("map", key_pattern=META_KEY, default={}, **STR_MAP),
    "datacenters": Field("list", item=Field("str"), min_items=1),
    "node_pool": Field("str"),
    "priority": Field("int", minimum=1, maximum=100),
    "template": Field("str"),
})

# Keys only meaningful for some kinds; anything else set on another kind is an error.
KIND_ONLY = {
    "checks": ("service",),
    "update": ("service",),
    "scaling": ("service",),
    "partitions": ("batch",),
    "max_run_duration": ("batch", "periodic", "dispatch"),
    "retry": ("batch", "periodic", "dispatch"),
    "schedule": ("periodic",),
    "dispatch": ("dispatch",),
}
REQUIRED_FOR_KIND = {"periodic": ("schedule",), "dispatch": ("dispatch",)}

TENANT = Field("struct", fields={
    "description": Field("str", default=""),
    "namespace": Field("str", pattern=NAME),
    "budget": Field("struct", fields={
        "cpu": Field("int", minimum=1),
        "memory": Field("int", minimum=1),
        "count": Field("int", minimum=1),
    }),
    "quota": Field("bool", default=False),
    "meta": Field("map", key_pattern=META_KEY, default={}, **STR_MAP),
    # Tenants whose agents may call this tenant's service agents (isolation.py).
    "allow_upstream_from": Field("list", default=[], item=Field("str", pattern=NAME)),
    "agents": Field("list", default=[]),  # items checked one by one in validate.py (named paths)
})

FLEET = Field("struct", fields={
    "name": Field("str", required=True, pattern=NAME),
    "revision": Field("str", default="unversioned", pattern=r"^[A-Za-z0-9][A-Za-z0-9._:+-]*$"),
    "defaults": DEFAULTS,
    "guardrails": GUARDRAILS,
    "tenants": Field("map", required=True, key_pattern=NAME, item=TENANT),
})
