"""One rule for ``_`` prefixes in ``plugins/`` (issue 16, docs/architecture.md "Private names").

A module file is ``_x.py`` only if nothing outside its package (its directory) imports
it, and a name another package imports has no leading ``_``. This test walks every file
under ``plugins/`` with ``ast`` and fails on an import, from another package, of a
``_``-prefixed module or of a ``_``-prefixed name.

Listed exceptions, the module glue (GLUE below): ``module_utils/_http.py``,
``module_utils/_backend_module.py`` and each backend's ``<backend>/_module.py``. They
exist only to be imported by the modules and action plugins of this collection, which
live in other packages (``plugins/modules``, ``plugins/action``) by Ansible's layout, so
"imported only inside its package" cannot hold for them. Their ``_`` says what Ansible
collections mean by it (community.hashi_vault ``_hashi_vault_module.py``): internal to
the collection, not an API for playbooks or other collections. Names imported from the
glue must still be public.
"""
import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PLUGINS = REPO / "plugins"
PKG = "ansible_collections.agentfleet.hashistack.plugins"
GLUE = {
    "module_utils._http",
    "module_utils._backend_module",
    "module_utils.nomad._module",
    "module_utils.vault._module",
    "module_utils.consul._module",
}


def _package_of(path):
    """'module_utils.vault' for plugins/module_utils/vault/x.py."""
    return ".".join(path.relative_to(PLUGINS).parent.parts)


def _resolve(path, node):
    """The dotted module an ImportFrom names, relative to plugins/ (None if outside)."""
    if node.level:
        base = path.relative_to(PLUGINS).parent.parts
        base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
        return ".".join(base + tuple((node.module or "").split("."))).strip(".")
    if node.module and node.module.startswith(PKG + "."):
        return node.module[len(PKG) + 1:]
    return None


def _private_part(dotted):
    return next((part for part in dotted.split(".") if part.startswith("_")), None)


def violations(path):
    """[(line, text)] of cross-package private imports in one file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    own = _package_of(path)
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.ImportFrom):
            module = _resolve(path, node)
            if module is None:
                continue
            for alias in node.names:
                # `from pkg import _mod` imports a module or a name; both count.
                targets.append((module, alias.name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PKG + "."):
                    targets.append((alias.name[len(PKG) + 1:], None))
        for module, name in targets:
            package = module.rsplit(".", 1)[0] if "." in module else ""
            if name is not None and (PLUGINS / Path(*module.split(".")) / (name + ".py")).exists():
                module, package, name = module + "." + name, module, None
            if package == own:
                continue
            if module not in GLUE and _private_part(module):
                found.append((node.lineno, "module %s" % module))
            if name is not None and name.startswith("_"):
                found.append((node.lineno, "name %s from %s" % (name, module)))
    return sorted(set(found))


def _python_files():
    return sorted(p for p in PLUGINS.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_cross_package_private_import():
    bad = ["%s:%d imports private %s" % (path.relative_to(REPO), line, what)
           for path in _python_files() for line, what in violations(path)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("source, expected", [
    ("from %s.module_utils.vault._inner import as_set\n" % PKG, ["module module_utils.vault._inner"]),
    ("from %s.module_utils.vault import _inner\n" % PKG, ["module module_utils.vault._inner"]),
    ("import %s.module_utils.vault._inner\n" % PKG, ["module module_utils.vault._inner"]),
    ("from %s.module_utils.vault.client import Client\n" % PKG, []),
    ("from %s.module_utils.vault.client import _secret\n" % PKG, ["name _secret from module_utils.vault.client"]),
    ("from %s.module_utils.vault._module import VaultModule\n" % PKG, []),
    ("from %s.module_utils.vault._module import _hidden\n" % PKG, ["name _hidden from module_utils.vault._module"]),
    ("from %s.module_utils.fleet._schema_engine import Field\n" % PKG, []),
])
def test_checker_catches_private_imports(tmp_path, monkeypatch, source, expected):
    """The checker itself: a file placed in module_utils/fleet_apply sees these imports."""
    fake_plugins = tmp_path / "plugins"
    for rel in ("module_utils/vault/_inner.py", "module_utils/vault/client.py",
                "module_utils/vault/_module.py", "module_utils/fleet/_schema_engine.py"):
        (fake_plugins / rel).parent.mkdir(parents=True, exist_ok=True)
        (fake_plugins / rel).write_text("")
    importer = fake_plugins / ("module_utils/fleet/x.py" if "_schema_engine" in source
                               else "module_utils/fleet_apply/x.py")
    importer.parent.mkdir(parents=True, exist_ok=True)
    importer.write_text(source)
    monkeypatch.setattr(sys.modules[__name__], "PLUGINS", fake_plugins)
    assert [what for _line, what in violations(importer)] == expected
