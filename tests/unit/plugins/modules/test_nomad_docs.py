"""Each nomad module's documented options match its argument spec (like validate-modules)."""
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("nomad_*.py"))


@pytest.fixture(scope="module")
def docs():
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    out = subprocess.run([str(Path(sys.executable).with_name("ansible-doc")), "--json"]
                         + ["agentfleet.hashistack.%s" % m for m in MODULES],
                         cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


class _Captured(Exception):
    pass


def argspec_of(name):
    mod = importlib.import_module("ansible_collections.agentfleet.hashistack.plugins.modules.%s" % name)
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import connection_argument_spec
    seen = {}

    class Capture:
        def __init__(self, argument_spec, **kwargs):
            seen["spec"] = dict(connection_argument_spec(), **argument_spec)
            raise _Captured()

    original = mod.NomadModule
    mod.NomadModule = Capture
    try:
        with pytest.raises(_Captured):
            mod.main()
    finally:
        mod.NomadModule = original
    return seen["spec"]


def compare(doc_opts, spec, path=""):
    problems = []
    if set(doc_opts) != set(spec):
        problems.append("%s options differ: doc-only %s, spec-only %s"
                        % (path or "top", sorted(set(doc_opts) - set(spec)), sorted(set(spec) - set(doc_opts))))
    for name in set(doc_opts) & set(spec):
        doc, arg = doc_opts[name], spec[name]
        where = path + name
        for key, default in (("type", "str"), ("default", None), ("choices", None), ("required", False),
                             ("elements", None), ("aliases", None)):
            if doc.get(key, default) != arg.get(key, default):
                problems.append("%s.%s: doc %r != spec %r" % (where, key, doc.get(key, default), arg.get(key, default)))
        if "options" in arg or "suboptions" in doc:
            problems += compare(doc.get("suboptions", {}), arg.get("options", {}), where + ".")
    return problems


@pytest.mark.parametrize("name", MODULES)
def test_documentation_matches_argspec(docs, name):
    doc = docs["agentfleet.hashistack.%s" % name]
    assert doc["doc"]["short_description"] and doc["examples"].strip() and doc["return"]
    attrs = doc["doc"]["attributes"]
    assert attrs["check_mode"]["support"] in ("full", "partial")
    assert "diff_mode" in attrs
    assert compare(doc["doc"]["options"], argspec_of(name)) == []


@pytest.mark.parametrize("name", MODULES)
def test_secrets_are_no_log(name):
    spec = argspec_of(name)
    assert spec["token"].get("no_log") is True
    for key in ("items", "bootstrap_secret"):
        if key in spec:
            assert spec[key].get("no_log") is True
