# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a JWT auth role is compared: the one normaliser table. Plain Python.

Used by the ``vault_jwt_role`` module and by the fleet's bulk Vault sync
(``fleet_apply/vault_sync.py``), so both read a role back the same way. The keys are
the union of what either writes; each value is normalised to the form Vault reads
back (hashicorp/vault-plugin-auth-jwt ``path_role.go`` pathRoleRead, and
sdk/helper/tokenutil ``TokenParams.PopulateTokenData``): durations as whole seconds,
unordered lists as sets, ``bound_claims`` values as sorted string lists.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.compare import (
    as_claims, as_seconds, as_set, as_str)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.token_fields import (
    TOKEN_DURATIONS, TOKEN_SETS)


def as_claim_mappings(value):
    """claim_mappings: claim name -> metadata key, both as strings."""
    return {str(key): str(target) for key, target in (value or {}).items()}


# Role durations Vault reads back in seconds: the token ones, plus the leeways
# (path_role.go: clock_skew_leeway, expiration_leeway, not_before_leeway are seconds).
ROLE_DURATIONS = TOKEN_DURATIONS + ("clock_skew_leeway", "expiration_leeway", "not_before_leeway")
ROLE_SETS = ("bound_audiences",) + TOKEN_SETS

JWT_ROLE_NORMALISERS = dict(
    {key: as_seconds for key in ROLE_DURATIONS},
    **{key: as_set for key in ROLE_SETS},
    role_type=as_str, user_claim=as_str, bound_subject=as_str, bound_claims_type=as_str, token_type=as_str,
    user_claim_json_pointer=bool, token_no_default_policy=bool,
    bound_claims=as_claims, claim_mappings=as_claim_mappings,
)


def jwt_role_resent(desired, current):
    """Keys every JWT role write must carry though unchanged (dict).

    A role write merges into the stored role, except for two keys the plugin reads
    without "was it given": an omitted ``role_type`` becomes ``oidc`` and an omitted
    ``bound_claims_type`` becomes ``string`` (hashicorp/vault-plugin-auth-jwt
    ``path_role.go`` pathRoleCreateUpdate, ``data.Get`` rather than ``data.GetOk``).
    So both are sent on every write: the desired value, else the stored one.
    ``desired``: the role settings asked for; ``current``: the role read (None if new).
    """
    kept = (current or {}).get("bound_claims_type")
    out = {"role_type": "jwt"}
    claims_type = desired.get("bound_claims_type") or kept
    if claims_type:
        out["bound_claims_type"] = claims_type
    return out
