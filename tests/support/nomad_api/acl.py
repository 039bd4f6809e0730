"""Nomad ACL policy rules and capability checks.

Follows the "ACL Policy Specification" docs page (namespace rules with
``policy``/``capabilities`` and ``variables { path "..." {...} }``, glob
namespace names with the closest match winning, ``node``/``agent``/``operator``/
``quota``/``plugin`` coarse policies, ``deny`` overriding everything) and
acl/policy.go's expansion of namespace policies into capabilities.
"""
import fnmatch

from . import hcl

NS_READ = ["list-jobs", "parse-job", "read-job", "csi-list-volume", "csi-read-volume",
           "read-job-scaling", "list-scaling-policies", "read-scaling-policy",
           "host-volume-read"]
NS_WRITE = NS_READ + ["scale-job", "submit-job", "dispatch-job", "read-logs", "read-fs",
                      "alloc-exec", "alloc-lifecycle", "csi-mount-volume",
                      "csi-write-volume", "submit-recommendation", "host-volume-register"]
NS_SCALE = ["list-scaling-policies", "read-scaling-policy", "read-job-scaling", "scale-job"]
NS_CAPS = set(NS_WRITE) | {"deny", "alloc-node-exec", "csi-register-plugin", "sentinel-override",
                           "host-volume-create", "host-volume-write", "host-volume-delete"}
VAR_CAPS = {"read", "write", "list", "destroy", "deny"}
COARSE = {"node", "agent", "operator", "quota", "plugin"}
LEVELS = {"deny": -1, "": 0, "list": 1, "read": 2, "write": 3}


class PolicyError(ValueError):
    """Rules that Nomad would refuse to store."""


def compile_rules(text):
    """Parse rules into {"namespaces": {glob: {"caps": set, "vars": {glob: set}}},
    "coarse": {name: level}}; raise PolicyError on a bad policy."""
    try:
        body = hcl.parse_rules(text)
    except hcl.HCLError as exc:
        raise PolicyError(f"Failed to parse ACL Policy: {exc}") from exc
    out = {"namespaces": {}, "coarse": {}}
    for labels, ns_body in body.blocks_of("namespace"):
        if len(labels) != 1:
            raise PolicyError("Failed to parse ACL Policy: namespace block needs one label")
        out["namespaces"][labels[0]] = _namespace(labels[0], ns_body)
    for kind, labels, inner in body.blocks:
        if kind == "namespace":
            continue
        if kind not in COARSE | {"host_volume", "node_pool"}:
            raise PolicyError(f"Failed to parse ACL Policy: unsupported block {kind!r}")
        if kind in COARSE:
            level = inner.attrs.get("policy", "")
            if level not in LEVELS or level == "list":
                raise PolicyError(f"Invalid {kind} policy: {level!r}")
            out["coarse"][kind] = level
    if not out["namespaces"] and not out["coarse"] and not body.blocks:
        raise PolicyError("Failed to parse ACL Policy: no rules")
    return out


def _namespace(name, body):
    policy = body.attrs.get("policy", "")
    caps = set(body.attrs.get("capabilities") or [])
    bad = caps - NS_CAPS
    if bad:
        raise PolicyError(f"Invalid namespace capabilities: {sorted(bad)}")
    var_caps = {}
    if policy == "read":
        caps |= set(NS_READ)
        var_caps["*"] = {"read", "list"}
    elif policy == "write":
        caps |= set(NS_WRITE)
        var_caps["*"] = {"read", "write", "list", "destroy"}
    elif policy == "scale":
        caps |= set(NS_SCALE)
    elif policy == "deny":
        caps.add("deny")
    elif policy != "":
        raise PolicyError(f"Invalid namespace policy: {policy!r} in namespace {name!r}")
    for _labels, vbody in body.blocks_of("variables"):
        for labels, pbody in vbody.blocks_of("path"):
            pcaps = set(pbody.attrs.get("capabilities") or [])
            if pcaps - VAR_CAPS:
                raise PolicyError(f"Invalid variable capabilities: {sorted(pcaps - VAR_CAPS)}")
            var_caps[labels[0]] = var_caps.get(labels[0], set()) | pcaps
    return {"caps": caps, "vars": var_caps}


def _closest(rules, name):
    """Exact match first, else the glob with the fewest non-matching characters."""
    if name in rules:
        return rules[name]
    best, best_score = None, None
    for glob, rule in rules.items():
        if fnmatch.fnmatchcase(name, glob):
            score = len(name) - len(glob.replace("*", ""))
            if best_score is None or score < best_score:
                best, best_score = rule, score
    return best


class ACL:
    """The merged capabilities of a token's compiled policies."""

    def __init__(self, compiled_policies, management=False):
        self.management = management
        self.namespaces = {}
        self.coarse = {}
        for compiled in compiled_policies:
            for glob, rule in compiled["namespaces"].items():
                merged = self.namespaces.setdefault(glob, {"caps": set(), "vars": {}})
                merged["caps"] |= rule["caps"]
                for path, caps in rule["vars"].items():
                    merged["vars"][path] = merged["vars"].get(path, set()) | caps
            for kind, level in compiled["coarse"].items():
                old = self.coarse.get(kind, "")
                if level == "deny" or old == "deny":
                    self.coarse[kind] = "deny"
                elif LEVELS[level] > LEVELS[old]:
                    self.coarse[kind] = level

    def allow_ns(self, namespace, capability):
        if self.management:
            return True
        rule = _closest(self.namespaces, namespace)
        if rule is None or "deny" in rule["caps"]:
            return False
        return capability in rule["caps"]

    def any_ns(self, namespace):
        if self.management:
            return True
        rule = _closest(self.namespaces, namespace)
        return bool(rule) and "deny" not in rule["caps"] and bool(rule["caps"] or rule["vars"])

    def allow_var(self, namespace, path, capability):
        if self.management:
            return True
        rule = _closest(self.namespaces, namespace)
        if rule is None or "deny" in rule["caps"]:
            return False
        caps = _closest(rule["vars"], path)
        return bool(caps) and "deny" not in caps and capability in caps

    def allow(self, kind, level):
        if self.management:
            return True
        have = self.coarse.get(kind, "")
        return have != "deny" and LEVELS[have] >= LEVELS[level]
