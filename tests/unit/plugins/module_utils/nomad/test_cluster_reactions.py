"""apply_job against the Nomad contract server where a real cluster behaves in ways the
product must cope with: warnings on register, no deployment for count 0, fields the
server adds to a stored job."""
import copy
import time

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadClient
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad import job_apply as JA
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.job_apply import JobOptions, apply_job

MEMORY_WARNING = ('Memory oversubscription is not enabled; Task "agent.agent" memory_max value will be '
                  'ignored. Update the Scheduler Configuration to allow oversubscription.')


@pytest.fixture
def client(nomad_api):
    return NomadClient({"address": nomad_api.addr, "token": nomad_api.management_token,
                        "retries": 0, "timeout": 10})


def service_job(job_id="agent", count=1, image="registry.local/agent:1"):
    return {"ID": job_id, "Name": job_id, "Type": "service", "Datacenters": ["dc1"],
            "TaskGroups": [{"Name": "agent", "Count": count,
                            "Tasks": [{"Name": "agent", "Driver": "docker", "Config": {"image": image},
                                       "Resources": {"CPU": 100, "MemoryMB": 128}}]}]}


def mesh_job(image="registry.local/agent:1"):
    job = service_job(image=image)
    group = job["TaskGroups"][0]
    group["Networks"] = [{"Mode": "bridge", "DynamicPorts": [{"Label": "metrics", "To": 9102}]}]
    group["Services"] = [{
        "Name": "agent-api", "PortLabel": "8080", "Provider": "consul",
        "Checks": [{"Name": "ready", "Type": "http", "Path": "/health", "Protocol": "http",
                    "Interval": 10_000_000_000, "Timeout": 2_000_000_000, "Expose": True}],
        "Connect": {"SidecarService": {"Proxy": {"Upstreams": [
            {"DestinationName": "db", "LocalBindPort": 5432}]}}}}]
    group["Tasks"][0]["Templates"] = [{"EmbeddedTmpl": "X={{ .Data.data.x }}\n", "DestPath": "secrets/x.env",
                                       "Envvars": True, "ErrMissingKey": True}]
    return job


def test_register_warnings_are_returned_per_job(client):
    job = service_job()
    job["TaskGroups"][0]["Tasks"][0]["Resources"]["MemoryMaxMB"] = 512
    result = apply_job(client, job, JobOptions())
    assert result["outcome"] == "created"
    assert result["nomad_warnings"] == [MEMORY_WARNING]
    assert JA.warning_messages(result) == [
        "Nomad warns about job 'agent' (namespace 'default'): " + MEMORY_WARNING]
    # an unchanged re-apply still passes on the plan's warnings; check mode too
    again = apply_job(client, copy.deepcopy(job), JobOptions(check_mode=True))
    assert again["outcome"] == "unchanged" and again["nomad_warnings"] == [MEMORY_WARNING]


def test_no_warnings_is_an_empty_list(client):
    assert apply_job(client, service_job(), JobOptions())["nomad_warnings"] == []


def test_wait_for_a_count_zero_service_job_returns_at_once(client):
    started = time.monotonic()
    result = apply_job(client, service_job(count=0), JobOptions(wait=True, wait_timeout=5, wait_interval=0.05))
    assert time.monotonic() - started < 2
    assert result["outcome"] == "created" and result["deployment"] is None
    assert "count 0" in result["no_deployment"]


def test_diff_of_a_reapplied_job_leaves_out_what_the_server_added(client, nomad_api):
    apply_job(client, mesh_job(), JobOptions())
    stored = nomad_api.jobs()["agent"]
    assert "connect-proxy-agent-api" in [t["Name"] for t in stored["TaskGroups"][0]["Tasks"]]
    result = apply_job(client, mesh_job(image="registry.local/agent:2"), JobOptions(check_mode=True))
    assert result["changed"] is True
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert before["TaskGroups"][0]["Tasks"][0]["Config"] == {"image": "registry.local/agent:1"}
    # apart from the image, what the product manages is unchanged: no sidecar task, no
    # injected ports or expose paths, no server defaults (template splay, ...) show up
    before["TaskGroups"][0]["Tasks"][0]["Config"]["image"] = "registry.local/agent:2"
    assert before == after


def test_diff_still_shows_a_port_removed_from_the_spec(client):
    job = mesh_job()
    job["TaskGroups"][0]["Networks"][0]["DynamicPorts"].append({"Label": "admin", "To": 9000})
    apply_job(client, job, JobOptions())
    result = apply_job(client, mesh_job(), JobOptions(check_mode=True))
    ports = [p["Label"] for p in result["diff"]["before"]["TaskGroups"][0]["Networks"][0]["DynamicPorts"]]
    assert ports == ["metrics", "admin"]
