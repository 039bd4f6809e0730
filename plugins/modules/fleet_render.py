#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_render
short_description: Validate a fleet spec and render its Nomad, Vault and Consul artefacts
description:
  - Validates a fleet spec (schema, references, guardrails, tenant budgets) and renders every
    artefact the agents need, on the controller, with no server involved.
  - Every violation is reported in one failure, each with its dotted path (for example
    C(tenants.research.agents.retriever.resources.memory)) and the offending value. Nothing is
    written when any error exists.
  - With O(dest), writes C(nomad/<namespace>/<job>.json) (register bodies), C(nomad/namespaces/),
    C(nomad/acl/), C(nomad/quotas/), C(vault/policies/), C(vault/roles/), C(consul/) and
    C(summary.json). Only files whose content differs are rewritten; files an earlier render
    produced that are no longer part of the spec are removed. Re-rendering the same spec
    leaves every file byte-identical.
  - With O(picture) (the default), also draws the fleet - tenants as clusters, agents with
    their kind, replicas (or autoscaling min-max) and Vault use, the allowed upstream calls as
    edges, cross-tenant ones dashed and labelled with the setting that allows them - as
    C(fleet.mmd) (Mermaid, renders on GitHub) and C(fleet.dot) (Graphviz), and as C(fleet.svg)
    when Graphviz's C(dot) command is installed (Debian package C(graphviz)). Without it there is
    no SVG, RV(picture.svg_note) says why, and an older C(fleet.svg) is removed; this is not an error.
  - The spec reference is C(docs/fleet-spec.md) in the collection.
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
    details: Validates and renders, reports which files would change, writes nothing.
  diff_mode:
    support: full
    details: Shows a before/after of every file that would change.
  platform:
    platforms: posix
  idempotent:
    description: Running the same task again with the same input reports no change.
    support: full
options:
  spec:
    description:
      - The fleet spec as a mapping (for example an inventory variable).
      - Exactly one of O(spec) and O(src) is required.
    type: dict
  src:
    description:
      - Path on the controller to a YAML or JSON file holding the spec. Duplicate keys are errors.
      - The file is the spec (a mapping with C(tenants)) or holds it under the top-level key
        C(agentfleet_fleet) (a group_vars file); see also O(key). Anything else is one error.
      - A relative path is looked up in the current directory, then the playbook directory.
      - The file is read as data, never templated, within bounds (size, nesting depth, YAML
        aliases); this is the way to keep a spec written by others literal.
    type: path
  key:
    description:
      - Top-level key of O(src) that holds the spec.
    type: str
  dest:
    description:
      - Directory to write the rendered files to. Without it, nothing is written (validate
        and render only).
    type: path
  templates_dir:
    description:
      - Directory of job templates replacing the built-in C(nomad-jobs/) (one
        C(<kind>.json.j2) per agent kind; missing ones fall back to the built-in ones).
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
  return_content:
    description:
      - Return the rendered objects (jobs, namespaces, ACL policies, quotas, Vault policies and
        roles, Consul config entries) in RV(rendered), for modules that apply them.
    type: bool
    default: false
  picture:
    description:
      - Also write the fleet's diagram (C(fleet.mmd), C(fleet.dot), C(fleet.svg)); see the description.
      - C(fleet.dot) needs the Python package C(graphviz) (in the collection's C(requirements.txt)).
    type: bool
    default: true
  dot_timeout:
    description:
      - Seconds one run of Graphviz's C(dot -Tsvg) may take; past it there is no SVG and
        RV(picture.svg_note) says so. At least 1.
    type: int
    default: 30
notes:
  - Secrets never appear in the output; the spec holds only references to Vault KV v2 paths.
seealso:
  - name: Fleet spec reference
    description: Every key, default and guardrail.
    link: https://github.com/agentfleet/hashistack/blob/main/docs/fleet-spec.md
"""

EXAMPLES = r"""
- name: Render the fleet from an inventory variable
  agentfleet.hashistack.fleet_render:
    spec: "{{ agentfleet_fleet }}"
    dest: "{{ playbook_dir }}/../build/fleet"

- name: Validate a spec file only, and get the job bodies back
  agentfleet.hashistack.fleet_render:
    src: fleets/prod.yml
    return_content: true
  register: fleet
"""

RETURN = r"""
changed_files:
  description: Files (relative to O(dest)) written, or that would be written in check mode.
  returned: always
  type: list
  elements: str
  sample: [nomad/research/retriever.json]
removed_files:
  description: Files of an earlier render that are no longer produced and were removed.
  returned: always
  type: list
  elements: str
summary:
  description: Counts, per-tenant usage at maximum scale against budgets, per-agent names, file digests.
  returned: success
  type: dict
errors:
  description: Every violation found, each with C(path), C(message) and C(value) (secret-looking values redacted).
  returned: failure
  type: list
  elements: dict
  sample: [{path: tenants.research.agents.retriever.resources.memory, message: exceeds the guardrail of 8192 per task, value: 16384}]
plan_summary:
  description:
    - What an apply would create on empty servers, counted offline from the rendered objects
      (one line per backend, then per tenant and per agent). Not the live plan of C(fleet.yml --check).
  returned: success
  type: list
  elements: str
  sample: ["fleet agents-lab (revision 1): on empty servers an apply would create", "  Vault:  4 policies, 4 JWT roles (mount jwt-nomad)"]
picture:
  description: The diagram files written (relative to O(dest)); C(svg) is null and C(svg_note) says why when there is no SVG.
  returned: success, when O(picture=true)
  type: dict
  contains:
    mermaid:
      description: The Mermaid file.
      type: str
      sample: fleet.mmd
    dot:
      description: The Graphviz DOT file.
      type: str
      sample: fleet.dot
    svg:
      description: The SVG file, or null when none was written (see RV(picture.svg_note)).
      type: str
      sample: fleet.svg
    svg_note:
      description: Why there is no SVG (no C(dot) command, its timeout, its error, or no O(dest)); null when there is one.
      type: str
      sample: "fleet.svg not written: Graphviz's dot command is not installed"
rendered:
  description: The rendered objects (keys C(jobs), C(namespaces), C(acl_policies), C(quotas), C(vault_policies), C(vault_roles), C(consul_entries)).
  returned: when O(return_content=true)
  type: dict
"""
