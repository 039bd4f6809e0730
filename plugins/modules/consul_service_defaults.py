#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: consul_service_defaults
short_description: Set a service's protocol and upstream circuit breakers in Consul
version_added: 0.1.0
description:
  - Manages the C(service-defaults) config entry of one service - its protocol and how its
    sidecar proxy treats upstream calls - connection limits, pending/concurrent request limits,
    passive health checking (outlier ejection) and connect timeout, for all upstreams
    (O(upstream_defaults)) or per upstream (O(upstream_overrides)).
  - The desired state is exact - settings left out are removed from the entry.
  - Per-request timeouts of calls I(to) a service live in its C(service-resolver) entry
    (C(RequestTimeout), C(ConnectTimeout)); manage it with M(agentfleet.hashistack.consul_config_entry).
author:
  - agentfleet.hashistack contributors (@agentfleet)
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_consul
  - ansible.builtin.action_common_attributes
  - agentfleet.hashistack.consul
  - agentfleet.hashistack.retries
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    description: Re-running with the same desired state reports no change and writes nothing.
    support: full
  platform:
    platforms: posix
options:
  name:
    description:
      - Service name.
    type: str
    required: true
  protocol:
    description:
      - Protocol of the service; HTTP-based protocols enable L7 intentions and request limits.
    type: str
    choices: [tcp, http, http2, grpc]
  upstream_defaults:
    description:
      - Settings for every upstream of this service.
    type: dict
    suboptions:
      connect_timeout_ms:
        description: Milliseconds allowed to open a connection to the upstream.
        type: int
      protocol:
        description: Protocol used to talk to the upstream.
        type: str
        choices: [tcp, http, http2, grpc]
      limits:
        description: Circuit-breaker limits of the local proxy towards the upstream.
        type: dict
        suboptions:
          max_connections:
            description: Maximum connections to the upstream.
            type: int
          max_pending_requests:
            description: Maximum requests queued waiting for a connection (HTTP/1.1).
            type: int
          max_concurrent_requests:
            description: Maximum in-flight requests (HTTP/2).
            type: int
      passive_health_check:
        description: Outlier detection - eject upstream instances that keep failing.
        type: dict
        suboptions:
          interval:
            description: Time between ejection sweeps, as a Go duration (V(10s)).
            type: str
          max_failures:
            description: Consecutive failures before an instance is ejected.
            type: int
          enforcing_consecutive_5xx:
            description: Percent chance (0-100) that an instance is really ejected on consecutive 5xx.
            type: int
  upstream_overrides:
    description:
      - Settings for named upstreams, taking precedence over O(upstream_defaults).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Upstream service name.
        type: str
        required: true
      namespace:
        description: Upstream namespace (Consul Enterprise).
        type: str
      partition:
        description: Upstream admin partition (Consul Enterprise).
        type: str
      peer:
        description: Cluster peer of the upstream.
        type: str
      connect_timeout_ms:
        description: Milliseconds allowed to open a connection to the upstream.
        type: int
      protocol:
        description: Protocol used to talk to the upstream.
        type: str
        choices: [tcp, http, http2, grpc]
      limits:
        description: Circuit-breaker limits of the local proxy towards the upstream.
        type: dict
        suboptions:
          max_connections:
            description: Maximum connections to the upstream.
            type: int
          max_pending_requests:
            description: Maximum requests queued waiting for a connection (HTTP/1.1).
            type: int
          max_concurrent_requests:
            description: Maximum in-flight requests (HTTP/2).
            type: int
      passive_health_check:
        description: Outlier detection - eject upstream instances that keep failing.
        type: dict
        suboptions:
          interval:
            description: Time between ejection sweeps, as a Go duration (V(10s)).
            type: str
          max_failures:
            description: Consecutive failures before an instance is ejected.
            type: int
          enforcing_consecutive_5xx:
            description: Percent chance (0-100) that an instance is really ejected on consecutive 5xx.
            type: int
  max_inbound_connections:
    description: Maximum inbound connections to each instance of the service.
    type: int
  local_connect_timeout_ms:
    description: Milliseconds the proxy allows to connect to the local application.
    type: int
  local_request_timeout_ms:
    description: Milliseconds the proxy allows the local application to answer a request.
    type: int
  meta:
    description: Key/value metadata stored on the config entry.
    type: dict
  state:
    description: Whether the entry should exist.
    type: str
    choices: [present, absent]
    default: present
  cas:
    description: Use check-and-set on the C(ModifyIndex) read at the start of the task.
    type: bool
    default: true
seealso:
  - name: Service defaults configuration entry reference
    description: The config entry this module writes.
    link: https://developer.hashicorp.com/consul/docs/connect/config-entries/service-defaults
  - module: agentfleet.hashistack.consul_config_entry
"""

EXAMPLES = r"""
- name: Circuit breakers for every upstream of the planner agent
  agentfleet.hashistack.consul_service_defaults:
    name: planner
    protocol: http
    upstream_defaults:
      connect_timeout_ms: 5000
      limits:
        max_connections: 100
        max_pending_requests: 50
        max_concurrent_requests: 100
      passive_health_check:
        interval: 10s
        max_failures: 5
        enforcing_consecutive_5xx: 100
    upstream_overrides:
      - name: llm-gateway
        connect_timeout_ms: 10000
        limits:
          max_concurrent_requests: 20
"""

RETURN = r"""
entry:
  description: The service-defaults entry after the task, normalised; null when absent.
  returned: always
  type: dict
  sample: {"Kind": "service-defaults", "Name": "planner", "Protocol": "http"}
differences:
  description: Changed field paths with old and new values.
  returned: always
  type: list
  elements: str
kind:
  description: Always V(service-defaults).
  returned: always
  type: str
name:
  description: The service name.
  returned: always
  type: str
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul._module import (
    ConsulModule,
    apply_entry,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import EntryError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.service_defaults import (
    KIND,
    PROTOCOLS,
    build_service_defaults,
)

LIMITS_SPEC = dict(max_connections=dict(type="int"), max_pending_requests=dict(type="int"),
                   max_concurrent_requests=dict(type="int"))
PHC_SPEC = dict(interval=dict(type="str"), max_failures=dict(type="int"),
                enforcing_consecutive_5xx=dict(type="int"))
UPSTREAM_SPEC = dict(
    connect_timeout_ms=dict(type="int"), protocol=dict(type="str", choices=list(PROTOCOLS)),
    limits=dict(type="dict", options=LIMITS_SPEC), passive_health_check=dict(type="dict", options=PHC_SPEC),
)
OVERRIDE_SPEC = dict(UPSTREAM_SPEC, name=dict(type="str", required=True), namespace=dict(type="str"),
                     partition=dict(type="str"), peer=dict(type="str"))


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        protocol=dict(type="str", choices=list(PROTOCOLS)),
        upstream_defaults=dict(type="dict", options=UPSTREAM_SPEC),
        upstream_overrides=dict(type="list", elements="dict", default=[], options=OVERRIDE_SPEC),
        max_inbound_connections=dict(type="int"),
        local_connect_timeout_ms=dict(type="int"),
        local_request_timeout_ms=dict(type="int"),
        meta=dict(type="dict"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        cas=dict(type="bool", default=True),
    )
    module = ConsulModule(argument_spec, supports_check_mode=True)
    params = module.params
    desired = None
    try:
        desired = build_service_defaults(
            params["name"], protocol=params["protocol"], upstream_defaults=params["upstream_defaults"],
            upstream_overrides=params["upstream_overrides"],
            max_inbound_connections=params["max_inbound_connections"],
            local_connect_timeout_ms=params["local_connect_timeout_ms"],
            local_request_timeout_ms=params["local_request_timeout_ms"], meta=params["meta"])
    except EntryError as exc:
        module.fail_json(msg=str(exc), path=exc.path)
    if params["state"] == "absent":
        desired = None
    module.exit_json(**apply_entry(module, module.client(), KIND, params["name"], desired, params["state"], params["cas"]))


if __name__ == "__main__":
    main()
