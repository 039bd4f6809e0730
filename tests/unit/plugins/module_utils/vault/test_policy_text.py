from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.objects import converge_policy
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.policy_text import normalise_policy

BASE = 'path "secret/data/a/*" {\n  capabilities = ["read"]\n}\n'


def policies_equal(current, desired):
    """What vault_policy and fleet_vault decide: no write planned (check mode, no client call)."""
    return converge_policy(None, "p", current, desired, check=True)["outcome"] == "unchanged"


def test_cosmetic_differences_are_equal():
    variant = '# comment\r\n\r\npath   "secret/data/a/*"\t{ \r\n      capabilities = ["read"]   // trailing\r\n}'
    assert policies_equal(BASE, variant)


def test_real_changes_differ():
    assert not policies_equal(BASE, BASE.replace('"read"', '"read", "list"'))
    assert not policies_equal(BASE, BASE.replace("secret/data/a", "secret/data/b"))


def test_hash_and_spaces_inside_strings_are_kept():
    a = 'path "secret/data/#team  one/*" { capabilities = ["read"] }'
    b = 'path "secret/data/#team one/*" { capabilities = ["read"] }'
    assert "#team  one" in normalise_policy(a)
    assert not policies_equal(a, b)


@given(st.text(alphabet='ab "{}#/\\\n\t ', max_size=60))
def test_normalising_is_idempotent(text):
    once = normalise_policy(text)
    assert normalise_policy(once) == once
