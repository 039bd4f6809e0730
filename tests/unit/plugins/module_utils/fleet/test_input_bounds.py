"""Bounded input: YAML size/depth/aliases, data bounds, template sandbox and folders, registry matching."""
import os

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import spec_source, templates, yaml_strict
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.guardrails import registry_allowed


def _refused(text, fragment):
    with pytest.raises(FleetSpecError) as info:
        yaml_strict.load_yaml(text, "f.yml")
    assert fragment in str(info.value)
    assert info.value.errors[0].path.startswith("f.yml")


def test_document_size_is_bounded(monkeypatch):
    monkeypatch.setattr(yaml_strict, "MAX_BYTES", 1000)
    _refused("a: " + "x" * 1001, "larger than 1000 bytes")


def test_depth_aliases_and_expansion_are_bounded():
    _refused("a: " + "[" * 65 + "]" * 65, "deeper than 64")
    assert yaml_strict.load_yaml("a: " + "[" * 63 + "]" * 63, "f.yml")
    _refused("a: &a x\nb: [" + ",".join(["*a"] * 1001) + "]", "more than 1000 aliases")
    _refused("a: &a [*a]", "recursive alias")
    bomb = "a: &a [" + ",".join(["x"] * 100) + "]\n" + "".join(
        f"{c}: &{c} [" + ",".join([f"*{p}"] * 100) + "]\n" for p, c in zip("abc", "bcd"))
    _refused(bomb, "alias bomb")


def test_legitimate_anchors_still_work():
    data = yaml_strict.load_yaml("base: &b {cpu: 1}\nx: {<<: *b, memory: 2}\ny: [*b, *b]\n", "f.yml")
    assert data["x"] == {"cpu": 1, "memory": 2} and data["y"] == [{"cpu": 1}, {"cpu": 1}]


def test_only_json_data_types():
    assert yaml_strict.load_yaml("d: 2026-01-01", "f.yml") == {"d": "2026-01-01"}
    _refused("d: !!binary aGk=", "uses the tag")
    _refused("d: !!set {a}", "uses the tag")
    _refused("d: " + "9" * 5000, "cannot be read as data")


def test_data_bounds_for_inline_specs():
    with pytest.raises(FleetSpecError, match="deeper than"):
        nested = value = {}
        for dummy in range(100):
            value["a"] = {}
            value = value["a"]
        spec_source.check_bounds(nested)
    with pytest.raises(FleetSpecError, match="longer than"):
        spec_source.check_bounds({"tenants": {"t": {"description": "x" * (spec_source.MAX_STRING + 1)}}})


@pytest.mark.parametrize("name", ["service.json.j2", "examples/service-spread.json.j2", "a_b-c.1/x.j2"])
def test_template_names_allowed(name):
    assert templates.template_name_error(name) is None


@pytest.mark.parametrize("name", ["/etc/passwd", "../x", "a/../../x", "..", "./x", ".hidden", "a//b", "a\\b",
                                  "x\x00", "~/x", "", "x" * 256, 3, None])
def test_template_names_refused(name):
    assert templates.template_name_error(name)


def test_resolve_stays_inside_the_folder(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "ok.j2").write_text("{}")
    (tmp_path / "outside.j2").write_text("{}")
    os.symlink(tmp_path / "outside.j2", folder / "link.j2")
    os.symlink(folder / "ok.j2", folder / "inner-link.j2")
    assert templates.resolve("ok.j2", [folder]) == str(folder / "ok.j2")
    assert templates.resolve("inner-link.j2", [folder]) == str(folder / "ok.j2")
    with pytest.raises(LookupError, match="resolves outside"):
        templates.resolve("link.j2", [folder])
    with pytest.raises(LookupError, match="not found"):
        templates.resolve("absent.j2", [folder])


def test_sandbox_runs_no_code_and_keeps_budgets(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "evil.j2").write_text(
        "{%- set _ = cycler.__init__.__globals__.os.system('touch " + str(marker) + "') -%}")
    (tmp_path / "loop.j2").write_text("{% for a in range(100000) %}{% for b in range(10) %}{% endfor %}{% endfor %}")
    (tmp_path / "fine.j2").write_text("{% for a in range(3) %}{{ a }}{% endfor %}{{ v | tojson }}")
    env = templates.environment([tmp_path])
    errors = templates.errors()
    with pytest.raises(errors, match="unsafe"):
        templates.render(env.get_template("evil.j2"), {})
    assert not marker.exists()
    with pytest.raises(errors, match="range"):
        templates.render(env.get_template("loop.j2"), {})
    assert templates.render(env.get_template("fine.j2"), {"v": {"b": 1, "a": [2]}}) == '012{"a": [2], "b": 1}'


D = "@sha256:" + "a" * 64


@pytest.mark.parametrize("image,allowed", [
    ("registry.example.com/agents/x" + D, True),
    ("registry.example.com/agents/team/x:1.2" + D, True),
    ("registry.example.com/agents" + D, True),
    ("Registry.Example.com/agents/x" + D, True),
    ("registry.example.com/agents@evil" + D, False),
    ("registry.example.com/agentsevil/x" + D, False),
    ("registry.example.com.evil.com/agents/x" + D, False),
    ("evil.com/registry.example.com/agents/x" + D, False),
    ("registry.example.com:5000/agents/x" + D, False),
    ("registry.example.com/agents/../x" + D, False),
    ("registry.example.com/other/x" + D, False),
])
def test_registry_allow_list_by_host_and_path_segments(image, allowed):
    assert registry_allowed(image, ["registry.example.com/agents"]) is allowed


@pytest.mark.parametrize("image,entry,allowed", [
    ("busybox" + D, "docker.io/library", True),
    ("busybox" + D, "docker.io/org", False),
    ("org/x" + D, "docker.io/org", True),
    ("ghcr.io/org/x" + D, "ghcr.io", True),
    ("localhost:5000/x" + D, "localhost:5000", True),
    ("localhost:5001/x" + D, "localhost:5000", False),
])
def test_registry_defaults_and_hosts(image, entry, allowed):
    assert registry_allowed(image, [entry]) is allowed


def test_errors_inside_a_template_are_template_errors(tmp_path):
    (tmp_path / "undef.j2").write_text("{{ nothing.here | tojson }}")
    (tmp_path / "typeerr.j2").write_text("{{ 1 + 'a' }}")
    env = templates.environment([tmp_path])
    for name in ("undef.j2", "typeerr.j2"):
        with pytest.raises(templates.errors()):
            templates.render(env.get_template(name), {})
