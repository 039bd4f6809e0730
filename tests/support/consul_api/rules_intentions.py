"""service-intentions normalisation and validation (500 from Consul's RPC layer).

Sources (hashicorp/consul ``agent/structs/config_entry_intentions.go``, commit 05f6de69,
and ``config_entry_intentions_ce.go``; paraphrased):
- ``normalize`` (non-legacy write): default source Type "consul"; Precedence computed
  (``computeIntentionPrecedence``: 9/8 for an exact destination, 6/5 for ``*``, minus
  one for a ``*`` source); LegacyID, LegacyCreateTime, LegacyUpdateTime dropped;
  HTTP methods upper-cased; sources stably sorted by precedence, highest first. It runs
  before ``validate``, so indexes in error texts refer to the sorted list.
- ``validate``: the rules below, in Consul's order, first failure wins.
- ``validateIntentionWildcards``: ``*`` only as the whole name; no ``*`` in Peer.
- CE: a source SamenessGroup is refused (``validateSamenessGroup``).
- Our own rule (message text is ours, see README): L7 permissions need an HTTP-based
  destination protocol (service-intentions docs, "Interaction with other config entries").
"""
import json

from tests.support.consul_api.rules_common import (
    WILDCARD, META_VALUE_MAX, ValidationError, check_meta, quote)

ACTIONS = ("allow", "deny")
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE")
L7_PROTOCOLS = ("http", "http2", "grpc")
HEADER_MATCHES = ("Present", "Exact", "Prefix", "Suffix", "Regex")


def precedence(dest, src):
    """computeIntentionPrecedence in the default namespace: 9, 8, 6, 5."""
    top = 9 if dest != WILDCARD else 6
    return top - (1 if src == WILDCARD else 0)


def normalise(entry):
    """ServiceIntentionsConfigEntry.normalize(legacyWrite=False), in place."""
    sources = entry.get("Sources") or []
    for src in sources:
        src["Type"] = src.get("Type") or "consul"
        src["Precedence"] = precedence(entry.get("Name") or "", src.get("Name") or "")
        for key in ("LegacyID", "LegacyCreateTime", "LegacyUpdateTime"):
            src.pop(key, None)
        for perm in src.get("Permissions") or []:
            http = perm.get("HTTP") or {}
            if http.get("Methods"):
                http["Methods"] = [m.upper() for m in http["Methods"]]
    sources.sort(key=lambda s: -s["Precedence"])  # stable, like sort.SliceStable


def _wildcard_error(name):
    if name != WILDCARD and WILDCARD in name:
        return "Name: wildcard character '*' cannot be used with partial values"
    return None


def _check_http(prefix, http):
    paths = 0
    for key in ("PathExact", "PathPrefix"):
        if http.get(key):
            paths += 1
            if not http[key].startswith("/"):
                raise ValidationError("%s.%s doesn't start with '/': %s" % (prefix, key, json.dumps(http[key])))
    paths += 1 if http.get("PathRegex") else 0
    if paths > 1:
        raise ValidationError(prefix + " should only contain at most one of PathExact, PathPrefix, or PathRegex")
    parts = paths
    for k, header in enumerate(http.get("Header") or []):
        if not header.get("Name"):
            raise ValidationError("%s.Header[%d] missing required Name field" % (prefix, k))
        if sum(1 for f in HEADER_MATCHES if header.get(f)) != 1:
            raise ValidationError("%s.Header[%d] should only contain one of Present, Exact, Prefix, Suffix, "
                                  "or Regex" % (prefix, k))
        parts += 1
    if http.get("Methods"):
        seen = set()
        for method in http["Methods"]:
            if method not in HTTP_METHODS:
                raise ValidationError("%s.Methods contains an invalid method %s" % (prefix, quote(method)))
            if method in seen:
                raise ValidationError("%s.Methods contains %s more than once" % (prefix, quote(method)))
            seen.add(method)
        parts += 1
    if not parts:
        raise ValidationError(prefix + " should not be empty")


def _check_source(i, src, dest_is_wild):
    name = src.get("Name") or ""
    if not name:
        raise ValidationError("Sources[%d].Name is required" % i)
    if src.get("SamenessGroup"):
        raise ValidationError("Sources[%d].SamenessGroup: Sameness groups are a Consul Enterprise feature. " % i)
    err = _wildcard_error(name)
    if err:
        raise ValidationError("Sources[%d].%s" % (i, err))
    if WILDCARD in (src.get("Peer") or ""):
        raise ValidationError("Sources[%d].Peer: cannot use wildcard '*' in peer" % i)
    if len((src.get("Description") or "").encode()) > META_VALUE_MAX:
        raise ValidationError("Sources[%d].Description exceeds maximum length %d" % (i, META_VALUE_MAX))
    if src.get("LegacyMeta"):
        raise ValidationError("Sources[%d].LegacyMeta must be omitted" % i)
    perms = src.get("Permissions") or []
    action = src.get("Action") or ""
    if not perms and action not in ACTIONS:
        raise ValidationError("Sources[%d].Action must be set to 'allow' or 'deny'" % i)
    if perms and action:
        raise ValidationError("Sources[%d].Action must be omitted if Permissions are specified" % i)
    if perms and dest_is_wild:
        raise ValidationError("Sources[%d].Permissions cannot be specified on intentions with wildcarded "
                              "destinations" % i)
    if src.get("Type") != "consul":
        raise ValidationError("Sources[%d].Type must be set to 'consul'" % i)
    for j, perm in enumerate(perms):
        if perm.get("Action") not in ACTIONS:
            raise ValidationError("Sources[%d].Permissions[%d].Action must be set to 'allow' or 'deny'" % (i, j))
        prefix = "Sources[%d].Permissions[%d].HTTP" % (i, j)
        if perm.get("HTTP") is None:
            raise ValidationError(prefix + " is required")
        _check_http(prefix, perm["HTTP"])


def _protocol_of(service, lookup):
    defaults = lookup("service-defaults", service)
    if defaults and defaults.get("Protocol"):
        return defaults["Protocol"]
    proxy = lookup("proxy-defaults", "global")
    return str(((proxy or {}).get("Config") or {}).get("protocol", "tcp"))


def validate(entry, lookup):
    """ServiceIntentionsConfigEntry.validate(legacyWrite=False) on a normalised entry."""
    name = entry.get("Name") or ""
    if not name:
        raise ValidationError("Name is required")
    err = _wildcard_error(name)
    if err:
        raise ValidationError(err)
    check_meta(entry.get("Meta"))
    sources = entry.get("Sources") or []
    if not sources:
        raise ValidationError("At least one source is required")
    seen = set()
    for i, src in enumerate(sources):
        _check_source(i, src, name == WILDCARD)
        key = (src.get("Peer") or "", src.get("SamenessGroup") or "", src["Name"])
        if key in seen:
            if key[0]:
                raise ValidationError("Sources[%d] defines peer(%s) %s more than once" % (i, quote(key[0]), quote(key[2])))
            raise ValidationError("Sources[%d] defines %s more than once" % (i, quote(key[2])))
        seen.add(key)
    if any(src.get("Permissions") for src in sources):
        protocol = _protocol_of(name, lookup)
        if protocol not in L7_PROTOCOLS:
            raise ValidationError('service "%s" has protocol "%s": L7 permissions in intentions need an '
                                  "HTTP-based protocol (http, http2, grpc) set by service-defaults or "
                                  "proxy-defaults (contract server rule)" % (name, protocol))
