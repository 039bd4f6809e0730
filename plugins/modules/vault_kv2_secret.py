#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_kv2_secret
short_description: Write, soft-delete or destroy a KV version 2 secret without showing its values
version_added: 0.1.0
description:
  - With O(state=present), reads the latest version and writes a new version only when
    O(data) differs (so re-runs report no change and create no versions).
  - Values are never returned, logged or shown in diffs; diffs and results name only keys.
  - With O(state=absent), soft-deletes the latest version, or the O(versions) given (they can
    be undeleted). With O(state=destroyed), permanently destroys the O(versions) given, or,
    without O(versions), deletes the secret's metadata and every version.
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_vault
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.vault.auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Diffs list key names and which keys change, never values.
  idempotent:
    description: Re-running with the same data, or deleting what is already deleted, reports no change.
    support: full
  platform:
    platforms: posix
options:
  mount_point:
    description:
      - Path of the KV version 2 mount.
    type: str
    default: secret
  path:
    description:
      - Path of the secret inside the mount, for example V(agents/researcher/api).
    type: str
    required: true
  data:
    description:
      - The secret's key/value pairs. Required when O(state=present).
    type: dict
  cas:
    description:
      - Check-and-set. Write only if the current version equals this (V(0) means only if
        the secret does not exist yet). A mismatch fails the task and writes nothing.
    type: int
  versions:
    description:
      - Version numbers to soft-delete (O(state=absent)) or destroy (O(state=destroyed)).
    type: list
    elements: int
  state:
    description:
      - V(present) writes O(data), V(absent) soft-deletes, V(destroyed) destroys permanently.
    type: str
    choices: [present, absent, destroyed]
    default: present
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Store an agent's API key (written only when it changes)
  agentfleet.hashistack.vault_kv2_secret:
    mount_point: secret
    path: agents/researcher/llm
    data:
      api_key: "{{ researcher_api_key }}"

- name: Create once, never overwrite
  agentfleet.hashistack.vault_kv2_secret:
    path: agents/researcher/bootstrap
    data:
      seed: "{{ lookup('password', '/dev/null length=32') }}"
    cas: 0

- name: Destroy every version of a retired agent's secret
  agentfleet.hashistack.vault_kv2_secret:
    path: agents/retired/llm
    state: destroyed
"""

RETURN = r"""
version:
  description: The latest version after the task (the version that would be written, in check mode).
  returned: when the secret exists
  type: int
  sample: 3
keys:
  description: Names of the keys in the secret after the task (no values).
  returned: state is present
  type: list
  elements: str
  sample: [api_key]
changed_keys:
  description: Names of keys added, removed or given a new value (no values).
  returned: state is present
  type: list
  elements: str
  sample: [api_key]
versions:
  description: Versions deleted or destroyed by the task.
  returned: state is absent or destroyed
  type: list
  elements: int
  sample: [1, 2]
"""

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule


def _metadata(client, mount, path):
    body = client.get(f"{mount}/metadata/{path}", action=f"read metadata of {mount}/{path}")
    return (body or {}).get("data")


def _live_data(client, mount, path, meta):
    """The latest version's data, or None when missing, deleted or destroyed."""
    if not meta:
        return None
    latest = (meta.get("versions") or {}).get(str(meta.get("current_version")), {})
    if latest.get("deletion_time") or latest.get("destroyed"):
        return None
    body = client.get(f"{mount}/data/{path}", action=f"read {mount}/{path}")
    return ((body or {}).get("data") or {}).get("data")


def _current(client, mount, path):
    """(data, version) of the latest live version; works with a data-only read policy."""
    try:
        meta = _metadata(client, mount, path)
    except VaultModuleError as exc:
        if exc.status != 403:
            raise
        body = (client.get(f"{mount}/data/{path}", action=f"read {mount}/{path}") or {}).get("data") or {}
        return body.get("data"), (body.get("metadata") or {}).get("version", 0)
    return _live_data(client, mount, path, meta), (meta or {}).get("current_version", 0)


def _present(module, client, mount, path):
    params = module.params
    desired = params["data"]
    if desired is None:
        raise VaultModuleError("data is required when state=present")
    current, version = _current(client, mount, path)
    changed_keys = sorted(k for k in set(desired) | set(current or {})
                          if current is None or k not in current or k not in desired or current[k] != desired[k])
    result = {"changed": current is None or current != desired, "keys": sorted(desired),
              "changed_keys": changed_keys if current is None or current != desired else []}
    if version:
        result["version"] = version
    if not result["changed"]:
        return result
    if params["cas"] is not None and params["cas"] != version:
        raise VaultModuleError(
            f"cas: {params['cas']} does not match the current version {version} of {mount}/{path}; nothing written")
    if module._diff:
        result["diff"] = {
            "before": {"version": version, "keys": sorted(current or {})} if current is not None else {},
            "after": {"version": version + 1, "keys": sorted(desired), "changed_keys": changed_keys},
        }
    result["version"] = version + 1
    if module.check_mode:
        return result
    body = {"data": desired}
    if params["cas"] is not None:
        body["options"] = {"cas": params["cas"]}
    answer = client.post(f"{mount}/data/{path}", body, action=f"write {mount}/{path}") or {}
    result["version"] = (answer.get("data") or {}).get("version", result["version"])
    return result


def _remove(module, client, mount, path, meta):
    params = module.params
    state = params["state"]
    result = {"changed": False, "versions": []}
    if not meta:
        return result
    existing = meta.get("versions") or {}
    if state == "destroyed" and not params["versions"]:
        result.update(changed=True, versions=sorted(int(v) for v in existing))
        if not module.check_mode:
            client.delete(f"{mount}/metadata/{path}", action=f"destroy all versions of {mount}/{path}")
        return result
    wanted = params["versions"] or [meta.get("current_version")]
    unknown = [v for v in wanted if str(v) not in existing]
    if unknown:
        raise VaultModuleError(f"versions: {unknown} do not exist for {mount}/{path} (it has {sorted(map(int, existing))})")
    if state == "absent":
        todo = [v for v in wanted if not existing[str(v)].get("deletion_time") and not existing[str(v)].get("destroyed")]
    else:
        todo = [v for v in wanted if not existing[str(v)].get("destroyed")]
    result.update(changed=bool(todo), versions=sorted(todo), version=meta.get("current_version"))
    if module._diff and todo:
        result["diff"] = {"before": {"versions": sorted(todo), "state": "present"},
                          "after": {"versions": sorted(todo), "state": "deleted" if state == "absent" else state}}
    if todo and not module.check_mode:
        verb = "delete" if state == "absent" else "destroy"
        client.post(f"{mount}/{verb}/{path}", {"versions": sorted(todo)}, action=f"{verb} versions of {mount}/{path}")
    return result


def manage(module, client):
    params = module.params
    mount, path = params["mount_point"].strip("/"), params["path"].strip("/")
    if not path:
        raise VaultModuleError(f"path: {params['path']!r} is empty")
    if params["state"] == "present":
        return _present(module, client, mount, path)
    return _remove(module, client, mount, path, _metadata(client, mount, path))


def main():
    spec = dict(
        mount_point=dict(type="str", default="secret"),
        path=dict(type="str", required=True),
        data=dict(type="dict", no_log=True),
        cas=dict(type="int"),
        versions=dict(type="list", elements="int"),
        state=dict(type="str", default="present", choices=["present", "absent", "destroyed"]),
    )
    VaultModule(spec, required_if=[("state", "present", ["data"])]).run(manage)


if __name__ == "__main__":
    main()
