"""playbooks/render.yml end to end, offline: writes every artefact, re-renders
byte-identically, reports every error of a bad spec and then writes nothing."""
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
PLAYBOOK = (REPO / "playbooks" / "render.yml").read_text()
EXAMPLE = REPO / "inventories" / "local" / "group_vars" / "all" / "fleet.yml"


def _tree(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _render(tmp_path, name, fleet_file, out, **kwargs):
    return run_playbook(PLAYBOOK, tmp_path=tmp_path / name,
                        extra_vars={"fleet_file": str(fleet_file), "render_dir": str(out)}, **kwargs)


def test_example_fleet_renders_offline_and_deterministically(tmp_path):
    out = tmp_path / "out"
    check = _render(tmp_path, "check", EXAMPLE, out, check=True)
    assert check.rc == 0, check
    assert check.changed == ["Validate the spec and write the rendered files"]
    assert not out.exists(), "check mode must not write"

    first = _render(tmp_path, "first", EXAMPLE, out)
    assert first.rc == 0, first
    result = first.result("Validate the spec and write the rendered files")
    assert result["changed"] and len(result["changed_files"]) == len(_tree(out))
    files = _tree(out)
    for expected in ("nomad/research/retriever.json", "nomad/research/indexer.json", "nomad/research/digest.json",
                     "nomad/support/ticket-worker.json", "nomad/namespaces/research.json",
                     "nomad/acl/agents-lab--support.hcl", "nomad/quotas/agents-lab--research.json",
                     "vault/policies/agents-lab--research--retriever.hcl",
                     "vault/roles/agents-lab--support--triage.json", "consul/default-deny.json",
                     "consul/service-intentions-agents-lab--research--retriever.json",
                     "consul/service-defaults-agents-lab--research--retriever.json", "summary.json"):
        assert expected in files, expected
    summary = result["summary"]
    assert summary["counts"]["by_kind"] == {"service": 3, "batch": 1, "periodic": 2, "dispatch": 1}

    second = _render(tmp_path, "second", EXAMPLE, out, diff=True)
    assert second.rc == 0, second
    assert second.changed == [] and _tree(out) == files


def test_bad_spec_reports_every_error_and_writes_nothing(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text())
    fleet = data["agentfleet_fleet"]
    research = fleet["tenants"]["research"]["agents"]
    research[0]["resources"]["memory"] = 65536
    research[0]["image"] = "docker.io/library/python:3.12"
    research[1]["replicas"] = 3
    research[2]["upstreams"][0]["service"] = "ghost"
    research[3]["schedule"]["crons"] = ["0 25 * * *"]
    research[3]["env"] = {"SMTP_PASSWORD": "do-not-print-me"}
    fleet["tenants"]["support"]["budget"]["memory"] = 10
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    run = _render(tmp_path, "bad", bad, out)
    assert run.rc != 0
    result = run.result("Validate the spec and write the rendered files")
    paths = {e["path"] for e in result["errors"]}
    assert {"tenants.research.agents.retriever.resources.memory", "tenants.research.agents.retriever.image",
            "tenants.research.agents.embedder.replicas", "tenants.research.agents.indexer.upstreams[0].service",
            "tenants.research.agents.digest.schedule.crons[0]", "tenants.research.agents.digest.env.SMTP_PASSWORD",
            "tenants.support.budget.memory"} <= paths
    assert "tenants.research.agents.retriever.resources.memory: exceeds the guardrail of 8192 per task (got 65536)" \
        in result["msg"]
    assert "do-not-print-me" not in run.output
    assert not out.exists()


def test_stale_files_are_removed_when_an_agent_goes(tmp_path):
    out = tmp_path / "out"
    assert _render(tmp_path, "full", EXAMPLE, out).rc == 0
    data = yaml.safe_load(EXAMPLE.read_text())
    agents = data["agentfleet_fleet"]["tenants"]["support"]["agents"]
    data["agentfleet_fleet"]["tenants"]["support"]["agents"] = [a for a in agents if a["name"] != "nightly-report"]
    smaller = tmp_path / "smaller.yml"
    smaller.write_text(yaml.safe_dump(data))
    run = _render(tmp_path, "smaller", smaller, out, diff=True)
    assert run.rc == 0, run
    result = run.result("Validate the spec and write the rendered files")
    assert result["removed_files"] == ["nomad/support/nightly-report.json"]
    # the picture loses the agent too (fleet.svg only where Graphviz's dot is installed)
    picture = ["fleet.dot", "fleet.mmd"] + (["fleet.svg"] if shutil.which("dot") else [])
    assert result["changed_files"] == picture + ["summary.json"]
    diffs = {d["before_header"]: d for d in result["diff"]}
    assert set(diffs) == {"summary.json", "nomad/support/nightly-report.json", *picture}
    assert "nightly" in diffs["fleet.mmd"]["before"] and "nightly" not in diffs["fleet.mmd"]["after"]
    assert '"nightly-report"' in diffs["summary.json"]["before"]
    assert '"nightly-report"' not in diffs["summary.json"]["after"]
    assert not (out / "nomad/support/nightly-report.json").exists()


def test_action_takes_the_spec_as_a_variable_and_returns_the_objects(tmp_path):
    fleet = yaml.safe_load(EXAMPLE.read_text())["agentfleet_fleet"]
    run = run_playbook([
        {"name": "render in memory", "agentfleet.hashistack.fleet_render": {
            "spec": "{{ fleet }}", "return_content": True}, "register": "out"},
        {"name": "bodies for the other modules", "ansible.builtin.assert": {"that": [
            "out.rendered.jobs | map(attribute='job_id') | sort | list | length == 7",
            "(out.rendered.jobs | selectattr('job_id', 'equalto', 'retriever') | first).job.Job.Type == 'service'",
            "out.rendered.vault_roles | map(attribute='mount') | unique | list == ['jwt-nomad']",
            "out.rendered.consul_entries | selectattr('kind', 'equalto', 'service-defaults') | list | length == 6",
            "out.changed_files == [] and not out.changed",
            "(fleet | agentfleet.hashistack.fleet_validate) == []",
        ]}},
    ], tmp_path=tmp_path, vars={"fleet": fleet})
    assert run.rc == 0, run
    assert run.failed == []
