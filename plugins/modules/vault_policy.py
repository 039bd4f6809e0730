#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_policy
short_description: Manage a Vault or OpenBao ACL policy
version_added: 0.1.0
description:
  - Creates, updates or deletes an ACL policy (C(/sys/policies/acl/<name>)) from HCL text or a file.
  - The comparison ignores comments, blank lines, indentation and line endings, so only a
    change to the rules themselves is written. Diff mode shows the rule change.
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
    description: Re-running with equivalent rules reports no change.
    support: full
  platform:
    platforms: posix
options:
  name:
    description:
      - Policy name. The built-in V(root) and V(default) policies cannot be deleted.
    type: str
    required: true
  policy:
    description:
      - Policy rules as HCL (or JSON) text. Mutually exclusive with O(policy_file).
    type: str
  policy_file:
    description:
      - Path of a file holding the rules, read on the target host. Mutually exclusive with O(policy).
    type: path
  state:
    description:
      - Whether the policy should exist.
    type: str
    choices: [present, absent]
    default: present
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Let one agent read only its own secrets
  agentfleet.hashistack.vault_policy:
    name: agent-researcher
    policy: |
      path "secret/data/agents/researcher/*" {
        capabilities = ["read"]
      }

- name: Load a policy from a file
  agentfleet.hashistack.vault_policy:
    name: fleet-admin
    policy_file: /etc/agentfleet/policies/fleet-admin.hcl

- name: Remove a policy
  agentfleet.hashistack.vault_policy:
    name: agent-retired
    state: absent
"""

RETURN = r"""
name:
  description: The policy name.
  returned: always
  type: str
  sample: agent-researcher
policy:
  description: The rules the server holds after the task (empty when absent).
  returned: always
  type: str
  sample: 'path "secret/data/agents/researcher/*" { capabilities = ["read"] }'
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.object_result import is_changed
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.objects import (
    converge_policy,
    policy_path,
    read_policy,
    remove,
)

_BUILTIN = ("root", "default")


def _desired_text(params):
    if params["policy_file"]:
        try:
            with open(params["policy_file"]) as handle:
                return handle.read()
        except OSError as exc:
            raise VaultModuleError(f"policy_file {params['policy_file']!r}: {exc.strerror}") from None
    return params["policy"]


def manage(module, client):
    params = module.params
    name = params["name"].strip()
    if not name or "/" in name:
        raise VaultModuleError(f"name: {params['name']!r} is not a valid policy name")
    current = read_policy(client, name)
    result = {"changed": False, "name": name, "policy": current or ""}

    if params["state"] == "absent":
        if name in _BUILTIN:
            raise VaultModuleError(f"name: the built-in policy {name!r} cannot be deleted")
        done = remove(client, policy_path(name), f"policy {name!r}", current is not None, check=module.check_mode)
        if is_changed(done["outcome"]):
            result.update(changed=True, policy="")
            if module._diff:
                result["diff"] = {"before": current, "after": "", "before_header": name, "after_header": name}
        return result

    if name == "root":
        raise VaultModuleError("name: the root policy cannot be changed")
    desired = _desired_text(params)
    if not desired or not desired.strip():
        raise VaultModuleError(f"policy for {name!r} is empty; give policy or policy_file (state=present)")
    done = converge_policy(client, name, current, desired, check=module.check_mode)
    if is_changed(done["outcome"]):
        result.update(changed=True, policy=desired)
        if module._diff:
            result["diff"] = {"before": current or "", "after": desired, "before_header": name, "after_header": name}
    return result


def main():
    spec = dict(
        name=dict(type="str", required=True),
        policy=dict(type="str"),
        policy_file=dict(type="path"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    VaultModule(spec, mutually_exclusive=[("policy", "policy_file")],
                required_if=[("state", "present", ("policy", "policy_file"), True)]).run(manage)


if __name__ == "__main__":
    main()
