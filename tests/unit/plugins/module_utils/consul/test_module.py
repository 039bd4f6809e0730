"""apply_entry: the decision logic shared by the Consul modules (with a stand-in module)."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul._module import apply_entry
from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.client import ConsulClient


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, check_mode=False, diff=True):
        self.check_mode = check_mode
        self._diff = diff

    def fail_json(self, **kwargs):
        raise Failed(kwargs)


ENTRY = {"Kind": "service-defaults", "Name": "web", "Protocol": "http"}


def test_create_update_noop_delete(consul_api):
    client = ConsulClient(consul_api.addr, token=consul_api.management_token)
    planned = apply_entry(FakeModule(check_mode=True), client, "service-defaults", "web", ENTRY)
    assert planned["changed"] and consul_api.entries == {}
    assert apply_entry(FakeModule(), client, "service-defaults", "web", ENTRY)["changed"]
    same = apply_entry(FakeModule(), client, "service-defaults", "web", ENTRY)
    assert not same["changed"] and same["diff"]["before"] == same["diff"]["after"]
    gone = apply_entry(FakeModule(), client, "service-defaults", "web", None, state="absent")
    assert gone["changed"] and gone["entry"] is None and consul_api.entries == {}


def test_concurrent_change_fails_instead_of_overwriting(consul_api):
    client = ConsulClient(consul_api.addr, token=consul_api.management_token)
    client.put_config_entry(ENTRY)
    other = ConsulClient(consul_api.addr, token=consul_api.management_token)
    real_get = client.get_config_entry

    def get_then_someone_writes(kind, name):
        seen = real_get(kind, name)
        other.put_config_entry(dict(ENTRY, Protocol="grpc"))  # lands between read and write
        return seen

    client.get_config_entry = get_then_someone_writes
    with pytest.raises(Failed) as err:
        apply_entry(FakeModule(), client, "service-defaults", "web", dict(ENTRY, Protocol="http2"))
    assert "changed by someone else" in err.value.args[0]["msg"]
    assert consul_api.entry("service-defaults", "web")["Protocol"] == "grpc"


def test_consul_errors_become_failures_with_status(consul_api):
    client = ConsulClient(consul_api.addr, token="wrong", retries=0)
    with pytest.raises(Failed) as err:
        apply_entry(FakeModule(), client, "service-defaults", "web", ENTRY)
    assert err.value.args[0]["status"] == 403 and "wrong" not in err.value.args[0]["msg"]
