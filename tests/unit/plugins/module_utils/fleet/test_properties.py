"""Property tests: generated valid specs render into jobs that fit Nomad's API structs;
broken specs fail with path-qualified errors and write nothing."""
import copy
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError
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


AGENT_BREAKERS = [_mem_over, _unpinned, _unknown_key, _bad_upstream, _bad_cron, _inline_secret,
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
