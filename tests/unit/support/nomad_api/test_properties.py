"""Property: any valid job, once registered, plans as no change (as sent and as read)."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.nomad_api import jobs
from tests.support.nomad_api.schema import validate_job
from tests.support.nomad_api.state import State

names = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
meta = st.dictionaries(names, st.text(max_size=8), max_size=3)
# Real Nomad refuses a kill_timeout longer than the default progress deadline (10m,
# Task.Validate) and restarts that cannot fit the default 30m interval
# (RestartPolicy.Validate: attempts * delay <= interval), so stay within them.
kill_timeouts = st.integers(min_value=0, max_value=10 * 60 * 10**9)
restart_delays = st.integers(min_value=0, max_value=6 * 60 * 10**9)


@st.composite
def tasks(draw, name):
    config_values = st.one_of(st.text(max_size=5), st.integers(0, 9),
                              st.lists(st.text(max_size=3), max_size=2))
    task = {"Name": name, "Driver": draw(st.sampled_from(["docker", "exec", "raw_exec"])),
            "Config": draw(st.dictionaries(names, config_values, max_size=3))}
    if draw(st.booleans()):
        task["Resources"] = {"CPU": draw(st.integers(1, 4000)),
                             "MemoryMB": draw(st.integers(10, 4096))}
    if draw(st.booleans()):
        task["Env"] = draw(meta)
    if draw(st.booleans()):
        task["KillTimeout"] = draw(kill_timeouts)
    return task


@st.composite
def job_dicts(draw):
    job_type = draw(st.sampled_from(["service", "batch"]))
    group_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    groups = []
    for gname in group_names:
        task_names = draw(st.lists(names, min_size=1, max_size=2, unique=True))
        group = {"Name": gname, "Tasks": [draw(tasks(t)) for t in task_names]}
        if draw(st.booleans()):
            group["Count"] = draw(st.integers(0, 5))
        if draw(st.booleans()):
            group["Meta"] = draw(meta)
        if draw(st.booleans()):
            group["RestartPolicy"] = {"Attempts": draw(st.integers(0, 5)),
                                      "Delay": draw(restart_delays)}
        groups.append(group)
    job = {"ID": draw(names), "Type": job_type, "TaskGroups": groups}
    if draw(st.booleans()):
        job["Meta"] = draw(meta)
    if draw(st.booleans()):
        job["Datacenters"] = draw(st.lists(names, min_size=1, max_size=2, unique=True))
    if job_type == "service" and draw(st.booleans()):
        job["Update"] = {"MaxParallel": draw(st.integers(0, 3)),
                         "AutoRevert": draw(st.booleans())}
    return job


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(job_dicts())
def test_registered_job_resubmits_as_no_change(job):
    assert validate_job(job) == []
    state = State(settle_delay=3600)  # no simulation side effects during the example
    try:
        with state.lock:
            jobs.register(state, job)
            stored = state.jobs[("default", job["ID"])]
            assert validate_job(stored) == []
            assert jobs.plan(state, job, True)["Diff"]["Type"] == "None"
            assert jobs.plan(state, stored, True)["Diff"]["Type"] == "None"
            before = stored["JobModifyIndex"]
            jobs.register(state, stored)
            assert state.jobs[("default", job["ID"])]["JobModifyIndex"] == before
    finally:
        state.stop()
