# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Governance checked before anything is rendered: replicas, resources, images,
checks, secret TTLs, tenant budgets, and no secret values inline anywhere."""
from __future__ import annotations

import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import parse as parse_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import SpecError, join

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}\Z")
# Names whose value is a credential (suffix match, so MAX_TOKENS or TOKEN_LIMIT pass).
SECRET_NAME = re.compile(r"(?i)(^|[_.-])(password|passwd|secret|secret[_-]?key|api[_-]?key|access[_-]?key|"
                         r"private[_-]?key|credentials?|token|auth[_-]?token|bearer)$")
SECRET_VALUE = [re.compile(p) for p in (
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    r"\bsk-[A-Za-z0-9_-]{20,}",          # OpenAI/Anthropic-style API keys
    r"\bgh[pousr]_[A-Za-z0-9]{30,}",     # GitHub tokens
    r"\bAKIA[0-9A-Z]{16}\b",             # AWS access key IDs
    r"\bxox[abprs]-[A-Za-z0-9-]{10,}",   # Slack tokens
    r"\b(hvs|hvb|s)\.[A-Za-z0-9_-]{24,}",  # Vault/OpenBao tokens
    r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.",  # JWTs
    r"://[^/\s:@]+:[^/\s@]+@",           # credentials in URLs
)]


# Image reference grammar of the distribution/reference package that Docker and Podman use
# (github.com/distribution/reference, regexp.go: ReferenceRegexp): name[:tag][@digest], where
# name = [domain/]component(/component)*, component = [a-z0-9]+ with '.', '_', '__' or '-'* between.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_REFERENCE = re.compile(rf"^(?:({_DOMAIN})/)?({_COMPONENT}(?:/{_COMPONENT})*)(?::[\w][\w.-]{{0,127}})?"
                        r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?\Z")
_ALLOWED = re.compile(rf"^({_DOMAIN})(?:/({_COMPONENT}(?:/{_COMPONENT})*))?/?\Z")


def _split_reference(image):
    """(registry host[:port] lower-cased, [path segments]) of an image reference, with Docker's
    defaults (no domain: docker.io, one segment: library/...), or None if it is not one."""
    match = _REFERENCE.match(image) if isinstance(image, str) and len(image) <= 4096 else None
    if not match:
        return None
    domain, path = match.group(1), match.group(2).split("/")
    if domain is not None and not ("." in domain or ":" in domain or domain == "localhost" or domain.startswith("[")):
        path, domain = [domain] + path, None  # "org/x": the first part is a path, not a host
        if not re.match(rf"^{_COMPONENT}\Z", path[0]):
            return None
    if domain is None:
        domain = "docker.io"
        if len(path) == 1:
            path = ["library"] + path
    return domain.lower(), path


def image_registry(image):
    """The ``registry/repository`` an image reference comes from (docker.io implied), or None."""
    parts = _split_reference(image)
    return None if parts is None else "/".join([parts[0]] + parts[1])


def registry_allowed(image, allowed):
    """True when ``image`` is a valid reference whose registry host equals an allowed entry's
    and whose repository path starts with the entry's path, segment by segment
    (``registry.example.com/agents`` allows ``registry.example.com/agents/x@sha256:...``,
    not ``registry.example.com/agentsevil/x`` nor the invalid ``registry.example.com/agents@evil``)."""
    parts = _split_reference(image)
    if parts is None:
        return False
    host, path = parts
    for entry in allowed:
        match = _ALLOWED.match(entry) if isinstance(entry, str) else None
        if not match:
            continue
        want_host = match.group(1).lower()
        want_path = match.group(2).split("/") if match.group(2) else []
        if host == want_host and path[:len(want_path)] == want_path:
            return True
    return False


_ANY_SECRET = re.compile("|".join(f"(?:{p.pattern})" for p in SECRET_VALUE))


def _secret_like(value):
    return isinstance(value, str) and _ANY_SECRET.search(value) is not None


def inline_secret_errors(raw, path=""):
    """Walk the raw spec: credential-looking values anywhere, credential-named keys in maps."""
    errors = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            sub = join(path, str(key))
            leaf = path.rsplit(".", 1)[-1]
            plain_map = leaf in ("env", "meta") and ".secrets[" not in path
            if isinstance(value, str) and value and plain_map and SECRET_NAME.search(str(key)):
                errors.append(SpecError(sub, "looks like a secret value inline; reference a Vault path "
                                        "under secrets: instead", value, redact=True))
            else:
                errors.extend(inline_secret_errors(value, sub))
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            name = value.get("name") if isinstance(value, dict) else None
            named = path.endswith(".agents") and isinstance(name, str) and re.match(r"^[a-z][a-z0-9-]*\Z", name)
            errors.extend(inline_secret_errors(value, join(path, name if named else i)))
    elif _secret_like(raw):
        errors.append(SpecError(path, "contains what looks like a credential; reference a Vault path "
                                "under secrets: instead", raw, redact=True))
    return errors


def _ns(text):
    try:
        return parse_duration(text)
    except (ValueError, TypeError):
        return None


def _agent_max_replicas(agent):
    if agent.get("scaling") and agent["scaling"].get("max") is not None:
        return agent["scaling"]["max"]
    groups = len(agent.get("partitions") or []) or 1
    return (agent.get("count") or 0) * groups


def _check_agent(agent, path, g, vault_defaults, errors):
    res = agent.get("resources")
    if not res:
        if g["require_resources"]:
            errors.append(SpecError(join(path, "resources"), "every agent must declare resources "
                                    "(cpu, memory)", None))
    else:
        for key, cap in (("cpu", g["max_cpu_per_task"]), ("memory", g["max_memory_per_task"]),
                         ("memory_max", g["max_memory_per_task"])):
            value = res.get(key)
            if isinstance(value, int) and value > cap:
                errors.append(SpecError(join(join(path, "resources"), key),
                                        f"exceeds the guardrail of {cap} per task", value))
        mem, mem_max = res.get("memory"), res.get("memory_max")
        if isinstance(mem, int) and isinstance(mem_max, int) and mem_max < mem:
            errors.append(SpecError(join(path, "resources.memory_max"), f"is below memory ({mem})", mem_max))
    replicas = _agent_max_replicas(agent)
    if replicas > g["max_replicas_per_agent"]:
        where = "scaling.max" if agent.get("scaling") else "count"
        errors.append(SpecError(join(path, where), f"allows {replicas} replicas; the guardrail is "
                                f"{g['max_replicas_per_agent']} per agent", replicas))
    image = agent.get("image")
    if isinstance(image, str):
        # An image resolved from a build record (build_records.py) is checked the same way;
        # the message then names the record, which is what has to change.
        build = agent.get("_image_build")
        where = join(path, "image.build") if build else join(path, "image")
        note = f" (resolved from build record {build['record']})" if build else ""
        if g["require_image_digest"] and not DIGEST.search(image):
            errors.append(SpecError(where, f"must be pinned by digest (@sha256: and 64 hex){note}", image))
        if image_registry(image) is None:
            errors.append(SpecError(where, f"is not a valid image reference{note}; write "
                                    "registry/repository[:tag]@sha256:<64 hex>", image))
        elif not registry_allowed(image, g["allowed_registries"] or []):
            errors.append(SpecError(where, "comes from a registry not in "
                                    f"guardrails.allowed_registries ({', '.join(g['allowed_registries'] or [])})"
                                    f"{note}", image))
    if agent.get("kind") == "service" and g["require_checks"]:
        checks = agent.get("checks") or {}
        for role in ("readiness", "liveness"):
            if not checks.get(role):
                errors.append(SpecError(join(join(path, "checks"), role),
                                        "every service agent must have readiness and liveness checks", None))
    cap = _ns(g["max_secret_ttl"])
    vault = agent.get("vault") or {}
    ttl = _ns(vault.get("token_ttl") or vault_defaults["token_ttl"])
    max_ttl = _ns(vault.get("token_max_ttl") or vault_defaults["token_max_ttl"])
    where = join(path, "vault") if vault.get("token_ttl") or vault.get("token_max_ttl") else "defaults.vault"
    if agent.get("secrets") and cap is not None:
        if max_ttl is not None and max_ttl > cap:
            errors.append(SpecError(join(where, "token_max_ttl"), f"exceeds guardrails.max_secret_ttl "
                                    f"({g['max_secret_ttl']})", vault.get("token_max_ttl") or vault_defaults["token_max_ttl"]))
        if ttl is not None and max_ttl is not None and ttl > max_ttl:
            errors.append(SpecError(join(where, "token_ttl"), "exceeds token_max_ttl",
                                    vault.get("token_ttl") or vault_defaults["token_ttl"]))


def check_guardrails(spec, raw, partial=False):
    """Errors for every guardrail breach. ``partial`` tolerates values that failed the schema."""
    errors = []
    g = spec.get("guardrails")
    defaults = spec.get("defaults")
    if not g or not defaults or any(v is None for k, v in g.items() if k != "allowed_registries"):
        return inline_secret_errors(raw)
    vault_defaults = defaults.get("vault") or {}
    id_ttl = _ns(vault_defaults.get("identity_ttl"))
    if id_ttl is not None and _ns(g["max_secret_ttl"]) is not None and id_ttl > _ns(g["max_secret_ttl"]):
        errors.append(SpecError("defaults.vault.identity_ttl", f"exceeds guardrails.max_secret_ttl "
                                f"({g['max_secret_ttl']})", vault_defaults["identity_ttl"]))
    for tname in sorted(spec.get("tenants") or {}):
        tenant = spec["tenants"][tname]
        if not tenant:
            continue
        total = {"cpu": 0, "memory": 0, "count": 0}
        for agent in tenant.get("agents") or []:
            path = f"tenants.{tname}.agents.{agent.get('name')}"
            try:
                _check_agent(agent, path, g, vault_defaults, errors)
                replicas = _agent_max_replicas(agent)
                res = agent.get("resources") or {"cpu": 100, "memory": 300}
                total["count"] += replicas
                total["cpu"] += replicas * (res.get("cpu") or 0)
                total["memory"] += replicas * (res.get("memory") or 0)
            except (TypeError, KeyError, AttributeError):
                if not partial:
                    raise
        if total["count"] > g["max_replicas_per_tenant"]:
            errors.append(SpecError(f"tenants.{tname}.agents", f"allow {total['count']} replicas in total; "
                                    f"the guardrail is {g['max_replicas_per_tenant']} per tenant", total["count"]))
        for key, need in sorted(total.items()):
            limit = (tenant.get("budget") or {}).get(key)
            if limit is not None and need > limit:
                errors.append(SpecError(f"tenants.{tname}.budget.{key}", f"exceeded: the agents need {need} at "
                                        f"their maximum scale, the budget is {limit}", need))
    errors.extend(inline_secret_errors(raw))
    return errors
