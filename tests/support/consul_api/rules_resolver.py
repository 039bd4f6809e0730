"""service-resolver validation (500 from Consul's RPC layer).

Sources (hashicorp/consul ``agent/structs/config_entry_discoverychain.go``, commit
01668230, ``ServiceResolverConfigEntry.Validate`` and ``validateServiceSubset``;
paraphrased). Checks in Consul's order, first failure wins: Name required; Meta limits;
subset names are DNS labels (lower-case alphanumerics and ``-``, at most 63) and their
Filter compiles (checked by ``filter_syntax``, simpler than go-bexpr); DefaultSubset
names a subset; Redirect rules; Failover rules per subset; timeouts not negative;
LoadBalancer policy and hash policies. Consul CE, default partition only.
Stricter than Consul: a Name containing ``*`` is refused (message is ours).
"""
import re

from tests.support.consul_api import filter_syntax
from tests.support.consul_api.rules_common import (
    WILDCARD, ValidationError, check_meta, go_duration_string, quote)

SUBSET_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
SUBSET_MAX = 63
LB_POLICIES = ("", "random", "round_robin", "least_request", "ring_hash", "maglev")
HASH_BASED = ("ring_hash", "maglev")
HASH_FIELDS = ("header", "cookie", "query_parameter")


def subset_error(name):
    """validateServiceSubset: str or None."""
    if not name or len(name) > SUBSET_MAX:
        return "must be non-empty and 63 characters or fewer"
    if not SUBSET_RE.match(name):
        return ("must be 63 characters or fewer, begin or end with lower case alphanumeric characters, "
                "and contain lower case alphanumeric characters or '-' in between")
    return None


def _check_subsets(subsets):
    for name, subset in subsets.items():
        if name == "":
            raise ValidationError("Subset defined with empty name")
        err = subset_error(name)
        if err:
            raise ValidationError("Subset %s is invalid: %s" % (quote(name), err))
        if subset.get("Filter"):
            try:
                filter_syntax.check(subset["Filter"])
            except filter_syntax.FilterSyntaxError as exc:
                raise ValidationError("Filter for subset %s is not a valid expression: %s (contract server "
                                      "syntax check)" % (quote(name), exc))


def _check_redirect(entry, is_subset):
    r = entry["Redirect"]
    if entry.get("Failover"):
        raise ValidationError("Redirect and Failover cannot both be set")
    if not any(r.get(k) for k in ("Service", "ServiceSubset", "Datacenter", "Peer")):
        raise ValidationError("Redirect is empty")
    service, subset, peer, dc = (r.get(k) or "" for k in ("Service", "ServiceSubset", "Peer", "Datacenter"))
    if peer and subset:
        raise ValidationError("Redirect.Peer cannot be set with Redirect.ServiceSubset")
    if peer and dc:
        raise ValidationError("Redirect.Peer cannot be set with Redirect.Datacenter")
    if not service:
        if subset:
            raise ValidationError("Redirect.ServiceSubset defined without Redirect.Service")
        if peer:
            raise ValidationError("Redirect.Peer defined without Redirect.Service")
    elif subset and service == entry["Name"] and not is_subset(subset):
        raise ValidationError("Redirect.ServiceSubset %s is not a valid subset of %s" % (quote(subset), quote(entry["Name"])))


def _check_failover(entry, key, failover, is_subset):
    prefix = "Bad Failover[%s]: " % quote(key)
    if key != WILDCARD and not is_subset(key):
        raise ValidationError(prefix + "not a valid subset subset")
    service, subset = failover.get("Service") or "", failover.get("ServiceSubset") or ""
    datacenters, targets = failover.get("Datacenters") or [], failover.get("Targets") or []
    if not (service or subset or datacenters or targets):
        raise ValidationError(prefix + "one of Service, ServiceSubset, Namespace, Targets, or Datacenters is required")
    if subset and service in ("", entry["Name"]) and not is_subset(subset):
        raise ValidationError("%sServiceSubset %s is not a valid subset of %s" % (prefix, quote(subset), quote(service)))
    for other, present in (("Datacenters", datacenters), ("ServiceSubset", subset), ("Service", service)):
        if present and targets:
            raise ValidationError("Bad Failover[%s]: Targets cannot be set with %s" % (quote(key), other))
    for i, target in enumerate(targets):
        tprefix = "Bad Failover[%s].Targets[%d]: " % (quote(key), i)
        tpeer, tsubset = target.get("Peer") or "", target.get("ServiceSubset") or ""
        if tpeer and tsubset:
            raise ValidationError(tprefix + "Peer cannot be set with ServiceSubset")
        if tpeer and target.get("Datacenter"):
            raise ValidationError(tprefix + "Peer cannot be set with Datacenter")
        if tsubset and (target.get("Service") or "") in ("", entry["Name"]) and not is_subset(tsubset):
            raise ValidationError("%sServiceSubset %s is not a valid subset of %s" % (tprefix, quote(tsubset),
                                                                                      quote(entry["Name"])))
    if any(dc == "" for dc in datacenters):
        raise ValidationError("Bad Failover[%s].Datacenters: found empty datacenter" % quote(key))


def _check_load_balancer(lb):
    policy = lb.get("Policy") or ""
    if policy not in LB_POLICIES:
        raise ValidationError("Bad LoadBalancer policy: %s is not supported" % quote(policy))
    if policy != "ring_hash" and lb.get("RingHashConfig") is not None:
        raise ValidationError("Bad LoadBalancer configuration. RingHashConfig specified for incompatible load "
                              "balancing policy %s" % quote(policy))
    if policy != "least_request" and lb.get("LeastRequestConfig") is not None:
        raise ValidationError("Bad LoadBalancer configuration. LeastRequestConfig specified for incompatible load "
                              "balancing policy %s" % quote(policy))
    hash_policies = lb.get("HashPolicies") or []
    if policy not in HASH_BASED and hash_policies:
        raise ValidationError("Bad LoadBalancer configuration: HashPolicies specified for non-hash-based Policy: %s"
                              % quote(policy))
    for i, hp in enumerate(hash_policies):
        prefix = "Bad LoadBalancer HashPolicy[%d]: " % i
        field, value = hp.get("Field") or "", hp.get("FieldValue") or ""
        if field and field not in HASH_FIELDS:
            raise ValidationError(prefix + "%s is not a supported field" % quote(field))
        if hp.get("SourceIP") and field:
            raise ValidationError(prefix + "A single hash policy cannot hash both a source address and a %s"
                                  % quote(field))
        if hp.get("SourceIP") and value:
            raise ValidationError(prefix + "A FieldValue cannot be specified when hashing SourceIP")
        if field and not value:
            raise ValidationError(prefix + "Field %s was specified without a FieldValue" % quote(field))
        if value and not field:
            raise ValidationError(prefix + "FieldValue requires a Field to apply to")
        cookie = hp.get("CookieConfig")
        if cookie is not None:
            if field != "cookie":
                raise ValidationError(prefix + "cookie_config provided for %s" % quote(field))
            if cookie.get("Session") and cookie.get("TTL"):
                raise ValidationError(prefix + "a session cookie cannot have an associated TTL")


def validate(entry):
    """ServiceResolverConfigEntry.Validate on a decoded entry (durations in nanoseconds)."""
    name = entry.get("Name") or ""
    if not name:
        raise ValidationError("Name is required")
    if WILDCARD in name:
        raise ValidationError('invalid name "%s": wildcards are not allowed (contract server rule)' % name)
    check_meta(entry.get("Meta"))
    subsets = entry.get("Subsets") or {}
    _check_subsets(subsets)

    def is_subset(subset):
        return subset in subsets

    if entry.get("DefaultSubset") and not is_subset(entry["DefaultSubset"]):
        raise ValidationError("DefaultSubset %s is not a valid subset" % quote(entry["DefaultSubset"]))
    if entry.get("Redirect") is not None:
        _check_redirect(entry, is_subset)
    for key, failover in (entry.get("Failover") or {}).items():
        _check_failover(entry, key, failover, is_subset)
    for key in ("ConnectTimeout", "RequestTimeout"):
        if (entry.get(key) or 0) < 0:
            raise ValidationError("Bad %s '%s', must be >= 0" % (key, go_duration_string(entry[key])))
    if entry.get("LoadBalancer") is not None:
        _check_load_balancer(entry["LoadBalancer"])
