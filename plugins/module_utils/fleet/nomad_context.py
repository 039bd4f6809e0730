# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Template context for one agent: sub-blocks already in Nomad API form (Go field
names, durations in integer nanoseconds), laid out by the nomad-jobs/ templates."""
from __future__ import annotations

import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import parse as ns
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.runtime import contract_env, ownership_meta


def _restart(r):
    return {"Attempts": r["attempts"], "Interval": ns(r["interval"]), "Delay": ns(r["delay"]), "Mode": r["mode"]}


def _reschedule(r):
    return {"Attempts": r["attempts"], "Interval": ns(r["interval"]), "Delay": ns(r["delay"]),
            "DelayFunction": r["delay_function"], "MaxDelay": ns(r["max_delay"]), "Unlimited": r["unlimited"]}


def main_port(agent):
    ports = agent.spec["ports"]
    if not ports:
        return None
    return "http" if "http" in ports else sorted(ports)[0]


def _check(agent, role, check, mesh):
    out = {"Name": f"{agent.service_name}-{role}", "Type": check["type"],
           "Interval": ns(check["interval"]), "Timeout": ns(check["timeout"]), "OnUpdate": "require_healthy"}
    if check["type"] == "http":
        out.update({"Path": check["path"], "Method": check["method"], "Protocol": "http"})
    if check["type"] == "script":
        out.update({"Command": check["command"], "Args": list(check["args"]), "TaskName": agent.name})
    elif mesh and check["type"] == "http":
        out["Expose"] = True  # reached through the sidecar's expose listener
    else:
        out["PortLabel"] = check["port"] or main_port(agent)
    if role == "liveness":
        cr = check["check_restart"] or {"limit": 3, "grace": "30s", "ignore_warnings": False}
        out["CheckRestart"] = {"Limit": cr["limit"], "Grace": ns(cr["grace"]), "IgnoreWarnings": cr["ignore_warnings"]}
    return out


def _network(agent):
    """Bridge mode for anything with ports. In the mesh the Consul service port stays
    unmapped (reached only through the sidecar; http checks use Expose, and Nomad refuses
    tcp checks on Connect services); other ports (metrics, admin) are mapped."""
    ports = agent.spec["ports"]
    if not ports and not agent.in_mesh:
        return []
    mapped = set(ports)
    if agent.in_mesh:
        mapped.discard(main_port(agent))
    return [{"Mode": "bridge",
             "DynamicPorts": [{"Label": label, "To": ports[label]["to"]} for label in sorted(mapped)]}]


def _services(agent):
    if not agent.in_mesh:
        return []
    port = main_port(agent)
    spec = agent.spec
    checks = spec["checks"] or {}
    upstreams = []
    for up in spec["upstreams"]:
        target = agent.fleet.agent(up["service"] if "/" in up["service"] else f"{agent.tenant.name}/{up['service']}")
        upstreams.append({"DestinationName": target.service_name, "LocalBindPort": up["local_port"]})
    service = {
        "Name": agent.service_name,
        "PortLabel": str(spec["ports"][port]["to"]),
        "Provider": "consul",
        "Tags": [f"tenant-{agent.tenant.name}", f"kind-{agent.kind}"],
        "Meta": {"agentfleet_tenant": agent.tenant.name, "agentfleet_agent": agent.name},
        "Checks": [_check(agent, role, checks[role], True) for role in ("readiness", "liveness")
                   if checks.get(role)],
        "Connect": {"SidecarService": {"Proxy": {"Upstreams": upstreams}}},
    }
    return [service]


_GO_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")


def secret_value(key, api_path):
    """Template text for one KV v2 ``key`` (inside ``with secret``) that fails the
    template when Vault has no such key, instead of rendering an empty value.

    The templates set ``ErrMissingKey`` (api/tasks.go Template, HCL
    ``error_on_missing_key``): consul-template then executes with Go's
    ``missingkey=error``, which covers field access (``.Data.data.key``) but not the
    ``index`` function (golang/go#60008). A key that is not a Go identifier (``-`` or
    ``.`` in it) cannot use field access, so a missing one calls an undefined template
    whose name says which key is missing (an execution error as well).
    """
    if _GO_IDENTIFIER.match(key):
        return f"{{{{ .Data.data.{key} }}}}"
    missing = f"agentfleet: key {key} is missing in {api_path}"
    return (f'{{{{ if eq (printf "%T" (index .Data.data "{key}")) "<nil>" }}}}'
            f'{{{{ template "{missing}" }}}}{{{{ end }}}}{{{{ index .Data.data "{key}" }}}}')


def _secret_templates(agent):
    vault = agent.fleet.defaults["vault"]
    out = []
    for i, secret in enumerate(agent.spec["secrets"]):
        mount = secret["mount"] or vault["kv_mount"]
        api_path = f"{mount}/data/{secret['path']}"
        change = {"ChangeMode": secret["change_mode"]}
        if secret["change_mode"] == "signal":
            change["ChangeSignal"] = secret["change_signal"]
        if secret["env"]:
            lines = "".join(f"{var}={secret_value(key, api_path)}\n"
                            for var, key in sorted(secret["env"].items()))
            out.append(dict(change, EmbeddedTmpl=f'{{{{ with secret "{api_path}" }}}}\n{lines}{{{{ end }}}}\n',
                            DestPath=f"secrets/agentfleet-{i}.env", Envvars=True, Perms="0400",
                            ErrMissingKey=True))
        for name, key in sorted(secret["files"].items()):
            out.append(dict(change, EmbeddedTmpl=f'{{{{ with secret "{api_path}" }}}}'
                            f'{secret_value(key, api_path)}{{{{ end }}}}',
                            DestPath=f"secrets/{name}", Envvars=False, Perms="0400", ErrMissingKey=True))
    return out


def secret_destinations(index, secret):
    """Template destinations ``_secret_templates`` gives ``secrets[index]``: ``[(file name,
    or None for the env template, DestPath)]`` (the spec validator checks them for
    collisions before rendering; test_job_checks keeps the two in step)."""
    out = [(None, f"secrets/agentfleet-{index}.env")] if secret["env"] else []
    return out + [(name, f"secrets/{name}") for name in sorted(secret["files"])]


def _scaling(agent):
    s = agent.spec["scaling"]
    if not s:
        return None
    pol = s["policy"]
    check = {"source": pol["source"], "query": pol["query"],
             "strategy": [{"target-value": [{"target": pol["target"]}]}]}
    return {"Type": "horizontal", "Enabled": s["enabled"], "Min": s["min"], "Max": s["max"],
            "Policy": {"cooldown": s["cooldown"], "evaluation_interval": s["evaluation_interval"],
                       "check": [{pol["type"]: [check]}]}}


def _task(agent):
    spec = agent.spec
    effective = agent.effective
    defaults = agent.fleet.defaults
    config = {"image": spec["image"]}
    if spec["command"]:
        config["command"] = spec["command"]
    if spec["args"]:
        config["args"] = list(spec["args"])
    env = dict(spec["env"])
    env.update(contract_env(agent))
    res = agent.resources
    resources = {"CPU": res["cpu"], "MemoryMB": res["memory"]}
    if res.get("memory_max"):
        resources["MemoryMaxMB"] = res["memory_max"]
    task = {"name": agent.name, "driver": defaults["driver"], "config": config, "env": env,
            "resources": resources, "kill_timeout": ns(effective["kill_timeout"]), "kill_signal": effective["kill_signal"],
            "templates": _secret_templates(agent), "vault": None, "identities": [], "dispatch_payload": None}
    if spec["secrets"]:
        vault = defaults["vault"]
        task["vault"] = {"Role": agent.vault_name, "Cluster": vault["cluster"], "ChangeMode": "restart",
                         "Env": False, "DisableFile": True}
        task["identities"] = [{"Name": f"vault_{vault['cluster']}", "Audience": list(vault["audience"]),
                               "TTL": ns(vault["identity_ttl"]), "Env": False, "File": False}]
    if agent.kind == "dispatch" and spec["dispatch"]["payload"] != "forbidden":
        task["dispatch_payload"] = {"File": spec["dispatch"]["payload_file"]}
    return task


def job_context(agent):
    spec = agent.spec
    effective = agent.effective
    meta = dict(spec["meta"])
    meta.update(ownership_meta(agent))
    task = _task(agent)
    groups = []
    for name, count, gmeta in agent.groups:
        groups.append({"name": name, "count": count, "meta": dict(gmeta), "networks": _network(agent),
                       "services": _services(agent), "restart": _restart(effective["restart"]),
                       "reschedule": _reschedule(effective["reschedule"]), "scaling": _scaling(agent),
                       "tasks": [task]})
    ctx = {
        "agent": {"name": agent.name, "tenant": agent.tenant.name, "kind": agent.kind,
                  "version": spec["version"], "image": spec["image"], "service": agent.service_name},
        "job": {"id": agent.job_id, "name": agent.job_id, "namespace": agent.namespace,
                "region": agent.fleet.defaults["region"], "datacenters": list(effective["datacenters"]),
                "node_pool": effective["node_pool"], "priority": effective["priority"], "meta": meta},
        "groups": groups,
        "update": None, "periodic": None, "parameterized": None,
    }
    if agent.kind == "service":
        u = effective["update"]
        ctx["update"] = {"MaxParallel": u["max_parallel"], "Canary": u["canary"], "AutoRevert": u["auto_revert"],
                         "AutoPromote": u["auto_promote"], "MinHealthyTime": ns(u["min_healthy_time"]),
                         "HealthyDeadline": ns(u["healthy_deadline"]),
                         "ProgressDeadline": ns(u["progress_deadline"]), "HealthCheck": "checks"}
    if agent.kind == "periodic":
        s = spec["schedule"]
        periodic = {"Enabled": s["enabled"], "SpecType": "cron", "ProhibitOverlap": s["prohibit_overlap"],
                    "TimeZone": s["time_zone"]}
        if len(s["crons"]) == 1:
            periodic["Spec"] = s["crons"][0]
        else:
            periodic["Specs"] = list(s["crons"])
        ctx["periodic"] = periodic
    if agent.kind == "dispatch":
        d = spec["dispatch"]
        ctx["parameterized"] = {"Payload": d["payload"], "MetaRequired": list(d["meta_required"]),
                                "MetaOptional": list(d["meta_optional"])}
    return ctx
