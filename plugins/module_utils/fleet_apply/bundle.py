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


def build(spec, templates_dir=None, template_dirs=(), records=None):
    """Validate + render ``spec``; raises the fleet core's FleetSpecError on any error.
    ``records``: the operator's ``fleet.build_records.BuildRecords`` (``image: {build: NAME}``)."""
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api
    fleet = api.load_spec(spec, records=records)
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


def input_key(spec, templates_dir=None, template_dirs=(), spec_bytes=None, records=None):
    """Fingerprint of everything a bundle is made from: the spec (or the bytes of its file),
    the fleet core and this code, the built-in and user job templates, and the operator's
    build records (every ``*.json`` of ``records.directory`` and the maximum age; the age
    itself is checked again on reuse, ``BuildRecords.expired``). Same key -> same
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
    if records is not None and records.directory:
        digest.update(b"records\0" + records.directory.encode("utf-8", "replace") + b"\0"
                      + (records.max_age_text or "").encode("utf-8"))
        try:
            names = sorted(n for n in os.listdir(records.directory) if n.endswith(".json"))
        except OSError:
            names = []
        _hash_files(digest, [os.path.join(records.directory, n) for n in names])
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
        # For the preflight's signature check (fleet_images) and the build records' age on reuse.
        "require_signed_images": bool(fleet.guardrails.get("require_signed_images")),
        "image_builds": dict(getattr(fleet, "image_builds", {}) or {}),
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


# -- applying part of a fleet (role variables agent_fleet_tenants / agent_fleet_agents) ----
def selection_names(value):
    """A list of names from a list or a comma-separated string (``-e fleet_tenants=a,b``),
    each stripped, empty ones dropped; None or "" gives []."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


def selection_errors(bundle, tenants=(), agents=(), allow_absent=False):
    """Why the selection cannot be applied: one message per bad name, [] when it can.

    ``tenants``: tenant names; ``agents``: ``tenant/agent`` keys. A name the spec does not
    have is an error naming the known ones, except with ``allow_absent`` (a prune: a
    subset prune is how a tenant or agent taken out of the spec is removed alone), where
    it only has to be a well-formed name (``fleet.naming.name_problem``).
    """
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.naming import name_problem
    errors = []
    known_tenants, known_agents = sorted(bundle["tenants"]), sorted(bundle["agents"])
    for tenant in tenants or ():
        if tenant in bundle["tenants"]:
            continue
        problem = name_problem(tenant)
        if problem:
            errors.append("agent_fleet_tenants: %r %s; write tenant names of the spec (%s)"
                          % (tenant, problem, ", ".join(known_tenants)))
        elif not allow_absent:
            errors.append("agent_fleet_tenants: %r is not a tenant of fleet %r; known tenants: %s"
                          % (tenant, bundle["fleet"], ", ".join(known_tenants)))
    for ref in agents or ():
        if ref in bundle["agents"]:
            continue
        parts = ref.split("/") if isinstance(ref, str) else []
        problems = [name_problem(p) for p in parts] if len(parts) == 2 else ["is not <tenant>/<agent>"]
        problem = next((p for p in problems if p), None)
        if problem:
            errors.append("agent_fleet_agents: %r: write each agent as <tenant>/<agent> with valid names (%s); "
                          "known agents: %s" % (ref, problem, ", ".join(known_agents)))
        elif not allow_absent:
            errors.append("agent_fleet_agents: %r is not an agent of fleet %r; known agents: %s"
                          % (ref, bundle["fleet"], ", ".join(known_agents)))
    return errors


def narrow(bundle, tenants=(), agents=()):
    """The part of ``bundle`` that a run limited to ``tenants`` and ``agents`` writes.

    Empty both: ``bundle`` itself (a full run). Otherwise a copy holding the selected
    agents (those of a selected tenant, and the ``tenant/agent`` keys named) with their
    jobs, Vault policies and roles and Consul entries (by ``<fleet>--<tenant>--<agent>``
    name, ``fleet.naming``), the namespace, ACL policy and quota of every tenant that is
    selected or has a selected agent (a job needs its namespace), and ``selection``
    ({"tenants", "agents"}: what prune and stop may touch). Fleet-wide objects (the Consul
    default deny ``*``) are left out: only a full run applies or prunes them.
    """
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.naming import parse_agent_object_name
    tenants, agents = sorted(set(tenants or ())), sorted(set(agents or ()))
    if not tenants and not agents:
        return bundle
    keys = set(select_agents(bundle, tenants, agents))
    touched = set(tenants) | {bundle["agents"][k]["tenant"] for k in keys}
    tenancy = {t: bundle["tenants"][t] for t in touched if t in bundle["tenants"]}
    namespaces = {t["namespace"] for t in tenancy.values()}
    policies = {t["acl_policy"] for t in tenancy.values()}
    quotas = {t["quota"] for t in tenancy.values() if t.get("quota")}

    def agent_key(name):
        parsed = parse_agent_object_name(name)
        return "%s/%s" % parsed[1:] if parsed and parsed[0] == bundle["fleet"] else None

    out = dict(bundle)
    out.update(
        selection={"tenants": tenants, "agents": agents},
        tenants=tenancy,
        agents={k: v for k, v in bundle["agents"].items() if k in keys},
        namespaces=[n for n in bundle["namespaces"] if n["Name"] in namespaces],
        acl_policies=[p for p in bundle["acl_policies"] if p["Name"] in policies],
        quotas=[q for q in bundle["quotas"] if q["Name"] in quotas],
        jobs=[j for j in bundle["jobs"] if "%s/%s" % (j["tenant"], j["agent"]) in keys],
        vault_policies=[p for p in bundle["vault_policies"] if agent_key(p["name"]) in keys],
        vault_roles=[r for r in bundle["vault_roles"] if agent_key(r["name"]) in keys],
        consul_entries=[e for e in bundle["consul_entries"] if agent_key(e["Name"]) in keys],
    )
    return out
