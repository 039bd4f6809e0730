"""Every rule of real Nomad/Consul that the fleet spec can reach is refused at spec level,
with its path (data: spec_conformance.yml), and every case of the conformance catalogue
(tests/conformance/<server>/) is either one of those spec tests or unreachable for a reason."""
import copy
import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api

from . import specs

DATA = yaml.safe_load((Path(__file__).parent / "spec_conformance.yml").read_text())
CATALOGUE = Path(__file__).resolve().parents[5] / "tests" / "conformance"
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(dotted):
    """``tenants.team.agents[0].update`` -> ["tenants", "team", "agents", 0, "update"];
    a tenant name may contain dots only when quoted, which the data never needs."""
    return [int(index) if index else name for name, index in _TOKEN.findall(dotted)]


def _set(spec, dotted, value):
    keys = _tokens(dotted)
    node = spec
    for key in keys[:-1]:
        if isinstance(key, int):
            node = node[key]
        else:
            node = node.setdefault(key, {})
    last = keys[-1]
    if isinstance(node, list) and isinstance(last, int) and last == len(node):
        node.append(value)
    else:
        node[last] = value


def _reference():
    return specs.fleet([specs.service("api"), specs.batch(), specs.periodic(), specs.dispatch()])


def _apply(case):
    spec = _reference()
    for dotted, value in (case.get("set") or {}).items():
        if dotted == "tenants":
            spec["tenants"].update(copy.deepcopy(value))
        else:
            _set(spec, dotted, copy.deepcopy(value))
    extra = case.get("append_agent")
    if extra:
        agent = specs.KINDS[extra["kind"]](extra["name"])
        spec["tenants"][extra["tenant"]]["agents"].append(agent)
    return spec


def test_the_reference_fleet_is_valid():
    assert [str(e) for e in api.validate(_reference())] == []


@pytest.mark.parametrize("case_id", sorted(DATA["spec_tests"]))
def test_each_reachable_rule_is_refused_at_spec_level(case_id):
    case = DATA["spec_tests"][case_id]
    errors = api.validate(_apply(case))
    want = case["path"]
    paths = [e.path for e in errors]
    assert any(p == want or p.startswith(want + ".") or p.startswith(want + "[") for p in paths), \
        (case_id, [str(e) for e in errors])
    for err in errors:
        assert str(err).startswith(f"{err.path}: ")


def test_refusals_name_the_rule_and_what_to_write_instead():
    case = DATA["spec_tests"]["check-tcp-on-connect-service"]
    (err,) = [e for e in api.validate(_apply(case)) if e.path == case["path"]]
    text = str(err)
    assert "tcp checks are not valid for Connect enabled services" in text
    assert "nomad/structs/services.go" in text and "write instead: type: http" in text
    assert '(got "tcp")' in text


def test_every_catalogue_entry_points_to_a_spec_test_or_a_reason():
    for server, entries in DATA["catalogue"].items():
        for case_id, target in entries.items():
            kind, dummy, ref = target.partition(":")
            assert kind in ("spec", "unreachable"), (server, case_id, target)
            if kind == "spec":
                assert ref in DATA["spec_tests"], (server, case_id, ref)
            else:
                assert DATA["reasons"].get(ref), (server, case_id, ref)


def _catalogue_ids(folder):
    ids = {}
    for path in sorted(folder.glob("*.y*ml")):
        data = yaml.safe_load(path.read_text()) or {}
        for case in data.get("cases") or []:  # `valid:` baselines are accepted, nothing to refuse
            ids[case["id"]] = path.name
    return ids


@pytest.mark.skipif(not CATALOGUE.is_dir(), reason="catalogue not merged yet")
def test_every_catalogue_case_is_mapped():
    missing = {}
    for server in ("nomad", "consul"):
        folder = CATALOGUE / server
        if not folder.is_dir():
            continue
        mapped = DATA["catalogue"].get(server) or {}
        for case_id, file in _catalogue_ids(folder).items():
            if case_id not in mapped:
                missing[case_id] = f"{server}/{file}"
    assert not missing, f"catalogue cases neither tested at spec level nor marked unreachable: {missing}"
