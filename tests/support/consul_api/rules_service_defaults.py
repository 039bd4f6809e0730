"""service-defaults validation (500 from Consul's RPC layer).

Sources (hashicorp/consul ``agent/structs/config_entry.go``, commit b8458822; paraphrased):
- ``ServiceConfigEntry.Validate``: Name required and not ``*``; Meta limits;
  BalanceInboundConnections "" or "exact_balance"; UpstreamConfig and Destination are
  mutually exclusive; each upstream override/default checked by ``UpstreamConfig.validate``;
  Destination needs unique, valid addresses (IP or DNS name without ``*``) and a port in
  1..65535; RateLimits refused in CE (``config_entry_ce.go`` ``validateRatelimit``);
  MutualTLSMode checked last and returned alone.
- ``UpstreamConfig.validate``: overrides need a Name that is not ``*``; Defaults must
  have no Name; ``PassiveHealthCheck.Validate``; ``UpstreamLimits.Validate``;
  BalanceOutboundConnections "" or "exact_balance".
- ``ServiceConfigEntry.Normalize``: Protocol (also upstream Protocol) lower-cased,
  negative upstream ConnectTimeoutMs becomes 0.
Everything except the Name checks and MutualTLSMode is collected into one multierror.
"""
import ipaddress

from tests.support.consul_api.rules_common import (
    WILDCARD, ValidationError, check_mutual_tls_mode, meta_errors, multierror, raise_all)

BALANCE_MODES = ("", "exact_balance")
PORT_MIN, PORT_MAX = 1, 65535
DNS_LABEL_MAX, DNS_NAME_MAX = 63, 255


def normalise(entry):
    """ServiceConfigEntry.Normalize / UpstreamConfig.normalize, in place."""
    if entry.get("Protocol"):
        entry["Protocol"] = entry["Protocol"].lower()
    upstreams = entry.get("UpstreamConfig") or {}
    for cfg in list(upstreams.get("Overrides") or []) + [upstreams.get("Defaults")]:
        if not cfg:
            continue
        if cfg.get("Protocol"):
            cfg["Protocol"] = cfg["Protocol"].lower()
        if (cfg.get("ConnectTimeoutMs") or 0) < 0:
            cfg["ConnectTimeoutMs"] = 0


def passive_health_check_error(phc):
    """PassiveHealthCheck.Validate; durations are nanoseconds here. Returns str or None."""
    if (phc.get("Interval") or 0) < 0:
        return "passive health check interval cannot be negative"
    if phc.get("EnforcingConsecutive5xx") is not None and phc["EnforcingConsecutive5xx"] > 100:
        return "passive health check enforcing_consecutive_5xx must be a percentage between 0 and 100"
    if phc.get("MaxEjectionPercent") is not None and phc["MaxEjectionPercent"] > 100:
        return "passive health check max_ejection_percent must be a percentage between 0 and 100"
    if phc.get("BaseEjectionTime") is not None and phc["BaseEjectionTime"] < 0:
        return "passive health check base_ejection_time cannot be negative"
    return None


def limits_error(limits):
    """UpstreamLimits.Validate. Returns str or None."""
    for key, what in (("MaxConnections", "max connections"), ("MaxPendingRequests", "max pending requests"),
                      ("MaxConcurrentRequests", "max concurrent requests")):
        if limits.get(key) is not None and limits[key] < 0:
            return "%s cannot be negative" % what
    return None


def upstream_error(cfg, named):
    """UpstreamConfig.validate(named): the error text, or None when valid."""
    name = cfg.get("Name") or ""
    if named:
        if not name:
            return "Name is required"
        if name == WILDCARD:
            return "Wildcard name is not supported"
    elif name:
        return "Name must be empty"
    errors = []
    if cfg.get("PassiveHealthCheck") is not None:
        errors.append(passive_health_check_error(cfg["PassiveHealthCheck"]))
    if cfg.get("Limits") is not None:
        errors.append(limits_error(cfg["Limits"]))
    balance = cfg.get("BalanceOutboundConnections") or ""
    if balance not in BALANCE_MODES:
        errors.append("invalid value for balance_outbound_connections: %s" % balance)
    errors = [e for e in errors if e]
    return multierror(errors) if errors else None


def is_domain_name(text):
    """Loose ``dns.IsDomainName`` (miekg/dns): non-empty labels of at most 63 bytes, 255 in all."""
    if not text:
        return False
    if text == ".":
        return True
    labels = (text[:-1] if text.endswith(".") else text).split(".")
    return len(text.encode()) <= DNS_NAME_MAX and all(0 < len(l.encode()) <= DNS_LABEL_MAX for l in labels)


def address_error(address):
    """validateEndpointAddress: an IP (net.ParseIP) or a DNS name without ``*``."""
    try:
        ipaddress.ip_address(address)
        return None
    except ValueError:
        pass
    if is_domain_name(address) and WILDCARD not in address:
        return None
    return "Could not validate address %s as an IP or Hostname" % address


def destination_errors(dest):
    errors = []
    addresses = dest.get("Addresses") or []
    if not addresses:
        errors.append("Destination must contain at least one valid address")
    seen = set()
    for address in addresses:
        if address in seen:
            errors.append("Duplicate address '%s' is not allowed" % address)
            continue
        seen.add(address)
        err = address_error(address)
        if err:
            errors.append("Destination address '%s' is invalid %s" % (address, err))
    port = dest.get("Port") or 0
    if port < PORT_MIN or port > PORT_MAX:
        errors.append("Invalid Port number %d" % port)
    return errors


def validate(entry):
    """ServiceConfigEntry.Validate on a decoded, normalised entry; raises ValidationError."""
    name = entry.get("Name") or ""
    if not name:
        raise ValidationError("Name is required")
    if name == WILDCARD:
        raise ValidationError("service-defaults name must be the name of a service, and not a wildcard")
    if WILDCARD in name:  # stricter than Consul: a partial wildcard is never a service name
        raise ValidationError('invalid name "%s": wildcards are not allowed (contract server rule)' % name)
    errors = meta_errors(entry.get("Meta"))
    balance = entry.get("BalanceInboundConnections") or ""
    if balance not in BALANCE_MODES:
        errors.append("invalid value for balance_inbound_connections: %s" % balance)
    upstreams, dest = entry.get("UpstreamConfig"), entry.get("Destination")
    if upstreams is not None and dest is not None:
        errors.append("UpstreamConfig and Destination are mutually exclusive for service defaults")
        raise_all(errors)
    if upstreams is not None:
        for override in upstreams.get("Overrides") or []:
            err = upstream_error(override, named=True)
            if err:
                errors.append("error in upstream override for %s: %s" % (override.get("Name") or "", err))
        if upstreams.get("Defaults") is not None:
            err = upstream_error(upstreams["Defaults"], named=False)
            if err:
                errors.append("error in upstream defaults: %s" % err)
    if dest is not None:
        errors += destination_errors(dest)
    if entry.get("RateLimits") is not None:
        errors.append("invalid rate_limit config. Rate limiting is a consul enterprise feature")
    check_mutual_tls_mode(entry.get("MutualTLSMode"))
    raise_all(errors)
