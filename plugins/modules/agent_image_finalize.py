#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: agent_image_finalize
short_description: Make a built agent image reproducible and write its CycloneDX SBOM
version_added: 0.1.0
description:
  - Reads O(archive), the C(docker save) output of an image built FROM a base image whose
    layers are O(base_diff_ids), and writes O(dest), the same image made reproducible for
    C(docker load), with what the Docker engine 20.10 classic builder leaves build-dependent
    made fixed. In the layers the build added, every modification time set to O(source_date_epoch)
    and owner names cleared; in the config, C(created) and the added history entries at
    that time, the build container's ID, the parent image ID and the engine version
    removed. The base image's layers are kept byte for byte.
  - From the final layers (whiteouts applied) it lists the installed Debian packages
    (C(var/lib/dpkg/status)) and Python distributions (C(*.dist-info/METADATA)) in a
    CycloneDX 1.6 JSON bill of materials written to O(sbom_dest). The document carries no
    build time, so its sha256 is labelled into the image
    (C(org.agentfleet.image.sbom.digest)) without a circular dependency; the SBOM
    describes the file system, which labels do not change.
  - Same inputs, same O(dest) bytes, same image ID (the sha256 of the config). Work
    files, not managed state; the task reports C(changed) when it wrote them.
requirements:
  - cyclonedx-python-lib (pinned in the collection's requirements.txt)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: none
  diff_mode:
    support: none
  idempotent:
    description: Writes the same files again from the same archive.
    support: full
  platform:
    platforms: posix
options:
  archive:
    description: C(docker save) archive of exactly one image.
    type: path
    required: true
  dest:
    description: The reproducible archive to write (replaced atomically).
    type: path
    required: true
  sbom_dest:
    description: CycloneDX JSON file to write.
    type: path
    required: true
  source_date_epoch:
    description: Seconds since the epoch used for every time in the image (the source revision's commit time).
    type: int
    required: true
  base_diff_ids:
    description: The base image's C(RootFS.Layers) (C(sha256:<hex>) each); those leading layers are kept as they are.
    type: list
    elements: str
    required: true
  labels:
    description: Labels added to the image config (besides C(org.agentfleet.image.sbom.digest)).
    type: dict
    default: {}
  repo_tag:
    description: C(registry/repo:tag) the image gets when loaded.
    type: str
    required: true
  name:
    description: Image name in the SBOM.
    type: str
    required: true
  version:
    description: Image version in the SBOM.
    type: str
    required: true
  sbom_properties:
    description: Extra C(name) to value properties of the image component in the SBOM.
    type: dict
    default: {}
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Normalise the saved image and write its SBOM
  agentfleet.hashistack.agent_image_finalize:
    archive: /tmp/ctx/built.tar
    dest: /tmp/ctx/image.tar
    sbom_dest: /tmp/ctx/sbom.cdx.json
    source_date_epoch: 1764460800
    base_diff_ids: "{{ base.images[0].RootFS.Layers }}"
    repo_tag: registry.example.com/agents/reference-agent:1.0.0
    name: reference-agent
    version: 1.0.0
"""

RETURN = r"""
image_id:
  description: C(sha256:<hex>) of the final image config (the image ID after C(docker load)).
  returned: success
  type: str
diff_ids:
  description: C(sha256:<hex>) of each uncompressed layer, base first.
  returned: success
  type: list
  elements: str
labels:
  description: All labels of the final image.
  returned: success
  type: dict
sbom_sha256:
  description: Hex sha256 of the SBOM file.
  returned: success
  type: str
sbom_components:
  description: Number of components in the SBOM, C(deb), C(pypi) and C(total).
  returned: success
  type: dict
  sample: {deb: 151, pypi: 2, total: 153}
"""

import hashlib

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic
from ansible_collections.agentfleet.hashistack.plugins.module_utils.image import archive, sbom

SBOM_LABEL = "org.agentfleet.image.sbom.digest"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            archive=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            sbom_dest=dict(type="path", required=True),
            source_date_epoch=dict(type="int", required=True),
            base_diff_ids=dict(type="list", elements="str", required=True),
            labels=dict(type="dict", default={}),
            repo_tag=dict(type="str", required=True),
            name=dict(type="str", required=True),
            version=dict(type="str", required=True),
            sbom_properties=dict(type="dict", default={}),
        ),
        supports_check_mode=False,
    )
    if not sbom.HAS_CYCLONEDX:
        module.fail_json(msg=missing_required_lib("cyclonedx-python-lib"), exception=str(sbom.CYCLONEDX_IMPORT_ERROR))
    p = module.params
    made = {}

    def labels_with_sbom(layers):
        files = archive.read_files(layers, sbom.wanted)
        text, counts = sbom.build_bom(files, p["name"], p["version"], p["source_date_epoch"], p["sbom_properties"])
        data = text.encode("utf-8")
        write_atomic(p["sbom_dest"], data, mode=0o644)
        made["sbom_sha256"] = hashlib.sha256(data).hexdigest()
        made["sbom_components"] = counts
        merged = {str(k): str(v) for k, v in p["labels"].items()}
        merged[SBOM_LABEL] = "sha256:" + made["sbom_sha256"]
        return merged

    try:
        result = archive.normalize(p["archive"], p["dest"], p["source_date_epoch"], p["base_diff_ids"],
                                   labels=labels_with_sbom, repo_tag=p["repo_tag"])
    except (archive.ArchiveError, OSError, KeyError, ValueError) as exc:
        module.fail_json(msg="cannot finalise %s: %s" % (p["archive"], exc))
    module.exit_json(changed=True, image_id=result["image_id"], diff_ids=result["diff_ids"], labels=result["labels"],
                     **made)


if __name__ == "__main__":
    main()
