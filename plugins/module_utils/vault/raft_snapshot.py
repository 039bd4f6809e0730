# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Raft snapshots of Vault/OpenBao: the health gate, the file name, the file checks.

Used by the ``vault_raft_snapshot`` module. The server's rules followed here (OpenBao
and Vault share them):

- ``GET sys/seal-status`` answers while sealed and names the cluster once unsealed
  (``http/sys_seal.go``, ``handleSysSealStatusRaw``: ``initialized``, ``sealed``,
  ``cluster_name``).
- ``GET sys/leader`` says whether the cluster has an active node
  (``http/sys_leader.go``, ``handleSysLeaderGet``: ``leader_address`` is empty while
  no node is active).
- ``GET sys/storage/raft/autopilot/state`` is autopilot's view of the raft cluster
  (``vault/logical_system_raft.go``, ``handleStorageRaftAutopilotState``: ``healthy``
  is false when any voter is unhealthy; each server has ``healthy`` and ``status``).
- ``GET sys/storage/raft/snapshot`` streams a gzip snapshot; ``POST`` of the same path
  restores one taken from this cluster, ``sys/storage/raft/snapshot-force`` restores
  one whose keyring differs (``vault/logical_system_raft.go``,
  ``handleStorageRaftSnapshotRead`` / ``handleStorageRaftSnapshotWrite(force)``).
"""
from __future__ import annotations

import datetime
import os
import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError

SNAPSHOT_PATH = "sys/storage/raft/snapshot"
FORCE_PATH = "sys/storage/raft/snapshot-force"
SUFFIX = ".snap"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def raft_health(client):
    """Read the cluster's health: ``(facts, problems)``.

    ``facts``: dict with ``cluster_name`` (str), ``sealed`` (bool), ``leader`` (address,
    str, "" when none) and ``autopilot_healthy`` (bool or None when not read).
    ``problems``: list of sentences, empty when the cluster is fit for a snapshot or a
    restore (initialised, unsealed, a leader, autopilot healthy).
    """
    status = client.get("sys/seal-status", action="read seal status") or {}
    facts = {"cluster_name": status.get("cluster_name") or "", "sealed": bool(status.get("sealed")),
             "leader": "", "autopilot_healthy": None}
    if not status.get("initialized"):
        return facts, [f"the server at {client.url} is not initialised (run vault_init and vault_unseal)"]
    if status.get("sealed"):
        return facts, [f"the server at {client.url} is sealed (unseal it first: docs/runbooks/README.md)"]
    leader = client.get("sys/leader", action="read the cluster leader") or {}
    facts["leader"] = leader.get("leader_address") or ""
    problems = []
    if not facts["leader"]:
        problems.append("the cluster has no leader (no active node)")
    state = client.get("sys/storage/raft/autopilot/state", action="read raft autopilot state", missing_ok=False)
    data = (state or {}).get("data") or {}
    facts["autopilot_healthy"] = bool(data.get("healthy"))
    if not data.get("healthy"):
        sick = sorted(f"{name} ({server.get('status') or 'unknown'})"
                      for name, server in (data.get("servers") or {}).items() if not server.get("healthy"))
        problems.append("raft autopilot reports the cluster unhealthy"
                        + (": unhealthy servers " + ", ".join(sick) if sick else ""))
    if not facts["cluster_name"]:
        problems.append("the server did not report its cluster_name")
    return facts, problems


def snapshot_file_name(cluster_name, when):
    """``<cluster>-<YYYYmmddTHHMMSSZ>.snap`` for ``when`` (an aware datetime, shown in UTC).

    Characters other than letters, digits, ``.``, ``_`` and ``-`` in the cluster name
    become ``_`` so the name is always one plain file name.
    """
    safe = _UNSAFE.sub("_", cluster_name).strip("._") or "cluster"
    stamp = when.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{safe}-{stamp}{SUFFIX}"


def snapshot_file_facts(path):
    """``{"path", "size" (bytes), "modified" (UTC ISO 8601)}`` of a snapshot file to restore.

    Raises VaultModuleError naming the file when it is missing, not a regular file,
    unreadable or empty.
    """
    if not os.path.exists(path):
        raise VaultModuleError(f"src: {path} does not exist; give the path of a snapshot file "
                               f"written by the vault-snapshot runbook (*{SUFFIX})")
    if not os.path.isfile(path):
        raise VaultModuleError(f"src: {path} is not a regular file; give a snapshot file (*{SUFFIX})")
    if not os.access(path, os.R_OK):
        raise VaultModuleError(f"src: {path} is not readable by this user; fix its owner or mode (0600)")
    info = os.stat(path)
    if info.st_size == 0:
        raise VaultModuleError(f"src: {path} is empty; it is not a snapshot (take a new one)")
    modified = datetime.datetime.fromtimestamp(info.st_mtime, datetime.timezone.utc)
    return {"path": path, "size": info.st_size, "modified": modified.strftime("%Y-%m-%dT%H:%M:%SZ")}
