"""nomad_jobs against a Nomad that accepts connections and never answers (fault server)."""
import time

import pytest

from tests.integration.nomad.helpers import service_job, task
from tests.support.faults import FaultServer
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration


def test_fifty_jobs_against_a_server_that_never_answers_fail_fast_with_one_message(tmp_path):
    jobs = [service_job("agent-%02d" % i) for i in range(50)]
    with FaultServer(default=("hang",)) as server:
        start = time.monotonic()
        clock = {"name": "clock", "ansible.builtin.set_fact": {"clock": "{{ now().timestamp() }}"}}
        run = run_playbook([dict(clock, name="before"),
                            task("nomad_jobs", "apply", ignore_errors=True, jobs=jobs, concurrency=8),
                            dict(clock, name="after")],
                           tmp_path=tmp_path, env={"NOMAD_ADDR": server.address, "NOMAD_TOKEN": ""})
        elapsed = time.monotonic() - start
        sent = len(server.requests)
    res = run.result("apply")
    task_time = float(run.result("after")["ansible_facts"]["clock"]) - float(run.result("before")["ansible_facts"]["clock"])
    print("ansible-playbook, 50 jobs, server never answers: task %.1f s (whole playbook %.1f s), %d requests; msg: %s"
          % (task_time, elapsed, sent, res["msg"]))
    assert task_time < 30, task_time
    assert res["failed"] is True
    assert res["msg"].startswith("Nomad at %s is not answering: " % server.address)
    assert "timed out after 10 s waiting for %s" % server.address in res["msg"]
    assert res["msg"].endswith("50 of 50 jobs not applied")
    assert "Max retries exceeded" not in res["msg"] and "ConnectionPool" not in res["msg"]
    assert res["summary"]["failed"] == 50 and len(res["results"]) == 50
    assert sent <= 8
