"""Normalising config entries: server noise is ignored, real differences are not."""
import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import (
    EntryError,
    check_field_names,
    differences,
    normalise,
    redact,
)

DESIRED = {"Kind": "service-defaults", "Name": "web", "Protocol": "http",
           "UpstreamConfig": {"Defaults": {"ConnectTimeoutMs": 5000,
                                           "Limits": {"MaxConnections": 0, "MaxPendingRequests": 5},
                                           "PassiveHealthCheck": {"Interval": "10s", "MaxFailures": 3}}}}
# The same entry as Consul answers it (structs' JSON encoding).
ANSWERED = {"Kind": "service-defaults", "Name": "web", "Protocol": "http",
            "UpstreamConfig": {"Defaults": {"ConnectTimeoutMs": 5000, "MeshGateway": {},
                                            "Limits": {"MaxConnections": 0, "MaxPendingRequests": 5,
                                                       "MaxConcurrentRequests": None},
                                            "PassiveHealthCheck": {"Interval": 10_000_000_000, "MaxFailures": 3}}},
            "TransparentProxy": {}, "MeshGateway": {}, "Expose": {}, "Hash": 1234,
            "CreateIndex": 11, "ModifyIndex": 12}


def test_server_answer_equals_desired_after_normalising():
    assert normalise(ANSWERED) == normalise(DESIRED)
    assert "ModifyIndex" not in normalise(ANSWERED) and "Hash" not in normalise(ANSWERED)


def test_pointer_zero_is_kept_but_plain_zero_dropped():
    norm = normalise(DESIRED)
    assert norm["UpstreamConfig"]["Defaults"]["Limits"]["MaxConnections"] == 0
    changed = dict(DESIRED, MaxInboundConnections=0)
    assert normalise(changed) == normalise(DESIRED)


def test_real_change_is_reported_with_its_path():
    other = {**DESIRED, "Protocol": "grpc"}
    diff = differences(normalise(ANSWERED), normalise(other))
    assert diff == ['Protocol: "http" -> "grpc"']
    removed = {k: v for k, v in DESIRED.items() if k != "UpstreamConfig"}
    assert differences(normalise(ANSWERED), normalise(removed)) == ["UpstreamConfig: removed"]


def test_intentions_ignore_precedence_type_order_and_method_case():
    desired = {"Kind": "service-intentions", "Name": "api", "Sources": [
        {"Name": "*", "Action": "deny"},
        {"Name": "web", "Permissions": [{"Action": "allow", "HTTP": {"PathPrefix": "/v1", "Methods": ["get"]}}]},
    ]}
    answered = {"Kind": "service-intentions", "Name": "api", "Hash": 5, "CreateIndex": 3, "ModifyIndex": 3,
                "Sources": [
                    {"Name": "web", "Type": "consul", "Precedence": 9,
                     "Permissions": [{"Action": "allow", "HTTP": {"PathPrefix": "/v1", "Methods": ["GET"]}}]},
                    {"Name": "*", "Action": "deny", "Type": "consul", "Precedence": 8}]}
    assert normalise(answered) == normalise(desired)
    # Permission order is meaningful and kept.
    two = [{"Action": "deny", "HTTP": {"PathExact": "/a"}}, {"Action": "allow", "HTTP": {"PathPrefix": "/"}}]
    a = {"Kind": "service-intentions", "Name": "x", "Sources": [{"Name": "y", "Permissions": two}]}
    b = {"Kind": "service-intentions", "Name": "x", "Sources": [{"Name": "y", "Permissions": two[::-1]}]}
    assert normalise(a) != normalise(b)


def test_free_form_maps_are_kept_verbatim():
    entry = {"Kind": "proxy-defaults", "Name": "global", "Config": {"protocol": "http", "n": 0, "flag": False},
             "Meta": {"owner": ""}}
    assert normalise(entry)["Config"] == {"protocol": "http", "n": 0, "flag": False}


def test_default_namespace_and_partition_are_noise():
    assert normalise({"Kind": "service-defaults", "Name": "a", "Namespace": "default", "Partition": "default"}) == \
        {"Kind": "service-defaults", "Name": "a"}


def test_bad_duration_names_its_path():
    with pytest.raises(EntryError) as err:
        normalise({"Kind": "service-resolver", "Name": "a", "RequestTimeout": "soon"})
    assert err.value.path == "RequestTimeout" and "soon" in str(err.value)


def test_snake_case_keys_are_refused_with_their_path():
    with pytest.raises(EntryError) as err:
        check_field_names({"Kind": "service-defaults", "UpstreamConfig": {"Defaults": {"connect_timeout_ms": 1}}})
    assert err.value.path == "config.UpstreamConfig.Defaults.connect_timeout_ms"
    check_field_names({"Kind": "service-resolver", "Subsets": {"v1": {"Filter": "x"}}, "Config": {"a_b": 1}})


def test_redact_masks_private_keys():
    entry = {"Kind": "inline-certificate", "Name": "c", "Certificate": "PEM", "PrivateKey": "SECRET"}
    assert "SECRET" not in str(redact(entry))
    assert differences({"PrivateKey": "a"}, {"PrivateKey": "b"}) == ["PrivateKey: changed"]


def test_zero_duration_equals_unset():
    # Consul's structs omit a zero time.Duration, so "0s" can never be read back.
    with_zero = {"Kind": "service-resolver", "Name": "a", "RequestTimeout": "0s"}
    assert normalise(with_zero) == {"Kind": "service-resolver", "Name": "a"}


def test_differences_keep_the_change_of_a_long_value_visible():
    old = {"Meta": {"note": "owner=research-platform,team=retrieval,revision=2026-11-28.1,cost=rnd-42"}}
    new = {"Meta": {"note": old["Meta"]["note"].replace("2026-11-28.1", "2026-11-29.7")}}
    (line,) = differences(old, new)
    path, values = line.split(": ", 1)
    before, after = values.split(" -> ")
    assert path == "Meta.note" and "28.1" in before and "29.7" in after
    assert before.startswith('"...') or before.startswith("...")
