"""Property tests: generated valid specs (only specs real Nomad accepts) render into jobs
that fit Nomad's API structs and pass the product's own real-server checks; broken specs
fail with path-qualified errors and write nothing."""
import copy
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.job_checks import entry_problems, job_problems
from tests.support.nomad_api.canonicalize import canonicalize
from tests.support.nomad_api.schema import validate_job
from tests.support.nomad_api.validate import job_errors

from . import specs
from .conftest import render_spec
from .strategies import valid_fleets

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(valid_fleets())
def test_valid_specs_render_jobs_that_fit_the_nomad_api(spec):
    assert [str(e) for e in api.validate(spec)] == []
    rendered = render_spec(spec)
    assert len(rendered.jobs) == sum(len(t["agents"]) for t in spec["tenants"].values())
    for job in rendered.jobs:
        body = json.loads(rendered.files[job["file"]])
        assert list(body) == ["Job"]
        assert validate_job(body["Job"]) == [], job["file"]
        assert job_errors(canonicalize(body["Job"])) == [], job["file"]
        assert job_problems(body["Job"]) == [], job["file"]
    for entry in rendered.consul_entries:
        assert entry_problems(entry["entry"]) == [], entry["file"]
    assert render_spec(copy.deepcopy(spec)).files == rendered.files


# Each breaker damages one agent (``t``, ``a``) not touched before, or the tenant, and
# returns the dotted path at which the error must be reported.
def _mem_over(spec, data, t, a):
    a["resources"]["memory"] = data.draw(st.integers(8193, 10 ** 6))
    return f"tenants.{t}.agents.{a['name']}.resources.memory"


def _unpinned(spec, data, t, a):
    a["image"] = a["image"].split("@")[0] + data.draw(st.sampled_from([":latest", ":1.0", "@sha256:abc"]))
    return f"tenants.{t}.agents.{a['name']}.image"


def _unknown_key(spec, data, t, a):
    key = data.draw(st.sampled_from(["replica", "Image", "gpu", "vault_token"]))
    a[key] = 1
    return f"tenants.{t}.agents.{a['name']}.{key}"


def _bad_upstream(spec, data, t, a):
    a["upstreams"] = [{"service": "zz-nobody", "local_port": 9999}]
    a.setdefault("ports", {"zz": {"to": 1234}})
    return f"tenants.{t}.agents.{a['name']}.upstreams[0].service"


def _bad_cron(spec, data, t, a):
    for key in ("count", "partitions", "checks", "update", "scaling", "dispatch", "max_run_duration", "retry"):
        a.pop(key, None)
    a["kind"] = "periodic"
    a["schedule"] = {"crons": [data.draw(st.sampled_from(["99 * * * *", "* * *", "@never", "a b c d e"]))]}
    return f"tenants.{t}.agents.{a['name']}.schedule.crons[0]"


def _inline_secret(spec, data, t, a):
    a.setdefault("env", {})[data.draw(st.sampled_from(["DB_PASSWORD", "GITHUB_TOKEN", "API_KEY"]))] = "s3cr3t-value"
    return f"tenants.{t}.agents.{a['name']}.env."


def _duplicate(spec, data, t, a):
    twin = copy.deepcopy(a)
    spec["tenants"][t]["agents"].append(twin)
    return f"tenants.{t}.agents.{a['name']}.name", twin


def _wrong_type(spec, data, t, a):
    key = data.draw(st.sampled_from(["version", "resources", "env", "image"]))
    a[key] = data.draw(st.sampled_from([[1], 3.5, True]))
    return f"tenants.{t}.agents.{a['name']}.{key}"


def _budget(spec, data, t, _agent):
    """A fresh valid agent needing 512 MB at full scale, and a 100 MB budget."""
    spec["tenants"][t]["agents"].append(specs.batch("zz-budget"))
    spec["tenants"][t]["budget"] = {"memory": 100}
    return f"tenants.{t}.budget.memory"


def _real_nomad_refuses(spec, data, t, a):
    """A spec every rule above accepts but real Nomad refuses at register."""
    for key in ("partitions", "max_run_duration", "retry", "schedule", "dispatch", "restart", "reschedule"):
        a.pop(key, None)
    a["kind"] = "service"
    a.setdefault("ports", {"http": {"to": 8080}})
    a["checks"] = {"readiness": {"type": "http", "path": "/ready"}, "liveness": {"type": "http", "path": "/live"}}
    a["count"] = 1
    a.pop("scaling", None)
    choice = data.draw(st.sampled_from(["tcp", "promote", "order", "signal_env", "kill"]))
    base = f"tenants.{t}.agents.{a['name']}"
    if choice == "tcp":
        a["checks"]["readiness"] = {"type": "tcp"}
        return f"{base}.checks.readiness.type"
    if choice == "promote":
        a["update"] = {"canary": 0, "auto_promote": True}
        return f"{base}.update.auto_promote"
    if choice == "order":
        a["update"] = {"min_healthy_time": "5m", "healthy_deadline": "5m"}
        return f"{base}.update.min_healthy_time"
    if choice == "kill":
        a["update"] = {"progress_deadline": "10m"}
        a["kill_timeout"] = "11m"
        return f"{base}.kill_timeout"
    a["secrets"] = [{"path": "x/y", "env": {"APP_KEY": "k"}, "change_mode": "signal", "change_signal": "SIGHUP"}]
    return f"{base}.secrets[0].change_mode"


AGENT_BREAKERS = [_real_nomad_refuses, _mem_over, _unpinned, _unknown_key, _bad_upstream, _bad_cron, _inline_secret,
                  _duplicate, _wrong_type]


def _render_and_write(spec, dest):
    """The pipeline the action plugin runs: validate, render, then write."""
    rendered = api.render(api.load_spec(spec))
    return api.write(rendered, dest)


@SETTINGS
@given(valid_fleets(), st.lists(st.sampled_from(AGENT_BREAKERS + [_budget]), min_size=1, max_size=3), st.data())
def test_invalid_specs_fail_with_paths_and_write_nothing(spec, breakers, data):
    untouched = [(t, a) for t, v in spec["tenants"].items() for a in v["agents"]]
    budget_tenants = sorted(spec["tenants"])
    expected = []
    for breaker in breakers:
        if breaker is _budget:
            if not budget_tenants:
                continue
            t = data.draw(st.sampled_from(budget_tenants))
            budget_tenants.remove(t)
            expected.append(_budget(spec, data, t, None))
            continue
        if not untouched:
            continue
        t, a = data.draw(st.sampled_from(untouched))
        untouched.remove((t, a))
        out = breaker(spec, data, t, a)
        expected.append(out[0] if isinstance(out, tuple) else out)
    assert expected
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "out"
        with pytest.raises(FleetSpecError) as info:
            _render_and_write(spec, dest)
        assert not dest.exists()
    paths = [e.path for e in info.value.errors]
    for want in expected:
        assert any(p == want or p.startswith(want) for p in paths), (want, [str(e) for e in info.value.errors])
    for err in info.value.errors:
        assert str(err).startswith(f"{err.path}: ") and err.path
    assert "s3cr3t-value" not in str(info.value)


JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 10 ** 6), st.text(max_size=8),
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, path + (i,))
    yield path


@SETTINGS
@given(valid_fleets(), st.data())
def test_arbitrary_corruption_never_crashes_the_validator(spec, data):
    leaves = [p for p in _leaves(spec) if p]
    path = data.draw(st.sampled_from(leaves))
    node = spec
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = data.draw(JUNK)
    errors = api.validate(spec)  # must not raise, whatever the value
    for err in errors:
        assert str(err).startswith(f"{err.path}: ")
    if not errors:
        render_spec(spec)  # still valid: must still render


_NEVER_RENDERED = {"Migrate", "Volumes", "EphemeralDisk", "Disconnect", "MaxRunDuration", "ShutdownDelay",
                   "Artifacts", "Actions", "Lifecycle", "LogConfig", "Leader", "Multiregion",
                   "Constraints", "Affinities", "Spreads", "Consul", "Identity", "Secrets", "VolumeMounts"}


@SETTINGS
@given(valid_fleets())
def test_rendered_jobs_keep_the_unreachable_promises(spec):
    """The reasons spec_conformance.yml gives for catalogue cases the spec cannot reach,
    checked on what the built-in templates render (not just asserted)."""
    for job in render_spec(spec).jobs:
        body = job["job"]["Job"]
        assert body["Type"] in ("service", "batch")                                   # job-type
        assert "Payload" not in body                                                  # wrapper
        for group in body["TaskGroups"]:
            assert [t["Name"] for t in group["Tasks"]] == [job["agent"]]              # one-task
            services = group["Services"]
            assert len(services) <= 1                                                 # one-service
            for net in group["Networks"]:
                assert set(net) == {"Mode", "DynamicPorts"}                           # dynamic-ports
            for service in services:
                assert service["Provider"] == "consul"                                # provider-consul
                assert list(service["Connect"]) == ["SidecarService"]                 # sidecar-only
                assert [n["Mode"] for n in group["Networks"]] == ["bridge"]           # bridge
                assert service["PortLabel"].isdigit()                                 # expose
                for check in service["Checks"]:
                    assert check["OnUpdate"] == "require_healthy"                     # fixed
                    assert check.get("Expose", False) == (check["Type"] == "http")    # expose
            for task in group["Tasks"]:
                for tmpl in task["Templates"]:                                        # fixed
                    assert tmpl["Perms"] == "0400" and tmpl["DestPath"].startswith("secrets/")
                    assert tmpl["EmbeddedTmpl"] and tmpl["ChangeMode"] in ("restart", "noop", "signal")
                if "Vault" in task:                                                   # fixed
                    assert task["Vault"]["ChangeMode"] == "restart"
                    assert [i["Name"] for i in task["Identities"]] == [f"vault_{task['Vault']['Cluster']}"]
            for key, _value in _walk_keys(body):
                assert key not in _NEVER_RENDERED, key                                # not-rendered / template-only


def _walk_keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_keys(value)
