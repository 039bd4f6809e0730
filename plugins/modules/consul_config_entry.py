#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: consul_config_entry
short_description: Manage any Consul config entry by kind and name
version_added: 0.1.0
description:
  - Creates, updates or deletes one Consul config entry (C(service-defaults), C(proxy-defaults),
    C(service-intentions), C(service-resolver), ...) through the C(/v1/config) HTTP API.
  - Idempotent by normalised comparison, so fields Consul adds (C(CreateIndex), C(ModifyIndex),
    C(Hash), default zero values, computed intention C(Precedence)) never read as a change.
  - Writes and deletes are check-and-set on the C(ModifyIndex) that was read (O(cas)), so a
    concurrent change fails the task instead of being silently overwritten.
  - The desired state is exact - fields left out of O(config) are removed from the entry.
  - For ACL tokens and policies use the C(community.general.consul_token) and
    C(community.general.consul_policy) modules bundled with the pinned C(ansible) package.
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
  kind:
    description:
      - Config entry kind.
    type: str
    required: true
    choices:
      - service-defaults
      - proxy-defaults
      - service-router
      - service-splitter
      - service-resolver
      - ingress-gateway
      - terminating-gateway
      - service-intentions
      - mesh
      - exported-services
      - sameness-group
      - api-gateway
      - http-route
      - tcp-route
      - inline-certificate
      - file-system-certificate
      - jwt-provider
  name:
    description:
      - Config entry name. C(proxy-defaults) must be named V(global), C(mesh) must be named V(mesh).
    type: str
    required: true
  config:
    description:
      - "The entry's fields in Consul's JSON form with CamelCase keys, for example
        C({Protocol: http, UpstreamConfig: {Defaults: {ConnectTimeoutMs: 5000}}})."
      - C(Kind) and C(Name) may be omitted; if given they must equal O(kind) and O(name).
      - Required when O(state=present).
    type: dict
  state:
    description:
      - Whether the entry should exist.
    type: str
    choices: [present, absent]
    default: present
  cas:
    description:
      - Use check-and-set on the C(ModifyIndex) read at the start of the task.
    type: bool
    default: true
notes:
  - Durations may be given as Go strings (V(10s), V(1m30s)); Consul may answer with integer
    nanoseconds, which compare equal.
seealso:
  - name: Consul config HTTP API
    description: The endpoints this module calls.
    link: https://developer.hashicorp.com/consul/api-docs/config
  - module: agentfleet.hashistack.consul_intentions
  - module: agentfleet.hashistack.consul_service_defaults
"""

EXAMPLES = r"""
- name: Upstream circuit breakers for the planner agent (service-defaults)
  agentfleet.hashistack.consul_config_entry:
    kind: service-defaults
    name: planner
    config:
      Protocol: http
      UpstreamConfig:
        Defaults:
          ConnectTimeoutMs: 5000
          Limits:
            MaxConnections: 100
            MaxPendingRequests: 50
            MaxConcurrentRequests: 100
          PassiveHealthCheck:
            Interval: 10s
            MaxFailures: 5
            EnforcingConsecutive5xx: 100

- name: Request and connect timeouts for calls to the tools service (service-resolver)
  agentfleet.hashistack.consul_config_entry:
    kind: service-resolver
    name: tools
    config:
      ConnectTimeout: 5s
      RequestTimeout: 30s

- name: Mesh-wide proxy defaults
  agentfleet.hashistack.consul_config_entry:
    kind: proxy-defaults
    name: global
    config:
      Config:
        protocol: http

- name: Remove an entry
  agentfleet.hashistack.consul_config_entry:
    kind: service-resolver
    name: tools
    state: absent
"""

RETURN = r"""
entry:
  description: The entry after the task, normalised (server-added fields removed); null when absent.
  returned: always
  type: dict
  sample: {"Kind": "service-defaults", "Name": "planner", "Protocol": "http"}
differences:
  description: Changed field paths with old and new values.
  returned: always
  type: list
  elements: str
  sample: ["Protocol: \"tcp\" -> \"http\""]
kind:
  description: The entry kind.
  returned: always
  type: str
  sample: service-defaults
name:
  description: The entry name.
  returned: always
  type: str
  sample: planner
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul._module import (
    ConsulModule,
    apply_entry,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import (
    KNOWN_KINDS,
    EntryError,
    check_field_names,
    normalise,
)


def desired_entry(kind, name, config):
    entry = dict(config)
    for key, want in (("Kind", kind), ("Name", name)):
        if key in entry and entry[key] != want:
            raise EntryError("config.%s" % key, "must equal the %s option %r, got %r" % (key.lower(), want, entry[key]))
        entry[key] = want
    check_field_names(entry)
    normalise(entry)  # raises EntryError on malformed durations
    return entry


def main():
    argument_spec = dict(
        kind=dict(type="str", required=True, choices=list(KNOWN_KINDS)),
        name=dict(type="str", required=True),
        config=dict(type="dict"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        cas=dict(type="bool", default=True),
    )
    module = ConsulModule(argument_spec, supports_check_mode=True,
                          required_if=[("state", "present", ["config"])])
    params = module.params
    if not params["name"] or "/" in params["name"]:
        module.fail_json(msg="name: must be non-empty without '/', got %r" % (params["name"],))
    desired = None
    if params["state"] == "present":
        try:
            desired = desired_entry(params["kind"], params["name"], params["config"])
        except EntryError as exc:
            module.fail_json(msg=str(exc), path=exc.path)
    module.exit_json(**apply_entry(module, module.client(), params["kind"], params["name"], desired, params["state"], params["cas"]))


if __name__ == "__main__":
    main()
