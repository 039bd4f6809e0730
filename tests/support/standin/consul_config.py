"""TEST INFRASTRUCTURE: load and validate a Consul agent configuration for the stand-in.

``load(paths)`` returns a ``Runtime``; every problem is collected into one ConfigError.
Schema: ``consul_schema.py``. Combination rules, each with the real source:

- ``builder.go`` ``validate``: ``datacenter`` lowercase alphanumerics, ``-``, ``_``
  (``validateBasicName``); "data_dir cannot be empty"; "'bootstrap = true' requires
  'server = true'"; "bootstrap_expect cannot be N"; "'bootstrap_expect > 0' requires
  'server = true'"; "'bootstrap_expect > 0' and 'bootstrap = true' are mutually
  exclusive"; "raft_protocol version N is not supported"; "encrypt has invalid key";
  ``addrsUnique`` (two listeners on one address).
- ``builder.go`` ``Build``: ``bootstrap_expect = 1`` means bootstrap mode; durations
  through ``durationVal``; ``buildTLSConfig`` layers ``tls.defaults`` under
  ``tls.internal_rpc``/``https``/``grpc`` and makes ``internal_rpc.verify_server_hostname``
  imply ``verify_outgoing``; ``deprecated.go`` maps the old top-level TLS keys.
- ``tlsutil/config.go``: "VerifyIncoming set but no CA certificates were provided",
  "VerifyIncoming requires either a Cert and Key pair ...", "VerifyOutgoing set but no CA
  certificates were provided"; a certificate without its key (or the reverse) is refused
  by the stand-in (the real loader cannot load half a pair).
- memberlist ``ValidateKey``: a gossip key is 16, 24 or 32 bytes.
- ``acl.default_policy`` is ``allow``/``deny``; ``acl.down_policy`` one of ``allow``,
  ``deny``, ``extend-cache``, ``async-cache`` (agent/config/builder.go, ACL docs).
"""
import os
import re
import socket

from . import loader
from .consul_schema import DURATION_KEYS, SCHEMA
from .schema_check import check_block

_BASIC_NAME = re.compile(r"^[a-z0-9_-]+$")
DEFAULT_PORTS = {"dns": 8600, "http": 8500, "https": -1, "serf_lan": 8301, "serf_wan": 8302,
                 "server": 8300, "grpc": -1, "grpc_tls": 8503}
_DEPRECATED_TLS = {  # deprecated.go applyDeprecatedTLSConfig: old key -> (block, new key)
    "ca_file": ("defaults", "ca_file"), "ca_path": ("defaults", "ca_path"),
    "cert_file": ("defaults", "cert_file"), "key_file": ("defaults", "key_file"),
    "tls_min_version": ("defaults", "tls_min_version"),
    "tls_cipher_suites": ("defaults", "tls_cipher_suites"),
    "verify_outgoing": ("defaults", "verify_outgoing"),
    "verify_incoming": ("defaults", "verify_incoming"),
    "verify_incoming_rpc": ("internal_rpc", "verify_incoming"),
    "verify_incoming_https": ("https", "verify_incoming"),
    "verify_server_hostname": ("internal_rpc", "verify_server_hostname"),
}


class Runtime:
    """What the stand-in needs from the configuration (plus the merged ``raw`` object)."""

    product = "consul"

    def __init__(self, raw, warnings):
        self.raw = raw
        self.warnings = warnings
        get = raw.get
        self.server = bool(get("server", False))
        self.bootstrap = bool(get("bootstrap", False))
        self.bootstrap_expect = get("bootstrap_expect", 0) or 0
        if self.bootstrap_expect == 1:  # builder.go Build: same as bootstrap mode
            self.bootstrap, self.bootstrap_expect = True, 0
        if self.bootstrap:
            self.bootstrap_expect = 1
        self.datacenter = get("datacenter", "dc1")
        self.node_name = get("node_name") or socket.gethostname()
        self.data_dir = get("data_dir", "")
        self.bind_addr = get("bind_addr", "0.0.0.0")
        self.client_addr = get("client_addr", "127.0.0.1")
        self.advertise_addr = get("advertise_addr") or (
            self.bind_addr if self.bind_addr not in ("0.0.0.0", "::") else "127.0.0.1")
        ports = dict(DEFAULT_PORTS)
        ports.update(get("ports") or {})
        self.ports = ports
        addresses = get("addresses") or {}
        self.http_addr = addresses.get("http", self.client_addr)
        self.https_addr = addresses.get("https", self.client_addr)
        self.cluster_port = ports["serf_lan"]
        self.retry_join = list(get("retry_join") or [])
        self.encrypt = get("encrypt")
        acl = get("acl") or {}
        self.acl_enabled = bool(acl.get("enabled", False))
        self.default_policy = acl.get("default_policy", "allow")
        tokens = acl.get("tokens") or {}
        self.initial_management = tokens.get("initial_management") or tokens.get("master")
        self.leave_on_terminate = bool(get("leave_on_terminate", not self.server))
        self.tls = effective_tls(raw)

    @property
    def join_port_default(self):
        return DEFAULT_PORTS["serf_lan"]

    def listeners(self):
        """``[(scheme, host, port)]`` the HTTP API binds (a port of -1 disables one)."""
        out = []  # client_addr / addresses.* may list several space-separated addresses
        if self.ports.get("http", -1) > 0:
            out += [("http", host, self.ports["http"]) for host in self.http_addr.split()]
        if self.ports.get("https", -1) > 0:
            out += [("https", host, self.ports["https"]) for host in self.https_addr.split()]
        return out

    def https_tls(self):
        return self.tls["https"]


def effective_tls(raw):
    """Per-protocol TLS settings after ``builder.go`` ``buildTLSConfig`` layering."""
    tls = raw.get("tls") or {}
    defaults = dict(tls.get("defaults") or {})
    blocks = {"internal_rpc": dict(tls.get("internal_rpc") or {}),
              "https": dict(tls.get("https") or {}), "grpc": dict(tls.get("grpc") or {})}
    for old, (block, new) in _DEPRECATED_TLS.items():
        if old in raw:
            target = defaults if block == "defaults" else blocks[block]
            target.setdefault(new, raw[old])
    out = {}
    for name, block in blocks.items():
        eff = dict(defaults)
        if name == "grpc":  # verify_incoming in defaults does not apply to gRPC (1.14+)
            eff.pop("verify_incoming", None)
        eff.update(block)
        out[name] = eff
    if out["internal_rpc"].get("verify_server_hostname"):
        out["internal_rpc"]["verify_outgoing"] = True  # buildTLSConfig
    return out


def _tls_rules(tls, errors, check_files):
    for proto, conf in tls.items():
        where = "tls.%s" % proto
        has_ca = bool(conf.get("ca_file") or conf.get("ca_path"))
        cert, key = conf.get("cert_file"), conf.get("key_file")
        if bool(cert) != bool(key):
            errors.append("%s: cert_file and key_file must be given together (got only %s); "
                          "set both or neither" % (where, "cert_file" if cert else "key_file"))
        if conf.get("verify_incoming") and not has_ca:
            errors.append("%s: VerifyIncoming set but no CA certificates were provided "
                          "(set ca_file)" % where)
        if conf.get("verify_incoming") and not (cert and key) and not conf.get("use_auto_cert"):
            errors.append("%s: VerifyIncoming requires either a Cert and Key pair in the "
                          "configuration file, or auto_encrypt/auto_config be enabled" % where)
        if conf.get("verify_outgoing") and not has_ca:
            errors.append("%s: VerifyOutgoing set but no CA certificates were provided "
                          "(set ca_file)" % where)
        for field in ("ca_file", "cert_file", "key_file"):
            path = conf.get(field)
            if check_files and path and not os.path.isfile(path):
                errors.append("%s.%s: %s: no such file" % (where, field, path))


def validate_sources(sources):
    """Schema-check each ``(file, object)``; return (merged, errors, warnings)."""
    errors, warnings, merged = [], [], {}
    for label, data in sources:
        errs = []
        check_block(data, "Config", "", SCHEMA, errs)
        errors += ["%s: %s" % (label, e) for e in errs]
        for old in _DEPRECATED_TLS:
            if old in data:
                warnings.append("%s: the '%s' field is deprecated; use the tls block" % (label, old))
        loader.merge(merged, data)
    return merged, errors, warnings


def validate_runtime(raw, check_dirs=True):
    """Combination rules on the merged configuration; a list of messages. ``check_dirs``
    (agent start, not ``validate``) also checks data_dir and the TLS files on disk, as
    the real agent only reads them when it starts (tlsutil ``NewConfigurator``)."""
    errors = []
    dc = raw.get("datacenter", "dc1")
    if not isinstance(dc, str) or not _BASIC_NAME.match(dc):
        errors.append("datacenter can only contain lowercase alphanumeric, - or _ characters."
                      " received: %r" % (dc,))
    if not raw.get("data_dir"):
        errors.append("data_dir cannot be empty")
    elif check_dirs and os.path.exists(raw["data_dir"]) and not os.path.isdir(raw["data_dir"]):
        errors.append("data_dir %r is not a directory" % raw["data_dir"])
    if raw.get("raft_protocol", 3) != 3:
        errors.append("raft_protocol version %s is not supported by this version of Consul"
                      % raw.get("raft_protocol"))
    server = raw.get("server", False)
    expect = raw.get("bootstrap_expect", 0) or 0
    if raw.get("bootstrap") and not server:
        errors.append("'bootstrap = true' requires 'server = true'")
    if isinstance(expect, int) and expect < 0:
        errors.append("bootstrap_expect cannot be %d. Must be greater than or equal to zero"
                      % expect)
    if isinstance(expect, int) and expect > 0 and not server:
        errors.append("'bootstrap_expect > 0' requires 'server = true'")
    if isinstance(expect, int) and expect > 0 and raw.get("bootstrap"):
        errors.append("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive")
    if raw.get("encrypt") is not None:
        try:
            loader.gossip_key(raw["encrypt"], "encrypt")
        except ValueError as exc:
            errors.append(str(exc))
    acl = raw.get("acl") or {}
    if acl.get("default_policy", "allow") not in ("allow", "deny"):
        errors.append("acl.default_policy: %r is not one of allow, deny" % acl["default_policy"])
    down_policies = ("allow", "deny", "extend-cache", "async-cache")
    if acl.get("down_policy", "extend-cache") not in down_policies:
        errors.append("acl.down_policy: %r is not one of allow, deny, extend-cache, async-cache"
                      % acl["down_policy"])
    for key in DURATION_KEYS:
        value = loader.lookup(raw, key)
        if value is not None and not loader.is_duration(value):
            errors.append("%s: %r is not a duration (write e.g. \"30s\")" % (key, value))
    ports = dict(DEFAULT_PORTS)
    ports.update(raw.get("ports") or {})
    for name, port in ports.items():
        if isinstance(port, int) and not -1 <= port <= 65535:
            errors.append("ports.%s: %d is not a port (-1 disables, else 1-65535)" % (name, port))
    seen = {}
    client = raw.get("client_addr", "127.0.0.1")
    addresses = raw.get("addresses") or {}
    for name in ("dns", "http", "https", "grpc", "grpc_tls"):
        port = ports.get(name, -1)
        if isinstance(port, int) and port > 0:
            addr = "%s:%d" % (addresses.get(name, client), port)
            if addr in seen:  # builder.go addrsUnique
                errors.append("%s address %s already configured for %s"
                              % (name.upper(), addr, seen[addr].upper()))
            seen[addr] = name
    tls = effective_tls(raw)
    _tls_rules(tls, errors, check_dirs)
    if ports.get("https", -1) > 0 and not tls["https"].get("cert_file"):
        errors.append("ports.https is set but no certificate: set tls.defaults (or tls.https) "
                      "cert_file and key_file")
    return errors


def load(paths, check_dirs=True, config_format=None):
    """Read, check and resolve ``paths``; a Runtime or ConfigError with every problem.
    ``config_format`` is ``-config-format`` (``json`` reads files of any name)."""
    if config_format not in (None, "json"):
        raise loader.ConfigError(["-config-format=%s: the stand-in reads JSON only" % config_format])
    sources = loader.read_sources(paths, any_extension=config_format == "json")
    merged, errors, warnings = validate_sources(sources)
    if not errors:
        errors = validate_runtime(merged, check_dirs=check_dirs)
    if errors:
        raise loader.ConfigError(errors)
    return Runtime(merged, warnings)
