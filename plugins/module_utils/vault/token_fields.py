# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The token settings every auth-method role shares (Vault's tokenutil fields).

Paired with the doc fragment ``agentfleet.hashistack.vault.token_fields``.
"""
from __future__ import annotations

TOKEN_DURATIONS = ("token_ttl", "token_max_ttl", "token_explicit_max_ttl", "token_period")
TOKEN_SETS = ("token_policies", "token_bound_cidrs")
TOKEN_SCALARS = ("token_num_uses", "token_type", "token_no_default_policy")

TOKEN_FIELD_ARGS = dict(
    token_policies=dict(type="list", elements="str", no_log=False),
    token_ttl=dict(type="raw", no_log=False),
    token_max_ttl=dict(type="raw", no_log=False),
    token_explicit_max_ttl=dict(type="raw", no_log=False),
    token_period=dict(type="raw", no_log=False),
    token_num_uses=dict(type="int", no_log=False),
    token_type=dict(type="str", no_log=False,
                    choices=["default", "service", "batch", "default-service", "default-batch"]),
    token_no_default_policy=dict(type="bool", no_log=False),
    token_bound_cidrs=dict(type="list", elements="str", no_log=False),
)
