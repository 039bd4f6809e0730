#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_jwt_auth_config
short_description: Configure a JWT auth mount, for example for Nomad workload identity
version_added: 0.1.0
description:
  - Sets the configuration of a JWT auth method (C(/auth/<mount_point>/config)), that is where the
    signing keys come from (the Nomad servers' JWKS URL, a discovery URL or fixed public
    keys), the issuer to require and the default role.
  - The configuration is declarative, so an option left out is compared with (and written as)
    the server default, because every write replaces the whole configuration.
  - The mount itself is created and removed with M(agentfleet.hashistack.vault_auth_method).
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_vault
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.vault.auth
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
  jwks_url:
    description:
      - JWKS URL to fetch signing keys from, for Nomad C(https://<nomad-server>:4646/.well-known/jwks.json).
      - Exactly one of O(jwks_url), O(jwt_validation_pubkeys) and O(oidc_discovery_url) is required.
    type: str
  jwks_ca_pem:
    description:
      - PEM CA certificate(s) used to verify the O(jwks_url) server.
    type: str
  jwt_validation_pubkeys:
    description:
      - PEM public keys that signatures are checked against (no network fetch).
    type: list
    elements: str
  oidc_discovery_url:
    description:
      - OIDC discovery URL to find the keys through.
    type: str
  oidc_discovery_ca_pem:
    description:
      - PEM CA certificate(s) used to verify the O(oidc_discovery_url) server.
    type: str
  bound_issuer:
    description:
      - Value the C(iss) claim must have.
    type: str
  default_role:
    description:
      - Role used when a login does not name one.
    type: str
  jwt_supported_algs:
    description:
      - Signing algorithms accepted, for example V(RS256) and V(ES256). Empty means the server default.
    type: list
    elements: str
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Trust Nomad workload identities
  agentfleet.hashistack.vault_jwt_auth_config:
    mount_point: jwt-nomad
    jwks_url: https://nomad.service.consul:4646/.well-known/jwks.json
    jwks_ca_pem: "{{ lookup('file', 'nomad-ca.pem') }}"
    jwt_supported_algs: [RS256, EdDSA]
    default_role: nomad-workloads
"""

RETURN = r"""
config:
  description: The managed part of the configuration after the task.
  returned: always
  type: dict
  sample: {"jwks_url": "https://nomad.service.consul:4646/.well-known/jwks.json", "default_role": "nomad-workloads"}
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.compare import (
    as_list,
    as_pem_list,
    as_str,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.objects import manage_object

_STRINGS = ("jwks_url", "jwks_ca_pem", "oidc_discovery_url", "oidc_discovery_ca_pem", "bound_issuer", "default_role")
_NORMALISERS = dict({k: (lambda v: as_str(v).strip()) for k in _STRINGS},
                    jwt_validation_pubkeys=as_pem_list, jwt_supported_algs=lambda v: sorted(as_list(v)))


def manage(module, client):
    params = module.params
    mount = params["mount_point"].strip("/")
    desired = {k: params[k] or "" for k in _STRINGS}
    desired["jwt_validation_pubkeys"] = params["jwt_validation_pubkeys"] or []
    desired["jwt_supported_algs"] = params["jwt_supported_algs"] or []
    result, current = manage_object(module, client, f"auth/{mount}/config", f"JWT config of auth/{mount}",
                                    desired, _NORMALISERS, merge=False)
    source = desired if module.check_mode or current is None else current
    result["config"] = {k: source.get(k) for k in desired if source.get(k)}
    return result


def main():
    spec = dict(
        mount_point=dict(type="str", default="jwt"),
        jwks_url=dict(type="str"),
        jwks_ca_pem=dict(type="str"),
        jwt_validation_pubkeys=dict(type="list", elements="str", no_log=False),
        oidc_discovery_url=dict(type="str"),
        oidc_discovery_ca_pem=dict(type="str"),
        bound_issuer=dict(type="str"),
        default_role=dict(type="str"),
        jwt_supported_algs=dict(type="list", elements="str"),
    )
    VaultModule(spec,
                mutually_exclusive=[("jwks_url", "jwt_validation_pubkeys", "oidc_discovery_url")],
                required_one_of=[("jwks_url", "jwt_validation_pubkeys", "oidc_discovery_url")]).run(manage)


if __name__ == "__main__":
    main()
