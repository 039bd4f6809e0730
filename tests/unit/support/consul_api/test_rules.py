"""Pieces of the contract server's rules that the catalogue does not reach on its own."""
import pytest

from tests.support.consul_api import filter_syntax, schema
from tests.support.consul_api.rules_common import go_duration_string, multierror
from tests.support.consul_api.rules_service_defaults import address_error


@pytest.mark.parametrize("text", [
    "Service.Meta.version == v1",
    'Service.Meta.version == "v2" and "canary" in Service.Tags',
    "Service.Tags is empty",
    "Service.Tags is not empty",
    'not (Node.Meta.zone == "a" or Service.ID matches "web-.*")',
    'Service.Meta["x-y"] != `z`',
    '"blue" not in Service.Tags',
    "Service.Tags not contains blue",
])
def test_filter_syntax_accepts_bexpr_forms(text):
    filter_syntax.check(text)


@pytest.mark.parametrize("text", ["Service.Meta.version ==", "== v1", "(Service.ID == a", "Service.ID a b",
                                  "Service.Tags is", "and Service.ID == a"])
def test_filter_syntax_refuses_broken_expressions(text):
    with pytest.raises(filter_syntax.FilterSyntaxError):
        filter_syntax.check(text)


@pytest.mark.parametrize("text,ns", [("-1s", -10 ** 9), ("1m30s", 90 * 10 ** 9), ("-1.5h", -5400 * 10 ** 9),
                                     ("0", 0), ("+2ms", 2 * 10 ** 6)])
def test_go_durations_with_sign(text, ns):
    assert schema.parse_go_duration(text) == ns


@pytest.mark.parametrize("ns,text", [(-10 ** 9, "-1s"), (-90 * 10 ** 9, "-1m30s"), (1500, "1.5\u00b5s")])
def test_go_duration_strings(ns, text):
    assert go_duration_string(ns) == text


def test_multierror_text_matches_go_multierror():
    assert multierror(["a"]) == "1 error occurred:\n\t* a\n\n"
    assert multierror(["a", "b"]) == "2 errors occurred:\n\t* a\n\t* b\n\n"


@pytest.mark.parametrize("address,ok", [("10.0.0.1", True), ("::1", True), ("api.example.com", True),
                                        ("api.example.com.", True), ("*.example.com", False),
                                        ("a..b", False), ("x" * 64 + ".com", False)])
def test_destination_address(address, ok):
    assert (address_error(address) is None) == ok
