"""Every module and every action plugin documents exactly the options it accepts.

A fast, whole-collection subset of what ansible-test's validate-modules checks: for each
module under ``plugins/modules`` the options that ``ansible-doc`` renders (doc fragments
resolved) equal its argument spec, at every level of suboptions, with the same type,
default, choices, required flag, elements and aliases. A module backed by an action
plugin (``plugins/action/<name>.py``) is compared with the action's ``ARGSPEC``, which is
what the controller validates. Modules in an action group declare it in their attributes.
"""
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.module_utils import basic

REPO = Path(__file__).resolve().parents[4]
PKG = "ansible_collections.agentfleet.hashistack.plugins"
MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
ACTIONS = {p.stem for p in (REPO / "plugins" / "action").glob("*.py")}
GROUPS = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text()).get("action_groups", {})


@pytest.fixture(scope="module")
def docs():
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    out = subprocess.run([str(Path(sys.executable).with_name("ansible-doc")), "--json"]
                         + [f"agentfleet.hashistack.{m}" for m in MODULES],
                         cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


class _Captured(Exception):
    pass


def argspec_of(name):
    """The argument spec ``name`` validates: its action's ARGSPEC, or what its main()
    hands to AnsibleModule (captured before any parameter is read)."""
    if name in ACTIONS:
        return importlib.import_module(f"{PKG}.action.{name}").ARGSPEC
    mod = importlib.import_module(f"{PKG}.modules.{name}")
    seen = {}

    def capture(self, argument_spec, *args, **kwargs):
        seen["spec"] = argument_spec
        raise _Captured()

    original = basic.AnsibleModule.__init__
    basic.AnsibleModule.__init__ = capture
    try:
        with pytest.raises(_Captured):
            mod.main()
    finally:
        basic.AnsibleModule.__init__ = original
    return seen["spec"]


def compare(doc_opts, spec, path=""):
    """Differences between documented options and an argument spec, as readable lines."""
    problems = []
    if set(doc_opts) != set(spec):
        problems.append("%s: documented only %s, accepted only %s"
                        % (path or "options", sorted(set(doc_opts) - set(spec)), sorted(set(spec) - set(doc_opts))))
    for name in sorted(set(doc_opts) & set(spec)):
        doc, arg = doc_opts[name], spec[name]
        where = path + name
        for key, default in (("type", "str"), ("default", None), ("choices", None), ("required", False),
                             ("elements", None), ("aliases", None)):
            if doc.get(key, default) != arg.get(key, default):
                problems.append("%s.%s: documented %r, accepted %r" % (where, key, doc.get(key, default), arg.get(key, default)))
        if "options" in arg or "suboptions" in doc:
            problems += compare(doc.get("suboptions", {}), arg.get("options", {}), where + ".")
    return problems


def test_compare_finds_an_undocumented_option():
    assert compare({"a": {"type": "str"}}, {"a": {"type": "str"}, "token": {"no_log": True}}) == [
        "options: documented only [], accepted only ['token']"]
    assert compare({"a": {"type": "int"}}, {"a": {"type": "str"}}) == ["a.type: documented 'int', accepted 'str'"]


@pytest.mark.parametrize("name", MODULES)
def test_documented_options_match_what_is_accepted(docs, name):
    assert compare(docs[f"agentfleet.hashistack.{name}"]["doc"].get("options", {}), argspec_of(name)) == []


@pytest.mark.parametrize("name", sorted(m for members in GROUPS.values() for m in members))
def test_grouped_module_declares_its_action_group(docs, name):
    group = next(g for g, members in GROUPS.items() if name in members)
    attrs = docs[f"agentfleet.hashistack.{name}"]["doc"]["attributes"]
    assert "action_group" in attrs, f"{name}: no action_group attribute"
    assert attrs["action_group"]["membership"] == [f"agentfleet.hashistack.{group}"]
    assert attrs["action_group"]["support"] == "full"
