# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tenant isolation: an agent reaches only its own tenant's secrets and services unless an
explicit, reviewed exception says otherwise.

- Secrets: a ``secrets[].path`` must be the tenant's name or lie under ``<tenant>/`` (path
  segments compared whole, so tenant ``team`` does not reach ``team-b/...``). Exception:
  ``guardrails.shared_secret_paths: [{path, mount?, tenants: [...]}]`` (the platform team's
  section) lets the listed tenants read ``path`` and everything under it (in ``mount``, or
  in any mount when it is omitted).
- Upstreams: a ``tenant/agent`` reference to another tenant needs either the target tenant's
  ``allow_upstream_from: [caller tenant, ...]`` or a guardrail
  ``guardrails.shared_upstreams: [{service: tenant/agent, tenants: [...]}]``. The rendered
  Consul intentions (render_consul.intentions) allow exactly the declared callers, so an
  upstream refused here is never allowed in the mesh either.

``errors(spec)`` takes the normalized spec and returns (path, message, value) triples.
"""
from __future__ import annotations


def _under(path, prefix):
    """``path`` equals ``prefix`` or lies below it, comparing whole path segments."""
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def _shared(share_list, tenant, path, mount):
    for share in share_list:
        if tenant in (share.get("tenants") or []) and _under(path, share["path"]) \
                and (share.get("mount") is None or share["mount"] == mount):
            return True
    return False


def errors(spec):
    out = []
    tenants = spec.get("tenants") or {}
    guard = spec.get("guardrails") or {}
    shares = [s for s in guard.get("shared_secret_paths") or [] if s and s.get("path")]
    shared_ups = {}
    for i, share in enumerate(guard.get("shared_upstreams") or []):
        if not share or not share.get("service"):
            continue
        for j, tname in enumerate(share.get("tenants") or []):
            if tname not in tenants:
                out.append((f"guardrails.shared_upstreams[{i}].tenants[{j}]", "names no tenant of this fleet", tname))
            shared_ups.setdefault(share["service"], set()).add(tname)
        target = share["service"]
        ttenant, _sep, tagent = target.partition("/")
        if not any(a.get("name") == tagent for a in ((tenants.get(ttenant) or {}).get("agents") or [])):
            out.append((f"guardrails.shared_upstreams[{i}].service", "names no agent of this fleet", target))
    for i, share in enumerate(guard.get("shared_secret_paths") or []):
        for j, tname in enumerate((share or {}).get("tenants") or []):
            if tname not in tenants:
                out.append((f"guardrails.shared_secret_paths[{i}].tenants[{j}]", "names no tenant of this fleet", tname))
    kv_mount = ((spec.get("defaults") or {}).get("vault") or {}).get("kv_mount")
    for tname, tenant in sorted(tenants.items()):
        if tenant is None:
            continue
        for j, caller in enumerate(tenant.get("allow_upstream_from") or []):
            if caller not in tenants:
                out.append((f"tenants.{tname}.allow_upstream_from[{j}]", "names no tenant of this fleet", caller))
        for agent in tenant.get("agents") or []:
            path = agent.get("_path") or f"tenants.{tname}.agents.{agent.get('name')}"
            for i, secret in enumerate(agent.get("secrets") or []):
                spath = (secret or {}).get("path")
                if not isinstance(spath, str):
                    continue
                mount = secret.get("mount") or kv_mount
                if _under(spath, tname) or _shared(shares, tname, spath, mount):
                    continue
                out.append((f"{path}.secrets[{i}].path",
                            f"is outside tenant {tname}'s secrets ({tname}/...): put the secret under "
                            f"'{tname}/', or have the platform team share it with guardrails.shared_secret_paths: "
                            f"[{{path: {spath}, tenants: [{tname}]}}]", spath))
            for i, up in enumerate(agent.get("upstreams") or []):
                ref = (up or {}).get("service")
                if not isinstance(ref, str) or "/" not in ref:
                    continue
                ttenant = ref.split("/", 1)[0]
                if ttenant == tname or ttenant not in tenants:
                    continue  # same tenant, or reported as naming no agent
                allowed = tname in ((tenants[ttenant] or {}).get("allow_upstream_from") or []) \
                    or tname in shared_ups.get(ref, ())
                if not allowed:
                    out.append((f"{path}.upstreams[{i}].service",
                                f"calls tenant {ttenant}, which does not accept tenant {tname}: add "
                                f"allow_upstream_from: [{tname}] to tenants.{ttenant}, or a guardrail "
                                f"shared_upstreams: [{{service: {ref}, tenants: [{tname}]}}]", ref))
    return out
