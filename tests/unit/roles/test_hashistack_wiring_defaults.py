"""The hashistack_wiring role's default data is accepted by the contract servers, which
parse Nomad policy HCL (nomad/acl_endpoint.go UpsertPolicies) and validate Consul auth
methods and binding rules (agent/consul/acl_endpoint.go) as strictly as the real ones."""
import json
from pathlib import Path

import requests
import yaml

DEFAULTS = yaml.safe_load((Path(__file__).parents[3] / "roles/hashistack_wiring/defaults/main.yml").read_text())


def test_operator_policies_accepted_by_nomad(nomad_api):
    policies = DEFAULTS["hashistack_wiring_nomad_policies"]
    assert {"operator-readonly", "fleet-deployer"} <= set(policies)
    for name, pol in policies.items():
        body = {"Name": name, "Description": pol["description"], "Rules": pol["rules"]}
        resp = requests.post(nomad_api.addr + "/v1/acl/policy/" + name, json=body, timeout=10,
                             headers={"X-Nomad-Token": nomad_api.management_token})
        assert resp.status_code == 200, resp.text
        got = requests.get(nomad_api.addr + "/v1/acl/policy/" + name, timeout=10,
                           headers={"X-Nomad-Token": nomad_api.management_token}).json()
        assert got["Rules"] == pol["rules"]


def test_auth_method_and_binding_rules_accepted_by_consul(consul_api, nomad_api):
    headers = {"X-Consul-Token": consul_api.management_token}
    name = DEFAULTS["hashistack_wiring_consul_auth_method"]
    config = dict(DEFAULTS["hashistack_wiring_consul_auth_method_config"],
                  JWKSURL=nomad_api.addr + "/.well-known/jwks.json")
    resp = requests.put(consul_api.addr + "/v1/acl/auth-method/" + name, timeout=15, headers=headers,
                        data=json.dumps({"Name": name, "Type": "jwt", "Config": config}))
    assert resp.status_code == 200, resp.text
    for rule in DEFAULTS["hashistack_wiring_consul_binding_rules"]:
        resp = requests.put(consul_api.addr + "/v1/acl/binding-rule", timeout=10, headers=headers,
                            data=json.dumps(dict(rule, AuthMethod=name)))
        assert resp.status_code == 200, resp.text
