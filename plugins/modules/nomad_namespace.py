#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nomad_namespace
short_description: Manage a Nomad namespace
description:
  - Creates, updates or deletes a Nomad namespace with its description, meta, task driver and network mode
    capabilities, and (Nomad Enterprise) quota.
  - Only the options given are compared with the live namespace.
version_added: 0.1.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_nomad
  - agentfleet.hashistack.nomad
  - agentfleet.hashistack.retries
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    platforms: posix
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    description: Running the same task again with the same input reports no change.
    support: full
options:
  name:
    description:
      - Namespace name.
    type: str
    required: true
  state:
    description:
      - Whether the namespace should exist.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Human-readable description.
    type: str
  meta:
    description:
      - Namespace metadata (string values). Compared as a whole map when given.
    type: dict
  quota:
    description:
      - Name of a quota specification to attach. Quotas need Nomad Enterprise.
    type: str
  capabilities:
    description:
      - Which task drivers and network modes jobs in the namespace may use.
    type: dict
    suboptions:
      enabled_task_drivers:
        description: Task drivers allowed (empty means all).
        type: list
        elements: str
      disabled_task_drivers:
        description: Task drivers refused.
        type: list
        elements: str
      enabled_network_modes:
        description: Network modes allowed (empty means all).
        type: list
        elements: str
      disabled_network_modes:
        description: Network modes refused.
        type: list
        elements: str
"""

EXAMPLES = r"""
- name: A namespace for research agents, docker only
  agentfleet.hashistack.nomad_namespace:
    name: agents-research
    description: Research agents
    meta:
      team: research
    capabilities:
      enabled_task_drivers: [docker]

- name: Remove it
  agentfleet.hashistack.nomad_namespace:
    name: agents-research
    state: absent
"""

RETURN = r"""
name:
  description: Namespace name.
  returned: always
  type: str
  sample: agents-research
differences:
  description: Fields that differed from the live namespace.
  returned: when state is present
  type: list
  elements: str
  sample: ["Description", "Capabilities.EnabledTaskDrivers"]
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import NomadModule, ensure_object
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError

CAPS = {"enabled_task_drivers": "EnabledTaskDrivers", "disabled_task_drivers": "DisabledTaskDrivers",
        "enabled_network_modes": "EnabledNetworkModes", "disabled_network_modes": "DisabledNetworkModes"}


def main():
    list_str = dict(type="list", elements="str")
    module = NomadModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            description=dict(type="str"),
            meta=dict(type="dict"),
            quota=dict(type="str"),
            capabilities=dict(type="dict", options={k: dict(list_str) for k in CAPS}),
        ),
        supports_check_mode=True,
    )
    params = module.params
    client = module.client()
    desired = {"Name": params["name"]}
    if params["description"] is not None:
        desired["Description"] = params["description"]
    if params["meta"] is not None:
        bad = [k for k, v in params["meta"].items() if not isinstance(v, str)]
        if bad:
            module.fail_json(msg="meta.%s: values must be strings, got %r" % (bad[0], params["meta"][bad[0]]))
        desired["Meta"] = params["meta"]
    if params["quota"] is not None:
        desired["Quota"] = params["quota"]
    if params["capabilities"] is not None:
        desired["Capabilities"] = {api: params["capabilities"][opt] for opt, api in CAPS.items()
                                   if params["capabilities"][opt] is not None}
    path = "/v1/namespace/%s" % params["name"]
    try:
        current = client.request("GET", path, missing_ok=True)
    except NomadError as exc:
        module.fail_nomad(exc)

    def write():
        body = dict(current or {}, **desired)
        for key in ("CreateIndex", "ModifyIndex"):
            body.pop(key, None)
        return client.request("POST", path, body=body)

    result = ensure_object(module, current, desired, write, lambda: client.request("DELETE", path),
                           exact=("Meta",), extra={"name": params["name"]})
    module.exit_json(**result)


if __name__ == "__main__":
    main()
