"""The one per-object result record and its rule for ``changed``."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.object_result import (
    CHANGED_OUTCOMES, is_changed, object_result, restate)

NOT_CHANGES = ("unchanged", "absent", "failed", "not_applied", "not_attempted", "existing", "refused",
               "successful", "reverted", "awaiting_promotion", "timeout", "waited")


@pytest.mark.parametrize("outcome", sorted(CHANGED_OUTCOMES))
def test_a_change_or_would_be_change_is_changed(outcome):
    assert is_changed(outcome) is True
    assert object_result("job", "a", "t/a", outcome)["changed"] is True


@pytest.mark.parametrize("outcome", NOT_CHANGES)
def test_other_outcomes_are_not_changed(outcome):
    assert is_changed(outcome) is False
    assert object_result("job", "a", None, outcome)["changed"] is False


@pytest.mark.parametrize("outcome", sorted(CHANGED_OUTCOMES))
def test_never_changed_on_failure(outcome):
    assert is_changed(outcome, failed=True) is False
    assert object_result("job", "a", None, outcome, failed=True)["changed"] is False


def test_record_shape_and_a_caller_cannot_override_the_rule():
    res = object_result("vault_policy", "p", "t/a", "failed", changed=True, msg="boom")
    assert res == {"object": "vault_policy", "name": "p", "agent": "t/a", "outcome": "failed",
                   "changed": False, "msg": "boom"}


def test_restate_recomputes_changed():
    created = object_result("consul_service_defaults", "svc", None, "created", differences=["x"])
    failed = restate(created, "failed", msg="cas failed")
    assert created["changed"] is True
    assert failed["changed"] is False and failed["differences"] == ["x"] and failed["msg"] == "cas failed"
