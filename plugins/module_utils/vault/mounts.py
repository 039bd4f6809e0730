# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enable / tune / disable a mount: shared by vault_auth_method and vault_secrets_engine.

``kind`` is ``auth`` (sys/auth) or ``secrets`` (sys/mounts). Only the settings a caller
gives are compared; the type of an existing mount is never changed in place.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.compare import as_seconds, desired_changes
from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import seconds_or_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError

_SYS = {"auth": "sys/auth", "secrets": "sys/mounts"}
_NORMALISERS = {
    "default_lease_ttl": as_seconds,
    "max_lease_ttl": as_seconds,
    "listing_visibility": lambda v: v or "hidden",
    "description": lambda v: v or "",
    "options": lambda v: {str(k): str(x) for k, x in (v or {}).items()},
}
TUNABLE = ("description", "default_lease_ttl", "max_lease_ttl", "listing_visibility", "options")


# Options every mount tunes; paired with the doc fragment agentfleet.hashistack.vault.mount_tuning.
MOUNT_TUNING_ARGS = dict(
    description=dict(type="str"),
    default_lease_ttl=dict(type="raw"),
    max_lease_ttl=dict(type="raw"),
    listing_visibility=dict(type="str", choices=["unauth", "hidden"]),
)


def mount_view(entry):
    """The comparable part of a sys/auth or sys/mounts entry (server noise dropped)."""
    if entry is None:
        return None
    config = entry.get("config") or {}
    return {
        "type": entry.get("type"),
        "description": entry.get("description") or "",
        "default_lease_ttl": config.get("default_lease_ttl", 0),
        "max_lease_ttl": config.get("max_lease_ttl", 0),
        "listing_visibility": config.get("listing_visibility") or "hidden",
        "options": {str(k): str(v) for k, v in (entry.get("options") or {}).items()},
    }


def desired_view(params, type_name, options=None):
    """Desired settings from module params; ``None`` values stay unmanaged."""
    desired = {
        "type": type_name,
        "description": params.get("description"),
        "default_lease_ttl": seconds_or_duration(params.get("default_lease_ttl"), "default_lease_ttl", whole_days=True),
        "max_lease_ttl": seconds_or_duration(params.get("max_lease_ttl"), "max_lease_ttl", whole_days=True),
        "listing_visibility": params.get("listing_visibility"),
        "options": options,
    }
    return desired


def option_changes(current_options, wanted):
    """Options are compared per key given (server may add its own)."""
    if not wanted:
        return {}
    current_options = current_options or {}
    return {k: str(v) for k, v in wanted.items() if str(current_options.get(k)) != str(v)}


def read_mount(client, kind, path):
    listing = client.get(_SYS[kind], action=f"list {kind} mounts") or {}
    mounts = listing.get("data") or listing
    return mount_view(mounts.get(path.strip("/") + "/"))


def plan(current, desired):
    """``(action, changes)`` with action in none/enable/tune; raises on a type change."""
    if current is None:
        return "enable", {k: (None, v) for k, v in desired.items() if v is not None}
    if desired["type"] and current["type"] != desired["type"]:
        raise VaultModuleError(
            f"type: the mount is of type {current['type']!r}, not {desired['type']!r}; "
            "a mount's type cannot change in place (disable it with state=absent first; that deletes its data)")
    wanted = {k: v for k, v in desired.items() if k in TUNABLE and k != "options"}
    changes = desired_changes(current, wanted, _NORMALISERS)
    opts = option_changes(current.get("options"), desired.get("options"))
    if opts:
        changes["options"] = (current.get("options"), opts)
    return ("tune" if changes else "none"), changes


def apply(client, kind, path, action, desired, changes):
    base = f"{_SYS[kind]}/{path.strip('/')}"
    if action == "enable":
        config = {k: desired[k] for k in ("default_lease_ttl", "max_lease_ttl", "listing_visibility")
                  if desired.get(k) is not None}
        body = {"type": desired["type"], "config": config}
        if desired.get("description") is not None:
            body["description"] = desired["description"]
        if desired.get("options"):
            body["options"] = {k: str(v) for k, v in desired["options"].items()}
        client.post(base, body, action=f"enable {kind} mount {path!r}")
    elif action == "tune":
        body = {k: after for k, (_before, after) in changes.items()}
        client.post(f"{base}/tune", body, action=f"tune {kind} mount {path!r}")


def disable(client, kind, path):
    client.delete(f"{_SYS[kind]}/{path.strip('/')}", action=f"disable {kind} mount {path!r}")


def manage_mount(module, client, kind, type_name, options=None):
    """The whole present/absent flow; returns the module result."""
    params = module.params
    path = params["path"].strip("/")
    if not path:
        raise VaultModuleError(f"path: {params['path']!r} is empty")
    current = read_mount(client, kind, path)
    result = {"changed": False, "path": path, "mount": current or {}}
    if params["state"] == "absent":
        if current is None:
            return result
        result.update(changed=True, mount={})
        if module._diff:
            result["diff"] = {"before": current, "after": {}}
        if not module.check_mode:
            disable(client, kind, path)
        return result
    if not type_name and current is None:
        raise VaultModuleError("type is required to enable a new mount")
    desired = desired_view(params, type_name or (current or {}).get("type"), options)
    action, changes = plan(current, desired)
    if action == "none":
        return result
    after = dict(current or {})
    for key, (_before, value) in changes.items():
        after[key] = dict(after.get("options") or {}, **value) if key == "options" else value
    result.update(changed=True, mount=after, operation=action)
    if module._diff:
        result["diff"] = {"before": current or {}, "after": after}
    if not module.check_mode:
        apply(client, kind, path, action, desired, changes)
        result["mount"] = read_mount(client, kind, path) or {}
    return result
