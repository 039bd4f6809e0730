#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_images
short_description: Verify the signatures of every agent image of a fleet bundle before anything is applied
description:
  - The guardrail C(require_signed_images). When the spec's C(guardrails.require_signed_images) is true,
    or O(required=true) (the operator's switch, which a spec cannot turn off), every image of every task
    of every rendered job in the bundle is verified; otherwise nothing is checked.
  - Images must be pinned by digest. Their containers "simple signing" signatures are read from the
    lookaside store O(store) at C(<store>/<repository path>@sha256=<hex>/signature-<n>) (the layout of
    containers/image; the repository path has no registry host), n = 1, 2, ... until the first missing
    one. A signature is accepted when C(gpgv), given a temporary keyring holding only O(keys) (never the
    system's or the user's keyring), finds exactly one good signature by one of those keys, and its payload
    has C(critical.type) C(atomic container signature), C(critical.image.docker-manifest-digest) equal to
    the pinned digest and C(critical.identity.docker-reference) in the image's repository.
  - Fails with one line per bad image naming the agent's spec path, the image, what is wrong (missing
    signature, unknown key, bad signature, digest mismatch, identity mismatch, bad payload, store
    unreachable, not pinned by digest) and what to do. It only reads, so it runs in check mode too; the
    role M(agentfleet.hashistack.agent_fleet) runs it in its preflight, before the first write.
  - Bounded - O(timeout) per image, O(deadline) for all images, O(retries) for each HTTP read of an https
    store (the collection's bounded HTTP session, with a deadline per call).
  - This is an action plugin; it always runs on the controller, where the keys are.
version_added: 0.2.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
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
    details: Only reads, so it makes the same checks in check mode.
  diff_mode:
    support: none
  idempotent:
    description: Reads only; running it again changes nothing.
    support: full
  platform:
    platforms: posix
requirements:
  - gpg and gpgv (Debian packages gnupg, gpgv) on the controller
options:
  bundle:
    description:
      - The apply bundle written by M(agentfleet.hashistack.fleet_bundle); its C(require_signed_images)
        and the images of its rendered jobs are used.
    type: path
    required: true
  required:
    description:
      - The operator's switch (role variable C(agent_fleet_require_signed_images)) - check the images even
        when the spec's C(guardrails.require_signed_images) is false.
    type: bool
    default: false
  keys:
    description:
      - Controller paths of the platform team's ASCII-armoured OpenPGP public keys (C(gpg --armor --export)).
        A private key block is refused.
    type: list
    elements: path
    default: []
  store:
    description:
      - The lookaside signature store - a controller directory or an C(https://) URL.
    type: str
  ca_cert:
    description:
      - CA bundle to verify an https O(store) with (default - the system's).
    type: path
  timeout:
    description:
      - Seconds for one image (every signature read, every C(gpgv) run).
    type: float
    default: 10.0
  deadline:
    description:
      - Seconds for all images; images not reached in time fail.
    type: float
    default: 120.0
  retries:
    description:
      - Retries of one HTTP read of an https O(store) (connection failures, 429, 502, 503, 504).
    type: int
    default: 2
  tenants:
    description:
      - Only the images of these tenants (role variable C(agent_fleet_tenants)); empty with O(agents) - all.
    type: list
    elements: str
    default: []
  agents:
    description:
      - Only the images of these agents, each C(tenant/agent) (role variable C(agent_fleet_agents)).
    type: list
    elements: str
    default: []
seealso:
  - module: agentfleet.hashistack.image_sign
  - module: agentfleet.hashistack.fleet_bundle
"""

EXAMPLES = r"""
- name: Verify every agent image against the platform keys
  agentfleet.hashistack.fleet_images:
    bundle: "{{ agent_fleet_bundle.bundle }}"
    required: true
    keys: [/etc/agentfleet/keys/platform.asc]
    store: https://signatures.example.com/sigstore
"""

RETURN = r"""
required:
  description: Whether the images were checked (the spec's guardrail or O(required)).
  returned: always
  type: bool
images:
  description: One entry per agent and image - C(agent) (C(tenant/agent)), C(path) (spec path of the image),
    C(image), C(ok), C(signed_by) (fingerprint of the key), C(signature) (where the accepted signature was
    read), C(kind) (what is wrong, when not ok) and C(msg).
  returned: when checked
  type: list
  elements: dict
  sample: [{"agent": "research/retriever", "path": "tenants.research.agents.retriever.image",
            "image": "registry.example.com/agents/retriever@sha256:0b1c...", "ok": true,
            "signed_by": "0EA6674DA6515E706E780A1DE4F04EBFDCB78CB0",
            "signature": "/srv/sigstore/agents/retriever@sha256=0b1c.../signature-1", "kind": null, "msg": null}]
keys:
  description: Fingerprints of the operator's keys that were trusted.
  returned: when checked
  type: list
  elements: str
"""
