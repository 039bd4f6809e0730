#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nomad_variable
short_description: Manage a Nomad variable
description:
  - Creates, updates or deletes a Nomad variable (C(/v1/var/:path)) in the connection's namespace.
  - Item values are treated as secrets; they never appear in results or diffs (keys do).
  - Writes use check-and-set on the variable's modify index so a concurrent change is never overwritten silently.
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
    details: Item values are shown as C(<hidden>).
  idempotent:
    description: Running the same task again with the same input reports no change.
    support: full
options:
  path:
    description:
      - Variable path, for example C(nomad/jobs/agent-research).
    type: str
    required: true
  state:
    description:
      - Whether the variable should exist.
    type: str
    choices: [present, absent]
    default: present
  items:
    description:
      - The variable's items (string values). The whole map is compared. Required when O(state=present).
    type: dict
  check_index:
    description:
      - Only write or delete if the variable's current modify index equals this value (V(0) means it must not exist).
      - Without it the modify index read just before the write is used.
    type: int
"""

EXAMPLES = r"""
- name: Give an agent its API key
  agentfleet.hashistack.nomad_variable:
    namespace: agents
    path: nomad/jobs/agent-research
    items:
      api_key: "{{ vault_agent_api_key }}"
"""

RETURN = r"""
path:
  description: Variable path.
  returned: always
  type: str
  sample: nomad/jobs/agent-research
keys:
  description: Item keys after the change (values are never returned).
  returned: when state is present
  type: list
  elements: str
  sample: [api_key]
modify_index:
  description: Modify index of the variable after the change (before, in check mode).
  returned: when the variable exists
  type: int
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import NomadModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.resources import masked


def main():
    module = NomadModule(
        argument_spec=dict(
            path=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            items=dict(type="dict", no_log=True),
            check_index=dict(type="int"),
        ),
        required_if=[("state", "present", ("items",))],
        supports_check_mode=True,
    )
    params = module.params
    var_path = params["path"].strip("/")
    if not var_path:
        module.fail_json(msg="path: must not be empty, got %r" % params["path"])
    items = params["items"] or {}
    for key, val in items.items():
        if not isinstance(val, str):
            module.fail_json(msg="items.%s: values must be strings, got a %s" % (key, type(val).__name__))
    client = module.client()
    namespace = params["namespace"]
    endpoint = "/v1/var/%s" % var_path
    try:
        current = client.request("GET", endpoint, namespace=namespace, missing_ok=True)
        index = (current or {}).get("ModifyIndex", 0)
        if params["check_index"] is not None and params["check_index"] != index:
            module.fail_json(msg="check_index=%s but variable %r in namespace %r is at modify index %s; nothing changed"
                             % (params["check_index"], var_path, namespace, index), modify_index=index, path=var_path)
        live_items = (current or {}).get("Items") or {}
        present = params["state"] == "present"
        changed = (live_items != items or current is None) if present else current is not None
        result = {"changed": changed, "path": var_path}
        if current is not None:
            result["modify_index"] = index
        if changed and not module.check_mode:
            if present:
                body = {"Namespace": namespace, "Path": var_path, "Items": items}
                resp = client.request("PUT", endpoint, namespace=namespace, body=body, params={"cas": index}) or {}
                result["modify_index"] = resp.get("ModifyIndex", index)
            else:
                client.request("DELETE", endpoint, namespace=namespace, params={"cas": index})
                result.pop("modify_index", None)
    except NomadError as exc:
        if exc.status == 409:
            module.fail_json(msg="variable %r in namespace %r changed concurrently (check-and-set on modify index %s "
                             "failed); nothing written" % (var_path, namespace, index),
                             nomad_error=dict(exc.as_dict(), error="(conflicting variable not shown)"))
        module.fail_nomad(exc)
    if present:
        result["keys"] = sorted(items)
    if module._diff:
        result["diff"] = {"before": {"items": masked(live_items, items)} if current else {},
                          "after": {"items": masked(items, live_items)} if present else {}}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
