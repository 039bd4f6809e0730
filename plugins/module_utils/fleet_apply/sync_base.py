# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every per-backend fleet sync (Nomad, Vault, Consul) holds (plain Python)."""
from __future__ import annotations


class FleetSync:
    """One fleet's bundle applied to one backend.

    ``client``: the backend client; ``bundle``: the apply bundle (dict, ``bundle.py``);
    ``check``: plan without writing; ``diff``: add before/after to each result;
    ``concurrency``: threads for the per-object calls (int >= 1).
    """

    def __init__(self, client, bundle, check=False, diff=False, concurrency=8):
        self.client = client
        self.bundle = bundle
        self.fleet = bundle["fleet"]
        self.check = check
        self.diff = diff
        self.concurrency = concurrency
