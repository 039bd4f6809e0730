"""ConsulSync: apply order, normalised comparison, ownership and prune over a fake client."""
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.consul_sync import ConsulSync
from tests.unit.plugins.module_utils.fleet_apply.fakes import FakeConsul

META = {"agentfleet_fleet": "lab"}
DENY = {"Kind": "service-intentions", "Name": "*", "Meta": META, "Sources": [{"Name": "*", "Action": "deny"}]}
ALLOW = {"Kind": "service-intentions", "Name": "t-b", "Meta": META, "Sources": [{"Name": "t-a", "Action": "allow"}]}
DEFAULTS = {"Kind": "service-defaults", "Name": "t-a", "Protocol": "http", "Meta": META,
            "UpstreamConfig": {"Overrides": [{"Name": "t-b", "ConnectTimeoutMs": 2000}]}}
RESOLVER = {"Kind": "service-resolver", "Name": "t-b", "RequestTimeout": "10s", "Meta": META}


def bundle(entries):
    return {"fleet": "lab", "agents": {"t/a": {"service": "t-a"}, "t/b": {"service": "t-b"}},
            "consul_entries": entries}


def test_apply_order_allows_before_default_deny_then_unchanged():
    client = FakeConsul()
    res = ConsulSync(client, bundle([DENY, ALLOW, DEFAULTS, RESOLVER]), concurrency=1).converge()
    assert [w[1:] for w in client.writes] == [("service-defaults", "t-a"), ("service-resolver", "t-b"),
                                              ("service-intentions", "t-b"), ("service-intentions", "*")]
    assert {r["outcome"] for r in res} == {"created"}
    assert {r["name"]: r["agent"] for r in res}["t-b"] == "t/b"
    # Server-side fields and a duration in nanoseconds do not read as a change.
    client.entries[("service-resolver", "t-b")].update(RequestTimeout=10_000_000_000, CreateIndex=9, Hash="x")
    client.writes.clear()
    assert {r["outcome"] for r in ConsulSync(client, bundle([DENY, ALLOW, DEFAULTS, RESOLVER])).converge()} == {
        "unchanged"}
    assert client.writes == []


def test_changed_entry_shows_differences_and_check_mode_writes_nothing():
    client = FakeConsul([ALLOW])
    new = dict(ALLOW, Sources=[{"Name": "t-a", "Action": "allow"}, {"Name": "t-c", "Action": "allow"}])
    res = ConsulSync(client, bundle([new]), check=True, diff=True).converge()
    assert res[0]["outcome"] == "updated" and res[0]["differences"] and "diff" in res[0]
    assert client.writes == []


def test_unowned_entry_is_not_overwritten():
    client = FakeConsul([dict(DENY, Meta={})])
    res = ConsulSync(client, bundle([DENY])).converge()
    assert res[0]["outcome"] == "failed" and "is not owned by" in res[0]["msg"]
    assert client.writes == []


def test_prune_reverse_order_and_only_owned():
    client = FakeConsul([DENY, ALLOW, DEFAULTS, RESOLVER, {"Kind": "service-defaults", "Name": "hand", "Protocol": "tcp"},
                         {"Kind": "service-defaults", "Name": "other", "Meta": {"agentfleet_fleet": "other"}}])
    plan = ConsulSync(client, bundle([DEFAULTS]), check=True).prune()
    assert [(r["kind"], r["name"]) for r in plan] == [("service-intentions", "*"), ("service-intentions", "t-b"),
                                                      ("service-resolver", "t-b")]
    assert client.writes == []
    ConsulSync(client, bundle([DEFAULTS])).prune()
    assert sorted(client.entries) == [("service-defaults", "hand"), ("service-defaults", "other"),
                                      ("service-defaults", "t-a")]


def test_reads_are_one_list_per_kind():
    calls = []

    class Counting(FakeConsul):
        def get_config_entry(self, kind, name):
            calls.append(("get", kind, name))
            return super().get_config_entry(kind, name)

        def list_config_entries(self, kind):
            calls.append(("list", kind))
            return super().list_config_entries(kind)

    client = Counting([DENY, ALLOW, DEFAULTS, RESOLVER])
    res = ConsulSync(client, bundle([DENY, ALLOW, DEFAULTS, RESOLVER])).converge()
    assert {r["outcome"] for r in res} == {"unchanged"}
    assert sorted(calls) == [("list", "service-defaults"), ("list", "service-intentions"),
                             ("list", "service-resolver")]
