"""Rendering: deterministic, runtime contract, workload identity, templates, writer."""
import json
import random
from pathlib import Path

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError
from tests.support.nomad_api.canonicalize import canonicalize
from tests.support.nomad_api.schema import validate_job
from tests.support.nomad_api.validate import job_errors

from . import specs
from .conftest import TEST_VERSION, render_spec

REPO = Path(__file__).resolve().parents[5]
EXAMPLE = REPO / "inventories" / "local" / "group_vars" / "all" / "fleet.yml"


def _all_kinds():
    agents = [specs.service("api"), specs.batch(), specs.periodic(), specs.dispatch()]
    agents[3]["ports"] = {"admin": {"to": 8081}}
    agents[3]["upstreams"] = [{"service": "api", "local_port": 9001}]
    return specs.fleet(agents)


def test_rendering_twice_gives_identical_files():
    assert render_spec(_all_kinds()).files == render_spec(_all_kinds()).files


def test_output_does_not_depend_on_input_order():
    spec = _all_kinds()
    spec["tenants"]["other"] = {"agents": [specs.service("web", secrets=[])]}
    base = render_spec(spec).files
    shuffled = json.loads(json.dumps(spec))
    random.Random(7).shuffle(shuffled["tenants"]["team"]["agents"])
    shuffled["tenants"] = dict(reversed(list(shuffled["tenants"].items())))
    assert render_spec(shuffled).files == base


def test_runtime_contract_and_ownership_meta():
    rendered = render_spec(_all_kinds())
    jobs = {j["agent"]: j["job"]["Job"] for j in rendered.jobs}
    for name, job in jobs.items():
        env = job["TaskGroups"][0]["Tasks"][0]["Env"]
        assert env["AGENT_NAME"] == name and env["AGENT_TENANT"] == "team"
        assert env["LOG_FORMAT"] == "json" and env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel:4317"
        assert env["OTEL_SERVICE_NAME"] == f"lab--team--{name}"
        meta = job["Meta"]
        assert meta["agentfleet_fleet"] == "lab" and meta["agentfleet_agent"] == name
        assert meta["agentfleet_spec_revision"] == "r1" and meta["agentfleet_collection_version"] == TEST_VERSION
        assert meta["agentfleet_agent_version"] == env["AGENT_VERSION"]
    assert jobs["worker"]["TaskGroups"][0]["Tasks"][0]["Env"]["AGENT_EXECUTION_ID"] == "${NOMAD_JOB_ID}"
    assert jobs["api"]["TaskGroups"][0]["Tasks"][0]["Env"]["AGENT_EXECUTION_ID"] == "${NOMAD_ALLOC_ID}"


def test_changing_one_agent_changes_only_its_files():
    spec = _all_kinds()
    before = render_spec(spec).files
    spec["tenants"]["team"]["agents"][1]["version"] = "2.0.1"
    after = render_spec(spec).files
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert changed == ["nomad/team/crunch.json", "summary.json"]


def test_workload_identity_only_and_secret_templates():
    job = next(j for j in render_spec(_all_kinds()).jobs if j["agent"] == "api")["job"]
    task = job["Job"]["TaskGroups"][0]["Tasks"][0]
    assert task["Vault"]["Role"] == "lab--team--api" and "Policies" not in task["Vault"]
    assert task["Identities"][0]["Name"] == "vault_default" and task["Identities"][0]["Audience"] == ["vault.io"]
    assert "VaultToken" not in json.dumps(job)
    tmpl = task["Templates"][0]
    assert tmpl["Envvars"] is True and 'secret "secret/data/team/api/llm"' in tmpl["EmbeddedTmpl"]
    assert 'LLM_KEY={{ .Data.data.api_key }}' in tmpl["EmbeddedTmpl"]


def test_vault_policy_is_read_only_on_exactly_the_agent_paths():
    rendered = render_spec(_all_kinds())
    policy = rendered.files["vault/policies/lab--team--worker.hcl"]
    assert policy.count("path ") == 1 and 'path "secret/data/team/worker/db"' in policy
    assert 'capabilities = ["read"]' in policy and "team/api" not in policy
    role = json.loads(rendered.files["vault/roles/lab--team--worker.json"])
    assert role["bound_claims"] == {"nomad_namespace": "team", "nomad_job_id": "worker"}
    assert role["token_policies"] == ["lab--team--worker"] and role["token_max_ttl"] <= 24 * 3600


def test_consul_entries_allow_only_declared_callers():
    rendered = render_spec(_all_kinds())
    entries = {(e["kind"], e["name"]): e["entry"] for e in rendered.consul_entries}
    assert entries[("service-intentions", "*")]["Sources"] == [
        {"Name": "*", "Action": "deny", "Description": "agentfleet default deny"}]
    assert [s["Name"] for s in entries[("service-intentions", "lab--team--api")]["Sources"]] == ["lab--team--worker"]
    assert ("service-intentions", "lab--team--worker") not in entries


def test_every_rendered_job_fits_the_nomad_api_structs():
    for job in render_spec(_all_kinds()).jobs:
        assert validate_job(job["job"]["Job"]) == [], job["agent"]
        assert job_errors(canonicalize(job["job"]["Job"])) == [], job["agent"]


def test_the_example_fleet_renders_every_kind_and_fits_the_api(tmp_path):
    data = api.load_spec_file(EXAMPLE)
    fleet = api.load_spec(data)
    rendered = api.render(fleet)
    kinds = {j["kind"] for j in rendered.jobs}
    assert kinds == {"service", "batch", "periodic", "dispatch"}
    assert len(fleet.tenants) == 2
    cross = [a for a in fleet.agents for u in a.spec["upstreams"] if "/" in u["service"]]
    assert cross, "the example should call across tenants"
    for job in rendered.jobs:
        assert validate_job(job["job"]["Job"]) == [], job["file"]
        assert job_errors(canonicalize(job["job"]["Job"])) == [], job["file"]
    assert "nomad/quotas/agents-lab--research.json" in rendered.files


def test_user_template_override(tmp_path):
    (tmp_path / "custom.json.j2").write_text(
        '{%- import "_common.j2" as c -%}\n{"Job": {\n{{ c.header(job, "batch") }},\n'
        '"Constraints": [{"LTarget": "${attr.kernel.name}", "RTarget": "linux", "Operand": "="}],\n'
        '{{ c.groups(groups) }}}}\n')
    spec = specs.fleet([specs.batch(template="custom.json.j2")])
    job = render_spec(spec, template_dirs=[tmp_path]).jobs[0]["job"]["Job"]
    assert job["Constraints"][0]["RTarget"] == "linux"
    assert validate_job(job) == []


def test_user_template_cannot_bypass_guardrails(tmp_path):
    (tmp_path / "sneaky.json.j2").write_text(
        '{%- import "_common.j2" as c -%}\n{"Job": {\n{{ c.header(job, "batch") }},\n'
        '"TaskGroups": [{"Name": "x", "Count": 50, "Tasks": [{"Name": "t", "Driver": "docker",'
        ' "Config": {"image": "docker.io/library/busybox:latest"}, "Resources": {"CPU": 100, "MemoryMB": 64},'
        ' "VaultToken": "x"}]}]}}\n')
    spec = specs.fleet([specs.batch(template="sneaky.json.j2")])
    with pytest.raises(FleetSpecError) as info:
        render_spec(spec, template_dirs=[tmp_path])
    text = str(info.value)
    for fragment in ("Count exceeds the guardrail", "must be pinned by digest", "registry that is not allowed",
                     "legacy token field"):
        assert fragment in text
    assert "tenants.team.agents.crunch.template" in text


def test_missing_and_broken_templates_are_reported(tmp_path):
    (tmp_path / "broken.json.j2").write_text('{"Job": {{ no_such_variable }} }')
    spec = specs.fleet([specs.batch("a", template="nope.json.j2"), specs.batch("b", template="broken.json.j2")])
    with pytest.raises(FleetSpecError) as info:
        render_spec(spec, template_dirs=[tmp_path])
    paths = sorted(e.path for e in info.value.errors)
    assert paths == ["tenants.team.agents.a.template", "tenants.team.agents.b.template"]
    assert "not found in the operator template folders" in str(info.value) and "no_such_variable" in str(info.value)


def test_templates_dir_replaces_builtin_kinds(tmp_path):
    builtin = (REPO / "nomad-jobs" / "batch.json.j2").read_text()
    (tmp_path / "batch.json.j2").write_text(builtin.replace('"Job": {', '"Job": {\n    "AllAtOnce": true,'))
    job = render_spec(specs.fleet([specs.batch()]), templates_dir=tmp_path).jobs[0]["job"]["Job"]
    assert job["AllAtOnce"] is True


def test_writer_is_idempotent_and_prunes_by_manifest(tmp_path):
    dest = tmp_path / "out"
    rendered = render_spec(_all_kinds())
    first = api.write(rendered, dest)
    assert sorted(first["changed"]) == sorted(rendered.files) and first["removed"] == []
    snapshot = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    again = api.write(render_spec(_all_kinds()), dest)
    assert again["changed"] == [] and again["removed"] == []
    assert {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()} == snapshot
    (dest / "keep-me.txt").write_text("not ours")
    smaller = _all_kinds()
    smaller["tenants"]["team"]["agents"] = smaller["tenants"]["team"]["agents"][:1]
    planned = api.write(render_spec(smaller), dest, check=True)
    assert "nomad/team/crunch.json" in planned["removed"] and (dest / "nomad/team/crunch.json").exists()
    done = api.write(render_spec(smaller), dest)
    assert done["removed"] == planned["removed"]
    assert not (dest / "nomad/team/crunch.json").exists() and (dest / "keep-me.txt").exists()
