#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: agent_image_context
short_description: Digest the inputs of an agent image build and stage its build context
version_added: 0.1.0
description:
  - Lists the files of the agent's source folder O(src) (caches, VCS folders and compiled
    Python skipped; a symbolic link is refused), checks that every requirement of the
    lockfile O(lockfile) is pinned exactly with a C(--hash), and computes C(inputs_sha256),
    the sha256 of everything the image is made from (each file's path, executable bit and
    content; the lockfile; the Dockerfile text; O(params) such as the base image ID).
  - With O(dest), writes the build context there (the folder is emptied first)
    C(Dockerfile), C(requirements.lock), C(src/) and empty C(wheels/) and C(pip/) folders. The context is a
    work folder, not managed state, so the task never reports a change.
  - Used by the role C(agentfleet.hashistack.agent_image); the build record keeps
    C(inputs_sha256), so unchanged inputs build nothing.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The digest is computed; O(dest) is not written.
  diff_mode:
    support: none
  idempotent:
    description: Same source, same digest; O(dest) is written again with the same content.
    support: full
  platform:
    platforms: posix
options:
  src:
    description: The agent's source folder (what goes into the image under C(/opt/agent/app)).
    type: path
    required: true
  lockfile:
    description: Runtime dependencies, each C(name==version) with C(--hash=sha256:...) lines (pip's hash-checking mode).
    type: path
    required: true
  dockerfile:
    description: The Dockerfile text (rendered from the role's template).
    type: str
    required: true
  params:
    description: Other inputs, C(name) to string or integer (for example the base image ID).
    type: dict
    default: {}
  dest:
    description: Build context folder to write; omitted, nothing is written.
    type: path
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Inputs digest and build context
  agentfleet.hashistack.agent_image_context:
    src: examples/agents/reference/reference_agent
    lockfile: examples/agents/reference/requirements.lock
    dockerfile: "{{ lookup('ansible.builtin.template', 'Dockerfile.j2') }}"
    params: {base_image_id: "sha256:35698ba0ce08..."}
    dest: /tmp/agent-image-context
"""

RETURN = r"""
inputs_sha256:
  description: Hex sha256 of the build inputs.
  returned: success
  type: str
  sample: 9f2c0a7d41e5b3c6a8d2f1e0b9c8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0
files:
  description: Relative paths of the source files that go into the image, sorted.
  returned: success
  type: list
  elements: str
  sample: [reference_agent/__init__.py, reference_agent/app.py]
staged:
  description: Whether O(dest) was written (false in check mode or without O(dest)).
  returned: success
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.agentfleet.hashistack.plugins.module_utils.image import context


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path", required=True),
            lockfile=dict(type="path", required=True),
            dockerfile=dict(type="str", required=True),
            params=dict(type="dict", default={}),
            dest=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        files = context.source_files(p["src"])
        if not files:
            raise context.InputError("source folder %s holds no files; set agent_image_src to the agent's source" % p["src"])
        try:
            with open(p["lockfile"], encoding="utf-8") as handle:
                lock_text = handle.read()
        except OSError as exc:
            raise context.InputError("lockfile %s cannot be read (%s); set agent_image_lockfile" % (p["lockfile"], exc))
        context.check_lockfile(lock_text, p["lockfile"])
        digest = context.inputs_digest(p["src"], files, p["lockfile"], p["dockerfile"], p["params"])
        staged = False
        if p["dest"] and not module.check_mode:
            context.stage(p["src"], files, p["lockfile"], p["dockerfile"], p["dest"])
            staged = True
    except (context.InputError, OSError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, inputs_sha256=digest, files=files, staged=staged)


if __name__ == "__main__":
    main()
