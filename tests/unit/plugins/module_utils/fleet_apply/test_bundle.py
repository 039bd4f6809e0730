"""The apply bundle: built once from the spec, cached by a fingerprint of its inputs."""
import copy
import os
import stat

import pytest
import yaml

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import spec_source
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import bundle as bundles
from tests.support.playbook import REPO

EXAMPLE = REPO / "inventories" / "local" / "group_vars" / "all" / "fleet.yml"


@pytest.fixture(scope="module")
def spec():
    return yaml.safe_load(EXAMPLE.read_text())["agentfleet_fleet"]


@pytest.fixture(scope="module")
def built(spec):
    return bundles.build(spec)


def test_build_indexes_every_agent_and_object(built, spec):
    assert built["fleet"] == spec["name"]
    assert sorted(built["agents"]) == sorted(f"{t}/{a['name']}" for t, ten in spec["tenants"].items()
                                             for a in ten["agents"])
    retriever = built["agents"]["research/retriever"]
    assert retriever["vault_name"] == "agents-lab--research--retriever"
    assert retriever["service"] == "agents-lab--research--retriever"
    assert built["agents"]["support/nightly-report"]["vault_name"] is None  # no secrets
    assert len(built["jobs"]) == 7 and all("Job" in j["job"] for j in built["jobs"])
    assert {r["name"] for r in built["vault_roles"]} == {p["name"] for p in built["vault_policies"]}


def test_build_fails_with_every_error(spec):
    bad = copy.deepcopy(spec)
    bad["tenants"]["research"]["agents"][0]["resources"]["memory"] = 999999
    bad["tenants"]["support"]["agents"][0]["nonsense"] = 1
    with pytest.raises(FleetSpecError) as err:
        bundles.build(bad)
    text = str(err.value)
    assert "resources.memory" in text and "nonsense" in text


def test_write_is_atomic_0600_and_idempotent(built, tmp_path):
    path = tmp_path / "sub" / "b.json"
    assert bundles.write(str(path), built) is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert bundles.write(str(path), built) is False
    assert bundles.load(str(path)) == bundles.load(str(path)) and bundles.load(str(path))["fleet"] == built["fleet"]


def test_load_errors_name_the_file(tmp_path):
    with pytest.raises(bundles.BundleError, match="missing.json: cannot read it"):
        bundles.load(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(bundles.BundleError, match="bad.json: not valid JSON"):
        bundles.load(str(bad))
    old = tmp_path / "old.json"
    old.write_text('{"format": 0}')
    with pytest.raises(bundles.BundleError, match="format 0 is not 1"):
        bundles.load(str(old))


def test_input_key_tracks_spec_and_templates(spec, built, tmp_path):
    key = bundles.input_key(spec)
    assert key == bundles.input_key(copy.deepcopy(spec))
    changed = copy.deepcopy(spec)
    changed["revision"] = "other"
    assert bundles.input_key(changed) != key
    tdir = tmp_path / "templates"
    tdir.mkdir()
    (tdir / "service.json.j2").write_text("{}")
    with_dir = bundles.input_key(spec, templates_dir=str(tdir))
    (tdir / "service.json.j2").write_text("{ }")
    assert bundles.input_key(spec, templates_dir=str(tdir)) != with_dir
    raw = EXAMPLE.read_bytes()
    assert bundles.input_key(None, spec_bytes=raw) == bundles.input_key(None, spec_bytes=raw)
    assert bundles.input_key(None, spec_bytes=raw + b"\n# x") != bundles.input_key(None, spec_bytes=raw)


def test_cached_returns_only_a_matching_bundle(built, tmp_path):
    path = str(tmp_path / "b.json")
    assert bundles.cached(path, "k1") is None
    bundles.write(path, dict(built, input_key="k1"))
    assert bundles.cached(path, "k1")["fleet"] == built["fleet"]
    assert bundles.cached(path, "k2") is None


def test_template_names_from_file_text():
    text = b"agents:\n  - name: a\n    template: examples/service-spread.json.j2\n"
    assert bundles.template_names(text, None) == ["examples/service-spread.json.j2"]
    assert bundles.template_names(None, {"tenants": {"t": {"agents": [{"template": "x.j2"}, {}]}}}) == ["x.j2"]


def test_select_agents(built):
    assert bundles.select_agents(built, tenants=["support"]) == ["support/nightly-report", "support/ticket-worker",
                                                                 "support/triage"]
    assert bundles.select_agents(built, agents=["research/digest"]) == ["research/digest"]


@pytest.mark.parametrize("inventory", ["local", "example-production"])
def test_example_inventories_hold_a_valid_fleet(inventory):
    path = REPO / "inventories" / inventory / "group_vars" / "all" / "fleet.yml"
    data = bundles.build(spec_source.read_file(str(path)))
    assert len(data["agents"]) == 7 and data["counts"]["jobs"] == 7
