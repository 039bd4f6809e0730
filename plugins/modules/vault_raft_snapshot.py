#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vault_raft_snapshot
short_description: Save or restore a raft snapshot of a Vault or OpenBao cluster
version_added: 0.1.0
description:
  - Checks the cluster first and refuses to go on when it is not initialised, sealed, has no
    leader, or raft autopilot reports it unhealthy (C(sys/seal-status), C(sys/leader),
    C(sys/storage/raft/autopilot/state)). Nothing is read or written then.
  - O(state=saved) downloads a snapshot (C(GET /sys/storage/raft/snapshot)) into O(dest),
    a folder on the target host, as C(<cluster_name>-<YYYYmmddTHHMMSSZ>.snap) (UTC), mode
    C(0600), written atomically (a reader never sees a partial file). The whole download
    is bounded by O(timeout).
  - O(state=restored) uploads the snapshot file O(src) (C(POST /sys/storage/raft/snapshot)),
    replacing ALL data of the cluster with the snapshot's. With O(force=true) it uses
    C(sys/storage/raft/snapshot-force), which also accepts a snapshot from another cluster
    (whose unseal keys then apply); this is dangerous and rarely right.
  - The token needs C(read) on C(sys/storage/raft/snapshot) and C(sys/storage/raft/autopilot/state)
    to save, and C(update) on the snapshot path to restore (in practice a C(sudo)-level operator token).
extends_documentation_fragment:
  - agentfleet.hashistack.attributes.actiongroup_vault
  - agentfleet.hashistack.vault
  - agentfleet.hashistack.retries
  - agentfleet.hashistack.vault.auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The health check runs; O(state=saved) returns the file it would write,
      O(state=restored) the file it would restore (size and time). Nothing is downloaded,
      uploaded or written.
  diff_mode:
    support: none
  idempotent:
    description: Each run saves a new snapshot or restores the file again.
    support: none
  platform:
    platforms: posix
options:
  state:
    description:
      - V(saved) takes a snapshot into O(dest); V(restored) restores O(src).
    type: str
    choices: [saved, restored]
    required: true
  dest:
    description:
      - Folder for the new snapshot file (created with mode C(0700) when missing). Required with O(state=saved).
    type: path
  src:
    description:
      - Snapshot file to restore. Required with O(state=restored).
    type: path
  force:
    description:
      - Restore through C(snapshot-force), accepting a snapshot taken from a different cluster.
        DANGEROUS, the cluster's data and keyring are replaced by the snapshot's. Only with O(state=restored).
    type: bool
    default: false
notes:
  - Integrated (raft) storage only.
seealso:
  - module: agentfleet.hashistack.vault_unseal
author:
  - agentfleet maintainers (@agentfleet)
"""

EXAMPLES = r"""
- name: Save a snapshot on the controller
  agentfleet.hashistack.vault_raft_snapshot:
    state: saved
    dest: "{{ playbook_dir }}/../build/snapshots"
  delegate_to: localhost

- name: Restore it
  agentfleet.hashistack.vault_raft_snapshot:
    state: restored
    src: /srv/snapshots/vault-cluster-1a2b3c4d-20261129T231500Z.snap
"""

RETURN = r"""
cluster_name:
  description: The cluster's name (C(sys/seal-status)).
  returned: always
  type: str
  sample: vault-cluster-1a2b3c4d
path:
  description: The snapshot file written (or, in check mode, that would be written) or restored.
  returned: always
  type: str
  sample: /srv/snapshots/vault-cluster-1a2b3c4d-20261129T231500Z.snap
size:
  description: Size of the snapshot file in bytes (not returned for O(state=saved) in check mode).
  returned: when known
  type: int
  sample: 16921
modified:
  description: Last modification time of O(src), UTC ISO 8601.
  returned: state=restored
  type: str
  sample: "2026-11-29T23:15:00Z"
forced:
  description: Whether the restore used C(snapshot-force).
  returned: state=restored
  type: bool
  sample: false
"""

import datetime
import os

from ansible_collections.agentfleet.hashistack.plugins.module_utils.atomic_file import write_atomic
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.raft_snapshot import (
    FORCE_PATH,
    SNAPSHOT_PATH,
    raft_health,
    snapshot_file_facts,
    snapshot_file_name,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault._module import VaultModule


def _save(module, client, result):
    dest = module.params["dest"]
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise VaultModuleError(f"dest: {dest} exists and is not a folder; give a folder for the snapshot files")
    path = os.path.join(dest, snapshot_file_name(result["cluster_name"], datetime.datetime.now(datetime.timezone.utc)))
    result.update(changed=True, path=path)
    if module.check_mode:
        return result
    data = client.get_bytes(SNAPSHOT_PATH, action="download the raft snapshot")
    if not data:
        raise VaultModuleError("download the raft snapshot: the server sent an empty body; nothing was written")
    try:
        write_atomic(path, data, mode=0o600, make_parents=True)
    except OSError as exc:
        raise VaultModuleError(f"dest: cannot write {path}: {exc.strerror or exc}") from None
    result["size"] = len(data)
    return result


def _restore(module, client, result):
    facts = snapshot_file_facts(module.params["src"])
    result.update(changed=True, forced=module.params["force"], **facts)
    if module.check_mode:
        return result
    try:
        with open(facts["path"], "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise VaultModuleError(f"src: cannot read {facts['path']}: {exc.strerror or exc}") from None
    path = FORCE_PATH if module.params["force"] else SNAPSHOT_PATH
    client.post_bytes(path, data, action=f"restore the raft snapshot {facts['path']}")
    return result


def manage(module, client):
    params = module.params
    if params["force"] and params["state"] != "restored":
        raise VaultModuleError("force: only used with state=restored; remove it")
    facts, problems = raft_health(client)
    if problems:
        raise VaultModuleError("refusing to %s: %s" % (
            "take a snapshot" if params["state"] == "saved" else "restore a snapshot", "; ".join(problems)))
    result = {"changed": False, "cluster_name": facts["cluster_name"]}
    if params["state"] == "saved":
        return _save(module, client, result)
    return _restore(module, client, result)


def main():
    spec = dict(
        state=dict(type="str", required=True, choices=["saved", "restored"]),
        dest=dict(type="path"),
        src=dict(type="path"),
        force=dict(type="bool", default=False),
    )
    VaultModule(spec, required_if=[("state", "saved", ["dest"]), ("state", "restored", ["src"])],
                mutually_exclusive=[("dest", "src")]).run(manage)


if __name__ == "__main__":
    main()
