"""proxy-defaults validation (500 from Consul's RPC layer).

Sources (hashicorp/consul ``agent/structs/config_entry.go``, commit b8458822; paraphrased):
- ``ProxyConfigEntry.Normalize``: an empty Name becomes "global"; any other name than
  "global" is refused (same text in ``Validate``).
- ``ProxyConfigEntry.Validate``: Meta limits; ``validateOpaqueProxyConfig`` (the
  ``envoy_hcp_metrics_bind_socket_dir`` Config value is at most 70 characters, error
  prefixed with ``Config: ``); MutualTLSMode.
Not modelled (fields the server does not accept at all, so a body using them is refused
with 400 before validation): AccessLogs, EnvoyExtensions, FailoverPolicy,
PrioritizeByLocality.
"""
from tests.support.consul_api.rules_common import ValidationError, check_meta, check_mutual_tls_mode, quote

GLOBAL = "global"
SOCKET_DIR_KEY = "envoy_hcp_metrics_bind_socket_dir"
SOCKET_DIR_MAX = 70


def _name_error(name):
    return ValidationError('invalid name (%s), only "global" is supported' % quote(name))


def normalise(entry):
    """ProxyConfigEntry.Normalize, in place."""
    name = entry.get("Name") or ""
    if name and name != GLOBAL:
        raise _name_error(name)
    entry["Name"] = GLOBAL


def validate(entry):
    """ProxyConfigEntry.Validate on a decoded, normalised entry; raises ValidationError."""
    if entry.get("Name") != GLOBAL:
        raise _name_error(entry.get("Name") or "")
    check_meta(entry.get("Meta"))
    socket_dir = (entry.get("Config") or {}).get(SOCKET_DIR_KEY)
    if isinstance(socket_dir, str) and len(socket_dir) > SOCKET_DIR_MAX:
        raise ValidationError("Config: %s length %d exceeds max %d" % (SOCKET_DIR_KEY, len(socket_dir), SOCKET_DIR_MAX))
    check_mutual_tls_mode(entry.get("MutualTLSMode"))
