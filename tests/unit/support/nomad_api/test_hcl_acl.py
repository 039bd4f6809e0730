"""hcl.py (the HCL2 subset reader) and acl.py (policy rules) without HTTP."""
import pytest

from tests.support.nomad_api import acl, hcl


def test_hcl_values_comments_and_heredoc():
    body = hcl.parse('''
        # comment
        a = "x\\ty\\u00e9" // trailing
        /* block
           comment */
        b = [1, 2.5, true, null, { k = "v", "q": [] }]
        c = <<EOT
line1
  line2
EOT
        blk "one" two { inner = -3 }
    ''')
    assert body.attrs["a"] == "x\tyé"
    assert body.attrs["b"] == [1, 2.5, True, None, {"k": "v", "q": []}]
    assert body.attrs["c"] == "line1\n  line2\n"
    (labels, inner), = body.blocks_of("blk")
    assert labels == ["one", "two"] and inner.attrs == {"inner": -3}


def test_hcl_interpolation_and_escaped_dollar():
    body = hcl.parse('a = "${var.x}-$${literal}"\nb = var.y')
    assert hcl.resolve(body.attrs["a"], {"x": 7, "y": 1}) == "7-${literal}"
    assert hcl.resolve(body.attrs["b"], {"y": [1]}) == [1]
    with pytest.raises(hcl.HCLError, match="undefined variable var.z"):
        hcl.resolve(hcl.parse("a = var.z").attrs["a"], {})


@pytest.mark.parametrize("text, message", [
    ('a = upper("x")', "function calls are not supported"),
    ('a = local.x', "unsupported reference"),
    ('a = "${1 + 2}"', "unsupported interpolation"),
    ('a = "open', "unterminated string"),
    ('a = 1\na = 2', "defined twice"),
    ('x = <<EOT\nno end', "unterminated heredoc"),
])
def test_hcl_rejects_what_it_does_not_support(text, message):
    with pytest.raises(hcl.HCLError, match=message):
        hcl.parse(text)


def test_policy_expansion_and_closest_glob():
    rules = acl.compile_rules('''
        namespace "*" { policy = "read" }
        namespace "prod-*" { capabilities = ["submit-job"] }
        namespace "prod-secret" { policy = "deny" }
        operator { policy = "write" }
    ''')
    token = acl.ACL([rules])
    assert token.allow_ns("dev", "read-job") and not token.allow_ns("dev", "submit-job")
    assert token.allow_ns("prod-a", "submit-job") and not token.allow_ns("prod-a", "read-job")
    assert not token.allow_ns("prod-secret", "read-job")
    assert token.allow("operator", "read") and not token.allow("agent", "read")
    assert token.allow_var("dev", "any/path", "read")
    assert not token.allow_var("dev", "any/path", "write")


def test_policies_merge_and_deny_wins():
    a = acl.compile_rules('agent { policy = "write" }')
    b = acl.compile_rules('agent { policy = "deny" }')
    assert not acl.ACL([a, b]).allow("agent", "read")
    assert acl.ACL([], management=True).allow_ns("x", "submit-job")


@pytest.mark.parametrize("rules, message", [
    ('namespace "x" { policy = "owner" }', "Invalid namespace policy"),
    ('namespace "x" { capabilities = ["fly"] }', "Invalid namespace capabilities"),
    ('quota { policy = "list" }', "Invalid quota policy"),
    ('bogus { policy = "read" }', "unsupported block"),
    ('namespace "x" {', "Failed to parse ACL Policy"),
])
def test_bad_policies(rules, message):
    with pytest.raises(acl.PolicyError, match=message):
        acl.compile_rules(rules)
