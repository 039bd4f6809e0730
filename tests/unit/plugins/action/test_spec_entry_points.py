"""fleet_render and fleet_bundle load a spec the same way (one loader: fleet/spec_source.py):
same unwrapping of agentfleet_fleet, same relative path resolution, same template folders."""
import pytest
import yaml

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import spec_source

from tests.support.actions import run_action
from tests.unit.plugins.module_utils.fleet import specs

ENTRY_POINTS = ("fleet_render", "fleet_bundle")
TEMPLATE = '{%- import "_common.j2" as c -%}\n{"Job": {\n{{ c.header(job, "batch") }},\n{{ c.groups(groups) }}}}\n'


def _run(name, tmp_path, **args):
    out = tmp_path / f"out-{name}"
    dest = out if name == "fleet_render" else out / "bundle.json"
    return run_action(name, dict(args, dest=str(dest)), playbook_dir=tmp_path / "playbooks")


def _spec(**agent_extra):
    return specs.fleet([specs.batch("crunch", **agent_extra)])


@pytest.mark.parametrize("layout", ["bare", "wrapped"])
@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_bare_and_wrapped_files_load_alike(name, layout, tmp_path):
    data = _spec() if layout == "bare" else {"agentfleet_fleet": _spec(), "other_var": 1}
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(data))
    result = _run(name, tmp_path, src=str(path))
    assert not result.get("failed"), result
    assert (tmp_path / f"out-{name}").exists()


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_inline_spec_is_unwrapped_too(name, tmp_path):
    result = _run(name, tmp_path, spec={"agentfleet_fleet": _spec()})
    assert not result.get("failed"), result


@pytest.mark.parametrize("data", [{"fleet": _spec()}, {"name": "lab"}, {"agentfleet_fleet": {"name": "x"}}, []])
@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_no_tenants_is_one_clear_error(name, data, tmp_path):
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(data))
    result = _run(name, tmp_path, src=str(path))
    assert result["failed"] and len(result["errors"]) == 1, result
    assert result["errors"][0]["path"].startswith(str(path))
    assert "holds no fleet spec" in result["errors"][0]["message"]
    assert not (tmp_path / f"out-{name}").exists()


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_relative_src_resolves_against_the_playbook_dir(name, tmp_path, monkeypatch):
    (tmp_path / "playbooks" / "fleets").mkdir(parents=True)
    (tmp_path / "playbooks" / "fleets" / "f.yml").write_text(yaml.safe_dump(_spec()))
    monkeypatch.chdir(tmp_path)  # not found here: the playbook directory is next
    result = _run(name, tmp_path, src="fleets/f.yml")
    assert not result.get("failed"), result


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_template_next_to_the_spec_is_not_a_template_folder(name, tmp_path):
    """The spec's own folder is the spec author's, not the operator's: a template there is
    found only when the operator names the folder in template_dirs, for both entry points."""
    (tmp_path / "custom.json.j2").write_text(TEMPLATE)
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(_spec(template="custom.json.j2")))
    refused = _run(name, tmp_path, src=str(path))
    assert refused["failed"] and refused["errors"][0]["path"] == "tenants.team.agents.crunch.template"
    assert "not found in the operator template folders" in refused["errors"][0]["message"]
    allowed = _run(name, tmp_path, src=str(path), template_dirs=[str(tmp_path)])
    assert not allowed.get("failed"), allowed


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_missing_template_dir_is_an_error(name, tmp_path):
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(_spec()))
    result = _run(name, tmp_path, src=str(path), template_dirs=[str(tmp_path / "nope")])
    assert result["failed"] and result["errors"][0]["path"] == "template_dirs[0]"


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_missing_file_is_a_path_qualified_error(name, tmp_path):
    result = _run(name, tmp_path, src=str(tmp_path / "absent.yml"))
    assert result["failed"] and result["errors"][0]["path"] == str(tmp_path / "absent.yml")
    assert "cannot be read" in result["errors"][0]["message"]


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_errors_of_a_spec_file_name_the_file_and_line(name, tmp_path):
    rows = yaml.safe_dump({"agentfleet_fleet": _spec()}, sort_keys=False).splitlines()
    at = next(i for i, row in enumerate(rows) if row.strip() == "kind: batch")
    rows.insert(at + 1, rows[at].replace("kind: batch", "cuont: 2"))
    path = tmp_path / "fleet.yml"
    path.write_text("\n".join(rows) + "\n")
    result = _run(name, tmp_path, src=str(path))
    assert result.get("failed") is True
    where = "%s:%d" % (spec_source.shown_path(str(path)), at + 2)
    assert [e.get("where") for e in result["errors"]] == [where], result["errors"]
    assert "%s: tenants.team.agents.crunch.cuont: unknown key; did you mean 'count'?" % where in result["msg"]
