"""playbooks/runbooks/acl-token-rotate.yml against the Nomad and Consul contract servers: a
Nomad client token rotated with a management token from an admin file, a Consul token that
may write ACLs rotated by itself (Consul refuses a request deleting its own token)."""
import json
import stat

import pytest
import requests

from tests.integration.runbooks.hashistack import failure, run_runbook

pytestmark = pytest.mark.integration

NOMAD_RULES = 'namespace "*" { policy = "write" }\nnode { policy = "read" }'
CONSUL_RULES = 'acl = "write"\nservice_prefix "" { policy = "write" }'


def _consul(api, method, path, token=None, body=None):
    return requests.request(method, api.addr + path, data=None if body is None else json.dumps(body), timeout=5,
                            headers={"X-Consul-Token": token or api.management_token})


def _nomad_self(api, token):
    return requests.get(api.addr + "/v1/acl/token/self", headers={"X-Nomad-Token": token}, timeout=5)


@pytest.fixture
def setup(nomad_api, consul_api, tmp_path):
    nomad_token = nomad_api.make_token(["fleet"], rules={"fleet": NOMAD_RULES}, name="fleet-automation")
    _consul(consul_api, "PUT", "/v1/acl/policy", body={"Name": "fleet", "Rules": CONSUL_RULES}).raise_for_status()
    consul_token = _consul(consul_api, "PUT", "/v1/acl/token",
                           body={"Description": "fleet automation", "Policies": [{"Name": "fleet"}]}).json()["SecretID"]
    admin = tmp_path / "nomad-admin.token"
    admin.write_text(nomad_api.management_token + "\n")
    admin.chmod(0o600)
    files = {"nomad": tmp_path / "nomad.token", "consul": tmp_path / "consul.token"}
    env = {"NOMAD_ADDR": nomad_api.addr, "NOMAD_TOKEN": nomad_token,
           "CONSUL_HTTP_ADDR": consul_api.addr, "CONSUL_HTTP_TOKEN": consul_token}
    extra = {"nomad_token_file": str(files["nomad"]), "consul_token_file": str(files["consul"]),
             "nomad_admin_token_file": str(admin)}
    return {"nomad": nomad_token, "consul": consul_token}, files, env, extra


def test_rotates_both_tokens(nomad_api, consul_api, setup, tmp_path):
    old, files, env, extra = setup
    run = run_runbook("acl-token-rotate.yml", tmp_path / "check", env, check=True, extra_vars=extra)
    assert run.rc == 0, run
    plans = [r["msg"] for r in run.result("Show the plan")["results"]]
    assert "the nomad token" in plans[0] and '("fleet-automation", policies fleet)' in plans[0], plans
    assert not files["nomad"].exists() and not files["consul"].exists()
    assert _nomad_self(nomad_api, old["nomad"]).status_code == 200

    run = run_runbook("acl-token-rotate.yml", tmp_path / "apply", env, verbosity=3, callback="default", extra_vars=extra)
    assert run.rc == 0, run
    new = {p: f.read_text().strip() for p, f in files.items()}
    for product in ("nomad", "consul"):
        assert stat.S_IMODE(files[product].stat().st_mode) == 0o600
        assert new[product] != old[product]
        for secret in (old[product], new[product]):
            assert secret not in run.output
    assert nomad_api.management_token not in run.output
    # Both old tokens came from the environment: the report says to export the new ones.
    for variable, product in (("NOMAD_TOKEN", "nomad"), ("CONSUL_HTTP_TOKEN", "consul")):
        assert ("The old token came from the environment variable %s: export the new one from %s"
                % (variable, files[product])) in " ".join(run.output.split())
    assert _nomad_self(nomad_api, old["nomad"]).status_code == 403
    me = _nomad_self(nomad_api, new["nomad"]).json()
    assert me["Policies"] == ["fleet"] and me["Name"] == "fleet-automation" and me["Type"] == "client"
    assert _consul(consul_api, "GET", "/v1/acl/token/self", token=old["consul"]).status_code == 403
    me = _consul(consul_api, "GET", "/v1/acl/token/self", token=new["consul"]).json()
    assert [p["Name"] for p in me["Policies"]] == ["fleet"] and me["Description"] == "fleet automation"


def test_refuses_an_open_token_file_and_a_token_that_cannot_create_its_successor(nomad_api, consul_api, setup, tmp_path):
    old, files, env, extra = setup
    files["consul"].write_text("old\n")
    files["consul"].chmod(0o644)
    run = run_runbook("acl-token-rotate.yml", tmp_path / "open", env, extra_vars=extra)
    assert run.rc != 0 and f"{files['consul']}: mode 0644 is too open for a token file" in failure(run), run
    files["consul"].chmod(0o600)
    # without the admin file the Nomad client token cannot create tokens: refused before any change
    del extra["nomad_admin_token_file"]
    run = run_runbook("acl-token-rotate.yml", tmp_path / "noadmin", env, extra_vars={**extra, "products": ["nomad"]})
    assert run.rc != 0 and "nomad: could not create the successor token (HTTP 403" in failure(run), run
    assert _nomad_self(nomad_api, old["nomad"]).status_code == 200
    assert not files["nomad"].exists()
