#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nomad_quota
short_description: Manage a Nomad Enterprise quota specification
description:
  - Creates, updates or deletes a quota specification (C(/v1/quota)).
  - Quotas are a Nomad Enterprise feature; against an open-source server (which answers HTTP 501) the module
    fails with a message saying so.
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
      - Quota specification name.
    type: str
    required: true
  state:
    description:
      - Whether the quota should exist.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Human-readable description.
    type: str
  limits:
    description:
      - Per-region limits. Compared as a whole when given.
    type: list
    elements: dict
    suboptions:
      region:
        description: Region the limit applies to.
        type: str
        required: true
      cpu:
        description: Total CPU in MHz.
        type: int
      cores:
        description: Total reserved cores.
        type: int
      memory_mb:
        description: Total memory in MiB.
        type: int
      memory_max_mb:
        description: Total maximum memory (oversubscription) in MiB.
        type: int
      variables_limit:
        description: Total size of variables in MiB.
        type: int
"""

EXAMPLES = r"""
- name: Cap the research namespace
  agentfleet.hashistack.nomad_quota:
    name: research
    limits:
      - region: global
        cpu: 20000
        memory_mb: 65536
"""

RETURN = r"""
name:
  description: Quota name.
  returned: always
  type: str
  sample: research
differences:
  description: Fields that differed from the live quota.
  returned: when state is present
  type: list
  elements: str
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import NomadModule, ensure_object
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError

LIMIT_KEYS = {"cpu": "CPU", "cores": "Cores", "memory_mb": "MemoryMB", "memory_max_mb": "MemoryMaxMB"}


def _limit(item):
    region_limit = {api: item[opt] for opt, api in LIMIT_KEYS.items() if item.get(opt) is not None}
    out = {"Region": item["region"], "RegionLimit": region_limit}
    if item.get("variables_limit") is not None:
        out["VariablesLimit"] = item["variables_limit"]
    return out


def _live_limits(limits):
    """Live limits reduced to the fields this module manages (zero means unset)."""
    out = []
    for lim in limits or []:
        region_limit = lim.get("RegionLimit") or {}
        item = {"Region": lim.get("Region"),
                "RegionLimit": {a: region_limit[a] for a in LIMIT_KEYS.values() if region_limit.get(a)}}
        if lim.get("VariablesLimit"):
            item["VariablesLimit"] = lim["VariablesLimit"]
        out.append(item)
    return out


def enterprise_hint(module, exc):
    if exc.status == 501:
        module.fail_json(msg="Quotas need Nomad Enterprise: the server answered HTTP 501 on %s %s (%s)"
                         % (exc.method, exc.endpoint, exc.text or "not implemented"), nomad_error=exc.as_dict())
    module.fail_nomad(exc)


def main():
    module = NomadModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            description=dict(type="str"),
            limits=dict(type="list", elements="dict", options=dict(
                region=dict(type="str", required=True),
                cpu=dict(type="int"),
                cores=dict(type="int"),
                memory_mb=dict(type="int"),
                memory_max_mb=dict(type="int"),
                variables_limit=dict(type="int"),
            )),
        ),
        supports_check_mode=True,
    )
    params = module.params
    client = module.client()
    desired = {"Name": params["name"]}
    if params["description"] is not None:
        desired["Description"] = params["description"]
    if params["limits"] is not None:
        desired["Limits"] = sorted((_limit(i) for i in params["limits"]), key=lambda x: x["Region"])
    path = "/v1/quota/%s" % params["name"]
    try:
        current = client.request("GET", path, missing_ok=True)
    except NomadError as exc:
        enterprise_hint(module, exc)
    compare = None
    if current is not None:
        compare = dict(current, Limits=sorted(_live_limits(current.get("Limits")), key=lambda x: x.get("Region")))

    def write():
        try:
            return client.request("POST", "/v1/quota" if current is None else path, body=desired)
        except NomadError as exc:
            enterprise_hint(module, exc)

    def delete():
        try:
            return client.request("DELETE", path)
        except NomadError as exc:
            enterprise_hint(module, exc)

    result = ensure_object(module, compare, desired, write, delete, exact=("Limits",), extra={"name": params["name"]})
    module.exit_json(**result)


if __name__ == "__main__":
    main()
