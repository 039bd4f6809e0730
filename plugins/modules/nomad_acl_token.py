#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nomad_acl_token
short_description: Bootstrap Nomad ACLs or manage a named ACL token
description:
  - With O(bootstrap=true), bootstraps the ACL system and returns the management token's secret once; when the
    cluster is already bootstrapped nothing changes.
  - Otherwise manages a token found by its O(name) (which must be unique). Its type, policies, roles and global flag
    are compared and updated in place; an existing token with the same settings is left unchanged.
  - A secret is only ever returned when a token is created; write it to O(secret_file) or set C(no_log) on the task.
version_added: 0.1.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_nomad
  - agentfleet.hashistack.nomad
  - agentfleet.hashistack.retries
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    platforms: posix
  check_mode:
    support: full
    details: For O(bootstrap=true) without a management O(token) the module cannot tell whether ACLs are
      bootstrapped and reports a change.
  diff_mode:
    support: full
    details: Secrets are never part of the diff.
  idempotent:
    description: Running the same task again with the same input reports no change.
    support: full
options:
  bootstrap:
    description:
      - Bootstrap the ACL system (C(POST /v1/acl/bootstrap)) instead of managing a named token.
    type: bool
    default: false
  bootstrap_secret:
    description:
      - Secret ID to bootstrap with (instead of a generated one).
    type: str
  name:
    description:
      - Token name; required unless O(bootstrap=true).
    type: str
  state:
    description:
      - Whether the named token should exist.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - Token type.
    type: str
    choices: [client, management]
    default: client
  policies:
    description:
      - ACL policy names of a client token.
    type: list
    elements: str
    default: []
  roles:
    description:
      - ACL role names of a client token.
    type: list
    elements: str
    default: []
  global:
    description:
      - Replicate the token to all regions. Changing it recreates the token (new secret).
    type: bool
    default: false
  expiration_ttl:
    description:
      - Time to live of a new token as a Go duration (for example V(24h)). Only used on creation.
    type: str
  secret_file:
    description:
      - Write a newly created secret to this file (mode 0600) instead of returning it.
    type: path
"""

EXAMPLES = r"""
- name: Bootstrap ACLs and keep the management secret in a root-only file
  agentfleet.hashistack.nomad_acl_token:
    bootstrap: true
    secret_file: /root/.nomad-management-token

- name: A client token for the fleet deployer
  agentfleet.hashistack.nomad_acl_token:
    token: "{{ nomad_management_token }}"
    name: fleet-deployer
    policies: [fleet-deploy]
  register: deployer
  no_log: true
"""

RETURN = r"""
accessor_id:
  description: Accessor ID of the token.
  returned: when the token exists
  type: str
secret_id:
  description: Secret of a token created by this run (bootstrap or new token), unless O(secret_file) is set.
  returned: when a token was created and secret_file is not set
  type: str
name:
  description: Token name.
  returned: when the token exists
  type: str
differences:
  description: Settings that differed from the live token.
  returned: when an existing token was compared
  type: list
  elements: str
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._module import NomadModule
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.client import NomadError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import parse as parse_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.resources import differences


def _keep_secret(module, result, secret):
    if module.params["secret_file"]:
        path = module.params["secret_file"]
        write_atomic(path, secret + "\n", mode=0o600)  # 0600 before the secret is in it
        result["secret_file"] = path
    else:
        result["secret_id"] = secret


def bootstrap(module, client):
    params = module.params
    result = {"changed": True}
    if params["token"]:  # a management token that works proves ACLs are bootstrapped already
        try:
            me = client.request("GET", "/v1/acl/token/self")
            if me and me.get("Type") == "management":
                module.exit_json(changed=False, accessor_id=me.get("AccessorID"), name=me.get("Name"),
                                 msg="ACLs are already bootstrapped")
        except NomadError as exc:
            if exc.status not in (400, 403, 404):
                module.fail_nomad(exc)
    if module.check_mode:
        module.exit_json(**result)
    body = {"BootstrapSecret": params["bootstrap_secret"]} if params["bootstrap_secret"] else None
    try:
        resp = client.request("POST", "/v1/acl/bootstrap", body=body, idempotent=False)
    except NomadError as exc:
        if exc.status == 400 and "bootstrap" in exc.text.lower():
            module.exit_json(changed=False, msg="ACLs are already bootstrapped: %s" % exc.text)
        module.fail_nomad(exc)
    result.update(accessor_id=resp.get("AccessorID"), name=resp.get("Name"))
    _keep_secret(module, result, resp["SecretID"])
    module.exit_json(**result)


def named_token(module, client):
    params = module.params
    if params["type"] == "management" and (params["policies"] or params["roles"]):
        module.fail_json(msg="policies/roles: a management token takes no policies or roles")
    if params["type"] == "client" and not (params["policies"] or params["roles"]) and params["state"] == "present":
        module.fail_json(msg="policies: a client token needs at least one policy or role")
    ttl_ns = None
    if params["expiration_ttl"]:
        try:
            ttl_ns = parse_duration(params["expiration_ttl"])
        except ValueError as exc:
            module.fail_json(msg="expiration_ttl: %s" % exc)
    try:
        matches = [t for t in client.request("GET", "/v1/acl/tokens") or [] if t.get("Name") == params["name"]]
        if len(matches) > 1:
            module.fail_json(msg="name: %d tokens are named %r (accessors %s); names must be unique to manage a token"
                             % (len(matches), params["name"], ", ".join(t["AccessorID"] for t in matches)))
        current = None
        if matches:
            current = client.request("GET", "/v1/acl/token/%s" % matches[0]["AccessorID"])
            current.pop("SecretID", None)
        desired = {"Name": params["name"], "Type": params["type"], "Policies": params["policies"],
                   "Roles": [{"Name": r} for r in params["roles"]], "Global": params["global"]}
        live = None
        if current:
            live = dict(current, Roles=[{"Name": r.get("Name")} for r in current.get("Roles") or []])
        result = {"changed": False, "name": params["name"]}
        if params["state"] == "absent":
            result["changed"] = current is not None
            if current and not module.check_mode:
                client.request("DELETE", "/v1/acl/token/%s" % current["AccessorID"])
        else:
            diffs = ["(missing)"] if live is None else differences(desired, live)
            if live is not None:
                result["differences"] = diffs
            result["changed"] = bool(diffs)
            recreate = live is not None and "Global" in diffs
            if diffs and not module.check_mode:
                body = dict(desired)
                if live is None or recreate:
                    if recreate:
                        client.request("DELETE", "/v1/acl/token/%s" % current["AccessorID"])
                    if params["expiration_ttl"]:
                        body["ExpirationTTL"] = ttl_ns
                    resp = client.request("POST", "/v1/acl/token", body=body, idempotent=False)
                    _keep_secret(module, result, resp["SecretID"])
                else:
                    body["AccessorID"] = current["AccessorID"]
                    resp = client.request("POST", "/v1/acl/token/%s" % current["AccessorID"], body=body)
                result["accessor_id"] = resp.get("AccessorID")
            elif current:
                result["accessor_id"] = current.get("AccessorID")
    except NomadError as exc:
        module.fail_nomad(exc)
    if module._diff:
        public = ("Name", "Type", "Policies", "Roles", "Global")
        result["diff"] = {"before": {k: live.get(k) for k in public} if live else {},
                          "after": {k: desired[k] for k in public} if params["state"] == "present" else {}}
    module.exit_json(**result)


def main():
    module = NomadModule(
        argument_spec=dict(
            bootstrap=dict(type="bool", default=False),
            bootstrap_secret=dict(type="str", no_log=True),
            name=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            type=dict(type="str", choices=["client", "management"], default="client"),
            policies=dict(type="list", elements="str", default=[]),
            roles=dict(type="list", elements="str", default=[]),
            expiration_ttl=dict(type="str"),
            secret_file=dict(type="path"),
            **{"global": dict(type="bool", default=False)}
        ),
        required_if=[("bootstrap", False, ("name",))],
        supports_check_mode=True,
    )
    client = module.client()
    if module.params["bootstrap"]:
        bootstrap(module, client)
    named_token(module, client)


if __name__ == "__main__":
    main()
