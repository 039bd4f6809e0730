# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vault options, paired with connection_argument_spec() and auth_argument_spec() in
plugins/module_utils/vault/_module.py (keep them in sync)."""
from __future__ import annotations


class ModuleDocFragment(object):

    # Connection options (every module; alone for init / seal status / unseal).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Address of the Vault or OpenBao server, for example V(https://vault.example:8200).
      - Falls back to the E(VAULT_ADDR) environment variable.
      - Required (here or in E(VAULT_ADDR)); without either the task fails naming both.
    type: str
  ca_cert:
    description:
      - Path of a PEM CA bundle used to verify the server certificate.
      - Falls back to E(VAULT_CACERT).
    type: path
  ca_path:
    description:
      - Path of a directory of hashed CA certificates, used when O(ca_cert) is not set.
      - Falls back to E(VAULT_CAPATH).
    type: path
  client_cert:
    description:
      - Path of a PEM client certificate for TLS client authentication.
      - Falls back to E(VAULT_CLIENT_CERT).
    type: path
  client_key:
    description:
      - Path of the private key of O(client_cert).
      - Falls back to E(VAULT_CLIENT_KEY).
    type: path
  validate_certs:
    description:
      - Verify the server's TLS certificate.
      - When not set, verification is on unless E(VAULT_SKIP_VERIFY) is true.
    type: bool
  namespace:
    description:
      - Vault Enterprise / OpenBao namespace to send requests to.
      - Falls back to E(VAULT_NAMESPACE).
    type: str
  timeout:
    description:
      - Deadline in seconds of each HTTP call as a whole (connecting, every attempt and retry,
        the waits between them, headers and body), not of each socket read, so a server that
        answers one byte at a time cannot keep a task running.
      - A call that passes it fails with C(timed out after N s waiting for <address>).
    type: float
    default: 30.0
requirements:
  - hvac >= 2.0
"""

    # Authentication options (every module that needs a token): agentfleet.hashistack.vault.auth
    AUTH = r"""
options:
  auth_method:
    description:
      - How to authenticate.
      - V(token) uses O(token); V(approle) logs in with O(role_id) and O(secret_id);
        V(jwt) logs in with O(jwt) and O(jwt_role) (for example a Nomad workload identity).
    type: str
    choices: [token, approle, jwt]
    default: token
  token:
    description:
      - Vault token for O(auth_method=token).
      - Falls back to E(VAULT_TOKEN).
    type: str
  role_id:
    description:
      - AppRole role ID for O(auth_method=approle).
    type: str
  secret_id:
    description:
      - AppRole secret ID for O(auth_method=approle).
    type: str
  jwt:
    description:
      - Signed JSON Web Token for O(auth_method=jwt).
    type: str
  jwt_role:
    description:
      - Name of the JWT auth role to log in with for O(auth_method=jwt).
    type: str
  auth_mount_point:
    description:
      - Path the auth method is mounted at.
      - Defaults to V(approle) or V(jwt) depending on O(auth_method).
    type: str
"""

    # Token settings of auth-method roles: agentfleet.hashistack.vault.token_fields
    TOKEN_FIELDS = r"""
options:
  token_policies:
    description:
      - Policies attached to tokens issued through this role. Order does not matter.
    type: list
    elements: str
  token_ttl:
    description:
      - Initial TTL of issued tokens, in seconds or as a duration such as V(30m).
    type: raw
  token_max_ttl:
    description:
      - Maximum TTL of issued tokens (renewals included), in seconds or as a duration.
    type: raw
  token_explicit_max_ttl:
    description:
      - Hard cap on the lifetime of issued tokens, in seconds or as a duration.
    type: raw
  token_period:
    description:
      - Make issued tokens periodic with this period, in seconds or as a duration.
    type: raw
  token_num_uses:
    description:
      - How many requests an issued token may make (V(0) is unlimited).
    type: int
  token_type:
    description:
      - Type of tokens issued.
    type: str
    choices: [default, service, batch, default-service, default-batch]
  token_no_default_policy:
    description:
      - Leave the C(default) policy off issued tokens.
    type: bool
  token_bound_cidrs:
    description:
      - CIDR blocks issued tokens may be used from.
    type: list
    elements: str
"""

    # Settings every mount tunes (auth methods, secrets engines): agentfleet.hashistack.vault.mount_tuning
    MOUNT_TUNING = r"""
options:
  description:
    description:
      - Human-friendly description. Not managed when omitted.
    type: str
  default_lease_ttl:
    description:
      - Default lease TTL, in seconds or as a duration such as V(1h). V(0) means the system default.
    type: raw
  max_lease_ttl:
    description:
      - Maximum lease TTL, in seconds or as a duration such as V(24h). V(0) means the system default.
    type: raw
  listing_visibility:
    description:
      - Whether the mount is listed in the unauthenticated UI listing.
    type: str
    choices: [unauth, hidden]
"""
