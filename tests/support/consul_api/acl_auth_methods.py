"""ACL auth methods and binding rules for the Consul contract server (CE, stdlib only).

Endpoints (agent/acl_endpoint.go, ACLAuthMethod* / ACLBindingRule* handlers):
- ``GET /v1/acl/auth-methods``: stubs of every method; ``GET /v1/acl/auth-method/:name``:
  the method or 404 ``Requested auth method does not exist``;
  ``PUT /v1/acl/auth-method[/:name]``: create or update (a name in the URL and a different
  ``Name`` in the body: 400 ``AuthMethod Name in URL and payload do not match``), answers
  the method; ``DELETE /v1/acl/auth-method/:name``: ``true`` (its binding rules go too).
- ``GET /v1/acl/binding-rules[?authmethod=NAME]``, ``GET /v1/acl/binding-rule/:id``
  (404 ``Requested binding rule does not exist``), ``PUT /v1/acl/binding-rule[/:id]``
  (create with a new ID, or update an existing one), ``DELETE /v1/acl/binding-rule/:id``.
Bodies are decoded strictly (unknown fields: 400 ``AuthMethod decoding failed: ...`` /
``BindingRule decoding failed: ...``). Reads need ``acl:read`` and writes ``acl:write``
(agent/consul/acl_endpoint.go), from the token's ``acl`` rule or a management token; denials are
403 ``Permission denied: token with AccessorID '<id>' lacks permission 'acl:<level>'``.
Validation errors come from the RPC and are 500, as Consul's HTTP wrapper answers them.

Validation (agent/consul/acl_endpoint.go ``AuthMethodSet`` / ``BindingRuleSet``,
agent/structs/acl.go ``ACLAuthMethod`` / ``ACLBindingRule``; the jwt type's config:
internal/go-sso/oidcauth/config.go ``Config.Validate``):
- method Name ``^[a-zA-Z0-9_-]{1,128}$``; Type ``jwt`` (``oidc`` and ``kubernetes`` are
  refused here as not modelled); Type cannot change on update; TokenLocality "", local or
  global; MaxTokenTTL 0 or between 1m and 24h (a Go duration string or nanoseconds);
- jwt Config: only the documented keys; no OIDC-flow keys; exactly one of JWKSURL,
  JWTValidationPubKeys, OIDCDiscoveryURL; JWKSCACert only with JWKSURL; algorithms from
  RS/ES/PS 256/384/512; claim mapping targets unique. Like Consul, the JWKS URL is FETCHED
  when the method is written (with JWKSCACert as the only trusted CA when given) and must
  answer a JSON Web Key Set;
- binding rule: AuthMethod set and existing; BindType service, node, role, policy or
  templated-policy; BindName set, each ``${...}`` naming ``value.<claim mapping target>``;
  Selector a go-bexpr expression whose selectors are ``value``/``value.<target>`` or
  ``list``/``list.<list target>``.
"""
import json
import re
import ssl
import uuid
import urllib.error
import urllib.request

from tests.support.consul_api import filter_syntax

PREFIXES = ("/v1/acl/auth-method", "/v1/acl/binding-rule")
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
_METHOD_FIELDS = {"Name", "Type", "DisplayName", "Description", "MaxTokenTTL", "TokenLocality",
                  "Config", "CreateIndex", "ModifyIndex"}
_RULE_FIELDS = {"ID", "Description", "AuthMethod", "Selector", "BindType", "BindName",
                "BindVars", "CreateIndex", "ModifyIndex"}
_JWT_KEYS = {"JWKSURL", "JWKSCACert", "JWTValidationPubKeys", "OIDCDiscoveryURL",
             "OIDCDiscoveryCACert", "BoundIssuer", "BoundAudiences", "ClaimMappings",
             "ListClaimMappings", "JWTSupportedAlgs", "ExpirationLeeway", "NotBeforeLeeway",
             "ClockSkewLeeway"}
_OIDC_ONLY = ("OIDCClientID", "OIDCClientSecret", "OIDCScopes", "OIDCACRValues",
              "AllowedRedirectURIs", "VerboseOIDCLogging")
_ALGS = {p + n for p in ("RS", "ES", "PS") for n in ("256", "384", "512")}
_BIND_TYPES = ("service", "node", "role", "policy", "templated-policy")
_DUR = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_NS = {"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}
_SELECTOR_WORDS = {"and", "or", "not", "in", "contains", "matches", "is", "empty", "true", "false"}
JWKS_TIMEOUT_S = 10


class RPCError(Exception):
    """A refusal: ``status`` and the reason text Consul answers."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def tables(state):
    """The auth-method and binding-rule tables kept on a ConsulState (made on first use)."""
    with state.lock:
        if not hasattr(state, "auth_methods"):
            state.auth_methods = {}    # name -> method dict
            state.binding_rules = {}   # ID -> rule dict
    return state.auth_methods, state.binding_rules


def route(state, token, method, path, query, raw):
    """Answer one request: (status, body, index); RPCError for a refusal."""
    methods, rules = tables(state)
    if not state.acl.enabled:  # agent/acl_endpoint.go checkACLDisabled
        raise RPCError(401, "ACL support disabled")
    if path == "/v1/acl/auth-methods" and method == "GET":
        _need(token, "read")
        with state.lock:
            return 200, [_stub(methods[n]) for n in sorted(methods)], state.index
    if path == "/v1/acl/binding-rules" and method == "GET":
        _need(token, "read")
        wanted = (query.get("authmethod") or [""])[0]
        with state.lock:
            out = [rules[i] for i in sorted(rules) if not wanted or rules[i]["AuthMethod"] == wanted]
            return 200, out, state.index
    for prefix, kind in (("/v1/acl/auth-method", "method"), ("/v1/acl/binding-rule", "rule")):
        if path != prefix and not path.startswith(prefix + "/"):
            continue
        key = path[len(prefix) + 1:]
        if method not in ("GET", "PUT", "DELETE"):
            raise RPCError(405, "method %s not allowed" % method)
        if not key and method != "PUT":
            raise RPCError(400, "Missing auth method name" if kind == "method" else "Missing binding rule ID")
        if kind == "method":
            return _method(state, token, method, key, raw)
        return _rule(state, token, method, key, raw)
    raise RPCError(404, "404 page not found")


def _need(token, level):
    """acl:read / acl:write (tests/support/consul_api/acl.py Token.level models ``acl``)."""
    if token.level("acl") < {"read": 1, "write": 2}[level]:
        raise RPCError(403, "Permission denied: token with AccessorID '%s' lacks permission 'acl:%s'"
                       % (token.accessor, level))


def _stub(m):
    keys = ("Name", "Type", "DisplayName", "Description", "MaxTokenTTL", "TokenLocality",
            "CreateIndex", "ModifyIndex")
    return {k: m[k] for k in keys}


def _decode(raw, fields, what):
    try:
        body = json.loads(raw.decode("utf-8") or "null")
    except ValueError as exc:
        raise RPCError(400, "%s decoding failed: %s" % (what, exc))
    if not isinstance(body, dict):
        raise RPCError(400, "%s decoding failed: json: cannot unmarshal into Go value of type structs.ACL%s"
                       % (what, what))
    unknown = sorted(set(body) - fields)
    if unknown:
        raise RPCError(400, '%s decoding failed: json: unknown field "%s"' % (what, unknown[0]))
    return body


def _method(state, token, verb, name, raw):
    methods, rules = tables(state)
    if verb == "GET":
        _need(token, "read")
        with state.lock:
            if name not in methods:
                raise RPCError(404, "Requested auth method does not exist")
            return 200, methods[name], state.index
    if verb == "DELETE":
        _need(token, "write")
        with state.lock:
            if methods.pop(name, None) is not None:
                for rid in [r for r, rule in rules.items() if rule["AuthMethod"] == name]:
                    del rules[rid]
                state.next_index()
        return 200, True, None
    body = _decode(raw, _METHOD_FIELDS, "AuthMethod")
    if name:
        if body.get("Name") and body["Name"] != name:
            raise RPCError(400, "AuthMethod Name in URL and payload do not match")
        body["Name"] = name
    _need(token, "write")
    method = validate_method(body, methods.get(body.get("Name") or ""))
    with state.lock:
        old = methods.get(method["Name"])
        index = state.next_index()
        method["CreateIndex"] = old["CreateIndex"] if old else index
        method["ModifyIndex"] = index
        methods[method["Name"]] = method
    return 200, method, None


def _duration_ns(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text in ("", "0"):
            return 0
        pos, total = 0, 0.0
        for m in _DUR.finditer(text):
            if m.start() != pos:
                break
            total += float(m.group(1)) * _NS[m.group(2)]
            pos = m.end()
        if pos == len(text):
            return int(total)
    raise RPCError(400, "AuthMethod decoding failed: time: invalid duration %s" % json.dumps(value))


def _go_duration(ns):
    """Go's time.Duration.String() for whole seconds (what Consul answers for MaxTokenTTL)."""
    if ns == 0:
        return "0s"
    secs = ns // 10**9
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return ("%dh%dm%ds" % (h, m, s)) if h else (("%dm%ds" % (m, s)) if m else "%ds" % s)


def validate_method(body, old):
    """The stored form of an auth method, or RPCError (500) naming what is wrong."""
    name = body.get("Name") or ""
    if not name:
        raise RPCError(500, "Invalid Auth Method: no Name is set")
    if not _NAME.match(name):
        raise RPCError(500, "Invalid Auth Method: invalid Name. Only alphanumeric characters, "
                            "'-' and '_' are allowed.")
    mtype = body.get("Type") or ""
    if old is not None and mtype != old["Type"]:
        raise RPCError(500, "Invalid Auth Method: cannot change the Type (from %r to %r)"
                       % (old["Type"], mtype))
    if mtype != "jwt":
        raise RPCError(500, "Invalid Auth Method: Type should be one of: [jwt] "
                            "(the contract server models jwt only; got %r)" % mtype)
    locality = body.get("TokenLocality") or ""
    if locality not in ("", "local", "global"):
        raise RPCError(500, "Invalid Auth Method: TokenLocality should be one of 'local' or 'global'")
    ttl = _duration_ns(body.get("MaxTokenTTL") or 0)
    if ttl and not 60 * 10**9 <= ttl <= 24 * 3600 * 10**9:
        raise RPCError(500, "Invalid Auth Method: MaxTokenTTL %s cannot be less than 1m0s or "
                            "more than 24h0m0s" % _go_duration(ttl))
    config = body.get("Config") or {}
    if not isinstance(config, dict):
        raise RPCError(400, "AuthMethod decoding failed: Config must be an object")
    validate_jwt_config(config)
    return {"Name": name, "Type": mtype, "DisplayName": body.get("DisplayName") or "",
            "Description": body.get("Description") or "", "MaxTokenTTL": _go_duration(ttl),
            "TokenLocality": locality, "Config": config}


def _invalid(text):
    raise RPCError(500, "Invalid Auth Method: " + text)


def validate_jwt_config(config):
    """oidcauth Config.Validate for Type=jwt, fetching the JWKS URL as Consul does."""
    unknown = sorted(k for k in config if k not in _JWT_KEYS and k not in _OIDC_ONLY)
    if unknown:
        _invalid("1 error(s) decoding:\n\n* '' has invalid keys: %s" % ", ".join(unknown))
    for key in _OIDC_ONLY:
        if config.get(key):
            _invalid("'%s' must not be set for type \"jwt\"" % key)
    sources = [k for k in ("OIDCDiscoveryURL", "JWTValidationPubKeys", "JWKSURL") if config.get(k)]
    if len(sources) != 1:
        _invalid("exactly one of 'JWTValidationPubKeys', 'JWKSURL', or 'OIDCDiscoveryURL' "
                 "must be set for type \"jwt\"")
    if config.get("JWKSCACert") and not config.get("JWKSURL"):
        _invalid("'JWKSCACert' should not be set unless 'JWKSURL' is set")
    if config.get("OIDCDiscoveryURL"):
        _invalid("OIDCDiscoveryURL is not modelled by the contract server; use JWKSURL")
    for alg in config.get("JWTSupportedAlgs") or []:
        if alg not in _ALGS:
            _invalid("Invalid supported algorithm: %s" % alg)
    for field in ("ClaimMappings", "ListClaimMappings"):
        targets = list((config.get(field) or {}).values())
        for target in targets:
            if targets.count(target) > 1:
                _invalid("%s contains multiple mappings for key %r" % (field, target))
    if config.get("JWKSURL"):
        fetch_jwks(config["JWKSURL"], config.get("JWKSCACert") or "")


def fetch_jwks(url, ca_pem):
    """GET the key set (timeout JWKS_TIMEOUT_S); RPCError 500 when it cannot be used."""
    try:
        ctx = ssl.create_default_context(cadata=ca_pem) if ca_pem else ssl.create_default_context()
    except (ssl.SSLError, ValueError) as exc:
        _invalid("error checking JWKSCACert: %s" % exc)
    try:
        with urllib.request.urlopen(url, timeout=JWKS_TIMEOUT_S, context=ctx) as resp:
            keyset = json.loads(resp.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        _invalid("error checking JWKSURL: fetching keys %s" % exc)
    if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list) or not all(
            isinstance(k, dict) and k.get("kty") for k in keyset["keys"]):
        _invalid("error checking JWKSURL: failed to decode keys")


def _rule(state, token, verb, rule_id, raw):
    methods, rules = tables(state)
    if verb == "GET":
        _need(token, "read")
        with state.lock:
            if rule_id not in rules:
                raise RPCError(404, "Requested binding rule does not exist")
            return 200, rules[rule_id], state.index
    if verb == "DELETE":
        _need(token, "write")
        with state.lock:
            if rules.pop(rule_id, None) is None:
                raise RPCError(404, "Cannot find binding rule to delete")
            state.next_index()
        return 200, True, None
    body = _decode(raw, _RULE_FIELDS, "BindingRule")
    if body.get("ID") and body["ID"] != rule_id:
        raise RPCError(400, "BindingRule ID in URL and payload do not match")
    _need(token, "write")
    with state.lock:
        if rule_id and rule_id not in rules:
            raise RPCError(500, "Invalid Binding Rule: cannot find binding rule %s" % rule_id)
        rule = validate_rule(body, methods)
        index = state.next_index()
        rule["ID"] = rule_id or str(uuid.uuid4())
        rule["CreateIndex"] = rules[rule_id]["CreateIndex"] if rule_id else index
        rule["ModifyIndex"] = index
        rules[rule["ID"]] = rule
    return 200, rule, None


def _bad_rule(text):
    raise RPCError(500, "Invalid Binding Rule: " + text)


def validate_rule(body, methods):
    """The stored form of a binding rule, or RPCError (500) naming what is wrong."""
    name = body.get("AuthMethod") or ""
    if not name:
        _bad_rule("no AuthMethod is set")
    method = methods.get(name)
    if method is None:
        _bad_rule("unknown AuthMethod %r" % name)
    bind_type = body.get("BindType") or ""
    if not bind_type:
        _bad_rule("no BindType is set")
    if bind_type not in _BIND_TYPES:
        _bad_rule("unknown BindType %r" % bind_type)
    bind_name = body.get("BindName") or ""
    if not bind_name:
        _bad_rule("no BindName is set")
    config = method["Config"]
    values = set((config.get("ClaimMappings") or {}).values())
    lists = set((config.get("ListClaimMappings") or {}).values())
    for var in re.findall(r"\$\{([^}]*)\}", bind_name):
        head, _dot, tail = var.strip().partition(".")
        if head != "value" or tail not in values:
            _bad_rule("invalid BindName: unknown variable ${%s} (use ${value.<a ClaimMappings "
                      "target>}: %s)" % (var, ", ".join(sorted(values)) or "none mapped"))
    selector = body.get("Selector") or ""
    if selector:
        try:
            filter_syntax.check(selector)
        except filter_syntax.FilterSyntaxError as exc:
            _bad_rule("invalid Selector: %s" % exc)
        stripped = re.sub(r'"(?:[^"\\]|\\.)*"|`[^`]*`', " ", selector)
        for word in re.findall(r"[A-Za-z_][A-Za-z0-9_.\-]*", stripped):
            if word in _SELECTOR_WORDS:
                continue
            head, _dot, tail = word.partition(".")
            known = values if head == "value" else lists if head == "list" else None
            if known is None or (tail and tail not in known):
                _bad_rule("invalid Selector: Selector %r is not valid" % word)
    return {"Description": body.get("Description") or "", "AuthMethod": name,
            "Selector": selector, "BindType": bind_type, "BindName": bind_name,
            "BindVars": body.get("BindVars")}
