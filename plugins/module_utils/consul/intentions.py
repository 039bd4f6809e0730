# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build a service-intentions config entry from an agent-friendly spec. Plain Python.

The checks mirror Consul's own validation of service-intentions
(agent/structs/config_entry_intentions.go, ``validate``) so bad input is refused
before anything is written, with the offending option path and value named.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.consul.entries import EntryError

KIND = "service-intentions"
WILDCARD = "*"
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
HEADER_MATCHERS = ("present", "exact", "prefix", "suffix", "regex")


def _check_name(path, name):
    if not isinstance(name, str) or not name:
        raise EntryError(path, "a service name is required, got %r" % (name,))
    if name != WILDCARD and WILDCARD in name:
        raise EntryError(path, "wildcard '*' cannot be used with partial values, got %r" % (name,))


def _permission(path, perm):
    action = perm.get("action")
    if action not in ("allow", "deny"):
        raise EntryError(path + ".action", "must be 'allow' or 'deny', got %r" % (action,))
    http = {}
    paths = [k for k in ("path_exact", "path_prefix", "path_regex") if perm.get(k)]
    if len(paths) > 1:
        raise EntryError(path, "set at most one of path_exact, path_prefix, path_regex; got %s"
                         % ", ".join("%s=%r" % (k, perm[k]) for k in paths))
    for key, field in (("path_exact", "PathExact"), ("path_prefix", "PathPrefix"), ("path_regex", "PathRegex")):
        value = perm.get(key)
        if not value:
            continue
        if key != "path_regex" and not str(value).startswith("/"):
            raise EntryError("%s.%s" % (path, key), "must start with '/', got %r" % (value,))
        http[field] = value
    methods = perm.get("methods") or []
    seen = set()
    for i, method in enumerate(methods):
        upper = str(method).upper()
        if upper not in HTTP_METHODS:
            raise EntryError("%s.methods[%d]" % (path, i), "not an HTTP method: %r (one of %s)"
                             % (method, ", ".join(HTTP_METHODS)))
        if upper in seen:
            raise EntryError("%s.methods[%d]" % (path, i), "method %r listed more than once" % (method,))
        seen.add(upper)
    if methods:
        http["Methods"] = [str(m).upper() for m in methods]
    headers = []
    for i, hdr in enumerate(perm.get("headers") or []):
        hpath = "%s.headers[%d]" % (path, i)
        if not hdr.get("name"):
            raise EntryError(hpath + ".name", "a header name is required")
        used = [k for k in HEADER_MATCHERS if hdr.get(k)]
        if len(used) != 1:
            raise EntryError(hpath, "set exactly one of %s; got %s" % (", ".join(HEADER_MATCHERS), used or "none"))
        out = {"Name": hdr["name"], used[0].capitalize(): hdr[used[0]]}
        if hdr.get("invert"):
            out["Invert"] = True
        headers.append(out)
    if headers:
        http["Header"] = headers
    if not http:
        raise EntryError(path, "an HTTP permission needs a path_exact, path_prefix, path_regex, "
                         "methods or headers match; got none")
    return {"Action": action, "HTTP": http}


def _identity(src):
    return (src.get("peer") or "", src.get("namespace") or "", src.get("partition") or "", src["name"])


def build_intentions(destination, sources=None, allow=None, deny=None, meta=None):
    """Return the config entry for ``destination``; raise EntryError on bad input.

    ``sources``: dicts with ``name`` and either ``action`` or ``permissions`` (L7), plus
    optional ``description``, ``peer``, ``namespace``, ``partition``.
    ``allow``/``deny``: plain source names (L4 allow/deny). Every source appears once.
    """
    _check_name("destination", destination)
    items = [("allow[%d]" % i, {"name": n, "action": "allow"}) for i, n in enumerate(allow or [])]
    items += [("deny[%d]" % i, {"name": n, "action": "deny"}) for i, n in enumerate(deny or [])]
    items += [("sources[%d]" % i, dict(s)) for i, s in enumerate(sources or [])]
    if not items:
        raise EntryError("sources", "at least one source is required (allow, deny or sources); "
                         "use state=absent to remove all intentions of %r" % (destination,))
    seen = {}
    built = []
    for path, src in items:
        _check_name(path + (".name" if path.startswith("sources") else ""), src.get("name"))
        key = _identity(src)
        if key in seen:
            raise EntryError(path, "source %r is listed twice (also at %s)" % (src["name"], seen[key]))
        seen[key] = path
        out = {"Name": src["name"]}
        perms = src.get("permissions") or []
        action = src.get("action")
        if perms and action:
            raise EntryError(path + ".action", "omit action when permissions are given "
                             "(each permission has its own action); got %r" % (action,))
        if not perms and action not in ("allow", "deny"):
            raise EntryError(path + ".action", "must be 'allow' or 'deny' when no permissions "
                             "are given, got %r" % (action,))
        if perms and destination == WILDCARD:
            raise EntryError(path + ".permissions", "L7 permissions cannot be used with the "
                             "wildcard destination '*'")
        if action:
            out["Action"] = action
        if perms:
            out["Permissions"] = [_permission("%s.permissions[%d]" % (path, j), p) for j, p in enumerate(perms)]
        for key_in, key_out in (("description", "Description"), ("peer", "Peer"),
                                ("namespace", "Namespace"), ("partition", "Partition")):
            if src.get(key_in):
                out[key_out] = src[key_in]
        built.append(out)
    # Consul keeps sources ordered by precedence (exact names before '*').
    built.sort(key=lambda s: s["Name"] == WILDCARD)
    entry = {"Kind": KIND, "Name": destination, "Sources": built}
    if meta:
        entry["Meta"] = dict(meta)
    return entry


def default_deny_entry(meta=None):
    """The fleet-wide default deny: destination '*' denies source '*'."""
    return build_intentions(WILDCARD, deny=[WILDCARD], meta=meta)


def precedence(destination, source_name):
    """Consul's precedence for exact/wildcard names (default namespace): 9, 8, 6, 5."""
    top = 9 if destination != WILDCARD else 6
    return top - (1 if source_name == WILDCARD else 0)
