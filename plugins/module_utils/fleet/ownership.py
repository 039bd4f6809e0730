# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which fleet owns a live object: one exact marker per object type, never a prefix test.

| object                    | marker (written by the renderers, read by the syncs)                    |
|---------------------------|--------------------------------------------------------------------------|
| Nomad job                 | ``Meta.agentfleet_fleet == <fleet>`` and ``Meta.agentfleet_owner == agentfleet.fleet/<fleet>`` |
| Nomad namespace           | ``Meta.agentfleet_fleet == <fleet>``                                    |
| Nomad ACL policy, quota   | first word of ``Description`` ``== agentfleet.fleet/<fleet>``           |
| Vault ACL policy          | first line ``== # Managed by agentfleet: fleet=<f> tenant=<t> agent=<a>`` with   |
|                           | ``<f> == <fleet>`` and the policy named ``<f>--<t>--<a>``                     |
| Vault JWT role            | name splits into ``(<fleet>, <t>, <a>)``, ``token_policies == [<name>]``, and that policy is owned |
| Consul config entry       | ``Meta.agentfleet_fleet == <fleet>``                                    |

Objects written before this scheme (``<fleet>-...`` names, ``agentfleet <fleet>:``
descriptions) carry none of these markers and are therefore not owned (see
docs/fleet-apply.md, "Moving from the old naming").

Adopt (role variable ``agent_fleet_adopt``): an existing object that carries NO agentfleet
marker at all may be taken over; apply then writes this fleet's marker. An object whose
marker names another fleet is never adopted (``adoptable``).
"""
from __future__ import annotations

import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import naming

OWNER_META = "agentfleet_fleet"
TENANT_META = "agentfleet_tenant"
JOB_OWNER_KEY = "agentfleet_owner"
TOKEN_PREFIX = "agentfleet.fleet/"
_HEADER = re.compile(r"^# Managed by agentfleet: fleet=(?P<fleet>\S+) tenant=(?P<tenant>\S+) agent=(?P<agent>\S+)\Z")


def owner_token(fleet):
    """``agentfleet.fleet/<fleet>``: the job owner value and the first word of descriptions."""
    return TOKEN_PREFIX + fleet


# -- Meta maps (Nomad jobs and namespaces, Consul entries) --------------------------
def meta_owner(obj):
    """The fleet named by ``obj["Meta"]["agentfleet_fleet"]``, or None."""
    value = ((obj or {}).get("Meta") or {}).get(OWNER_META)
    return value if isinstance(value, str) else None


def meta_owned(obj, fleet):
    return meta_owner(obj) == fleet


def job_owned(obj, fleet):
    """A Nomad job (or job stub with ``meta=true``) carrying both exact job markers."""
    meta = (obj or {}).get("Meta") or {}
    return meta.get(OWNER_META) == fleet and meta.get(JOB_OWNER_KEY) == owner_token(fleet)


# -- descriptions (Nomad ACL policies and quotas) -----------------------------------
def description(fleet, text):
    """A description whose first word is the owner token: ``agentfleet.fleet/<fleet> <text>``."""
    return f"{owner_token(fleet)} {text}"


def description_owner(obj):
    """The fleet named by the first word of ``obj["Description"]``, or None."""
    first = ((obj or {}).get("Description") or "").split(" ", 1)[0]
    return first[len(TOKEN_PREFIX):] if first.startswith(TOKEN_PREFIX) and len(first) > len(TOKEN_PREFIX) else None


def description_owned(obj, fleet):
    return description_owner(obj) == fleet


# -- Vault policies and JWT roles ---------------------------------------------------
def policy_header(fleet, tenant, agent):
    """First line of an agent's Vault policy text."""
    return f"# Managed by agentfleet: fleet={fleet} tenant={tenant} agent={agent}"


def policy_owner(text):
    """(fleet, tenant, agent) from the exact header line of a Vault policy, or None."""
    first = (text or "").split("\n", 1)[0].rstrip("\r")
    match = _HEADER.match(first)
    return (match["fleet"], match["tenant"], match["agent"]) if match else None


def vault_policy_owned(name, text, fleet):
    """Owned when the header names ``fleet`` and the policy carries the name built from it."""
    owner = policy_owner(text)
    return owner is not None and owner[0] == fleet and naming.agent_object_name(*owner) == name


def jwt_role_owned(name, role, fleet, owned_policies):
    """Owned when ``name`` parses to this fleet and the role grants exactly its own, owned policy."""
    parsed = naming.parse_agent_object_name(name)
    policies = sorted((role or {}).get("token_policies") or [])
    return parsed is not None and parsed[0] == fleet and policies == [name] and name in set(owned_policies)


# -- adopt ---------------------------------------------------------------------------
ADOPT_HINT = "set agent_fleet_adopt=true (-e fleet_adopt=true) to take it over"


def has_any_marker(obj):
    """True when a Meta-carrying object (Nomad job or namespace, Consul entry) has any
    agentfleet marker key, whatever fleet it names."""
    meta = (obj or {}).get("Meta") or {}
    return OWNER_META in meta or JOB_OWNER_KEY in meta


def adoptable(owner, adopt, obj=None):
    """An existing, not-owned object may be taken over only when ``adopt`` is set and it
    carries no agentfleet marker (``owner`` None and, for a Meta-carrying ``obj``, no
    marker key at all); another fleet's object never is."""
    return bool(adopt) and owner is None and not has_any_marker(obj)


def adoption(what, name, fleet, check):
    """Extra result keys of an adopted object: ``adoption`` ("would adopt" in check mode,
    nothing written yet, else "adopted") and ``msg`` saying so."""
    if check:
        return {"adoption": "would adopt", "msg": "would adopt %s %r: it has no agentfleet ownership marker; "
                                                  "apply writes fleet %r's marker" % (what, name, fleet)}
    return {"adoption": "adopted", "msg": "adopted %s %r: it had no agentfleet ownership marker; fleet %r's "
                                          "marker written" % (what, name, fleet)}


# -- messages -----------------------------------------------------------------------
def refusal(what, name, owner, fleet):
    """The message for an object of ``what`` kind that this ``fleet`` does not own; ``owner``
    is the fleet its marker names, or None when it carries no agentfleet marker (then the
    message says how to adopt it)."""
    if owner:
        return "%s %r exists and is not owned by fleet %r (it is owned by fleet %r); refusing to change it" % (
            what, name, fleet, owner)
    return ("%s %r exists and is not owned by fleet %r (it has no agentfleet ownership marker); refusing to "
            "change it; %s" % (what, name, fleet, ADOPT_HINT))
