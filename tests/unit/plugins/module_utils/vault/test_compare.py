from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.compare import (
    as_claims, as_pem_list, as_seconds, as_set, desired_changes,
)


def test_only_managed_keys_are_compared():
    current = {"token_ttl": 1800, "token_policies": ["b", "a"], "noise": 1}
    desired = {"token_ttl": "30m", "token_policies": ["a", "b"], "user_claim": None}
    norms = {"token_ttl": as_seconds, "token_policies": as_set}
    assert desired_changes(current, desired, norms) == {}
    changes = desired_changes(current, {**desired, "token_ttl": "1h"}, norms)
    assert changes == {"token_ttl": (1800, "1h")}


def test_missing_object_reports_every_set_key():
    assert set(desired_changes(None, {"a": 1, "b": None, "c": "x"})) == {"a", "c"}


def test_normalisers():
    assert as_set("a, b") == as_set(["b", "a"])
    assert as_claims({"job": "x", "ns": ["b", "a"]}) == {"job": ["x"], "ns": ["a", "b"]}
    assert as_pem_list(["KEY\n"]) == as_pem_list(["KEY"])
    assert as_set(None) == as_set([])
