"""One glue shape for the three backends (issue 16).

Every nomad_*/vault_*/consul_* module is built on its backend's wrapper from
``module_utils/<backend>/_module.py``, every fleet_* action plugin builds its clients
with ``client_from_params`` of the backends it talks to, and nothing else constructs a
client class. The wrappers' ``client()`` and the actions' ``connect`` go through
``client_from_params`` (checked by patching it).
"""
import ast
import importlib
from pathlib import Path

import pytest

from tests.support.module_args import patch_module_args

REPO = Path(__file__).resolve().parents[3]
PLUGINS = REPO / "plugins"
PKG = "ansible_collections.agentfleet.hashistack.plugins"
BACKENDS = ("nomad", "vault", "consul")
WRAPPERS = {"nomad": "NomadModule", "vault": "VaultModule", "consul": "ConsulModule"}
CLIENT_CLASSES = {"NomadClient", "VaultClient", "ConsulClient", "Client"}
# The fleet_* action plugins and the backends each one connects to.
ACTION_BACKENDS = {
    "fleet_bundle": set(), "fleet_render": set(), "fleet_plan": set(), "fleet_images": set(),
    "fleet_nomad": {"nomad"}, "fleet_dispatch": {"nomad"},
    "fleet_vault": {"vault"}, "fleet_consul": {"consul"},
    "fleet_preflight": {"nomad", "vault", "consul"},
}


def _tree(path):
    return ast.parse(path.read_text(), filename=str(path))


def _glue_names(tree):
    """{local name: (backend, imported name)} for imports from a backend's _module
    (``import ... _module as x`` maps x to (backend, None))."""
    names = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        for backend in BACKENDS:
            if node.module == f"{PKG}.module_utils.{backend}._module":
                for alias in node.names:
                    names[alias.asname or alias.name] = (backend, alias.name)
            elif node.module == f"{PKG}.module_utils.{backend}":
                for alias in node.names:
                    if alias.name == "_module":
                        names[alias.asname or alias.name] = (backend, None)
    return names


def _imported(tree):
    return {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            for alias in node.names}


def _backend_modules():
    return sorted(p for p in (PLUGINS / "modules").glob("*.py") if p.stem.split("_")[0] in BACKENDS)


@pytest.mark.parametrize("path", _backend_modules(), ids=lambda p: p.stem)
def test_module_is_built_on_its_backend_wrapper(path):
    backend = path.stem.split("_")[0]
    tree = _tree(path)
    glue = _glue_names(tree)
    wrapper = WRAPPERS[backend]
    assert glue.get(wrapper) == (backend, wrapper), f"{path.stem} must import {wrapper} from {backend}/_module.py"
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    calls = [n.func.id for n in ast.walk(main) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert wrapper in calls, f"{path.stem}.main() does not build {wrapper}"
    assert not _imported(tree) & (CLIENT_CLASSES | {"AnsibleModule"}), \
        f"{path.stem} builds its own module or client instead of {wrapper}.client()"


def test_every_backend_has_modules():
    assert {p.stem.split("_")[0] for p in _backend_modules()} == set(BACKENDS)


def test_fleet_module_stubs_hold_only_documentation():
    """fleet_* run as action plugins; their module files are documentation only."""
    for path in (PLUGINS / "modules").glob("fleet_*.py"):
        tree = _tree(path)
        assert not [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))], path.stem
        assert _imported(tree) <= {"annotations"}, path.stem


def test_action_list_is_complete():
    assert {p.stem for p in (PLUGINS / "action").glob("*.py")} == set(ACTION_BACKENDS)


@pytest.mark.parametrize("name", sorted(ACTION_BACKENDS))
def test_action_builds_clients_through_client_from_params(name):
    tree = _tree(PLUGINS / "action" / f"{name}.py")
    glue = _glue_names(tree)
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and glue.get(node.id, (None, None))[1] == "client_from_params":
            used.add(glue[node.id][0])
        elif (isinstance(node, ast.Attribute) and node.attr == "client_from_params"
              and isinstance(node.value, ast.Name) and glue.get(node.value.id, (None, 0))[1] is None):
            used.add(glue[node.value.id][0])
    assert used == ACTION_BACKENDS[name]
    assert not _imported(tree) & CLIENT_CLASSES, f"{name} constructs a client class itself"


def test_only_the_glue_constructs_clients():
    """Outside client.py, the backends' _module.py and tests, no code calls a client class."""
    allowed = {PLUGINS / "module_utils" / b / f for b in BACKENDS for f in ("_module.py", "client.py")}
    offenders = []
    for path in PLUGINS.rglob("*.py"):
        if path in allowed:
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in CLIENT_CLASSES - {"Client"}:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


class _Reached(Exception):
    pass


def _recorder(seen):
    def fake(params, **options):
        seen.append((dict(params), options))
        raise _Reached()
    return fake


@pytest.mark.parametrize("backend,args,expected", [
    ("nomad", {"address": "http://nomad.test:4646", "token": "t"}, {}),
    ("vault", {"url": "http://vault.test:8200", "token": "t"}, {"authenticate": True}),
    ("consul", {"url": "http://consul.test:8500", "token": "t"}, {}),
])
def test_wrapper_client_goes_through_client_from_params(monkeypatch, backend, args, expected):
    glue = importlib.import_module(f"{PKG}.module_utils.{backend}._module")
    seen = []
    monkeypatch.setattr(glue, "client_from_params", _recorder(seen))
    with patch_module_args(args):
        module = getattr(glue, WRAPPERS[backend])({}, supports_check_mode=True)
    with pytest.raises(_Reached):
        module.client()
    params, options = seen[0]
    assert {k: params[k] for k in args} == args
    for key, value in expected.items():
        assert options[key] == value


@pytest.mark.parametrize("name", sorted(n for n, b in ACTION_BACKENDS.items() if b))
def test_action_names_are_the_backend_functions(name):
    """The names an action calls are the very functions of the backends' _module.py."""
    action = importlib.import_module(f"{PKG}.action.{name}")
    for backend in ACTION_BACKENDS[name]:
        glue = importlib.import_module(f"{PKG}.module_utils.{backend}._module")
        found = [v for v in vars(action).values()
                 if v is glue.client_from_params or v is glue]
        assert found, f"{name} does not reach {backend}._module.client_from_params"


def test_connect_passes_options_and_names_bad_ones():
    from ansible_collections.agentfleet.hashistack.plugins.plugin_utils.fleet_action import (
        FleetActionFailed, connect)

    seen = []

    def factory(params, **options):
        seen.append((params, options))
        if params.get("bad"):
            raise ValueError("timeout=0: write timeout > 0")
        return "client"

    assert connect(factory, {"address": "x"}, pool_size=4) == "client"
    assert seen == [({"address": "x"}, {"pool_size": 4})]
    with pytest.raises(FleetActionFailed, match="timeout=0: write timeout > 0"):
        connect(factory, {"bad": True})


def test_nomad_client_from_params_messages():
    glue = importlib.import_module(f"{PKG}.module_utils.nomad._module")
    params = {k: v.get("default") for k, v in glue.connection_argument_spec().items()}
    with pytest.raises(ValueError, match=r"^timeout=0: write retries >= 0"):
        glue.client_from_params(dict(params, timeout=0))
    with pytest.raises(ValueError, match=r"^address: address must be a URL"):
        glue.client_from_params(dict(params, address="nomad.test"))
    assert glue.client_from_params(params, pool_size=2).address == "http://127.0.0.1:4646"


def test_consul_client_from_params_passes_every_connection_option():
    glue = importlib.import_module(f"{PKG}.module_utils.consul._module")
    params = {k: v.get("default") for k, v in glue.connection_argument_spec().items()}
    params.update(url="consul.test:8501", use_ssl=True, datacenter="dc2", namespace="ns1", partition="p1")
    client = glue.client_from_params(params, pool_size=3)
    assert (client.url, client.datacenter, client.namespace, client.partition) == (
        "https://consul.test:8501", "dc2", "ns1", "p1")


@pytest.mark.parametrize("name", sorted(ACTION_BACKENDS))
def test_action_imports_no_private_module_utils_but_the_glue(name):
    """Private internals are ``_``-prefixed; from outside a backend only its ``_module.py``
    glue and its public modules (``client.py``: client and error) are used."""
    tree = _tree(PLUGINS / "action" / f"{name}.py")
    private = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and ".module_utils." in node.module:
            parts = node.module.split(".module_utils.")[1].split(".")
            parts += [a.name for a in node.names if a.name.startswith("_")]
            private += [p for p in parts if p.startswith("_") and p != "_module"]
    assert private == []


@pytest.mark.parametrize("backend,args,needle", [
    ("consul", {"url": "ftp://consul.test"}, "url must be http(s)://host:port, got 'ftp://consul.test'"),
    ("nomad", {"address": "nomad.test:4646"}, "address: address must be a URL such as http://127.0.0.1:4646"),
    ("vault", {"url": "http://vault.test:8200", "timeout": 0}, "timeout: 0.0 must be a positive number of seconds"),
])
def test_wrapper_fails_with_the_message_of_a_bad_option(backend, args, needle):
    glue = importlib.import_module(f"{PKG}.module_utils.{backend}._module")
    with patch_module_args(args):
        module = getattr(glue, WRAPPERS[backend])({}, supports_check_mode=True)

    def fail_json(**result):
        raise _Reached(result)

    module.fail_json = fail_json
    with pytest.raises(_Reached) as info:
        module.client()
    assert needle in info.value.args[0]["msg"]
