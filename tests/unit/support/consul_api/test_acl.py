"""ACL rule parsing and matching of the contract server."""
import pytest

from tests.support.consul_api.acl import LEVELS, Token, parse_rules


def test_hcl_subset_and_dict_agree():
    hcl = '''
    # planner may manage its intentions
    service "planner" {
      policy = "write"
      intentions = "write"
    }
    service_prefix "" { policy = "read" }
    operator = "read"
    '''
    as_dict = {"service": {"planner": {"policy": "write", "intentions": "write"}},
               "service_prefix": {"": {"policy": "read"}}, "operator": "read"}
    assert parse_rules(hcl) == parse_rules(as_dict)


def test_exact_beats_prefix_and_longest_prefix_wins():
    tok = Token("s", {"service": {"web": {"policy": "deny"}},
                      "service_prefix": {"": {"policy": "read"}, "we": {"policy": "write"}}})
    assert tok.level("service", "web") == LEVELS["deny"]
    assert tok.level("service", "west") == LEVELS["write"]
    assert tok.level("service", "api") == LEVELS["read"]
    assert tok.level("intentions", "api") == LEVELS["read"]  # implied by service read
    assert tok.level("intentions", "web") == LEVELS["deny"]


@pytest.mark.parametrize("rules", ['key "x" { policy = "write" }', 'service "x" { policy = "admin" }',
                                   {"node": "write"}, 'operator = "sometimes"'])
def test_unsupported_rules_refused(rules):
    with pytest.raises(ValueError):
        parse_rules(rules)
