# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The register rules of real Nomad and Consul, written for this collection.

One file per struct family; every rule names its source (file + function) in the Nomad
mirror (version 2.0.x) or the Consul repository. Rules take API-form values (Go field
names, durations in integer nanoseconds) and return ``[(field, message)]``, so the spec
validator (``fleet/spec_rules.py``) and the rendered-document checks
(``fleet/job_checks.py``) apply the same rule.
"""
