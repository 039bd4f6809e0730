"""TEST INFRASTRUCTURE: load and validate a Nomad agent configuration for the stand-in.

``load(paths)`` returns a ``Runtime``; every problem is collected into one ConfigError.
Schema: ``nomad_schema.py``. Combination rules, each with the real source
(``command/agent/command.go`` ``IsValidConfig`` unless said otherwise):

- "Must specify either server, client or dev mode for the agent."
- "Region contains invalid characters"; "Datacenter contains invalid characters (null or '*')"
- "Invalid encryption key: ..." (``ServerConfig.EncryptBytes``: base64) and memberlist's
  16/24/32-byte key size.
- "<dir> must be given as an absolute path" (data_dir, plugin_dir, client dirs).
- 'Must specify "data_dir" config option or "data-dir" CLI flag' for servers; clients
  need data_dir or all of state_dir, alloc_dir, alloc_mounts_dir and plugin_dir.
- "Missing path in host_volume config"; the dynamic port range checks.
- "Invalid log level" (``isLogLevelValid``).
- TLS (``nomad/structs/config/tls.go`` ``KeyLoader.LoadKeyPair`` "Failed to load cert/key
  pair"; ``helper/tlsutil/config.go`` ``NewTLSConfiguration``: verify_https_client and
  ``rpc`` need ``ca_file``): ``http``/``rpc`` need a certificate and its key.
- Durations of ``config_parse.go`` ``convertDurations`` must parse as Go durations.
- Consul/Vault block names: ``structs.ValidateConsulClusterName``/``ValidateVaultClusterName``.
"""
import os
import re
import socket

from . import loader
from .nomad_schema import SCHEMA
from .schema_check import blocks, check_block

LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF")
DEFAULT_PORTS = {"http": 4646, "rpc": 4647, "serf": 4648}
_CLUSTER_NAME = re.compile(r"^[a-zA-Z0-9-_]{1,128}$")
DURATION_KEYS = (  # config_parse.go ParseConfigFile tds
    "client.gc_interval", "acl.token_ttl", "acl.policy_ttl", "acl.role_ttl",
    "acl.token_min_expiration_ttl", "acl.token_max_expiration_ttl",
    "client.server_join.retry_interval", "server.heartbeat_grace", "server.min_heartbeat_ttl",
    "server.failover_heartbeat_ttl", "server.plan_rejection_tracker.node_window",
    "server.retry_interval", "server.server_join.retry_interval",
    "autopilot.server_stabilization_time", "autopilot.last_contact_threshold",
    "telemetry.in_memory_collection_interval", "telemetry.in_memory_retention_period",
    "telemetry.collection_interval", "client.template.block_query_wait",
    "client.template.max_stale", "client.max_kill_timeout",
)


def telemetry_block(raw):
    """The merged ``telemetry`` block."""
    return _block(raw, "telemetry")


def client_block(raw):
    """The merged ``client`` block."""
    return _block(raw, "client")


def _block(raw, name):
    merged = {}
    for item in blocks(raw.get(name)):
        if isinstance(item, dict):
            loader.merge(merged, item)
    return merged


class Runtime:
    """What the stand-in needs from the configuration (plus the merged ``raw`` object)."""

    product = "nomad"

    def __init__(self, raw, warnings):
        self.raw = raw
        self.warnings = warnings
        server, client = _block(raw, "server"), _block(raw, "client")
        self.server = bool(server.get("enabled", False))
        self.client = bool(client.get("enabled", False))
        self.node_name = raw.get("name") or socket.gethostname()
        self.region = raw.get("region", "global")
        self.datacenter = raw.get("datacenter", "dc1")
        self.data_dir = raw.get("data_dir", "")
        self.bind_addr = raw.get("bind_addr", "0.0.0.0")
        ports = dict(DEFAULT_PORTS)
        ports.update(_block(raw, "ports"))
        self.ports = ports
        addresses = _block(raw, "addresses")
        advertise = _block(raw, "advertise")
        self.http_addr = addresses.get("http", self.bind_addr)
        self.rpc_addr = addresses.get("rpc", self.bind_addr)
        self.serf_addr = addresses.get("serf", self.bind_addr)
        fallback = self.bind_addr if self.bind_addr not in ("0.0.0.0", "::") else "127.0.0.1"
        self.advertise_addr = (advertise.get("serf") or advertise.get("rpc") or fallback).split(":")[0]
        self.cluster_port = ports["serf"]
        join = server.get("server_join") or {}
        self.bootstrap_expect = server.get("bootstrap_expect", 0) or 0
        self.retry_join = list(server.get("retry_join") or []) + list(
            (join.get("retry_join") or []) if isinstance(join, dict) else [])
        cjoin = client.get("server_join") or {}
        self.client_servers = list(client.get("servers") or []) + list(
            (cjoin.get("retry_join") or []) if isinstance(cjoin, dict) else [])
        self.encrypt = server.get("encrypt")
        acl = _block(raw, "acl")
        self.acl_enabled = bool(acl.get("enabled", False))
        self.default_policy = "deny"
        self.initial_management = None
        self.leave_on_terminate = bool(raw.get("leave_on_terminate", False))
        self.tls = _block(raw, "tls")

    def listeners(self):
        scheme = "https" if self.tls.get("http") else "http"
        return [(scheme, self.http_addr, self.ports["http"])]

    def https_tls(self):
        return {"cert_file": self.tls.get("cert_file"), "key_file": self.tls.get("key_file"),
                "ca_file": self.tls.get("ca_file"),
                "verify_incoming": bool(self.tls.get("verify_https_client"))}


def validate_sources(sources):
    """Schema-check each ``(file, object)``; return (merged, errors, warnings)."""
    errors, merged = [], {}
    for label, data in sources:
        errs = []
        check_block(data, "Config", "", SCHEMA, errs)
        errors += ["%s: %s" % (label, e) for e in errs]
        loader.merge(merged, data)
    return merged, errors, []


def validate_runtime(raw, check_dirs=True):
    """Combination rules on the merged configuration; a list of messages. ``check_dirs``
    (agent start, not ``config validate``) also checks the TLS files exist."""
    errors = []
    server, client = _block(raw, "server"), _block(raw, "client")
    if not (server.get("enabled") or client.get("enabled")):
        errors.append("Must specify either server, client or dev mode for the agent.")
    if "\0" in raw.get("region", ""):
        errors.append("Region contains invalid characters")
    dc = raw.get("datacenter", "dc1")
    if "\0" in dc or "*" in dc:
        errors.append("Datacenter contains invalid characters (null or '*')")
    if server.get("encrypt") is not None:
        try:
            loader.gossip_key(server["encrypt"], "server.encrypt")
        except ValueError as exc:
            errors.append("Invalid encryption key: %s" % exc)
    dirs = {"data_dir": raw.get("data_dir"), "plugin_dir": raw.get("plugin_dir"),
            "client.alloc_dir": client.get("alloc_dir"),
            "client.alloc_mounts_dir": client.get("alloc_mounts_dir"),
            "client.state_dir": client.get("state_dir"),
            "client.host_volumes_dir": client.get("host_volumes_dir")}
    for key, value in dirs.items():
        if value and not os.path.isabs(value):
            errors.append("%s must be given as an absolute path: got %s" % (key, value))
    if server.get("enabled") and not raw.get("data_dir"):
        errors.append('Must specify "data_dir" config option or "data-dir" CLI flag')
    if client.get("enabled") and not raw.get("data_dir") and not all(
            (client.get("state_dir"), client.get("alloc_dir"), client.get("alloc_mounts_dir"),
             raw.get("plugin_dir"))):
        errors.append("Must specify the state, alloc-dir, alloc-mounts-dir and plugin-dir if "
                      "data-dir is omitted.")
    for item in blocks(client.get("host_volume")):
        for label, body in (item.items() if isinstance(item, dict) else ()):
            merged = {}
            for part in blocks(body):
                loader.merge(merged, part)
            if not merged.get("path"):
                errors.append('client.host_volume["%s"]: Missing path in host_volume config'
                              % label)
    lo, hi = client.get("min_dynamic_port", 20000), client.get("max_dynamic_port", 32000)
    if isinstance(lo, int) and isinstance(hi, int):
        if not 0 <= lo <= 65535 or not 0 <= hi <= 65535 or lo > hi:
            errors.append("Invalid dynamic port range: min_dynamic_port=%d and "
                          "max_dynamic_port=%d" % (lo, hi))
    level = raw.get("log_level")
    if level is not None and str(level).upper() not in LOG_LEVELS:
        errors.append("Invalid log level: %s. Valid log levels are: %s"
                      % (level, list(LOG_LEVELS)))
    for key in DURATION_KEYS:
        value = loader.lookup(raw, key)
        if value is not None and not loader.is_duration(value):
            errors.append("%s: %r is not a duration (write e.g. \"30s\")" % (key, value))
    for kind in ("consul", "vault"):
        for item in blocks(raw.get(kind)):
            name = item.get("name", "default") if isinstance(item, dict) else "default"
            if not _CLUSTER_NAME.match(str(name)):
                errors.append("Invalid %s configuration: invalid name %r" % (kind.title(), name))
    tls = _block(raw, "tls")
    cert, key = tls.get("cert_file"), tls.get("key_file")
    if bool(cert) != bool(key):
        errors.append("tls: Failed to load cert/key pair: cert_file and key_file must be set "
                      "together (got only %s)" % ("cert_file" if cert else "key_file"))
    if (tls.get("http") or tls.get("rpc")) and not (cert and key):
        errors.append("tls: http/rpc TLS enabled but cert_file/key_file are not set")
    if (tls.get("verify_https_client") or tls.get("rpc")) and not tls.get("ca_file"):
        errors.append("tls: VerifyIncoming set, and no CA certificate provided! (set ca_file)")
    for field in ("ca_file", "cert_file", "key_file"):
        if check_dirs and tls.get(field) and not os.path.isfile(tls[field]):
            errors.append("tls.%s: %s: no such file" % (field, tls[field]))
    return errors


def load(paths, check_dirs=True):
    """Read, check and resolve ``paths``; a Runtime or ConfigError with every problem."""
    sources = loader.read_sources(paths, any_extension=True)
    merged, errors, warnings = validate_sources(sources)
    if not errors:
        errors = validate_runtime(merged, check_dirs=check_dirs)
    if errors:
        raise loader.ConfigError(errors)
    rt = Runtime(merged, warnings)
    if rt.client and not rt.client_servers:
        rt.warnings.append("client.servers and client.server_join are empty: the stand-in has "
                           "no Consul auto-join, so this client will never find a server")
    return rt
