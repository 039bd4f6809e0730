# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jinja2 filters over the fleet core: fleet_validate and fleet_render."""
from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api, spec_source
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError


def fleet_validate(spec):
    """Every error of ``spec`` as ``"<path>: <message> (got <value>)"``; [] when valid."""
    return [str(e) for e in api.validate(spec)]


def fleet_render(spec, templates_dir=None, template_dirs=None):
    """The rendered objects of a valid spec (no files written); fails listing every error."""
    try:
        fleet = api.load_spec(spec_source.unwrap(spec, "spec"))
        rendered = api.render(fleet, templates_dir=templates_dir, template_dirs=template_dirs or ())
    except FleetSpecError as exc:
        raise AnsibleFilterError(str(exc)) from None
    return rendered.as_dict()


class FilterModule:
    def filters(self):
        return {"fleet_validate": fleet_validate, "fleet_render": fleet_render}
