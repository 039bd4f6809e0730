"""vault_policy lifecycle on real OpenBao."""
import pytest

from tests.integration.vault.conftest import task
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

RULES = 'path "secret/data/agents/alpha/*" {\n  capabilities = ["read"]\n}\n'
# Same rules, cosmetically different: must not count as a change.
RULES_REFORMATTED = '# alpha agent\r\npath  "secret/data/agents/alpha/*"  {\r\n\r\n    capabilities = ["read"]   \r\n}'
RULES_MODIFIED = 'path "secret/data/agents/alpha/*" {\n  capabilities = ["read", "list"]\n}\n'


def _read(client, name):
    try:
        return client.sys.read_acl_policy(name)["data"]["policy"]
    except Exception:  # noqa: BLE001 - hvac raises InvalidPath when absent
        return None


def test_policy_lifecycle(openbao, tmp_path):
    client = openbao.client()
    name = "it-policy-alpha"
    policy_file = tmp_path / "alpha.hcl"
    policy_file.write_text(RULES_REFORMATTED)

    # One play: check mode, apply, re-apply (cosmetic variant), modify in check mode, modify.
    run = run_playbook([
        task("vault_policy", "create (check)", check=True, name=name, policy=RULES),
        task("vault_policy", "create", name=name, policy=RULES),
        task("vault_policy", "same rules, reformatted file", name=name, policy_file=str(policy_file)),
        task("vault_policy", "modify (check)", check=True, name=name, policy=RULES_MODIFIED),
        task("vault_policy", "modify", name=name, policy=RULES_MODIFIED),
        task("vault_policy", "modify again", name=name, policy=RULES_MODIFIED),
    ], tmp_path=tmp_path / "apply", env=openbao.env, diff=True)
    assert run.rc == 0, run
    # "create" changed after "create (check)": check mode wrote nothing.
    assert run.changed == ["create (check)", "create", "modify (check)", "modify"]
    assert "capabilities" in run.result("create (check)")["diff"]["after"]
    assert run.result("create (check)")["diff"]["before"] == ""
    diff = run.result("modify (check)")["diff"]
    assert diff["before"] == RULES  # the server held the first rules, verbatim
    assert '"list"' in diff["after"] and '"list"' not in diff["before"]
    assert _read(client, name) == RULES_MODIFIED

    run = run_playbook([
        task("vault_policy", "remove (check)", check=True, name=name, state="absent"),
        task("vault_policy", "remove", name=name, state="absent"),
        task("vault_policy", "remove again", name=name, state="absent"),
        task("vault_policy", "builtin", ignore=True, name="default", state="absent"),
    ], tmp_path=tmp_path / "remove", env=openbao.env)
    assert run.changed == ["remove (check)", "remove"]
    assert _read(client, name) is None
    assert "built-in policy 'default'" in run.result("builtin")["msg"]


def test_policy_bad_input_changes_nothing(openbao, tmp_path):
    run = run_playbook([
        task("vault_policy", "bad hcl", ignore=True, name="it-policy-bad", policy="path { not hcl"),
        task("vault_policy", "missing file", ignore=True, name="it-policy-bad", policy_file=str(tmp_path / "none.hcl")),
        task("vault_policy", "no token", ignore=True, name="it-policy-bad", policy=RULES, token="not-a-token"),
    ], tmp_path=tmp_path, env=openbao.env)
    assert run.rc == 0, run
    assert "write policy 'it-policy-bad'" in run.result("bad hcl")["msg"]
    assert str(tmp_path / "none.hcl") in run.result("missing file")["msg"]
    assert "403" in run.result("no token")["msg"]
    assert _read(openbao.client(), "it-policy-bad") is None
