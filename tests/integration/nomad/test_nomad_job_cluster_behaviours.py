"""What an operator sees from nomad_job / nomad_jobs when the cluster behaves like a real
one: Nomad's warnings as Ansible warnings, and a --diff without server additions."""
import pytest

from tests.integration.nomad.helpers import play, service_job, task

pytestmark = pytest.mark.integration

WARNING = ('Memory oversubscription is not enabled; Task "agent.agent" memory_max value will be ignored. '
           'Update the Scheduler Configuration to allow oversubscription.')


def _with_memory_max(job_id):
    job = service_job(job_id)
    job["TaskGroups"][0]["Tasks"][0]["Resources"]["MemoryMaxMB"] = 512
    return job


def _mesh(image):
    job = service_job("mesh", image=image)
    group = job["TaskGroups"][0]
    group["Networks"] = [{"Mode": "bridge", "DynamicPorts": [{"Label": "metrics", "To": 9102}]}]
    group["Services"] = [{
        "Name": "mesh-api", "PortLabel": "8080", "Provider": "consul",
        "Checks": [{"Name": "ready", "Type": "http", "Path": "/ready", "Protocol": "http",
                    "Interval": 10_000_000_000, "Timeout": 2_000_000_000, "Expose": True}],
        "Connect": {"SidecarService": {"Proxy": {"Upstreams": [
            {"DestinationName": "db", "LocalBindPort": 5432}]}}}}]
    return job


def test_nomad_warnings_are_ansible_warnings(nomad_api, tmp_path):
    run = play([task("nomad_job", "one", job=_with_memory_max("solo")),
                task("nomad_jobs", "many", jobs=[_with_memory_max("a"), service_job("b")])],
               tmp_path, nomad_api)
    assert run.rc == 0, run
    one = run.result("one")
    assert one["nomad_warnings"] == [WARNING]
    assert one["warnings"] == ["Nomad warns about job 'solo' (namespace 'default'): " + WARNING]
    many = run.result("many")
    assert many["warnings"] == ["Nomad warns about job 'a' (namespace 'default'): " + WARNING]
    by_id = {r["job_id"]: r for r in many["results"]}
    assert by_id["a"]["nomad_warnings"] == [WARNING] and by_id["b"]["nomad_warnings"] == []


def test_diff_of_a_reapplied_mesh_job_shows_only_the_managed_change(nomad_api, tmp_path):
    old, new = "registry.local/agent:1", "registry.local/agent:2"
    run = play([task("nomad_job", "apply", job=_mesh(old)),
                task("nomad_job", "reapply", job=_mesh(old)),
                task("nomad_job", "change", diff=True, check=True, job=_mesh(new))],
               tmp_path, nomad_api)
    assert run.rc == 0, run
    assert run.result("reapply")["changed"] is False
    diff = run.result("change")["diff"]
    before, after = diff["before"], diff["after"]
    assert [t["Name"] for t in before["TaskGroups"][0]["Tasks"]] == ["agent"]
    assert before["TaskGroups"][0]["Networks"] == after["TaskGroups"][0]["Networks"]
    before["TaskGroups"][0]["Tasks"][0]["Config"]["image"] = new
    assert before == after
