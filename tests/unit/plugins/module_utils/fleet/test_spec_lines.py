"""Spec errors carry ``file:line`` when the spec came from a file (spec_source.SpecLines)."""
import os
import textwrap

import pytest
import yaml

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api, spec_source
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError, SpecError

from tests.unit.plugins.module_utils.fleet import specs

TEXT = textwrap.dedent("""\
    agentfleet_fleet:
      name: lab
      defaults: &defaults
        region: global
      tenants:
        research:
          agents:
            - name: retriever
              kind: service
              cuont: 3
            - name: dotted
              "a.b": 1
      list: [1, 2,
             3]
    """)


@pytest.fixture(name="located")
def _located(tmp_path):
    path = tmp_path / "fleet.yml"
    path.write_text(TEXT)
    return spec_source.read_file_located(str(path))


@pytest.mark.parametrize("path,line", [
    ("name", 2),
    ("defaults.region", 4),
    ("tenants.research.agents.retriever.cuont", 10),       # a list item named by its name
    ("tenants.research.agents[0].kind", 9),                # or by its index
    ("tenants.research.agents.retriever.replicas", 8),    # not in the file: the nearest part that is
    ("tenants.research.agents.dotted.a.b", 12),            # a key holding a dot
    ("list[2]", 14),
    ("tenants.nobody.agents", 5),
])
def test_each_path_is_located_at_its_line(located, path, line):
    _spec, lines = located
    assert lines.locate(path) == "%s:%d" % (lines.source, line)


def test_a_path_outside_the_file_has_no_location(located):
    _spec, lines = located
    assert lines.locate("") is None
    assert lines.locate("colour") is None


def test_the_file_is_shown_relative_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inv").mkdir()
    (tmp_path / "inv" / "fleet.yml").write_text(TEXT)
    _spec, lines = spec_source.read_file_located(str(tmp_path / "inv" / "fleet.yml"))
    assert lines.locate("name") == os.path.join("inv", "fleet.yml") + ":2"


def test_validation_errors_carry_file_and_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = specs.fleet([specs.batch("crunch")])
    rows = yaml.safe_dump({"agentfleet_fleet": data}, sort_keys=False).splitlines()
    at = next(i for i, row in enumerate(rows) if row.strip() == "kind: batch")
    rows.insert(at + 1, rows[at].replace("kind: batch", "cuont: 2"))
    (tmp_path / "fleet.yml").write_text("\n".join(rows) + "\n")
    expected = at + 2
    spec, lines = spec_source.read_file_located(str(tmp_path / "fleet.yml"))
    with pytest.raises(FleetSpecError) as caught:
        with lines.annotating():
            api.load_spec(spec)
    message = str(caught.value)
    assert "fleet.yml:%d: tenants.team.agents.crunch.cuont: unknown key; did you mean 'count'? (got 2)" % expected \
        in message, message
    assert caught.value.errors[0].as_dict()["where"] == "fleet.yml:%d" % expected


def test_an_inline_spec_has_no_location():
    spec, lines = spec_source.load_located(spec={"agentfleet_fleet": specs.fleet([specs.batch("crunch")])})
    spec["colour"] = "blue"
    with pytest.raises(FleetSpecError) as caught:
        with lines.annotating():
            api.load_spec(spec)
    assert str(caught.value.errors[0]).startswith("colour: unknown key")
    assert "where" not in caught.value.errors[0].as_dict()


def test_an_error_that_names_its_file_already_is_left_alone():
    error = SpecError("fleet.yml:3", "duplicate key (first at line 2)", "name", where=None)
    lines = spec_source.SpecLines("fleet.yml", {}, {})
    lines.annotate(FleetSpecError([error]))
    assert error.where is None and str(error).startswith("fleet.yml:3: duplicate key")
