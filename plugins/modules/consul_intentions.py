#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: consul_intentions
short_description: Set exactly which services may call one destination in the Consul mesh
version_added: 0.1.0
description:
  - Manages the C(service-intentions) config entry of one destination service - the agent-friendly
    way to say which agents and tools may talk to it.
  - The desired state is exact - sources not listed are removed.
  - Sources are L4 (O(allow), O(deny) or O(sources[].action)) or L7 with HTTP permissions
    (path exact/prefix/regex, methods, headers) for destinations whose protocol is HTTP-based.
  - Consul computes each source's precedence (exact names 9, wildcard C(*) 8, on a wildcard
    destination 6 and 5); it is returned in RV(intentions) and never compared.
  - O(default_deny=true) manages the fleet-wide default deny (C(*) -> C(*)).
  - Input is checked the way Consul checks it (one action or permissions per source, each source
    once, valid HTTP methods, paths starting with C(/)) before anything is written.
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
  destination:
    description:
      - Destination service name (or V(*) for all services). Required unless O(default_deny=true).
    type: str
  allow:
    description:
      - Source service names allowed to call O(destination) (L4).
    type: list
    elements: str
    default: []
  deny:
    description:
      - Source service names explicitly denied (L4).
    type: list
    elements: str
    default: []
  sources:
    description:
      - Sources with full detail, for L7 permissions or descriptions.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Source service name, or V(*).
        type: str
        required: true
      action:
        description: L4 action. Omit when O(sources[].permissions) is given.
        type: str
        choices: [allow, deny]
      description:
        description: Free-text description stored with the intention.
        type: str
      peer:
        description: Cluster peer of the source service.
        type: str
      namespace:
        description: Namespace of the source service (Consul Enterprise).
        type: str
      partition:
        description: Admin partition of the source service (Consul Enterprise).
        type: str
      permissions:
        description:
          - L7 permissions, evaluated in order; the destination must use an HTTP-based protocol.
        type: list
        elements: dict
        suboptions:
          action:
            description: What to do with matching requests.
            type: str
            required: true
            choices: [allow, deny]
          path_exact:
            description: Match this exact path (must start with C(/)).
            type: str
          path_prefix:
            description: Match paths starting with this prefix (must start with C(/)).
            type: str
          path_regex:
            description: Match paths against this regular expression.
            type: str
          methods:
            description: HTTP methods to match (for example V(GET), V(POST)).
            type: list
            elements: str
          headers:
            description: Header matches; each sets O(sources[].permissions[].headers[].name) and exactly one matcher.
            type: list
            elements: dict
            suboptions:
              name:
                description: Header name.
                type: str
                required: true
              present:
                description: Match when the header is present.
                type: bool
              exact:
                description: Match this exact value.
                type: str
              prefix:
                description: Match values with this prefix.
                type: str
              suffix:
                description: Match values with this suffix.
                type: str
              regex:
                description: Match values against this regular expression.
                type: str
              invert:
                description: Invert the match.
                type: bool
                default: false
  default_deny:
    description:
      - Manage the fleet-wide default deny instead - destination V(*), single source V(*) with
        action V(deny). Mutually exclusive with O(destination), O(allow), O(deny), O(sources).
    type: bool
    default: false
  meta:
    description:
      - Key/value metadata stored on the config entry.
    type: dict
  state:
    description:
      - V(present) sets the listed sources exactly; V(absent) removes all intentions of O(destination).
    type: str
    choices: [present, absent]
    default: present
  cas:
    description:
      - Use check-and-set on the C(ModifyIndex) read at the start of the task.
    type: bool
    default: true
seealso:
  - name: Service intentions configuration entry reference
    description: The config entry this module writes.
    link: https://developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions
  - module: agentfleet.hashistack.consul_config_entry
"""

EXAMPLES = r"""
- name: Deny everything that is not explicitly allowed
  agentfleet.hashistack.consul_intentions:
    default_deny: true

- name: Only the planner and the researcher may call the search tool; the scraper is denied
  agentfleet.hashistack.consul_intentions:
    destination: tool-search
    allow: [planner, researcher]
    deny: [scraper]

- name: L7 - the planner may read the memory API, and write only under /v1/notes
  agentfleet.hashistack.consul_intentions:
    destination: memory
    sources:
      - name: planner
        permissions:
          - action: allow
            path_prefix: /v1/notes
            methods: [POST, PUT]
          - action: allow
            methods: [GET, HEAD]

- name: Remove every intention of a retired service
  agentfleet.hashistack.consul_intentions:
    destination: old-tool
    state: absent
"""

RETURN = r"""
entry:
  description: The service-intentions entry after the task, normalised; null when absent.
  returned: always
  type: dict
intentions:
  description: The sources after the task with Consul's computed precedence, highest first.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "planner", "action": "allow", "precedence": 9}]
differences:
  description: Changed field paths with old and new values.
  returned: always
  type: list
  elements: str
kind:
  description: Always V(service-intentions).
  returned: always
  type: str
name:
  description: The destination service.
  returned: always
  type: str
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul._module import (
    ConsulModule,
    apply_entry,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import EntryError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.intentions import (
    KIND,
    WILDCARD,
    build_intentions,
    default_deny_entry,
    precedence,
)

HEADER_SPEC = dict(
    name=dict(type="str", required=True), present=dict(type="bool"), exact=dict(type="str"),
    prefix=dict(type="str"), suffix=dict(type="str"), regex=dict(type="str"),
    invert=dict(type="bool", default=False),
)
PERMISSION_SPEC = dict(
    action=dict(type="str", required=True, choices=["allow", "deny"]),
    path_exact=dict(type="str"), path_prefix=dict(type="str"), path_regex=dict(type="str"),
    methods=dict(type="list", elements="str"),
    headers=dict(type="list", elements="dict", options=HEADER_SPEC),
)
SOURCE_SPEC = dict(
    name=dict(type="str", required=True), action=dict(type="str", choices=["allow", "deny"]),
    description=dict(type="str"), peer=dict(type="str"), namespace=dict(type="str"),
    partition=dict(type="str"),
    permissions=dict(type="list", elements="dict", options=PERMISSION_SPEC),
)


def summary(entry):
    out = []
    for src in (entry or {}).get("Sources", []):
        item = {"name": src["Name"], "precedence": precedence(entry["Name"], src["Name"])}
        if src.get("Action"):
            item["action"] = src["Action"]
        if src.get("Permissions"):
            item["permissions"] = src["Permissions"]
        out.append(item)
    return sorted(out, key=lambda s: -s["precedence"])


def main():
    argument_spec = dict(
        destination=dict(type="str"),
        allow=dict(type="list", elements="str", default=[]),
        deny=dict(type="list", elements="str", default=[]),
        sources=dict(type="list", elements="dict", default=[], options=SOURCE_SPEC),
        default_deny=dict(type="bool", default=False),
        meta=dict(type="dict"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        cas=dict(type="bool", default=True),
    )
    module = ConsulModule(argument_spec, supports_check_mode=True)
    params = module.params
    if params["default_deny"]:
        if params["destination"] or params["allow"] or params["deny"] or params["sources"]:
            module.fail_json(msg="default_deny: manages the single rule '*' -> '*' deny; do not "
                             "combine it with destination, allow, deny or sources")
        destination = WILDCARD
    else:
        destination = params["destination"]
        if not destination:
            module.fail_json(msg="destination: required unless default_deny=true")
    desired = None
    if params["state"] == "present":
        try:
            if params["default_deny"]:
                desired = default_deny_entry(meta=params["meta"])
            else:
                desired = build_intentions(destination, sources=params["sources"], allow=params["allow"],
                                           deny=params["deny"], meta=params["meta"])
        except EntryError as exc:
            module.fail_json(msg=str(exc), path=exc.path)
    result = apply_entry(module, module.client(), KIND, destination, desired, params["state"], params["cas"])
    result["intentions"] = summary(result.get("entry"))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
