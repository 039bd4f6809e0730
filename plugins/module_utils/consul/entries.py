# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Config entries as comparable data: normalise, diff, redact. Plain Python.

Normalising brings what the user asks for and what Consul answers to one form:
- server-added fields go (CreateIndex, ModifyIndex, Hash, CreatedAt, UpdatedAt);
- zero values of non-pointer Go fields go (``0``, ``False``, ``""``, ``{}``, ``[]``,
  ``null``), because Consul cannot tell them from "not set"; pointer fields whose zero
  is meaningful (upstream limits, EnforcingConsecutive5xx) keep their 0;
- ``Namespace``/``Partition`` equal to ``default`` go (Enterprise echoes them);
- durations become Go strings (Consul answers some as integer nanoseconds);
- service-intentions: the server-computed ``Precedence`` and the default source
  ``Type: consul`` go, HTTP methods are upper-cased, sources are ordered by identity
  (Consul re-orders them by precedence; order between sources has no meaning).
Free-form maps (``Meta``, proxy ``Config``, extension ``Arguments``) are kept as given.
"""
from __future__ import annotations

import copy
import hashlib
import json

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import canonical as canonical_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.text_window import window

# Every kind Consul knows (api/config_entry*.go); the contract server models a subset.
KNOWN_KINDS = (
    "service-defaults", "proxy-defaults", "service-router", "service-splitter",
    "service-resolver", "ingress-gateway", "terminating-gateway", "service-intentions",
    "mesh", "exported-services", "sameness-group", "api-gateway",
    "http-route", "tcp-route", "inline-certificate", "file-system-certificate",
    "jwt-provider",
)
SERVER_FIELDS = frozenset(("CreateIndex", "ModifyIndex", "Hash", "CreatedAt", "UpdatedAt"))
# Values are user data: kept verbatim, keys not checked for CamelCase.
OPAQUE_FIELDS = frozenset(("Meta", "Config", "LegacyMeta", "Arguments"))
# Maps keyed by user-chosen names whose values are structs (service-resolver).
NAMED_MAPS = frozenset(("Subsets", "Failover"))
# Pointer fields in Consul's structs: 0 differs from "not set".
KEEP_ZERO = frozenset((
    "MaxConnections", "MaxPendingRequests", "MaxConcurrentRequests",
    "EnforcingConsecutive5xx", "MaxEjectionPercent",
))
DURATION_FIELDS = frozenset(("Interval", "ConnectTimeout", "RequestTimeout", "BaseEjectionTime"))
SECRET_FIELDS = frozenset(("PrivateKey",))
REDACTED = "<redacted>"
VALUE_WIDTH = 60  # characters of each side of a changed value in ``differences``


class EntryError(ValueError):
    """Bad desired entry; ``path`` names the offending field."""

    def __init__(self, path, message):
        super().__init__("%s: %s" % (path, message))
        self.path = path


def _empty(value):
    return value is None or value == "" or value == {} or value == [] or value is False


def _norm(value, key, path):
    if key in OPAQUE_FIELDS:
        return copy.deepcopy(value)
    if key in DURATION_FIELDS and isinstance(value, (str, int)) and not isinstance(value, bool):
        try:
            text = canonical_duration(value)
            return None if text == "0s" else text  # Go omits zero durations (omitempty)
        except ValueError as exc:
            raise EntryError(path, str(exc))
    if isinstance(value, dict):
        out = {}
        for sub_key, sub_val in value.items():
            if key not in NAMED_MAPS and sub_key in SERVER_FIELDS:
                continue
            sub_path = "%s.%s" % (path, sub_key) if path else sub_key
            norm = _norm(sub_val, "" if key in NAMED_MAPS else sub_key, sub_path)
            if sub_key in ("Namespace", "Partition") and norm == "default":
                continue
            if _empty(norm) or (norm == 0 and not isinstance(norm, bool) and sub_key not in KEEP_ZERO):
                continue
            out[sub_key] = norm
        return out
    if isinstance(value, list):
        return [_norm(item, key + "[]", "%s[%d]" % (path, i)) for i, item in enumerate(value)]
    return value


def _source_identity(src):
    return tuple(str(src.get(k, "")) for k in ("Peer", "SamenessGroup", "Partition", "Namespace", "Name"))


def _norm_intentions(entry):
    sources = []
    for src in entry.get("Sources", []) or []:
        src = dict(src)
        src.pop("Precedence", None)
        if src.get("Type") == "consul":
            src.pop("Type")
        for perm in src.get("Permissions", []) or []:
            http = perm.get("HTTP") or {}
            if http.get("Methods"):
                http["Methods"] = [str(m).upper() for m in http["Methods"]]
        sources.append(src)
    if sources:
        entry["Sources"] = sorted(sources, key=_source_identity)
    return entry


def normalise(entry):
    """Comparable copy of a config entry (see module docstring)."""
    if entry is None:
        return None
    out = _norm(dict(entry), "", "")
    if out.get("Kind") == "service-intentions":
        out = _norm_intentions(out)
    return out


def check_field_names(value, path="config", key=""):
    """Raise EntryError for keys that are not Consul's CamelCase JSON names."""
    if key in OPAQUE_FIELDS:
        return
    if isinstance(value, dict):
        for sub_key, sub_val in value.items():
            sub_path = "%s.%s" % (path, sub_key)
            if key not in NAMED_MAPS and not (isinstance(sub_key, str) and sub_key[:1].isupper()):
                raise EntryError(sub_path, "use Consul's CamelCase JSON field names (e.g. "
                                 "UpstreamConfig, not upstream_config); got key %r" % (sub_key,))
            check_field_names(sub_val, sub_path, "" if key in NAMED_MAPS else sub_key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_field_names(item, "%s[%d]" % (path, i), key)


def redact(value):
    """Copy with secret fields (e.g. inline-certificate PrivateKey) masked."""
    if isinstance(value, dict):
        return {k: (REDACTED if k in SECRET_FIELDS and v else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def differences(before, after, path=""):
    """Human-readable list of changed paths between two normalised entries: ``path: added``,
    ``path: removed`` or ``path: <old JSON> -> <new JSON>`` (each side at most VALUE_WIDTH
    characters, cut around the first difference; secret fields only ``path: changed``)."""
    out = []
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            sub = "%s.%s" % (path, key) if path else key
            if key not in before:
                out.append("%s: added" % sub)
            elif key not in after:
                out.append("%s: removed" % sub)
            else:
                out.extend(differences(before[key], after[key], sub))
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (b_item, a_item) in enumerate(zip(before, after)):
            out.extend(differences(b_item, a_item, "%s[%d]" % (path, i)))
    elif before != after:
        if any(k in SECRET_FIELDS for k in path.replace("[", ".").split(".")):
            out.append("%s: changed" % path)
        else:
            old, new = window(json.dumps(before, sort_keys=True), json.dumps(after, sort_keys=True), VALUE_WIDTH)
            out.append("%s: %s -> %s" % (path, old, new))
    return out


def fingerprint(entry):
    """Stable short hash of a normalised entry (for logs; never of secrets in clear)."""
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
