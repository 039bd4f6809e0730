"""Namespace, ACL policy, variable and scheduler configuration modules: full lifecycles."""
import pytest

from tests.integration.nomad.helpers import api, lifecycle, play, task

pytestmark = pytest.mark.integration


def test_namespace(nomad_api, tmp_path):
    def exists():
        return api(nomad_api, "GET", "/v1/namespace/research") is not None

    def check_diff(diff):
        assert diff["before"]["Description"] == "Research agents"
        assert diff["after"]["Description"] == "Research agents v2"

    create = dict(name="research", description="Research agents", meta={"team": "r"},
                  capabilities={"enabled_task_drivers": ["docker"]})
    modify = dict(create, description="Research agents v2")
    lifecycle(tmp_path, nomad_api, "nomad_namespace", create, modify, dict(name="research", state="absent"),
              exists, check_diff)


def test_namespace_failures(nomad_api, tmp_path):
    run = play([task("nomad_namespace", "bad meta", ignore_errors=True, name="x", meta={"a": 1}),
                task("nomad_namespace", "default", ignore_errors=True, name="default", state="absent",
                     retries=1, retry_delay=0.05)],
               tmp_path, nomad_api)
    assert "meta.a: values must be strings" in run.result("bad meta")["msg"]
    # Nomad answers the refused delete with HTTP 500 (an RPC error); not retried, reported.
    assert run.result("default")["failed"]
    assert "can not delete default namespace" in run.result("default")["msg"]
    assert api(nomad_api, "GET", "/v1/namespace/x") is None


RULES = 'namespace "default" {\n  policy = "read"\n}\n'


def test_acl_policy(nomad_api, tmp_path):
    def exists():
        return api(nomad_api, "GET", "/v1/acl/policy/readers") is not None

    def check_diff(diff):
        assert diff["before"]["Rules"].strip() == RULES.strip()
        assert "write" in diff["after"]["Rules"]

    create = dict(name="readers", description="read only", rules=RULES)
    modify = dict(create, rules=RULES.replace("read", "write"))
    lifecycle(tmp_path, nomad_api, "nomad_acl_policy", create, modify, dict(name="readers", state="absent"),
              exists, check_diff)


def test_acl_policy_job_scoped_and_forbidden(nomad_api, tmp_path):
    secret = nomad_api.make_token(["r"], rules={"r": RULES})
    run = play([task("nomad_acl_policy", "job acl", name="agent-vars", rules=RULES,
                     job_acl={"job_id": "agent-1", "group": "agent"}),
                task("nomad_acl_policy", "job acl again", name="agent-vars", rules=RULES,
                     job_acl={"job_id": "agent-1", "group": "agent"})], tmp_path / "a", nomad_api)
    assert run.changed == ["job acl"], run
    stored = api(nomad_api, "GET", "/v1/acl/policy/agent-vars")
    assert stored["JobACL"]["JobID"] == "agent-1" and stored["JobACL"]["Group"] == "agent"
    run = play([task("nomad_acl_policy", "forbidden", ignore_errors=True, name="p2", rules=RULES)],
               tmp_path / "b", nomad_api, token=secret)
    assert run.result("forbidden")["nomad_error"]["status"] == 403
    assert api(nomad_api, "GET", "/v1/acl/policy/p2") is None


def test_variable(nomad_api, tmp_path):
    def exists():
        return api(nomad_api, "GET", "/v1/var/agents/research?namespace=default") is not None

    def check_diff(diff):
        assert diff["before"]["items"] == {"api_key": "<hidden> (changed)"}
        assert diff["after"]["items"] == {"api_key": "<hidden> (changed)", "model": "<hidden>"}

    create = dict(path="agents/research", items={"api_key": "sk-first-secret"})
    modify = dict(path="agents/research", items={"api_key": "sk-second-secret", "model": "m1"})
    runs = lifecycle(tmp_path, nomad_api, "nomad_variable", create, modify,
                     dict(path="agents/research", state="absent"), exists, check_diff)
    for run in runs:
        assert "sk-first-secret" not in run.output and "sk-second-secret" not in run.output


def test_variable_check_and_set(nomad_api, tmp_path):
    run = play([task("nomad_variable", "create", path="cas/v", items={"a": "1"}, check_index=0),
                task("nomad_variable", "stale", ignore_errors=True, path="cas/v", items={"a": "2"}, check_index=0),
                task("nomad_variable", "not string", ignore_errors=True, path="cas/v", items={"a": 5})],
               tmp_path, nomad_api)
    assert run.changed == ["create"]
    assert "check_index=0" in run.result("stale")["msg"]
    assert "items.a: values must be strings" in run.result("not string")["msg"]
    assert api(nomad_api, "GET", "/v1/var/cas/v?namespace=default")["Items"] == {"a": "1"}


def test_scheduler_config(nomad_api, tmp_path):
    def live():
        return api(nomad_api, "GET", "/v1/operator/scheduler/configuration")["SchedulerConfig"]

    original = live()["MemoryOversubscriptionEnabled"]
    run = play([task("nomad_scheduler_config", "check", check=True, memory_oversubscription=not original)],
               tmp_path / "a", nomad_api)
    assert run.result("check")["changed"] is True and live()["MemoryOversubscriptionEnabled"] == original
    run = play([task("nomad_scheduler_config", "apply", memory_oversubscription=not original),
                task("nomad_scheduler_config", "reapply", memory_oversubscription=not original),
                task("nomad_scheduler_config", "modify", diff=True, scheduler_algorithm="spread",
                     preemption={"service": True}),
                task("nomad_scheduler_config", "restore", memory_oversubscription=original,
                     scheduler_algorithm="binpack", preemption={"service": False})], tmp_path / "b", nomad_api)
    assert run.rc == 0, run
    assert run.changed == ["apply", "modify", "restore"]
    assert run.result("modify")["diff"]["after"]["SchedulerAlgorithm"] == "spread"
    assert live()["MemoryOversubscriptionEnabled"] == original
    assert live()["SchedulerAlgorithm"] == "binpack"
