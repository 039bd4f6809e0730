"""Shared bits of the nomad module integration tests: job specs, a raw API reader, lifecycles."""
import requests

from tests.support.playbook import run_playbook

FQ = "agentfleet.hashistack."


def service_job(job_id, image="registry.local/agent:1", count=1, namespace=None, **extra):
    job = {
        "ID": job_id, "Name": job_id, "Type": "service", "Datacenters": ["dc1"],
        "TaskGroups": [{
            "Name": "agent", "Count": count,
            "Tasks": [{"Name": "agent", "Driver": "docker", "Config": {"image": image},
                       "Resources": {"CPU": 100, "MemoryMB": 128}}],
        }],
    }
    if namespace:
        job["Namespace"] = namespace
    job.update(extra)
    return job


def batch_job(job_id, **extra):
    job = service_job(job_id, **extra)
    job["Type"] = "batch"
    return job


def parameterized_job(job_id, **extra):
    job = batch_job(job_id, **extra)
    job["ParameterizedJob"] = {"Payload": "optional", "MetaOptional": ["task_id"]}
    return job


def api(server, method, path, token=None, **kwargs):
    """Read the contract server directly (independent of the code under test)."""
    headers = {"X-Nomad-Token": token or server.management_token}
    resp = requests.request(method, server.addr + path, headers=headers, timeout=10, **kwargs)
    if resp.status_code == 404:
        return None
    resp.raise_for_status()
    return resp.json() if resp.content else None


def task(module, title=None, check=None, diff=None, ignore_errors=None, register=None, **args):
    """One task dict; ``title`` is the task name (module options may include ``name``)."""
    t = {"name": title or module, FQ + module: args}
    if check is not None:
        t["check_mode"] = check
    if diff is not None:
        t["diff"] = diff
    if ignore_errors:
        t["ignore_errors"] = True
    if register:
        t["register"] = register
    return t


def play(tasks, tmp_path, server, token=None, **kwargs):
    env = dict(server.env)
    if token is not None:
        env["NOMAD_TOKEN"] = token
    return run_playbook(tasks, tmp_path=tmp_path, env=env, **kwargs)


def lifecycle(tmp_path, server, module, create, modify, remove, exists, expect_diff):
    """check mode -> apply -> re-apply -> modify (diff) -> remove -> remove again.

    ``exists()`` reads the server; ``expect_diff(diff)`` checks the modify diff.
    Returns the three runs for extra assertions.
    """
    run = play([task(module, "check", check=True, **create)], tmp_path / "a", server)
    assert run.rc == 0, run
    assert run.result("check")["changed"] is True
    assert not exists(), "check mode wrote to the server"

    run2 = play([task(module, "apply", **create), task(module, "reapply", **create),
                 task(module, "modify", diff=True, **modify)], tmp_path / "b", server)
    assert run2.rc == 0, run2
    assert run2.changed == ["apply", "modify"], run2
    assert exists()
    expect_diff(run2.result("modify")["diff"])

    run3 = play([task(module, "remove", **remove), task(module, "remove again", **remove)], tmp_path / "c", server)
    assert run3.rc == 0, run3
    assert run3.changed == ["remove"], run3
    assert not exists()
    return run, run2, run3
