import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.mounts import desired_view, mount_view, plan

ENTRY = {"type": "kv", "description": "", "options": {"version": "2"},
         "config": {"default_lease_ttl": 0, "max_lease_ttl": 3600, "force_no_cache": False}, "uuid": "noise"}


def _desired(**params):
    return desired_view(params, params.pop("type", "kv"), params.pop("options", None))


def test_view_drops_noise_and_defaults_visibility():
    view = mount_view(ENTRY)
    assert "uuid" not in view and view["listing_visibility"] == "hidden" and view["max_lease_ttl"] == 3600


def test_enable_when_missing():
    action, changes = plan(None, _desired(max_lease_ttl="1h"))
    assert action == "enable" and changes["max_lease_ttl"] == (None, 3600)


def test_no_change_for_equal_ttls_in_other_units():
    assert plan(mount_view(ENTRY), _desired(max_lease_ttl="60m", options={"version": 2}))[0] == "none"


def test_tune_only_what_differs():
    action, changes = plan(mount_view(ENTRY), _desired(description="agents", max_lease_ttl=3600))
    assert action == "tune" and list(changes) == ["description"]


def test_type_change_refused():
    with pytest.raises(VaultModuleError, match="cannot change in place"):
        plan(mount_view(ENTRY), _desired(type="transit"))


def test_bad_ttl_named():
    with pytest.raises(ValueError, match="default_lease_ttl"):
        _desired(default_lease_ttl="soon")
