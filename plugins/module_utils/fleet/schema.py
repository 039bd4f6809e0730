# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet spec schema: every key, its type and its default (see docs/fleet-spec.md)."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet._schema_engine import Field as F

NAME = r"^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$"
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
META_KEY = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
FILE_NAME = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
KINDS = ("service", "batch", "periodic", "dispatch")
RESTART_PRESETS = ("standard", "resilient", "fail-fast")
RESCHEDULE_PRESETS = ("standard", "limited", "none")
STR_MAP = dict(item=F("str"))


def _restart():
    return F("struct", default={}, fields={
        "preset": F("str", choices=RESTART_PRESETS),
        "attempts": F("int", minimum=0),
        "interval": F("duration"),
        "delay": F("duration"),
        "mode": F("str", choices=("fail", "delay")),
    })


def _reschedule():
    return F("struct", default={}, fields={
        "preset": F("str", choices=RESCHEDULE_PRESETS),
        "attempts": F("int", minimum=0),
        "interval": F("duration"),
        "delay": F("duration"),
        "delay_function": F("str", choices=("constant", "exponential", "fibonacci")),
        "max_delay": F("duration"),
        "unlimited": F("bool"),
    })


def _update(defaults):
    d = (lambda v: v) if defaults else (lambda v: None)
    opt = {} if not defaults else None
    fields = {
        "max_parallel": F("int", minimum=0, default=d(1)),
        "canary": F("int", minimum=0, default=d(0)),
        "auto_revert": F("bool", default=d(True)),
        "auto_promote": F("bool", default=d(False)),
        "min_healthy_time": F("duration", default=d("10s")),
        "healthy_deadline": F("duration", default=d("5m")),
        "progress_deadline": F("duration", default=d("10m")),
    }
    return F("struct", default=opt if opt is not None else {}, fields=fields)


VAULT_DEFAULTS = F("struct", default={}, fields={
    "kv_mount": F("str", default="secret", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$"),
    "jwt_mount": F("str", default="jwt-nomad", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$"),
    "audience": F("list", item=F("str"), default=["vault.io"], min_items=1),
    "cluster": F("str", default="default"),
    "token_ttl": F("duration", default="1h"),
    "token_max_ttl": F("duration", default="4h"),
    "identity_ttl": F("duration", default="1h"),
})

DEFAULTS = F("struct", default={}, fields={
    "region": F("str", default="global"),
    "datacenters": F("list", item=F("str"), default=["*"], min_items=1),
    "node_pool": F("str", default="default"),
    "priority": F("int", default=50, minimum=1, maximum=100),
    "driver": F("str", default="docker", choices=("docker", "podman")),
    "restart": _restart(),
    "reschedule": _reschedule(),
    "update": _update(defaults=True),
    "kill_timeout": F("duration", default="30s"),
    "kill_signal": F("str", default="SIGTERM", pattern=r"^SIG[A-Z0-9]+$"),
    "log_format": F("str", default="json", choices=("json", "text")),
    "telemetry": F("struct", fields={
        "endpoint": F("str", required=True, pattern=r"^(https?|grpc)://\S+$"),
        "protocol": F("str", default="grpc", choices=("grpc", "http/protobuf", "http/json")),
    }),
    "vault": VAULT_DEFAULTS,
    "consul": F("struct", default={}, fields={
        "default_deny": F("bool", default=True),
        "protocol": F("str", default="http", choices=("http", "http2", "grpc", "tcp")),
    }),
})

GUARDRAILS = F("struct", default={}, fields={
    "max_replicas_per_agent": F("int", default=10, minimum=1),
    "max_replicas_per_tenant": F("int", default=50, minimum=1),
    "max_cpu_per_task": F("int", default=4000, minimum=1),
    "max_memory_per_task": F("int", default=8192, minimum=1),
    "require_image_digest": F("bool", default=True),
    "allowed_registries": F("list", item=F("str", pattern=r"^[a-z0-9.-]+(:\d+)?(/[a-z0-9._/-]+)?$"),
                            required=True, min_items=1),
    "require_checks": F("bool", default=True),
    "require_resources": F("bool", default=True),
    "max_secret_ttl": F("duration", default="24h"),
    # Reviewed exceptions to tenant isolation (see isolation.py); the platform team's section.
    "shared_secret_paths": F("list", default=[], item=F("struct", fields={
        "path": F("str", required=True, pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"),
        "mount": F("str", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$"),
        "tenants": F("list", required=True, min_items=1, item=F("str", pattern=NAME)),
    })),
    "shared_upstreams": F("list", default=[], item=F("struct", fields={
        "service": F("str", required=True, pattern=r"^[a-z]([a-z0-9-]*[a-z0-9])?/[a-z]([a-z0-9-]*[a-z0-9])?$"),
        "tenants": F("list", required=True, min_items=1, item=F("str", pattern=NAME)),
    })),
})

CHECK_RESTART = F("struct", fields={
    "limit": F("int", default=3, minimum=1),
    "grace": F("duration", default="30s"),
    "ignore_warnings": F("bool", default=False),
})

CHECK = F("struct", fields={
    "type": F("str", default="http", choices=("http", "tcp", "script")),
    "path": F("str", pattern=r"^/\S*$"),
    "method": F("str", default="GET", choices=("GET", "HEAD", "POST")),
    "port": F("str", pattern=NAME),
    "command": F("str"),
    "args": F("list", item=F("str"), default=[]),
    "interval": F("duration", default="10s"),
    "timeout": F("duration", default="2s"),
    "check_restart": CHECK_RESTART,
})

UPSTREAM = F("struct", fields={
    "service": F("str", required=True, pattern=r"^[a-z]([a-z0-9-]*[a-z0-9])?(/[a-z]([a-z0-9-]*[a-z0-9])?)?$"),
    "local_port": F("int", required=True, minimum=1, maximum=65535),
    "connect_timeout": F("duration", default="5s"),
    "request_timeout": F("duration"),
    "limits": F("struct", default={}, fields={
        "max_connections": F("int", minimum=1),
        "max_pending_requests": F("int", minimum=1),
        "max_concurrent_requests": F("int", minimum=1),
    }),
    "passive_health_check": F("struct", fields={
        "interval": F("duration", default="10s"),
        # Consul PassiveHealthCheck.MaxFailures is a uint32 (agent/structs/config_entry.go)
        "max_failures": F("int", default=5, minimum=1, maximum=2 ** 32 - 1),
        "enforcing_consecutive_5xx": F("int", default=100, minimum=0, maximum=100),
    }),
})

SECRET = F("struct", fields={
    "path": F("str", required=True, pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"),
    "mount": F("str", pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$"),
    "env": F("map", item=F("str", pattern=r"^[A-Za-z0-9_.-]+$"), key_pattern=ENV_NAME, default={}),
    "files": F("map", item=F("str", pattern=r"^[A-Za-z0-9_.-]+$"), key_pattern=FILE_NAME, default={}),
    "change_mode": F("str", default="restart", choices=("restart", "signal", "noop")),
    "change_signal": F("str", pattern=r"^SIG[A-Z0-9]+$"),
})

SCALING = F("struct", fields={
    "enabled": F("bool", default=True),
    "min": F("int", required=True, minimum=0),
    "max": F("int", required=True, minimum=1),
    "cooldown": F("duration", default="1m"),
    "evaluation_interval": F("duration", default="30s"),
    "policy": F("struct", required=True, fields={
        "type": F("str", required=True, choices=("queue_depth", "latency")),
        "source": F("str", default="prometheus"),
        "query": F("str", required=True),
        "target": F("number", required=True, minimum=0),
    }),
})

AGENT = F("struct", fields={
    "name": F("str", required=True, pattern=NAME),
    "kind": F("str", required=True, choices=KINDS),
    "description": F("str", default=""),
    "image": F("str", required=True),
    "version": F("str", required=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]*$"),
    "command": F("str"),
    "args": F("list", item=F("str"), default=[]),
    "count": F("int", default=1, minimum=0),
    "resources": F("struct", fields={
        "cpu": F("int", required=True, minimum=1),
        "memory": F("int", required=True, minimum=10),  # Nomad's minimum MemoryMB
        "memory_max": F("int", minimum=10),
    }),
    "ports": F("map", key_pattern=NAME, default={}, item=F("struct", fields={
        "to": F("int", required=True, minimum=1, maximum=65535),
        "protocol": F("str", choices=("http", "http2", "grpc", "tcp")),
    })),
    "checks": F("struct", fields={"readiness": CHECK, "liveness": CHECK}),
    "update": _update(defaults=False),
    "scaling": SCALING,
    "partitions": F("list", item=F("struct", fields={
        "name": F("str", required=True, pattern=NAME),
        "meta": F("map", key_pattern=META_KEY, default={}, **STR_MAP),
    })),
    "max_run_duration": F("duration"),
    "retry": F("struct", fields={
        "attempts": F("int", default=2, minimum=0),
        "reschedule_attempts": F("int", default=1, minimum=0),
        "delay": F("duration", default="15s"),
        "backoff": F("str", default="exponential", choices=("constant", "exponential")),
        "interval": F("duration", default="24h"),
    }),
    "schedule": F("struct", fields={
        "crons": F("list", item=F("str"), required=True, min_items=1),
        "time_zone": F("str", default="UTC"),
        "prohibit_overlap": F("bool", default=True),
        "enabled": F("bool", default=True),
    }),
    "dispatch": F("struct", fields={
        "payload": F("str", default="optional", choices=("required", "optional", "forbidden")),
        "payload_file": F("str", default="payload.json", pattern=FILE_NAME),
        "meta_required": F("list", item=F("str", pattern=META_KEY), default=[]),
        "meta_optional": F("list", item=F("str", pattern=META_KEY), default=[]),
    }),
    "restart": _restart(),
    "reschedule": _reschedule(),
    "kill_timeout": F("duration"),
    "kill_signal": F("str", pattern=r"^SIG[A-Z0-9]+$"),
    "env": F("map", key_pattern=ENV_NAME, default={}, **STR_MAP),
    "secrets": F("list", item=SECRET, default=[]),
    "vault": F("struct", default={}, fields={
        "token_ttl": F("duration"),
        "token_max_ttl": F("duration"),
    }),
    "upstreams": F("list", item=UPSTREAM, default=[]),
    "meta": F("map", key_pattern=META_KEY, default={}, **STR_MAP),
    "datacenters": F("list", item=F("str"), min_items=1),
    "node_pool": F("str"),
    "priority": F("int", minimum=1, maximum=100),
    "template": F("str"),
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

TENANT = F("struct", fields={
    "description": F("str", default=""),
    "namespace": F("str", pattern=NAME),
    "budget": F("struct", fields={
        "cpu": F("int", minimum=1),
        "memory": F("int", minimum=1),
        "count": F("int", minimum=1),
    }),
    "quota": F("bool", default=False),
    "meta": F("map", key_pattern=META_KEY, default={}, **STR_MAP),
    # Tenants whose agents may call this tenant's service agents (isolation.py).
    "allow_upstream_from": F("list", default=[], item=F("str", pattern=NAME)),
    "agents": F("list", default=[]),  # items checked one by one in validate.py (named paths)
})

FLEET = F("struct", fields={
    "name": F("str", required=True, pattern=NAME),
    "revision": F("str", default="unversioned", pattern=r"^[A-Za-z0-9][A-Za-z0-9._:+-]*$"),
    "defaults": DEFAULTS,
    "guardrails": GUARDRAILS,
    "tenants": F("map", required=True, key_pattern=NAME, item=TENANT),
})
