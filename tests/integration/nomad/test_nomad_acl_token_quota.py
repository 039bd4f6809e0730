"""nomad_acl_token (bootstrap and named tokens) and nomad_quota (Enterprise vs OSS)."""
import os
import stat

import pytest

from tests.integration.nomad.helpers import api, lifecycle, play, task
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

RULES = 'namespace "default" {\n  policy = "read"\n}\n'


def test_bootstrap_returns_secret_once(nomad_api_factory, tmp_path):
    server = nomad_api_factory(acl=True, bootstrap=False)
    env = {"NOMAD_ADDR": server.addr}
    secret_file = tmp_path / "mgmt.token"
    run = run_playbook([task("nomad_acl_token", "check", check=True, bootstrap=True),
                        task("nomad_acl_token", "bootstrap", bootstrap=True, secret_file=str(secret_file)),
                        task("nomad_acl_token", "again", bootstrap=True, secret_file=str(secret_file))],
                       tmp_path=tmp_path / "a", env=env, callback="default", verbosity=3)
    assert run.rc == 0, run
    secret = secret_file.read_text().strip()
    assert len(secret) == 36 and stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert secret not in run.output
    assert "ACLs are already bootstrapped" in run.output
    assert api(server, "GET", "/v1/acl/token/self", token=secret)["Type"] == "management"

    run = run_playbook([task("nomad_acl_token", "known", bootstrap=True)], tmp_path=tmp_path / "b",
                       env=dict(env, NOMAD_TOKEN=secret))
    assert run.result("known")["changed"] is False


def test_bootstrap_returns_secret_when_no_file(nomad_api_factory, tmp_path):
    server = nomad_api_factory(acl=True, bootstrap=False)
    run = run_playbook([task("nomad_acl_token", "bootstrap", bootstrap=True)], tmp_path=tmp_path,
                       env={"NOMAD_ADDR": server.addr})
    secret = run.result("bootstrap")["secret_id"]
    assert api(server, "GET", "/v1/acl/token/self", token=secret)["Type"] == "management"


def test_named_client_token(nomad_api, tmp_path):
    api(nomad_api, "POST", "/v1/acl/policy/readers", json={"Name": "readers", "Rules": RULES})
    api(nomad_api, "POST", "/v1/acl/policy/writers", json={"Name": "writers", "Rules": RULES})

    def find():
        return [t for t in api(nomad_api, "GET", "/v1/acl/tokens") if t["Name"] == "deployer"]

    def check_diff(diff):
        assert diff["before"]["Policies"] == ["readers"]
        assert sorted(diff["after"]["Policies"]) == ["readers", "writers"]

    create = dict(name="deployer", policies=["readers"], expiration_ttl="2h")
    modify = dict(name="deployer", policies=["readers", "writers"])
    runs = lifecycle(tmp_path, nomad_api, "nomad_acl_token", create, modify,
                     dict(name="deployer", state="absent"), lambda: bool(find()), check_diff)
    apply = runs[1].result("apply")
    assert apply["secret_id"] and "secret_id" not in runs[1].result("reapply")
    assert runs[1].result("modify")["accessor_id"] == apply["accessor_id"]


def test_token_bad_input(nomad_api, tmp_path):
    run = play([task("nomad_acl_token", "no policy", ignore_errors=True, name="t"),
                task("nomad_acl_token", "bad ttl", ignore_errors=True, name="t", policies=["p"],
                     expiration_ttl="2 days"),
                task("nomad_acl_token", "mgmt with policy", ignore_errors=True, name="t", type="management",
                     policies=["p"])], tmp_path, nomad_api)
    assert run.failed == ["no policy", "bad ttl", "mgmt with policy"]
    assert "expiration_ttl: '2 days' is not a Go duration" in run.result("bad ttl")["msg"]
    assert not [t for t in api(nomad_api, "GET", "/v1/acl/tokens") if t["Name"] == "t"]


def test_quota_enterprise_lifecycle(nomad_api_factory, tmp_path):
    server = nomad_api_factory(acl=True, enterprise=True)

    def exists():
        return api(server, "GET", "/v1/quota/research") is not None

    def check_diff(diff):
        assert diff["before"]["Limits"][0]["RegionLimit"]["CPU"] == 2000
        assert diff["after"]["Limits"][0]["RegionLimit"]["CPU"] == 4000

    create = dict(name="research", description="r", limits=[{"region": "global", "cpu": 2000, "memory_mb": 4096}])
    modify = dict(name="research", description="r", limits=[{"region": "global", "cpu": 4000, "memory_mb": 4096}])
    lifecycle(tmp_path, server, "nomad_quota", create, modify, dict(name="research", state="absent"),
              exists, check_diff)


def test_quota_on_open_source_says_enterprise(nomad_api, tmp_path):
    run = play([task("nomad_quota", "oss", ignore_errors=True, name="q", limits=[{"region": "global", "cpu": 1}])],
               tmp_path, nomad_api)
    res = run.result("oss")
    assert res["failed"] and res["nomad_error"]["status"] == 501
    assert res["msg"].startswith("Quotas need Nomad Enterprise")
    assert res["nomad_error"]["attempts"] == 1  # 501 is not retried


def test_namespace_quota_attachment_on_enterprise(nomad_api_factory, tmp_path):
    server = nomad_api_factory(acl=True, enterprise=True)
    run = play([task("nomad_quota", "quota", name="small", limits=[{"region": "global", "cpu": 500}]),
                task("nomad_namespace", "attach", name="team", quota="small"),
                task("nomad_namespace", "attach again", name="team", quota="small")], tmp_path, server)
    assert run.rc == 0, run
    assert run.changed == ["quota", "attach"]
    assert api(server, "GET", "/v1/namespace/team")["Quota"] == "small"
