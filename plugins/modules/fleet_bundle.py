#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_bundle
short_description: Validate a fleet spec once and write the bundle every apply phase reads
description:
  - Validates the whole fleet spec (schema, references, guardrails, tenant budgets) and renders
    every artefact (Nomad jobs, namespaces, ACL policies, quotas, Vault policies and JWT roles,
    Consul config entries) with the fleet core, then writes them to one JSON work file, the
    bundle, that M(agentfleet.hashistack.fleet_vault), M(agentfleet.hashistack.fleet_consul)
    and M(agentfleet.hashistack.fleet_nomad) apply.
  - On any spec error the task fails listing every error with its path and value, and nothing
    is written anywhere.
  - The bundle holds no secret values (the spec only references Vault paths); it is written
    with mode 0600, also in check mode, since every later phase plans from it. It is a work
    file, not managed state, so the task never reports a change.
  - This is an action plugin; it always runs on the controller.
version_added: 0.1.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
  - agentfleet.hashistack.fleet_build_records
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Validates and renders; the bundle is written so later phases can plan.
  diff_mode:
    support: none
  platform:
    platforms: posix
  idempotent:
    description: The same spec always gives the same bundle and reports no change.
    support: full
options:
  spec:
    description:
      - The fleet spec (for example the inventory variable C(agentfleet_fleet)).
      - Exactly one of O(spec) and O(src) is required.
    type: dict
  src:
    description:
      - Path on the controller of a YAML or JSON file holding the spec (duplicate keys are errors).
      - The file is the spec (a mapping with C(tenants)) or holds it under the top-level key
        C(agentfleet_fleet) (a group_vars file); see also O(key). Anything else is one error.
      - A relative path is looked up in the current directory, then the playbook directory.
      - The file is read as data, never templated, within bounds (size, nesting depth, YAML
        aliases); this is the way to keep a spec written by others literal.
      - Large fleets load faster this way than through inventory variables.
    type: path
  key:
    description:
      - Top-level key of O(src) that holds the spec.
    type: str
  dest:
    description:
      - Path of the bundle file on the controller.
      - Required unless O(load_only=true).
    type: path
  load_only:
    description:
      - Only read the spec with the same strict loader (YAML without duplicate keys, bounds,
        unwrapping of C(agentfleet_fleet)) and return it as RV(spec); do not validate, render
        or write a bundle.
      - Used by the kill switch, which must work while the spec no longer validates, and by the
        dispatch helper. Errors of the file name it and the line (C(file:line)).
    type: bool
    default: false
  templates_dir:
    description:
      - Directory of job templates replacing the built-in C(nomad-jobs/).
    type: path
  template_dirs:
    description:
      - Folders, chosen by the operator, in which an agent's C(template) is looked up, in order, before
        O(templates_dir) and the built-in C(nomad-jobs/). Relative folders are resolved like O(src).
      - An agent's C(template) must be a relative name (letters, digits, C(_), C(-), C(.) and C(/);
        no C(..), no leading C(/) or C(.)) of a regular file inside one of these folders; a symlink
        leading outside its folder is refused. The spec can never name a folder.
      - Templates render in a Jinja2 C(ImmutableSandboxedEnvironment) (no Python internals) within
        budgets (template size, output size, C(range) items, render time).
    type: list
    elements: path
  cache:
    description:
      - Reuse the bundle at O(dest) when it was made from the same inputs - the same spec, the
        same collection code and the same job templates (a SHA-256 fingerprint of all of them is
        stored in the bundle). Validation and rendering of an unchanged fleet are then skipped.
    type: bool
    default: true
  tenants:
    description:
      - A run limited to these tenants (role variable C(agent_fleet_tenants)); a comma-separated
        string is accepted too. The whole spec is still validated and rendered; the task fails,
        naming the known tenants, when a name is not a tenant of the spec (with O(prune=true) it
        only has to be a valid name). Empty together with O(agents) - the whole fleet.
    type: list
    elements: str
    default: []
  agents:
    description:
      - A run limited to these agents, each C(tenant/agent) (role variable C(agent_fleet_agents));
        checked like O(tenants).
    type: list
    elements: str
    default: []
  prune:
    description:
      - The run prunes, so O(tenants) and O(agents) may name tenants and agents the spec no longer
        has (to remove them alone).
    type: bool
    default: false
seealso:
  - module: agentfleet.hashistack.fleet_render
"""

EXAMPLES = r"""
- name: Validate the fleet and write the apply bundle
  agentfleet.hashistack.fleet_bundle:
    spec: "{{ agentfleet_fleet }}"
    dest: /tmp/agentfleet/bundle.json
  register: fleet_bundle
"""

RETURN = r"""
bundle:
  description: Absolute path of the bundle.
  returned: success
  type: str
  sample: /tmp/agentfleet/bundle.json
reused:
  description: Whether an existing bundle made from the same inputs was reused (O(cache)).
  returned: success
  type: bool
fleet:
  description: Fleet name.
  returned: success
  type: str
  sample: agents-lab
revision:
  description: Spec revision.
  returned: success
  type: str
counts:
  description: Numbers of tenants, agents, jobs, Vault policies and roles, Consul entries.
  returned: success
  type: dict
agents:
  description: Agent keys (C(tenant/agent)); with O(tenants) or O(agents), only the selected ones (the report covers those).
  returned: success
  type: list
  elements: str
tenants:
  description: Tenant names (with O(tenants) or O(agents), those the run applies objects of).
  returned: success
  type: list
  elements: str
spec:
  description: The fleet spec as read (O(load_only=true) only).
  returned: success and O(load_only=true)
  type: dict
selection:
  description: The O(tenants) and O(agents) the run is limited to (C(tenants), C(agents)); null for the whole fleet.
  returned: success
  type: dict
errors:
  description:
    - Every spec violation, each with C(path), C(message) and C(value), and C(where)
      (C(file:line)) when the spec came from a file and the path is found in it.
  returned: failure
  type: list
  elements: dict
"""
