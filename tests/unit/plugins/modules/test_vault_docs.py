"""Each vault module documents exactly its argument spec, declares its attributes and
is in the `vault` action group (a fast subset of what validate-modules checks)."""
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[4]
MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("vault_*.py"))
PKG = "ansible_collections.agentfleet.hashistack.plugins"


@pytest.fixture(scope="module")
def docs():
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    out = subprocess.run([str(Path(sys.executable).with_name("ansible-doc")), "--json"]
                         + [f"agentfleet.hashistack.{m}" for m in MODULES],
                         cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


class _Captured(Exception):
    pass


def _argspec(name):
    """Run the module's main() up to AnsibleModule.__init__ (called by the VaultModule
    wrapper with the merged spec) and capture its argument spec."""
    from ansible.module_utils.basic import AnsibleModule
    mod = importlib.import_module(f"{PKG}.modules.{name}")
    seen = {}

    def capture(self, argument_spec, **kwargs):
        seen.update(spec=argument_spec, kwargs=kwargs)
        raise _Captured()

    original = AnsibleModule.__init__
    AnsibleModule.__init__ = capture
    try:
        with pytest.raises(_Captured):
            mod.main()
    finally:
        AnsibleModule.__init__ = original
    return seen["spec"], seen["kwargs"]


def test_there_are_fifteen_modules():
    assert len(MODULES) == 15  # 12 + vault_raft_snapshot, vault_rekey, vault_root_token (issue 15)


@pytest.mark.parametrize("name", MODULES)
def test_documented_options_match_argspec(docs, name):
    doc = docs[f"agentfleet.hashistack.{name}"]["doc"]
    spec, kwargs = _argspec(name)
    assert set(doc["options"]) == set(spec)
    for opt, arg in spec.items():
        documented = doc["options"][opt]
        for key, default in (("type", "str"), ("default", None), ("choices", None), ("required", False),
                             ("elements", None)):
            assert documented.get(key, default) == arg.get(key, default), f"{name}.{opt}.{key}"
    assert kwargs.get("supports_check_mode") is True


@pytest.mark.parametrize("name", MODULES)
def test_attributes_and_return_documented(docs, name):
    entry = docs[f"agentfleet.hashistack.{name}"]
    attrs = entry["doc"]["attributes"]
    for attr in ("check_mode", "diff_mode", "idempotent"):
        assert attrs[attr]["support"] in ("full", "partial", "none"), f"{name}: {attr}"
    assert entry["examples"].strip() and entry["return"]


@pytest.mark.parametrize("name", MODULES)
def test_secret_options_are_no_log(name):
    spec = _argspec(name)[0]
    for opt in ("token", "secret_id", "jwt", "keys", "data"):
        if opt in spec:
            assert spec[opt].get("no_log") is True, f"{name}.{opt}"


def test_action_group_lists_every_vault_module():
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    assert sorted(runtime["action_groups"]["vault"]) == MODULES
