#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nomad_acl_policy
short_description: Manage a Nomad ACL policy
description:
  - Creates, updates or deletes a Nomad ACL policy, optionally scoped to a job (workload identity C(JobACL)).
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
      - Policy name.
    type: str
    required: true
  state:
    description:
      - Whether the policy should exist.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Human-readable description.
    type: str
  rules:
    description:
      - Policy rules in HCL. Required when O(state=present).
    type: str
  job_acl:
    description:
      - Attach the policy to the workload identity of a job, group or task.
    type: dict
    suboptions:
      namespace:
        description: Namespace of the job.
        type: str
        default: default
      job_id:
        description: Job ID.
        type: str
        required: true
      group:
        description: Task group (needs O(job_acl.job_id)).
        type: str
      task:
        description: Task (needs O(job_acl.group)).
        type: str
"""

EXAMPLES = r"""
- name: Let agents read their variables
  agentfleet.hashistack.nomad_acl_policy:
    name: agent-vars
    description: Agents read their own variables
    rules: |
      namespace "agents" {
        variables {
          path "agents/*" { capabilities = ["read", "list"] }
        }
      }
    job_acl:
      namespace: agents
      job_id: agent-research
"""

RETURN = r"""
name:
  description: Policy name.
  returned: always
  type: str
  sample: agent-vars
differences:
  description: Fields that differed from the live policy.
  returned: when state is present
  type: list
  elements: str
  sample: ["Rules"]
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import NomadModule, ensure_object
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError


def main():
    module = NomadModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            description=dict(type="str"),
            rules=dict(type="str"),
            job_acl=dict(type="dict", options=dict(
                namespace=dict(type="str", default="default"),
                job_id=dict(type="str", required=True),
                group=dict(type="str"),
                task=dict(type="str"),
            )),
        ),
        required_if=[("state", "present", ("rules",))],
        supports_check_mode=True,
    )
    params = module.params
    desired = {"Name": params["name"], "Rules": params["rules"]}
    if params["description"] is not None:
        desired["Description"] = params["description"]
    if params["job_acl"]:
        acl = params["job_acl"]
        if acl["task"] and not acl["group"]:
            module.fail_json(msg="job_acl.task: %r needs job_acl.group" % acl["task"])
        desired["JobACL"] = {"Namespace": acl["namespace"], "JobID": acl["job_id"],
                             "Group": acl["group"] or "", "Task": acl["task"] or ""}
    client = module.client()
    path = "/v1/acl/policy/%s" % params["name"]
    try:
        current = client.request("GET", path, missing_ok=True)
    except NomadError as exc:
        module.fail_nomad(exc)
    if params["state"] == "absent":
        desired = {"Name": params["name"]}
    result = ensure_object(module, current, desired, lambda: client.request("POST", path, body=desired),
                           lambda: client.request("DELETE", path), extra={"name": params["name"]})
    module.exit_json(**result)


if __name__ == "__main__":
    main()
