"""Minimal Consul ACL model: tokens, rules, and the checks the config API makes.

Follows the ACL rules reference (developer.hashicorp.com/consul/docs/security/acl/acl-rules):
- ``service "<name>"`` (exact) beats the longest matching ``service_prefix "<p>"``;
- a service rule's ``intentions`` defaults to ``read`` when its ``policy`` is read/write
  (acl/policy_authorizer.go ``loadRules``), otherwise deny;
- ``operator``, ``mesh``, ``keyring`` and ``acl`` are top-level levels; default policy is deny;
- a token made through the ACL API (acl_api.py) gets the merged rules of its policies.
Required permissions per kind follow the table in api-docs/config: service-intentions
needs intentions:write/read on the destination, service-defaults and service-resolver
service:write/read, proxy-defaults mesh:write or operator:write (read needs none).
Denials: 403 ``Permission denied: token with AccessorID '<id>' lacks permission
'<resource>:<level>' on "<name>"``; an unknown token: 403 ``ACL not found``.

Rules are a dict ``{"service": {name: {"policy", "intentions"}}, "service_prefix": {...},
"operator": level, "mesh": level}`` or the HCL subset of the same (blocks and
``key = "value"`` attributes only).
"""
import re
import uuid

LEVELS = {"deny": 0, "read": 1, "write": 2}
ANONYMOUS_ACCESSOR = "00000000-0000-0000-0000-000000000002"
_BLOCK = re.compile(r'(service|service_prefix)\s+"([^"]*)"\s*\{([^{}]*)\}')
_ATTR = re.compile(r'([a-z_]+)\s*=\s*"([^"]*)"')


class PermissionDenied(Exception):
    pass


TOP_LEVEL = ("operator", "mesh", "keyring", "acl")


def parse_rules(rules, defaults=True):
    """HCL subset or dict -> normalised dict; ValueError on anything else.
    ``defaults=False`` leaves out the top-level rules not written (for merging)."""
    parsed = {"service": {}, "service_prefix": {}}
    if isinstance(rules, dict):
        for key, value in rules.items():
            if key in ("service", "service_prefix"):
                parsed[key] = {name: dict(rule) for name, rule in value.items()}
            elif key in TOP_LEVEL:
                parsed[key] = value
            else:
                raise ValueError("unsupported rule %r" % key)
    else:
        text = re.sub(r"#[^\n]*", "", rules)
        for kind, name, body in _BLOCK.findall(text):
            rule = dict(_ATTR.findall(body))
            leftover = _ATTR.sub("", body).strip()
            if leftover:
                raise ValueError("cannot parse rule body %r" % leftover)
            parsed[kind][name] = rule
        rest = _BLOCK.sub("", text)
        for key, value in _ATTR.findall(rest):
            if key not in TOP_LEVEL:
                raise ValueError("unsupported rule %r" % key)
            parsed[key] = value
        if _ATTR.sub("", rest).strip():
            raise ValueError("cannot parse rules %r" % _ATTR.sub("", rest).strip())
    for kind in ("service", "service_prefix"):
        for name, rule in parsed[kind].items():
            for attr, level in rule.items():
                if attr not in ("policy", "intentions") or level not in LEVELS:
                    raise ValueError("bad %s %r rule %s=%r" % (kind, name, attr, level))
    for key in TOP_LEVEL:
        if key in parsed and parsed[key] not in LEVELS:
            raise ValueError("bad %s level %r" % (key, parsed[key]))
        if defaults:
            parsed.setdefault(key, "deny")
    return parsed


class Token:
    def __init__(self, secret, rules=None, management=False):
        self.secret = secret
        self.accessor = str(uuid.uuid4())
        self.management = management
        self.rules = parse_rules(rules or {})
        self.policy_links = None  # [{"ID", "Name"}] for tokens of the ACL API (acl_api.py)
        self.meta = {}  # Description, CreateTime, CreateIndex, ... (acl_api.py)

    def _service_rule(self, name):
        if name in self.rules["service"]:
            return self.rules["service"][name]
        best = None
        for prefix in self.rules["service_prefix"]:
            if name.startswith(prefix) and (best is None or len(prefix) > len(best)):
                best = prefix
        return self.rules["service_prefix"].get(best) if best is not None else None

    def level(self, resource, name=""):
        if self.management:
            return LEVELS["write"]
        if resource in TOP_LEVEL:
            return LEVELS[self.rules[resource]]
        rule = self._service_rule(name) or {}
        policy = rule.get("policy", "deny")
        if resource == "service":
            return LEVELS[policy]
        intentions = rule.get("intentions") or ("read" if policy in ("read", "write") else "deny")
        return LEVELS[intentions]


class ACLStore:
    def __init__(self, enabled=True):
        self.enabled = enabled
        self.tokens = {}
        self.policies = {}  # ID -> policy (acl_api.py); global-management is built in
        initial = self.add(management=True)  # the initial management token
        initial.policy_links = [{"ID": "00000000-0000-0000-0000-000000000001", "Name": "global-management"}]
        initial.meta = {"Description": "Initial Management Token", "CreateIndex": 1, "ModifyIndex": 1}
        self.management_token = initial.secret

    def add(self, rules=None, management=False, secret=None):
        token = Token(secret or str(uuid.uuid4()), rules, management)
        self.tokens[token.secret] = token
        return token

    def resolve(self, secret):
        """Token for a secret; None means anonymous. PermissionDenied for unknown secrets."""
        if not self.enabled:
            return Token("", management=True)
        if not secret:
            anon = Token("", {})
            anon.accessor = ANONYMOUS_ACCESSOR
            return anon
        if secret not in self.tokens:
            raise PermissionDenied("ACL not found")
        token = self.tokens[secret]
        if token.policy_links is not None:  # the current rules of its policies
            from tests.support.consul_api import acl_api
            acl_api.refresh(self, token)
        return token


def _deny(token, perm, name):
    on = ' on "%s"' % name if name else ""
    raise PermissionDenied("Permission denied: token with AccessorID '%s' lacks permission '%s'%s"
                           % (token.accessor, perm, on))


def authorize(token, kind, name, write):
    """Raise PermissionDenied unless ``token`` may read/write ``kind``/``name``."""
    need = LEVELS["write" if write else "read"]
    verb = "write" if write else "read"
    if kind == "service-intentions":
        if token.level("intentions", name) < need:
            _deny(token, "intentions:" + verb, name)
    elif kind == "proxy-defaults":
        if write and token.level("mesh") < need and token.level("operator") < need:
            _deny(token, "mesh:write", "")
    else:
        if token.level("service", name) < need:
            _deny(token, "service:" + verb, name)
