# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every per-backend fleet sync (Nomad, Vault, Consul) holds (plain Python)."""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import naming


class FleetSync:
    """One fleet's bundle applied to one backend.

    ``client``: the backend client; ``bundle``: the apply bundle (dict, ``bundle.py``),
    narrowed by ``bundle.narrow`` when only some tenants or agents are applied (then it
    carries ``selection``: {"tenants": [...], "agents": ["tenant/agent", ...]});
    ``check``: plan without writing; ``diff``: add before/after to each result;
    ``concurrency``: threads for the per-object calls (int >= 1); ``adopt``: take over
    existing objects that carry no agentfleet ownership marker (``ownership.adoptable``).
    """

    def __init__(self, client, bundle, check=False, diff=False, concurrency=8, adopt=False):
        self.client = client
        self.bundle = bundle
        self.fleet = bundle["fleet"]
        self.check = check
        self.diff = diff
        self.concurrency = concurrency
        self.adopt = adopt
        selection = bundle.get("selection")
        self.subset = selection is not None
        self._tenants = set((selection or {}).get("tenants") or ())
        self._agents = set((selection or {}).get("agents") or ())

    def agent_selected(self, tenant, agent):
        """True when the run covers agent ``tenant``/``agent`` (always on a full run)."""
        return not self.subset or tenant in self._tenants or "%s/%s" % (tenant, agent) in self._agents

    def tenant_selected(self, tenant):
        """True when the run covers the whole tenant (its namespace, ACL policy, quota):
        always on a full run, else only when the tenant itself is selected."""
        return not self.subset or tenant in self._tenants

    def name_selected(self, name):
        """True when ``name`` (``<fleet>--<tenant>--<agent>``, ``fleet.naming``) is an object
        of a selected agent of this fleet; any other name only on a full run."""
        parsed = naming.parse_agent_object_name(name)
        if not self.subset:
            return True
        return parsed is not None and parsed[0] == self.fleet and self.agent_selected(parsed[1], parsed[2])
