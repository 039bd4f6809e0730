import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.modules.vault_init import _request

BASE = dict(secret_shares=5, secret_threshold=3, recovery_shares=None, recovery_threshold=None,
            pgp_keys=None, root_token_pgp_key=None)


def test_shamir_request():
    assert _request(BASE, {"type": "shamir"}) == {"secret_shares": 5, "secret_threshold": 3}


def test_auto_unseal_uses_recovery_keys_with_fallback():
    assert _request(BASE, {"recovery_seal": True}) == {"recovery_shares": 5, "recovery_threshold": 3}
    params = dict(BASE, recovery_shares=3, recovery_threshold=2, pgp_keys=["a", "b", "c"])
    assert _request(params, {"recovery_seal": True}) == {
        "recovery_shares": 3, "recovery_threshold": 2, "recovery_pgp_keys": ["a", "b", "c"]}


@pytest.mark.parametrize("override,needle", [
    ({"secret_threshold": 6}, "threshold=6 and secret_shares=5"),
    ({"secret_shares": 0}, "need 1 <= threshold <= shares"),
    ({"secret_threshold": 1}, "secret_threshold=1 with 5 shares"),
    ({"pgp_keys": ["only-one"]}, "pgp_keys has 1 entries but secret_shares=5"),
])
def test_bad_shares_are_named(override, needle):
    with pytest.raises(VaultModuleError) as err:
        _request(dict(BASE, **override), {})
    assert needle in str(err.value)
