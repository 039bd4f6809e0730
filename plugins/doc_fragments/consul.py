# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by every agentfleet.hashistack.consul_* module.
    # Paired with plugins/module_utils/consul/_module.py connection_argument_spec().
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Address of the Consul HTTP API, for example C(https://consul.service:8501).
      - A value without a scheme (C(host:port)) uses C(https) when O(use_ssl) is true.
      - Defaults to the E(CONSUL_HTTP_ADDR) environment variable, then C(http://127.0.0.1:8500).
    type: str
    aliases: [address]
  token:
    description:
      - ACL token sent as the C(X-Consul-Token) header. Never logged.
      - Defaults to the E(CONSUL_HTTP_TOKEN) environment variable.
    type: str
  use_ssl:
    description:
      - Use HTTPS when O(url) has no scheme (or upgrade an C(http://) address).
      - Defaults to the E(CONSUL_HTTP_SSL) environment variable.
    type: bool
  validate_certs:
    description:
      - Verify the server's TLS certificate.
      - Defaults to the E(CONSUL_HTTP_SSL_VERIFY) environment variable, then V(true).
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle used to verify the server. Defaults to the E(CONSUL_CACERT) environment variable.
    type: path
  client_cert:
    description:
      - Client certificate for mutual TLS. Defaults to the E(CONSUL_CLIENT_CERT) environment variable.
    type: path
  client_key:
    description:
      - Private key of O(client_cert). Defaults to the E(CONSUL_CLIENT_KEY) environment variable.
    type: path
  namespace:
    description:
      - Consul Enterprise namespace, sent as the C(ns) query parameter.
      - Defaults to the E(CONSUL_NAMESPACE) environment variable. Leave unset on Consul CE.
    type: str
  partition:
    description:
      - Consul Enterprise admin partition, sent as the C(partition) query parameter.
      - Defaults to the E(CONSUL_PARTITION) environment variable. Leave unset on Consul CE.
    type: str
  datacenter:
    description:
      - Datacenter to target (C(dc) query parameter); defaults to the agent's own.
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
  - requests
"""
