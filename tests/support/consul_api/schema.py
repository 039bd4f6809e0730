"""Field names, JSON types and validation of the config entry kinds the server models.

Sources (read with the search tools, paraphrased, not copied):
- Field names/types: hashicorp/consul ``api/config_entry.go`` (ServiceConfigEntry,
  ProxyConfigEntry, UpstreamConfiguration, UpstreamConfig, UpstreamLimits,
  PassiveHealthCheck, MeshGatewayConfig, TransparentProxyConfig, ExposeConfig),
  ``api/config_entry_intentions.go`` (ServiceIntentionsConfigEntry, SourceIntention,
  IntentionPermission, IntentionHTTPPermission, IntentionHTTPHeaderPermission) and
  ``api/config_entry_discoverychain.go`` (ServiceResolverConfigEntry: ConnectTimeout,
  RequestTimeout as Go duration strings via its MarshalJSON).
- Unknown keys: ``agent/structs/config_entry_ce.go`` ``validateUnusedKeys`` -> 400
  ``Request decoding failed: ... invalid config key "X"`` (keys ending in "namespace"
  get the "namespaces are a consul enterprise feature" text; CE is modelled).
- Normalisation and validation per kind live in ``rules_<kind>.py`` (each names its
  Consul source); ``normalise`` runs before ``validate``, as in Consul's
  ``ConfigEntry.Apply`` RPC (agent/consul/config_endpoint.go).

Deliberately stricter than Consul: only the canonical CamelCase JSON names are accepted
(Consul also matches case-insensitively and accepts snake_case aliases), and JSON types
must match (Consul decodes weakly, e.g. "5" for an int). The collection always sends
canonical names and types, so the stricter server holds it to that.
"""
import hashlib
import json
import re

from tests.support.consul_api import (
    rules_intentions, rules_proxy_defaults, rules_resolver, rules_service_defaults)
from tests.support.consul_api.rules_common import (  # noqa: F401 pylint: disable=unused-import
    ValidationError, go_duration_string, multierror)

STR, INT, UINT, BOOL, DURATION, ANY = "string", "int", "uint", "bool", "duration", "any"
# A pointer int: absent is emitted as null, 0 is kept (api: ``*int`` without omitempty).
PINT = "pint"
# A pointer unsigned int (structs: ``*uint32``): null allowed, negative refused on decoding.
PUINT = "puint"


def List(of):  # noqa: N802 - reads like a type
    return ("list", of)


def Map(of):  # noqa: N802
    return ("map", of)


MESH_GATEWAY = {"Mode": STR}
TRANSPARENT_PROXY = {"OutboundListenerPort": INT, "DialedDirectly": BOOL}
EXPOSE = {"Checks": BOOL, "Paths": List({"ListenerPort": INT, "Path": STR, "LocalPathPort": INT,
                                         "Protocol": STR, "ParsedFromCheck": BOOL})}
LIMITS = {"MaxConnections": PINT, "MaxPendingRequests": PINT, "MaxConcurrentRequests": PINT}
PASSIVE_HEALTH_CHECK = {"Interval": DURATION, "MaxFailures": UINT, "EnforcingConsecutive5xx": PUINT,
                        "MaxEjectionPercent": PUINT, "BaseEjectionTime": DURATION}
UPSTREAM = {"Name": STR, "Peer": STR, "EnvoyListenerJSON": STR, "EnvoyClusterJSON": STR,
            "Protocol": STR, "ConnectTimeoutMs": INT, "Limits": LIMITS,
            "PassiveHealthCheck": PASSIVE_HEALTH_CHECK, "MeshGateway": MESH_GATEWAY,
            "BalanceOutboundConnections": STR}
META = Map(STR)

SERVICE_DEFAULTS = {
    "Kind": STR, "Name": STR, "Protocol": STR, "Mode": STR, "TransparentProxy": TRANSPARENT_PROXY,
    "MutualTLSMode": STR, "MeshGateway": MESH_GATEWAY, "Expose": EXPOSE, "ExternalSNI": STR,
    "UpstreamConfig": {"Overrides": List(UPSTREAM), "Defaults": UPSTREAM},
    "Destination": {"Addresses": List(STR), "Port": INT},
    "MaxInboundConnections": INT, "LocalConnectTimeoutMs": INT, "LocalRequestTimeoutMs": INT,
    "BalanceInboundConnections": STR, "Meta": META,
    # Decoded so that Consul CE's refusal (validateRatelimit) can be answered.
    "RateLimits": {"InstanceLevel": {"RequestsPerSecond": INT, "RequestsMaxBurst": INT,
                                     "Routes": List({"PathExact": STR, "PathPrefix": STR, "PathRegex": STR,
                                                     "RequestsPerSecond": INT, "RequestsMaxBurst": INT})}},
}
PROXY_DEFAULTS = {
    "Kind": STR, "Name": STR, "Mode": STR, "TransparentProxy": TRANSPARENT_PROXY,
    "MutualTLSMode": STR, "Config": Map(ANY), "MeshGateway": MESH_GATEWAY, "Expose": EXPOSE,
    "Meta": META,
}
HTTP_PERMISSION = {"PathExact": STR, "PathPrefix": STR, "PathRegex": STR, "Methods": List(STR),
                   "Header": List({"Name": STR, "Present": BOOL, "Exact": STR, "Prefix": STR,
                                   "Suffix": STR, "Regex": STR, "Invert": BOOL})}
SOURCE = {"Name": STR, "Peer": STR, "SamenessGroup": STR, "Action": STR,
          "Permissions": List({"Action": STR, "HTTP": HTTP_PERMISSION}), "Precedence": INT,
          "Type": STR, "Description": STR, "LegacyID": STR, "LegacyMeta": META,
          "LegacyCreateTime": STR, "LegacyUpdateTime": STR}
SERVICE_INTENTIONS = {"Kind": STR, "Name": STR, "Sources": List(SOURCE), "Meta": META}
TARGET = {"Service": STR, "ServiceSubset": STR, "Datacenter": STR, "Peer": STR}
SERVICE_RESOLVER = {
    "Kind": STR, "Name": STR, "DefaultSubset": STR,
    "Subsets": Map({"Filter": STR, "OnlyPassing": BOOL}),
    "Redirect": dict(TARGET),
    "Failover": Map({"Service": STR, "ServiceSubset": STR, "Datacenters": List(STR),
                     "Targets": List(TARGET)}),
    "ConnectTimeout": DURATION, "RequestTimeout": DURATION,
    "LoadBalancer": {"Policy": STR, "RingHashConfig": {"MinimumRingSize": UINT, "MaximumRingSize": UINT},
                     "LeastRequestConfig": {"ChoiceCount": UINT},
                     "HashPolicies": List({"Field": STR, "FieldValue": STR, "SourceIP": BOOL, "Terminal": BOOL,
                                           "CookieConfig": {"Session": BOOL, "TTL": DURATION, "Path": STR}})},
    "Meta": META,
}
KINDS = {
    "service-defaults": SERVICE_DEFAULTS,
    "proxy-defaults": PROXY_DEFAULTS,
    "service-intentions": SERVICE_INTENTIONS,
    "service-resolver": SERVICE_RESOLVER,
}
# Kinds Consul knows but this server does not model (api/config_entry.go makeConfigEntry).
UNMODELLED_KINDS = ("service-router", "service-splitter", "ingress-gateway", "terminating-gateway",
                    "mesh", "exported-services", "sameness-group", "api-gateway", "http-route",
                    "tcp-route", "inline-certificate", "file-system-certificate", "jwt-provider")


class DecodeError(Exception):
    """400 ``Request decoding failed`` (bad keys or JSON types)."""


_DUR = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h)")
_UNIT = {"ns": 1, "us": 10 ** 3, "\u00b5s": 10 ** 3, "ms": 10 ** 6, "s": 10 ** 9, "m": 60 * 10 ** 9,
         "h": 3600 * 10 ** 9}


def parse_go_duration(text):
    """Go's ``time.ParseDuration`` -> nanoseconds (a leading sign is allowed)."""
    sign = -1 if text[:1] == "-" else 1
    body = text[1:] if text[:1] in "+-" and text else text
    if body == "0":
        return 0
    return sign * _parse_unsigned_duration(text, body)


def _parse_unsigned_duration(text, body):
    pos, total = 0, 0
    for m in _DUR.finditer(body):
        if m.start() != pos:
            break
        whole, frac = m.group(1).partition(".")[0], m.group(1).partition(".")[2]
        total += int(whole or 0) * _UNIT[m.group(2)] + (int(frac) * _UNIT[m.group(2)] // 10 ** len(frac) if frac else 0)
        pos = m.end()
    if pos != len(body) or not body:
        raise ValueError("time: invalid duration %s" % json.dumps(text))
    return total


# Go type names of decoded JSON values (encoding/json into interface{}), for mapstructure's texts.
_GO_TYPES = {dict: "map[string]interface {}", list: "[]interface {}", str: "string", bool: "bool",
             int: "float64", float: "float64", type(None): "<nil>"}


def _type_error(path, want, value):
    return "'%s' expected type '%s', got unconvertible type '%s', value: '%s'" % (
        path, want, _GO_TYPES.get(type(value), type(value).__name__), value)


def _decode(spec, value, path, unused, errors):
    if spec == ANY:
        return value
    if spec in (STR,):
        if not isinstance(value, str):
            errors.append(_type_error(path, "string", value))
        return value
    if spec in (INT, UINT, PINT, PUINT):
        if value is None and spec in (PINT, PUINT):
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
            errors.append(_type_error(path, "int", value))
            return value
        if spec in (UINT, PUINT) and value < 0:
            errors.append("cannot parse '%s', %s overflows uint" % (path, value))
        return int(value)
    if spec == BOOL:
        if not isinstance(value, bool):
            errors.append(_type_error(path, "bool", value))
        return value
    if spec == DURATION:
        if isinstance(value, str):
            try:
                return parse_go_duration(value)
            except ValueError as exc:
                errors.append("error decoding '%s': %s" % (path, exc))
                return 0
        if isinstance(value, (int, float)) and not isinstance(value, bool) and int(value) == value:
            return int(value)
        errors.append(_type_error(path, "time.Duration", value))
        return value
    if isinstance(spec, tuple) and spec[0] == "list":
        if not isinstance(value, list):
            errors.append(_type_error(path, "slice", value))
            return value
        return [_decode(spec[1], item, "%s[%d]" % (path, i), unused, errors) for i, item in enumerate(value)]
    if isinstance(spec, tuple) and spec[0] == "map":
        if not isinstance(value, dict):
            errors.append(_type_error(path, "map", value))
            return value
        return {k: _decode(spec[1], v, "%s[%s]" % (path, k), unused, errors) for k, v in value.items()}
    # struct
    if not isinstance(value, dict):
        errors.append(_type_error(path, "struct", value))
        return value
    out = {}
    for key, sub in value.items():
        sub_path = "%s.%s" % (path, key) if path else key
        if key not in spec:
            unused.append(sub_path)
            continue
        out[key] = _decode(spec[key], sub, sub_path, unused, errors)
    return out


def _unused_error(key):
    """validateUnusedKeys (config_entry_ce.go) for one unused key path."""
    if key in ("CreateIndex", "ModifyIndex", "Hash") or key.lower() == "kind":
        return None
    if key.lower().endswith("namespace"):
        return 'invalid config key "%s", namespaces are a consul enterprise feature' % key
    if "jwt" in key.lower():
        return 'invalid config key "%s", api-gateway jwt validation is a consul enterprise feature' % key
    return 'invalid config key "%s"' % key


def decode_entry(raw):
    """Raw JSON object -> (kind, decoded entry); DecodeError with Consul-like text."""
    if raw is None:  # JSON null decodes to an empty map in Consul
        raw = {}
    if not isinstance(raw, dict):
        # mapstructure decoding the JSON value into map[string]interface{} (decodeBodyDeprecated)
        raise DecodeError("Request decoding failed: '' expected a map, got '%s'" % (
            "slice" if isinstance(raw, list) else type(raw).__name__))
    kind = raw.get("Kind", raw.get("kind"))
    if kind is None:
        raise DecodeError("Request decoding failed: Payload does not contain a kind/Kind key at the top level")
    if not isinstance(kind, str):
        raise DecodeError("Request decoding failed: Kind value in payload is not a string")
    if kind not in KINDS:
        if kind in UNMODELLED_KINDS:
            raise DecodeError("Request decoding failed: config entry kind %s is not modelled by the "
                              "contract server" % kind)
        raise DecodeError("Request decoding failed: invalid config entry kind: %s" % kind)
    unused, errors = [], []
    body = {k: v for k, v in raw.items() if k not in ("CreateIndex", "ModifyIndex", "Hash")}
    entry = _decode(KINDS[kind], body, "", unused, errors)
    if errors:
        # mapstructure.Error: "N error(s) decoding:\n\n* a\n* b" (points sorted); unused keys
        # are only looked at after a successful decode (DecodeConfigEntry).
        raise DecodeError("Request decoding failed: %d error(s) decoding:\n\n%s" % (
            len(errors), "\n".join(sorted("* " + e for e in errors))))
    unused_errors = [e for e in (_unused_error(k) for k in unused) if e]
    if unused_errors:  # validateUnusedKeys collects into a go-multierror
        raise DecodeError("Request decoding failed: " + multierror(unused_errors))
    entry["Kind"] = kind
    return kind, entry


# -- normalisation and validation per kind (rules_<kind>.py) -------------------------
def normalise(entry):
    """What Consul's ``Normalize`` does before validating and storing (in place); may raise
    ValidationError (proxy-defaults name)."""
    kind = entry["Kind"]
    if kind == "service-defaults":
        rules_service_defaults.normalise(entry)
    elif kind == "proxy-defaults":
        rules_proxy_defaults.normalise(entry)
    elif kind == "service-intentions":
        rules_intentions.normalise(entry)
    return entry


def validate(entry, lookup):
    """Raise ValidationError; ``lookup(kind, name)`` reads stored entries (for L7 checks)."""
    kind = entry["Kind"]
    if kind == "service-defaults":
        rules_service_defaults.validate(entry)
    elif kind == "proxy-defaults":
        rules_proxy_defaults.validate(entry)
    elif kind == "service-intentions":
        rules_intentions.validate(entry, lookup)
    elif kind == "service-resolver":
        rules_resolver.validate(entry)


def _with_upstream_defaults(up):
    up = dict(up)
    up.setdefault("MeshGateway", {})
    if "Limits" in up:
        up["Limits"] = {k: up["Limits"].get(k) for k in LIMITS}
    if "PassiveHealthCheck" in up:
        phc = dict(up["PassiveHealthCheck"])
        phc.setdefault("MaxFailures", 0)  # no omitempty in the struct
        if not phc.get("Interval"):
            phc.pop("Interval", None)
        up["PassiveHealthCheck"] = phc
    return up


def render(entry, create_index, modify_index):
    """The JSON Consul would answer for a stored entry (structs' JSON encoding)."""
    out = json.loads(json.dumps(entry))
    kind = out["Kind"]
    if kind in ("service-defaults", "proxy-defaults"):
        for key in ("TransparentProxy", "MeshGateway", "Expose"):
            out.setdefault(key, {})  # non-pointer structs: never omitted
    if kind == "service-defaults" and "UpstreamConfig" in out:
        uc = out["UpstreamConfig"]
        if "Defaults" in uc:
            uc["Defaults"] = _with_upstream_defaults(uc["Defaults"])
        if "Overrides" in uc:
            uc["Overrides"] = [_with_upstream_defaults(o) for o in uc["Overrides"]]
    if kind == "service-resolver":
        for key in ("ConnectTimeout", "RequestTimeout"):
            if out.get(key):
                out[key] = go_duration_string(out[key])
            else:
                out.pop(key, None)
    digest = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).digest()
    out["Hash"] = int.from_bytes(digest[:8], "big")
    out["CreateIndex"] = create_index
    out["ModifyIndex"] = modify_index
    return out
