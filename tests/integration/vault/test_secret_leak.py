"""Known secret values never reach ansible output, even with -vvv and --diff."""
import pytest

from tests.integration.vault.conftest import assert_no_secret, task
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

CANARY_1 = "canary-7f3a9-first-value"
CANARY_2 = "canary-c41d2-second-value"
NESTED = "canary-88e0b-nested-value"


def test_secret_values_never_in_output(openbao, tmp_path):
    token = openbao.token  # given as a module option, not only via the environment
    common = dict(token=token, url=openbao.addr, mount_point="secret")
    run = run_playbook([
        task("vault_kv2_secret", "write", path="it-leak/a", data={"api_key": CANARY_1, "cfg": {"inner": NESTED}},
             **common),
        task("vault_kv2_secret", "rotate (check)", check=True, path="it-leak/a", data={"api_key": CANARY_2},
             **common),
        task("vault_kv2_secret", "rotate", path="it-leak/a", data={"api_key": CANARY_2}, **common),
        task("vault_kv2_secret", "stale cas fails", ignore=True, path="it-leak/a", data={"api_key": CANARY_1},
             cas=1, **common),
        task("vault_kv2_secret", "denied write", ignore=True, path="it-leak/b", data={"api_key": CANARY_1},
             **{**common, "token": "wrong-" + CANARY_2}),
    ], tmp_path=tmp_path, callback="default", verbosity=3, diff=True)
    assert run.rc == 0, run
    # The run really did the work (so the check below is not vacuous).
    assert "changed: [localhost]" in run.stdout and "api_key" in run.stdout
    assert "does not match the current version" in run.stdout and "permission denied" in run.stdout
    kv = openbao.client().secrets.kv.v2
    data = kv.read_secret_version("it-leak/a", mount_point="secret", raise_on_deleted_version=True)
    assert data["data"]["data"] == {"api_key": CANARY_2}
    assert_no_secret(run, CANARY_1, CANARY_2, NESTED, token)
    openbao.client().secrets.kv.v2.delete_metadata_and_all_versions("it-leak/a", mount_point="secret")
