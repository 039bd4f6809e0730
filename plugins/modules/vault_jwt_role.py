#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_jwt_role
short_description: Manage a JWT auth role, for example one bound to a Nomad workload's claims
version_added: 0.1.0
description:
  - Creates, updates or deletes a role of a JWT auth method (C(/auth/<mount_point>/role/<name>)).
  - Only the options given are compared and written; the server keeps the rest.
  - For Nomad workload identity, bind O(bound_claims) such as C(nomad_namespace),
    C(nomad_job_id) and C(nomad_task) so a token only logs in as the workload it was issued to.
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_vault
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.vault.auth
  - agentfleet.hashistack.vault.token_fields
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    description: Re-running with the same settings reports no change.
    support: full
  platform:
    platforms: posix
options:
  mount_point:
    description:
      - Path of the JWT auth mount.
    type: str
    default: jwt
  name:
    description:
      - Role name.
    type: str
    required: true
  bound_audiences:
    description:
      - Accepted C(aud) values; a login token must carry one of them. Order does not matter.
    type: list
    elements: str
  user_claim:
    description:
      - Claim used as the identity alias name, for example V(nomad_job_id). Required to create a role.
    type: str
  bound_subject:
    description:
      - Value the C(sub) claim must have.
    type: str
  bound_claims:
    description:
      - Claims a login token must carry, each with a value or a list of accepted values.
    type: dict
  bound_claims_type:
    description:
      - How O(bound_claims) values are matched.
    type: str
    choices: [string, glob]
  claim_mappings:
    description:
      - Claims copied into the token metadata, mapping each claim name to a metadata key.
    type: dict
  clock_skew_leeway:
    description:
      - Seconds of clock skew tolerated when checking C(iat), C(nbf) and C(exp).
    type: int
  state:
    description:
      - Whether the role should exist.
    type: str
    choices: [present, absent]
    default: present
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Let the researcher agent's task log in with its Nomad workload identity
  agentfleet.hashistack.vault_jwt_role:
    mount_point: jwt-nomad
    name: agent-researcher
    bound_audiences: [vault.io]
    user_claim: nomad_job_id
    bound_claims:
      nomad_namespace: agents
      nomad_job_id: researcher
      nomad_task: agent
    claim_mappings:
      nomad_namespace: nomad_namespace
      nomad_job_id: nomad_job_id
      nomad_task: nomad_task
    token_policies: [agent-researcher]
    token_ttl: 30m
    token_max_ttl: 1h
    token_type: service
"""

RETURN = r"""
name:
  description: The role name.
  returned: always
  type: str
  sample: agent-researcher
role:
  description: The role as the server reports it after the task (empty when absent); TTLs in seconds.
  returned: always
  type: dict
  sample: {"bound_claims": {"nomad_job_id": "researcher"}, "token_policies": ["agent-researcher"], "token_ttl": 1800}
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import seconds_or_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.jwt_role import (
    JWT_ROLE_NORMALISERS,
    jwt_role_resent,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.objects import manage_object
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.token_fields import (
    TOKEN_DURATIONS,
    TOKEN_FIELD_ARGS,
    TOKEN_SCALARS,
    TOKEN_SETS,
)

_DURATIONS = TOKEN_DURATIONS
_SETS = ("bound_audiences",) + TOKEN_SETS
_OPTIONS = _DURATIONS + _SETS + TOKEN_SCALARS + ("user_claim", "bound_subject", "bound_claims",
                                                 "bound_claims_type", "claim_mappings", "clock_skew_leeway")


def manage(module, client):
    params = module.params
    mount, name = params["mount_point"].strip("/"), params["name"].strip("/")
    if not name:
        raise VaultModuleError(f"name: {params['name']!r} is empty")
    desired = {k: params[k] for k in _OPTIONS}
    for key in _DURATIONS:
        seconds_or_duration(desired[key], key, whole_days=True)  # fail early on a bad duration
    path = f"auth/{mount}/role/{name}"
    if params["state"] == "present" and not params["user_claim"]:
        if client.get(path, action=f"read JWT role {name!r}") is None:
            raise VaultModuleError(f"user_claim is required to create JWT role {name!r}")
    result, current = manage_object(module, client, path, f"JWT role {name!r} on auth/{mount}", desired,
                                    JWT_ROLE_NORMALISERS, resend=jwt_role_resent)
    result.update(name=name, role=current or {})
    return result


def main():
    spec = dict(
        mount_point=dict(type="str", default="jwt"),
        name=dict(type="str", required=True),
        bound_audiences=dict(type="list", elements="str"),
        user_claim=dict(type="str"),
        bound_subject=dict(type="str"),
        bound_claims=dict(type="dict"),
        bound_claims_type=dict(type="str", choices=["string", "glob"]),
        claim_mappings=dict(type="dict"),
        **TOKEN_FIELD_ARGS,
        clock_skew_leeway=dict(type="int"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    VaultModule(spec).run(manage)


if __name__ == "__main__":
    main()
