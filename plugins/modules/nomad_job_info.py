#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nomad_job_info
short_description: Read Nomad jobs with their deployment and allocation summary
description:
  - Returns one job, a list of jobs, or every job of the namespace (optionally by ID prefix), each with its
    latest deployment and a count of its allocations per client status.
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
    details: This module only reads.
  diff_mode:
    support: N/A
    details: This module only reads.
options:
  name:
    description:
      - Job ID, or a list of job IDs. When omitted, all jobs of the namespace (matching O(prefix)).
    type: list
    elements: str
    aliases: [names]
  prefix:
    description:
      - Only jobs whose ID starts with this, when O(name) is omitted.
    type: str
  include_spec:
    description:
      - Include each job's full specification under C(job).
    type: bool
    default: false
  concurrency:
    description:
      - How many jobs are read at the same time.
    type: int
    default: 8
"""

EXAMPLES = r"""
- name: Read one job
  agentfleet.hashistack.nomad_job_info:
    name: agent-research
    include_spec: true
  register: info

- name: Read every agent job
  agentfleet.hashistack.nomad_job_info:
    namespace: agents
    prefix: agent-
"""

RETURN = r"""
jobs:
  description: The jobs found, in the order asked for.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Job ID.
      type: str
    namespace:
      description: Namespace.
      type: str
    status:
      description: Job status (pending, running, dead).
      type: str
    type:
      description: Job type.
      type: str
    version:
      description: Job version.
      type: int
    stop:
      description: Whether the job is stopped.
      type: bool
    owner:
      description: Value of the job's C(agentfleet_owner) meta.
      type: str
    job_modify_index:
      description: Job modify index.
      type: int
    deployment:
      description:
        - Latest deployment summary (id, status, task groups), or null. The latest is the newest by C(CreateIndex)
          among the deployments of the job as it exists now; those of an earlier job with the same ID (purged and
          registered again) are left out.
      type: dict
    allocations:
      description: Number of allocations per client status.
      type: dict
    job:
      description: Full job specification, with O(include_spec=true).
      type: dict
missing:
  description: Requested job IDs that do not exist.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import NomadModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.executor import run_many
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.job_apply import job_info


def main():
    module = NomadModule(
        argument_spec=dict(
            name=dict(type="list", elements="str", aliases=["names"]),
            prefix=dict(type="str"),
            include_spec=dict(type="bool", default=False),
            concurrency=dict(type="int", default=8),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["concurrency"] < 1:
        module.fail_json(msg="concurrency: must be >= 1, got %s" % params["concurrency"])
    client = module.client(pool_size=params["concurrency"])
    namespace = params["namespace"]
    try:
        names = params["name"]
        if names is None:
            names = [j["ID"] for j in client.list_jobs(namespace, prefix=params["prefix"]) or []]
        infos = run_many(names, lambda n: job_info(client, n, namespace), concurrency=params["concurrency"])
    except NomadError as exc:
        module.fail_nomad(exc)
    jobs, missing = [], []
    for name, info in zip(names, infos):
        if info is None:
            missing.append(name)
            continue
        if not params["include_spec"]:
            info.pop("job", None)
        jobs.append(info)
    module.exit_json(changed=False, jobs=jobs, missing=missing)


if __name__ == "__main__":
    main()
