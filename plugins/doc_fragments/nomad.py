# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nomad connection options, paired with connection_argument_spec() in plugins/module_utils/nomad/_module.py."""
from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  address:
    description:
      - URL of the Nomad HTTP API.
      - Falls back to the E(NOMAD_ADDR) environment variable.
    type: str
    default: http://127.0.0.1:4646
  token:
    description:
      - Nomad ACL token (secret ID). Never logged.
      - Falls back to the E(NOMAD_TOKEN) environment variable.
    type: str
  namespace:
    description:
      - Namespace for namespaced objects (jobs, variables) when the object does not name one.
      - Falls back to the E(NOMAD_NAMESPACE) environment variable.
    type: str
    default: default
  region:
    description:
      - Region to send requests to.
      - Falls back to the E(NOMAD_REGION) environment variable.
    type: str
  ca_cert:
    description:
      - CA certificate file used to verify the server certificate.
      - Falls back to the E(NOMAD_CACERT) environment variable.
    type: path
  client_cert:
    description:
      - Client certificate file for mutual TLS; needs O(client_key).
      - Falls back to the E(NOMAD_CLIENT_CERT) environment variable.
    type: path
  client_key:
    description:
      - Private key file of O(client_cert).
      - Falls back to the E(NOMAD_CLIENT_KEY) environment variable.
    type: path
  skip_verify:
    description:
      - Do not verify the server certificate. Only for tests.
      - Falls back to the E(NOMAD_SKIP_VERIFY) environment variable.
    type: bool
    default: false
  tls_server_name:
    description:
      - Server name to use for SNI and certificate verification instead of the host in O(address).
      - Falls back to the E(NOMAD_TLS_SERVER_NAME) environment variable.
    type: str
  timeout:
    description:
      - Deadline in seconds of each HTTP call as a whole (connecting, every attempt and retry,
        the waits between them, headers and body), not of each socket read, so a server that
        answers one byte at a time cannot keep a task running.
      - A call that passes it fails with C(timed out after N s waiting for <address>).
    type: float
    default: 10.0
requirements:
  - python-nomad >= 2.1.0
  - requests
"""
