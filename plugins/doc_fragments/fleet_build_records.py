# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options naming the operator's build records (``image: {build: NAME}`` in the spec),
shared by fleet_bundle and fleet_render (plugins/module_utils/fleet/build_records.py)."""
from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  build_records_dir:
    description:
      - Folder, chosen by the operator, of the build records the role C(agent_image) writes
        (C(<build_records_dir>/<NAME>.json)). An agent's C(image) given as a mapping C(build=NAME) resolves to the
        record's C(pinned) reference (C(registry/repo@sha256:...)); the guardrails
        C(allowed_registries) and C(require_image_digest) apply to it.
      - C(NAME) is a plain file name (no C(/), no leading C(.)); the spec can never name a folder.
      - A missing, unreadable, invalid or stale record is an error at the agent's C(image.build).
        Without this option, an C(image) given as a mapping C(build=NAME) is an error.
      - Relative folders are resolved like O(src).
    type: path
  build_record_max_age:
    description:
      - Maximum age of a build record (Go duration such as C(720h)), from its C(built_at) to now;
        an older record is stale (an error). Unset - no age limit.
      - A record whose C(source_revision) differs from the spec's C(image.revision) is always stale.
    type: str
"""
