# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apply bundle: one validated, rendered fleet as a single JSON work file.

Validating and rendering a large fleet costs seconds, so the agent_fleet role does it
once (``fleet_bundle`` module) and every later phase (Vault, Consul, Nomad, prune)
reads this file. It holds no secret values: the spec only references Vault paths.
Plain Python (no Ansible imports).
"""
from __future__ import annotations

import hashlib
import json
import os

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic

BUNDLE_FORMAT = 1
_HERE = os.path.dirname(os.path.abspath(__file__))


class BundleError(ValueError):
    """A bundle file that cannot be used; the message names the file."""


def build(spec, templates_dir=None, template_dirs=()):
    """Validate + render ``spec``; raises the fleet core's FleetSpecError on any error."""
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api
    fleet = api.load_spec(spec)
    rendered = api.render(fleet, templates_dir=templates_dir, template_dirs=template_dirs)
    return from_rendered(fleet, rendered)


def _hash_files(digest, paths):
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        digest.update(path.encode("utf-8", "replace") + b"\0" + hashlib.sha256(data).digest())


def _tree(directory, suffixes):
    out = []
    for root, _dirs, files in os.walk(directory):
        out += [os.path.join(root, f) for f in files if f.endswith(suffixes)]
    return sorted(out)


def input_key(spec, templates_dir=None, template_dirs=(), spec_bytes=None):
    """Fingerprint of everything a bundle is made from: the spec (or the bytes of its file),
    the fleet core and this code, the built-in and user job templates. Same key -> same
    validation and render. ``spec`` is only read for per-agent template names when given."""
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.render_nomad import builtin_templates_dir
    digest = hashlib.sha256()
    if spec_bytes is not None:
        digest.update(b"file\0" + spec_bytes)
    else:
        digest.update(json.dumps(api.to_plain(spec), sort_keys=True, separators=(",", ":"), default=str).encode("utf-8"))
    digest.update(api.collection_version().encode("utf-8"))
    core = os.path.dirname(os.path.abspath(api.__file__))
    builtin = builtin_templates_dir()
    _hash_files(digest, _tree(core, (".py",)) + _tree(_HERE, (".py",)) + _tree(builtin, (".j2",)))
    if templates_dir:
        _hash_files(digest, _tree(templates_dir, (".j2",)))
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.templates import template_name_error
    for rel in template_names(spec_bytes, spec):
        if template_name_error(rel) is None:  # other names are refused when rendering
            _hash_files(digest, [os.path.join(d, rel) for d in list(template_dirs) + [templates_dir or builtin, builtin]
                                 if d])
    return digest.hexdigest()


def template_names(spec_bytes, spec):
    """Per-agent ``template`` paths: from the parsed spec, or found in the file's text."""
    if spec_bytes is not None:
        import re
        text = spec_bytes.decode("utf-8", "replace")
        return sorted(set(re.findall(r'"?template"?\s*:\s*["\']?([^"\'\s,}]+)', text)))
    return sorted({a.get("template") for t in ((spec or {}).get("tenants") or {}).values() if isinstance(t, dict)
                   for a in (t.get("agents") or []) if isinstance(a, dict) and isinstance(a.get("template"), str)})


def cached(path, key):
    """The bundle at ``path`` when it was built from inputs with fingerprint ``key``, else None."""
    try:
        data = load(path)
    except BundleError:
        return None
    return data if data.get("input_key") == key else None


def from_rendered(fleet, rendered):
    vault = fleet.defaults["vault"]
    tenants, agents = {}, {}
    for tenant in fleet.tenants:
        tenants[tenant.name] = {"namespace": tenant.namespace, "acl_policy": tenant.acl_policy_name,
                                "quota": tenant.quota_name if tenant.spec["quota"] else None,
                                "agents": [a.name for a in tenant.agents]}
        for agent in tenant.agents:
            agents[agent.key] = {"tenant": tenant.name, "agent": agent.name, "kind": agent.kind,
                                 "namespace": agent.namespace, "job_id": agent.job_id,
                                 "version": agent.spec["version"],
                                 "service": agent.service_name if agent.in_mesh else None,
                                 "vault_name": agent.vault_name if agent.spec["secrets"] else None}
    return {
        "format": BUNDLE_FORMAT,
        "fleet": fleet.name,
        "revision": fleet.revision,
        "vault": {"jwt_mount": vault["jwt_mount"], "kv_mount": vault["kv_mount"]},
        "tenants": tenants,
        "agents": agents,
        "namespaces": rendered.namespaces,
        "acl_policies": rendered.acl_policies,
        "quotas": rendered.quotas,
        "jobs": [{k: j[k] for k in ("tenant", "agent", "kind", "namespace", "job_id", "autoscaled", "job")}
                 for j in rendered.jobs],
        "vault_policies": [{"name": p["name"], "policy": p["policy"]} for p in rendered.vault_policies],
        "vault_roles": [{"name": r["name"], "mount": r["mount"], "role": r["role"]} for r in rendered.vault_roles],
        "consul_entries": [e["entry"] for e in rendered.consul_entries],
        "counts": rendered.summary.get("counts", {}),
    }


def dumps(bundle):
    return json.dumps(bundle, sort_keys=True, separators=(",", ":"))


def write(path, bundle):
    """Write atomically with mode 0600; returns True when the content changed."""
    text = dumps(bundle)
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read() == text:
                return False
    except OSError:
        pass
    write_atomic(path, text, mode=0o600, make_parents=True)
    return True


def load(path):
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise BundleError("bundle %s: cannot read it (%s); run the validate phase (fleet_bundle) first"
                          % (path, exc.strerror or exc))
    except ValueError as exc:
        raise BundleError("bundle %s: not valid JSON (%s)" % (path, exc))
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise BundleError("bundle %s: format %r is not %r; re-run the validate phase"
                          % (path, (data or {}).get("format") if isinstance(data, dict) else data, BUNDLE_FORMAT))
    return data


def select_agents(bundle, tenants=(), agents=()):
    """Agent keys matching any of ``tenants`` or ``agents`` ("tenant/agent")."""
    tenants, agents = set(tenants or ()), set(agents or ())
    return sorted(k for k, a in bundle["agents"].items() if a["tenant"] in tenants or k in agents)
