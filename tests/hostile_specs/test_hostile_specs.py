"""Every hostile spec under tests/hostile_specs/<family>/ is refused by the real entry points.

Each case runs in-process through the ``fleet_render`` and ``fleet_bundle`` action plugins
(the code ``playbooks/render.yml`` and the ``agent_fleet`` role run), with the operator
template folder ``tests/hostile_specs/templates``, and must be: refused, with an error whose
path contains the header's ``expect-path`` (``<file>``: the spec file itself) and message
``expect-message``; without a traceback; writing nothing; within a time limit. A sample also
goes through ``ansible-playbook playbooks/render.yml``. ``_base.yml`` (the spec every case
mutates) must render, so a refusal is never just a broken base.
"""
import json
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.support.actions import run_action as _run_action

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TEMPLATES = HERE / "templates"
CASES = sorted(p for p in HERE.glob("*/*.yml") if p.parent.name != "templates")
PWNED = Path("/tmp/agentfleet-hostile-pwned")  # what ssti-cycler-os-system would create
# CPU seconds per entry point (process time, so a busy machine cannot fail it); the slowest
# case stops each render at 2 s of CPU.
LIMIT_S = 15.0


def header(path):
    """{family, attack, expect-path, expect-message} from the file's leading comments."""
    out = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"^# ([a-z-]+): (.*)$", line)
            if not match:
                break
            out[match.group(1)] = match.group(2)
    return out


# The symlink-escape cases need links that leave the folder; ansible-test's sanity refuses
# such links in the tree, so the folder is copied and the links are made per session.
ESCAPES = {"escape-etc": "/etc", "escape-passwd.json.j2": "/etc/passwd", "escape-readme.json.j2": str(REPO / "README.md")}


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    """The hostile template folder with its escaping symlinks."""
    folder = tmp_path_factory.mktemp("hostile") / "templates"
    shutil.copytree(TEMPLATES, folder)
    for name, target in ESCAPES.items():
        (folder / name).symlink_to(target)
    # The operator's build records folder (image: {build: NAME}): one valid record, and a
    # link to /etc/passwd whose content must never show in an error.
    records = folder.parent / "records"
    records.mkdir()
    (records / "api.json").write_text(json.dumps({
        "name": "api", "reference": "registry.example.com/agents/api:1.0.0", "digest": "sha256:" + "ab" * 32,
        "pinned": "registry.example.com/agents/api@sha256:" + "ab" * 32, "source_revision": "r1",
        "built_at": "2026-01-01T00:00:00Z", "inputs_sha256": "cd" * 32, "sbom": "api.cdx.json"}))
    (records / "escape.json").symlink_to("/etc/passwd")
    return folder


def run_action(name, args, tmp_path):
    return _run_action(name, args, playbook_dir=tmp_path)


def entry_points(case, tmp_path, templates):
    render_dir, bundle = tmp_path / "render", tmp_path / "bundle" / "fleet.json"
    render_dir.mkdir()
    bundle.parent.mkdir()
    common = {"src": str(case), "template_dirs": [str(templates)], "build_records_dir": str(templates.parent / "records")}
    yield "fleet_render", run_action("fleet_render", dict(common, dest=str(render_dir)), tmp_path), render_dir
    yield "fleet_bundle", run_action("fleet_bundle", dict(common, dest=str(bundle), cache=False), tmp_path), bundle.parent


def _errors_text(result):
    return json.dumps(result.get("errors", []), ensure_ascii=False) + "\n" + str(result.get("msg", ""))


def test_every_case_is_skipped_by_yamllint():
    """Hostile YAML crashes yamllint (ansible-test sanity); each file must be skipped there."""
    ignored = set((REPO / "tests" / "sanity" / "ignore-2.19.txt").read_text().splitlines())
    files = sorted(HERE.glob("**/*.yml"))
    missing = [str(p.relative_to(REPO)) for p in files if f"{p.relative_to(REPO)} yamllint!skip" not in ignored]
    assert files and missing == []


def test_there_are_at_least_100_cases_in_every_family():
    families = {}
    for case in CASES:
        meta = header(case)
        assert {"family", "attack", "expect-path"} <= set(meta), case
        assert meta["family"] == case.parent.name, case
        families[meta["family"]] = families.get(meta["family"], 0) + 1
    assert len(CASES) >= 100, families
    assert len(families) >= 18, families


def test_the_base_spec_renders(tmp_path, templates):
    for name, result, out in entry_points(HERE / "_base.yml", tmp_path, templates):
        assert not result.get("failed"), (name, result.get("msg"))
        assert any(out.rglob("*")), name


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_hostile_spec_is_refused(case, tmp_path, templates):
    meta = header(case)
    expect = meta["expect-path"].replace("<file>", str(case))
    started = time.process_time()
    for name, result, out in entry_points(case, tmp_path, templates):
        elapsed = time.process_time() - started
        assert result.get("failed") is True, (name, result)
        text = _errors_text(result)
        assert "Traceback" not in text and "exception" not in result, (name, text)
        paths = [e["path"] for e in result.get("errors", [])]
        assert any(expect in p for p in paths), (name, expect, paths, result.get("msg"))
        if "expect-message" in meta:
            assert meta["expect-message"] in text, (name, text)
        assert list(out.rglob("*")) == [], f"{name} wrote files: {list(out.rglob('*'))}"
        assert elapsed < LIMIT_S, (name, elapsed)
        started = time.process_time()
    assert not PWNED.exists(), "a template ran code on the controller"


BOMB_PROBE = textwrap.dedent("""
    import json, resource, sys, time, tracemalloc
    sys.path.insert(0, sys.argv[2])
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError
    from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.spec_source import read_file
    import yaml  # noqa: F401  (imported before measuring: its import is not the bomb's cost)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.monotonic()
    try:
        read_file(sys.argv[1])
        refused = None
    except FleetSpecError as exc:
        refused = str(exc)
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"refused": refused, "seconds": seconds, "rss_growth_kb": growth_kb, "traced_peak": peak}))
""")


@pytest.mark.parametrize("name", ["billion-laughs", "bomb-in-env", "merge-key-bomb"])
def test_alias_bomb_fails_fast_and_small(name):
    bomb = HERE / "alias-bomb" / f"{name}.yml"
    proc = subprocess.run([sys.executable, "-c", BOMB_PROBE, str(bomb), str(REPO / ".collections")],
                          capture_output=True, text=True, timeout=60, check=True)
    probe = json.loads(proc.stdout)
    print(f"\n{name}: {bomb.stat().st_size} bytes refused in {probe['seconds']:.3f} s, "
          f"peak RSS growth {probe['rss_growth_kb'] / 1024:.1f} MB, tracemalloc peak {probe['traced_peak'] / 2**20:.2f} MB")
    assert probe["refused"] and "alias bomb" in probe["refused"]
    assert probe["seconds"] < 2.0
    assert probe["rss_growth_kb"] < 100 * 1024 and probe["traced_peak"] < 100 * 2 ** 20


PLAYBOOK_SAMPLE = ["template-injection/ssti-cycler-os-system", "alias-bomb/billion-laughs",
                   "registry/at-evil", "durations/kill-timeout-20-digits-hours", "symlink-escape/symlink-file",
                   "template-injection/dos-nested-string-loops"]


@pytest.mark.integration
@pytest.mark.parametrize("rel", PLAYBOOK_SAMPLE)
def test_hostile_spec_through_ansible_playbook(rel, tmp_path, templates):
    from tests.support.playbook import run_playbook
    case = HERE / f"{rel}.yml"
    out = tmp_path / "render"
    run = run_playbook((REPO / "playbooks" / "render.yml").read_text(), tmp_path=tmp_path / "play",
                       extra_vars={"fleet_file": str(case), "render_dir": str(out),
                                   "fleet_template_dirs": [str(templates)]}, timeout=120)
    assert run.rc != 0, run.output
    result = run.result("Validate the spec and write the rendered files")
    expect = header(case)["expect-path"].replace("<file>", str(case))
    assert any(expect in e["path"] for e in result["errors"]), result
    assert "Traceback" not in run.output
    assert not out.exists() or list(out.rglob("*")) == []
    assert not PWNED.exists()
