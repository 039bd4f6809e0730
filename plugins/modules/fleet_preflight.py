#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_preflight
short_description: Check the connection to Nomad, Vault/OpenBao and Consul before a fleet apply
description:
  - Makes read-only calls to each backend given, with the same connection options (and the same
    environment variable fallbacks) as M(agentfleet.hashistack.fleet_nomad),
    M(agentfleet.hashistack.fleet_vault) and M(agentfleet.hashistack.fleet_consul).
  - "Nomad: C(GET /v1/status/leader) then C(GET /v1/acl/token/self) (a cluster without ACLs answers
    400 C(ACL support disabled), which is accepted)."
  - "Vault/OpenBao: C(GET /v1/sys/health) (sealed or not initialised fails) then
    C(GET /v1/auth/token/lookup-self)."
  - "Consul: C(GET /v1/config/service-defaults) (unknown token: 403; no cluster leader: 500)."
  - Fails with one message per failing backend naming its address, where the address came from (a
    variable named in O(origin), an environment variable such as E(NOMAD_ADDR), or the default) and
    where the token came from. Token values never appear.
  - Writes nothing, so it runs in check mode as well.
  - This is an action plugin; it always runs on the controller (no module is sent to the host).
version_added: 0.1.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Only reads, so it makes the same calls in check mode.
  diff_mode:
    support: none
  idempotent:
    description: Reads only; running it again changes nothing.
    support: full
  platform:
    platforms: posix
options:
  nomad:
    description:
      - Nomad connection options, as for M(agentfleet.hashistack.fleet_nomad) (C(address), C(token), TLS ...).
        An empty dict uses the environment variables. Omit to skip Nomad.
    type: dict
  vault:
    description:
      - Vault/OpenBao connection and token options, as for M(agentfleet.hashistack.fleet_vault). Omit to skip.
    type: dict
  consul:
    description:
      - Consul connection options, as for M(agentfleet.hashistack.fleet_consul). Omit to skip.
    type: dict
  origin:
    description:
      - "Per backend, the name of the variable each given option came from, for the messages, such as
        C({nomad: {address: agent_fleet_nomad_addr, token: agent_fleet_nomad_token}})."
    type: dict
    default: {}
seealso:
  - module: agentfleet.hashistack.fleet_nomad
"""

EXAMPLES = r"""
- name: Check both backends answer, addresses and tokens from the environment
  agentfleet.hashistack.fleet_preflight:
    nomad: {}
    vault: {}
"""

RETURN = r"""
backends:
  description: One entry per backend checked, with C(backend), C(address), C(address_from), C(token_from),
    C(ok) and C(detail) (what it answered, or why it failed).
  returned: always
  type: list
  elements: dict
  sample: [{"backend": "nomad", "address": "http://127.0.0.1:4646", "address_from": "environment variable NOMAD_ADDR",
            "token_from": "variable agent_fleet_nomad_token", "ok": true, "detail": "leader 127.0.0.1:4647, token accepted"}]
failures:
  description: One message per failing backend (also joined in C(msg)).
  returned: failure
  type: list
  elements: str
  sample: ["Nomad at http://127.0.0.1:4646 (address from environment variable NOMAD_ADDR; token from
           environment variable NOMAD_TOKEN): Nomad API unreachable on GET /v1/status/leader ..."]
"""
