"""Rendered-document checks: real Nomad's and Consul's register rules applied to the API
documents, so a user template cannot produce what the real server would refuse."""
import copy
import json
from pathlib import Path

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.job_checks import (
    entry_problems, job_problems, namespace_problems)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.nomad_context import secret_destinations
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.services import http_path_problem

from . import specs
from .conftest import render_spec

ROOT = Path(__file__).resolve().parents[5]
G = "Job.TaskGroups[0]"
T = f"{G}.Tasks[0]"


@pytest.fixture(scope="module")
def jobs():
    """kind -> rendered Job of the reference fleet (built-in templates)."""
    rendered = render_spec(specs.fleet([specs.service("api"), specs.batch(), specs.periodic(),
                                        specs.dispatch()]))
    return {j["kind"]: j["job"]["Job"] for j in rendered.jobs}


def test_builtin_templates_render_what_real_nomad_accepts(jobs):
    for kind, job in jobs.items():
        assert job_problems(job) == [], kind


def test_the_example_fleets_render_what_real_servers_accept():
    for path in ("inventories/local/group_vars/all/fleet.yml",
                 "inventories/example-production/group_vars/all/fleet.yml"):
        fleet = api.load_spec(api.load_spec_file(ROOT / path, key="agentfleet_fleet"))
        rendered = api.render(fleet)
        for job in rendered.jobs:
            assert job_problems(job["job"]["Job"]) == [], (path, job["file"])
        for entry in rendered.consul_entries:
            assert entry_problems(entry["entry"]) == [], (path, entry["file"])
        for ns in rendered.namespaces:
            assert namespace_problems(ns) == [], (path, ns["Name"])


def _set(job, dotted, value):
    node = job
    keys = dotted.replace("[", ".").replace("]", "").split(".")[1:]
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    node[int(last) if last.isdigit() else last] = value


CASES = [  # (kind, {json path: value}, expected problem path, message fragment)
    ("service", {"Job.Update.Canary": 0, "Job.Update.AutoPromote": True}, "Job.Update.AutoPromote",
     "Auto Promote requires a Canary count greater than zero"),
    ("service", {"Job.Update.MinHealthyTime": 400_000_000_000}, "Job.Update.MinHealthyTime",
     "Minimum healthy time must be less than healthy deadline"),
    ("service", {"Job.Update.ProgressDeadline": 200_000_000_000}, "Job.Update.HealthyDeadline",
     "Healthy deadline must be less than progress deadline"),
    ("service", {"Job.Update": {"MinHealthyTime": 360_000_000_000}}, "Job.Update.MinHealthyTime",
     "Minimum healthy time must be less than healthy deadline"),  # HealthyDeadline defaults to 5m
    ("service", {"Job.Update": None, f"{T}.KillTimeout": 660_000_000_000}, f"{T}.KillTimeout",
     "longer than the group's ProgressDeadline"),  # a service job without update gets Nomad's defaults
    ("service", {"Job.Update.Stagger": 0}, "Job.Update.Stagger", "Stagger must be greater than zero"),
    ("service", {f"{G}.Services[0].Checks[0].Type": "tcp"}, f"{G}.Services[0].Checks[0].Type",
     "tcp checks are not valid for Connect enabled services"),
    ("service", {f"{G}.Services[0].Checks[0].Interval": 500_000_000}, f"{G}.Services[0].Checks[0].Interval",
     "cannot be lower than 1s"),
    ("service", {f"{G}.Services[0].Checks[0].Path": "http://x/ready"}, f"{G}.Services[0].Checks[0].Path",
     "relative http path"),
    ("service", {f"{G}.Services[0].Name": "Team_API"}, f"{G}.Services[0].Name", "RFC 1123"),
    ("service", {f"{G}.Networks[0].Mode": "host"}, f"{G}.Networks[0].Mode", "invalid network mode for Consul Connect"),
    ("service", {f"{G}.Scaling.Max": 1}, f"{G}.Scaling.Max", "must not be greater than maximum count"),
    ("service", {f"{T}.KillTimeout": 660_000_000_000}, f"{T}.KillTimeout", "longer than the group's ProgressDeadline"),
    ("service", {f"{T}.Templates[0].ChangeMode": "signal", f"{T}.Templates[0].ChangeSignal": "SIGHUP"},
     f"{T}.Templates[0].ChangeMode", "cannot use signals with env var templates"),
    ("service", {f"{T}.Identities[0].Name": "my id"}, f"{T}.Identities[0].Name", "invalid name"),
    ("service", {f"{T}.Resources.MemoryMaxMB": 100}, f"{T}.Resources.MemoryMaxMB", "should be larger than MemoryMB"),
    ("service", {f"{T}.Name": "alloc"}, f"{T}.Name", 'Task cannot be named "alloc"'),
    ("service", {"Job.Periodic": {"Enabled": True, "SpecType": "cron", "Spec": "@daily"}}, "Job.Periodic",
     "Periodic can only be used with batch"),
    ("service", {"Job.Spreads": [{"Attribute": "${node.datacenter}", "Weight": 0}]}, "Job.Spreads[0].Weight",
     "positive weight"),
    ("service", {"Job.Affinities": [{"LTarget": "${node.class}", "RTarget": "gpu", "Operand": "=", "Weight": 0}]},
     "Job.Affinities[0].Weight", "Affinity weight cannot be zero"),
    ("batch", {"Job.Constraints": [{"LTarget": "${attr.kernel.name}", "Operand": "="}]}, "Job.Constraints[0].RTarget",
     "requires an RTarget"),
    ("batch", {"Job.Constraints": [{"LTarget": "${attr.kernel.name}", "RTarget": "(", "Operand": "regexp"}]},
     "Job.Constraints[0].RTarget", "Regular expression failed to compile"),
    ("batch", {"Job.Datacenters": ["dc1", ""]}, "Job.Datacenters[1]", "non-empty string"),
    ("batch", {f"{G}.Count": -1}, f"{G}.Count", "can't be negative"),
    ("batch", {"Job.TaskGroups[1].Name": "crunch-p0"}, "Job.TaskGroups[1].Name", "redefines"),
    ("batch", {f"{G}.Update": {"Canary": 1}}, f"{G}.Update", "does not allow update block"),
    ("batch", {f"{G}.RestartPolicy.Interval": 1_000_000_000}, f"{G}.RestartPolicy", "interval cannot be less than 5s"),
    ("periodic", {"Job.Periodic.TimeZone": "Mars/Olympus_Mons"}, "Job.Periodic.TimeZone", "Invalid time zone"),
    ("periodic", {"Job.Periodic.Specs": ["@daily"], "Job.Periodic.Spec": "@hourly"}, "Job.Periodic.Specs",
     "Only cron or crons"),
    ("dispatch", {"Job.ParameterizedJob.MetaOptional": ["item_id"]}, "Job.ParameterizedJob.MetaOptional",
     "should be disjoint"),
    ("dispatch", {f"{T}.DispatchPayload.File": "../../../etc/passwd"}, f"{T}.DispatchPayload.File",
     "escapes allocation directory"),
    ("dispatch", {f"{T}.Templates[0].DestPath": "../../../../etc/app.env"}, f"{T}.Templates[0].DestPath",
     "escapes allocation directory"),
]


@pytest.mark.parametrize("kind,changes,where,fragment", CASES, ids=[c[2] + ":" + c[3][:30] for c in CASES])
def test_each_rule_is_found_in_the_document_with_its_json_path(jobs, kind, changes, where, fragment):
    job = copy.deepcopy(jobs[kind])
    for dotted, value in changes.items():
        _set(job, dotted, value)
    problems = job_problems(job)
    assert any(p == where and fragment in m for p, m in problems), problems


def test_duplicate_template_destinations_are_found(jobs):
    job = copy.deepcopy(jobs["dispatch"])
    templates = job["TaskGroups"][0]["Tasks"][0]["Templates"]
    templates.append(dict(templates[0]))
    assert (f"{T}.Templates[1].DestPath", "Template 2 has same destination as 1") in job_problems(job)


def test_a_user_template_is_refused_with_the_agent_and_json_path_and_nothing_is_written(tmp_path):
    (tmp_path / "spread.json.j2").write_text(
        '{%- import "_common.j2" as c -%}\n{"Job": {\n{{ c.header(job, "service") }},\n'
        '"Spreads": [{"Attribute": "${node.datacenter}", "Weight": 0}],\n'
        '"Update": {{ update | tojson }},\n{{ c.groups(groups) }}}}\n')
    spec = specs.fleet([specs.service("api", template="spread.json.j2")])
    with pytest.raises(FleetSpecError) as info:
        rendered = api.render(api.load_spec(spec), template_dirs=[tmp_path])
        api.write(rendered, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    (err,) = [e for e in info.value.errors if "Spreads" in e.message]
    assert err.path == "tenants.team.agents.api.template"
    assert "Job.Spreads[0].Weight: Spread block must have a positive weight" in err.message
    assert "real Nomad would refuse" in err.message and err.value == 0


def test_consul_entries_are_checked():
    entry = {"Kind": "service-defaults", "Name": "*", "Protocol": "http",
             "UpstreamConfig": {"Overrides": [{"Name": "team-api", "Limits": {"MaxConnections": -1},
                                               "PassiveHealthCheck": {"Interval": "-5s"}}]}}
    paths = [p for p, _m in entry_problems(entry)]
    assert "service-defaults.Name" in paths
    assert "service-defaults.UpstreamConfig.Overrides[0].Limits.MaxConnections" in paths
    assert "service-defaults.UpstreamConfig.Overrides[0].PassiveHealthCheck.Interval" in paths
    assert entry_problems({"Kind": "service-resolver", "Name": "team-api", "RequestTimeout": "5s"}) == []
    assert [p for p, dummy in entry_problems({"Kind": "service-intentions", "Name": "x", "Sources": [
        {"Name": "a", "Action": "allow"}, {"Name": "a", "Action": "deny"}]})] == ["service-intentions.Sources[1].Name"]


def test_namespace_description_is_checked():
    assert namespace_problems({"Name": "team", "Description": "x" * 257}) == [
        ("Namespace.Description", "description longer than 256")]
    assert json.dumps(namespace_problems({"Name": "team", "Description": "ok"})) == "[]"


def test_fields_the_register_path_defaults_are_not_refused(jobs):
    """What real Nomad fills in before validating (regionForJob, Job/Service/Affinity/Spread/
    ScalingPolicy.Canonicalize) is accepted here too: no refusal of what Nomad accepts."""
    job = copy.deepcopy(jobs["service"])
    job["Region"] = ""
    job.pop("Name")
    job["Priority"] = 0
    job["Datacenters"] = []
    job["Affinities"] = [{"LTarget": "${node.class}", "RTarget": "gpu", "Operand": "="}]
    job["Spreads"] = [{"Attribute": "${node.datacenter}"}]
    group = job["TaskGroups"][0]
    group["Scaling"].pop("Min")
    group["Services"][0]["Name"] = ""
    group["Tasks"][0]["Identities"].append({"Audience": ["x"]})
    assert job_problems(job) == []


@pytest.mark.parametrize("path,ok", [("/ready", True), ("/a%20b", True), ("/h?x=%zz", True), ("/h%zz", False),
                                     ("/h#%zz", False), ("http://x/h", False), ("/h\x01", False)])
def test_http_check_paths_follow_go_url_parse(path, ok):
    assert (http_path_problem(path) is None) == ok


def test_secret_destinations_match_the_rendered_templates():
    """The spec validator predicts template destinations (nomad_context.secret_destinations)
    to refuse collisions before rendering; the prediction is what the renderer writes."""
    agent = specs.dispatch("worker", secrets=[{"path": "team/b", "env": {"X": "x"}, "files": {"b.txt": "b", "a.txt": "a"}},
                                              {"path": "team/d", "files": {"c.pem": "c"}}])
    spec = specs.fleet([agent])
    task = render_spec(spec).jobs[0]["job"]["Job"]["TaskGroups"][0]["Tasks"][0]
    normalized = api.load_spec(spec).agent("team/worker").spec["secrets"]
    predicted = [dest for i, secret in enumerate(normalized) for _name, dest in secret_destinations(i, secret)]
    assert [t["DestPath"] for t in task["Templates"]] == predicted
