# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every cluster-wide name the fleet derives, built one way so that two different
(fleet, tenant, agent) triples can never give the same name.

Grammar: fleet, tenant and agent names match ``IDENT`` (lowercase letters and digits in
words joined by single hyphens, at most 32 characters). Derived names join them with
``SEP`` (``--``), which no name contains, so a derived name splits back into exactly one
triple (``split``): ``prod`` + ``eu-team`` gives ``prod--eu-team`` and ``prod-eu`` +
``team`` gives ``prod-eu--team``.

Length limits of the targets (checked at spec level by ``spec_errors``):
- Nomad service names: RFC 1123 label, at most 63 characters
  (nomad/structs/services.go, ``Service.ValidateName``); the Consul service name of an
  agent is also its Nomad service name. Consul itself only warns that such a name is not
  discoverable via DNS, so Nomad's rule is the binding one.
- Nomad namespaces and ACL policies: ``^[a-zA-Z0-9-]{1,128}$``
  (nomad/structs/structs.go, ``validNamespaceName`` / ``ValidPolicyName``); a derived
  name is at most 3 x 32 + 2 x 2 = 100 characters, so this limit is never reached.
- Vault JWT roles: ``\\w(([\\w-.]+)?\\w)?`` (Vault sdk/framework ``GenericNameRegex``, used
  by the JWT auth plugin's role path); Vault stores policy names lowercased, so only
  lowercase names are stable.
"""
from __future__ import annotations

import re

SEP = "--"
MAX_NAME = 32
IDENT = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*\Z")
MAX_SERVICE_NAME = 63   # nomad/structs/services.go Service.ValidateName


def name_problem(value):
    """Why ``value`` cannot be a fleet/tenant/agent name, or None when it can."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if len(value) > MAX_NAME:
        return f"is {len(value)} characters long; at most {MAX_NAME}"
    if SEP in value:
        return (f"contains {SEP!r}, the separator of derived names; use single hyphens "
                f"(for example {re.sub('-+', '-', value)!r})")
    if not IDENT.match(value):
        return ("must start with a lowercase letter and hold lowercase letters and digits in "
                "words joined by single hyphens (for example 'eu-team')")
    return None


def join(*parts):
    """The derived name of ``parts`` (each a valid name): ``a--b--c``."""
    return SEP.join(parts)


def split(name, parts):
    """The ``parts`` names ``name`` was joined from, or None when it is not such a name."""
    if not isinstance(name, str):
        return None
    pieces = name.split(SEP)
    if len(pieces) != parts or any(not IDENT.match(p) or len(p) > MAX_NAME for p in pieces):
        return None
    return tuple(pieces)


def tenant_object_name(fleet, tenant):
    """Nomad ACL policy and (Enterprise) quota of a tenant: ``<fleet>--<tenant>``."""
    return join(fleet, tenant)


def agent_object_name(fleet, tenant, agent):
    """Vault ACL policy and JWT role, and the Consul (and Nomad) service name of an agent:
    ``<fleet>--<tenant>--<agent>``."""
    return join(fleet, tenant, agent)


def parse_agent_object_name(name):
    """(fleet, tenant, agent) of a name built by ``agent_object_name``, else None."""
    return split(name, 3)


def _separator_problem(value):
    # The schema's name pattern (schema.NAME) already refuses everything else IDENT does.
    return name_problem(value) if isinstance(value, str) and SEP in value else None


def spec_errors(spec):
    """Path-qualified errors for names that cannot give valid, unambiguous derived names.

    ``spec`` is the normalized spec (agents carry their ``_path``). Returns a list of
    (path, message, value) triples.
    """
    out = []
    fleet = spec.get("name")
    problem = _separator_problem(fleet)
    if problem:
        out.append(("name", problem, fleet))
    for tname, tenant in sorted((spec.get("tenants") or {}).items()):
        problem = _separator_problem(tname)
        if problem:
            out.append((f"tenants.{tname}", "tenant name " + problem, tname))
        for agent in (tenant or {}).get("agents") or []:
            name = agent.get("name")
            if not isinstance(name, str):
                continue
            path = agent.get("_path") or f"tenants.{tname}.agents.{name}"
            problem = _separator_problem(name)
            if problem:
                out.append((f"{path}.name", "agent name " + problem, name))
            elif not name_problem(name) and isinstance(fleet, str) and not name_problem(fleet) \
                    and not name_problem(tname):
                service = agent_object_name(fleet, tname, name)
                if len(service) > MAX_SERVICE_NAME:
                    out.append((f"{path}.name",
                                f"the derived service name {service!r} is {len(service)} characters; Nomad "
                                f"refuses service names over {MAX_SERVICE_NAME} (RFC 1123): shorten the fleet, "
                                f"tenant or agent name by {len(service) - MAX_SERVICE_NAME}", name))
    return out
