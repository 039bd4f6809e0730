"""TEST INFRASTRUCTURE: the Consul agent configuration schema (JSON form) for the stand-in.

Key names and types are the ``mapstructure`` tags of Consul 1.18's ``agent/config/config.go``
(``Config`` and its nested structs ``ACL``/``Tokens``, ``Addresses``, ``Ports``, ``TLS``/
``TLSProtocolConfig``, ``Telemetry``, ``Connect``, ``AutoEncrypt``, ``Autopilot``,
``Limits``/``RequestLimits``, ``Performance``, ``HTTPConfig``, ``GossipLANConfig``,
``RaftLogStoreRaw``, ``RawUIConfig`` ...) plus ``DeprecatedConfig`` (``deprecated.go``: the
old top-level TLS and ACL keys, accepted with a warning and mapped onto the new blocks by
``applyDeprecatedConfig``). Unknown keys are refused as ``builder.go`` does with the
decoder's ``Unused`` keys ("invalid config key %s"). Service and check definitions are
accepted as objects without a deep check (the roles do not render them).
"""

_TLS_PROTO = {
    "ca_file": "str", "ca_path": "str", "cert_file": "str", "key_file": "str",
    "tls_min_version": "str", "tls_cipher_suites": "str", "verify_incoming": "bool",
    "verify_outgoing": "bool", "verify_server_hostname": "bool", "use_auto_cert": "bool",
}

_GOSSIP = {"gossip_nodes": "int", "gossip_interval": "str", "probe_interval": "str",
           "probe_timeout": "str", "suspicion_mult": "int", "retransmit_mult": "int"}

SCHEMA = {
    "Config": {
        # agent/config/config.go Config
        "acl": "ACL", "addresses": "Addresses", "advertise_addr": "str",
        "advertise_addr_ipv4": "str", "advertise_addr_ipv6": "str", "advertise_addr_wan": "str",
        "advertise_addr_wan_ipv4": "str", "advertise_addr_wan_ipv6": "str",
        "advertise_reconnect_timeout": "str", "auto_config": "{any}", "autopilot": "Autopilot",
        "bind_addr": "str", "bootstrap": "bool", "bootstrap_expect": "int", "cache": "Cache",
        "check": "{any}", "check_output_max_size": "int", "check_update_interval": "str",
        "checks": "[{any}]", "client_addr": "str", "cloud": "{any}",
        "config_entries": "ConfigEntries", "auto_encrypt": "AutoEncrypt", "connect": "Connect",
        "dns_config": "DNS", "domain": "str", "alt_domain": "str", "recursors": "[str]",
        "data_dir": "str", "datacenter": "str", "default_query_time": "str",
        "disable_anonymous_signature": "bool", "disable_coordinates": "bool",
        "disable_host_node_id": "bool", "disable_http_unprintable_char_filter": "bool",
        "disable_keyring_file": "bool", "disable_remote_exec": "bool",
        "disable_update_check": "bool", "discard_check_output": "bool",
        "discovery_max_stale": "str", "enable_agent_tls_for_checks": "bool",
        "enable_central_service_config": "bool", "enable_debug": "bool",
        "enable_script_checks": "bool", "enable_local_script_checks": "bool",
        "enable_syslog": "bool", "encrypt": "str", "encrypt_verify_incoming": "bool",
        "encrypt_verify_outgoing": "bool", "gossip_lan": "Gossip", "gossip_wan": "Gossip",
        "http_config": "HTTPConfig", "leave_on_terminate": "bool", "license_path": "str",
        "limits": "Limits", "locality": "Locality", "log_level": "str", "log_sublevels": "{str}",
        "log_json": "bool", "log_file": "str", "log_rotate_duration": "str",
        "log_rotate_bytes": "int", "log_rotate_max_files": "int", "max_query_time": "str",
        "node_id": "str", "node_meta": "{str}", "node_name": "str", "peering": "Peering",
        "performance": "Performance", "pid_file": "str", "ports": "Ports",
        "primary_datacenter": "str", "primary_gateways": "[str]",
        "primary_gateways_interval": "str", "protocol": "int", "raft_protocol": "int",
        "raft_snapshot_threshold": "int", "raft_snapshot_interval": "str",
        "raft_trailing_logs": "int", "reconnect_timeout": "str", "reconnect_timeout_wan": "str",
        "rejoin_after_leave": "bool", "auto_reload_config": "bool", "retry_interval": "str",
        "retry_interval_wan": "str", "retry_join": "[str]", "retry_max": "int",
        "retry_max_wan": "int", "retry_join_wan": "[str]", "serf_lan_allowed_cidrs": "[str]",
        "serf_wan_allowed_cidrs": "[str]", "serf_lan": "str", "serf_wan": "str",
        "server": "bool", "server_name": "str", "server_rejoin_age_max": "str",
        "service": "{any}", "services": "[{any}]", "session_ttl_min": "str",
        "skip_leave_on_interrupt": "bool", "syslog_facility": "str", "tls": "TLS",
        "tagged_addresses": "{str}", "telemetry": "Telemetry", "translate_wan_addrs": "bool",
        "xds": "XDS", "ui": "bool", "ui_content_path": "str", "ui_dir": "str",
        "ui_config": "UIConfig", "unix_sockets": "UnixSocket", "watches": "[{any}]",
        "rpc": "RPC", "raft_logstore": "RaftLogStore", "use_streaming_backend": "bool",
        "snapshot_agent": "{any}", "reporting": "Reporting",
        # agent/config/deprecated.go DeprecatedConfig (warned, mapped by applyDeprecatedConfig)
        "acl_agent_master_token": "str", "acl_agent_token": "str", "acl_datacenter": "str",
        "acl_default_policy": "str", "acl_down_policy": "str", "acl_master_token": "str",
        "acl_replication_token": "str", "acl_token": "str", "acl_ttl": "str",
        "acl_enable_key_list_policy": "bool", "enable_acl_replication": "bool",
        "ca_file": "str", "ca_path": "str", "cert_file": "str", "key_file": "str",
        "tls_cipher_suites": "str", "tls_min_version": "str",
        "tls_prefer_server_cipher_suites": "bool", "verify_incoming": "bool",
        "verify_incoming_https": "bool", "verify_incoming_rpc": "bool",
        "verify_outgoing": "bool", "verify_server_hostname": "bool",
    },
    "ACL": {
        "enabled": "bool", "enable_token_replication": "bool", "policy_ttl": "str",
        "role_ttl": "str", "token_ttl": "str", "down_policy": "str", "default_policy": "str",
        "enable_key_list_policy": "bool", "tokens": "Tokens",
        "enable_token_persistence": "bool", "msp_disable_bootstrap": "bool",
    },
    "Tokens": {
        "initial_management": "str", "replication": "str", "agent_recovery": "str",
        "default": "str", "agent": "str", "config_file_service_registration": "str",
        "dns": "str", "managed_service_provider": "[{any}]",
        "master": "str", "agent_master": "str",  # DeprecatedTokens
    },
    "Addresses": {"dns": "str", "http": "str", "https": "str", "grpc": "str", "grpc_tls": "str"},
    "Ports": {
        "dns": "int", "http": "int", "https": "int", "serf_lan": "int", "serf_wan": "int",
        "server": "int", "grpc": "int", "grpc_tls": "int", "proxy_min_port": "int",
        "proxy_max_port": "int", "sidecar_min_port": "int", "sidecar_max_port": "int",
        "expose_min_port": "int", "expose_max_port": "int",
    },
    "TLS": {"defaults": "TLSProto", "internal_rpc": "TLSProto", "https": "TLSProto",
            "grpc": "TLSProto"},
    "TLSProto": _TLS_PROTO,
    "Autopilot": {
        "cleanup_dead_servers": "bool", "last_contact_threshold": "str",
        "max_trailing_logs": "int", "min_quorum": "int", "server_stabilization_time": "str",
        "disable_upgrade_migration": "bool", "redundancy_zone_tag": "str",
        "upgrade_version_tag": "str",
    },
    "Cache": {"entry_fetch_max_burst": "int", "entry_fetch_rate": "float"},
    "ConfigEntries": {"bootstrap": "[{any}]"},
    "AutoEncrypt": {"tls": "bool", "dns_san": "[str]", "ip_san": "[str]", "allow_tls": "bool"},
    "Connect": {
        "enabled": "bool", "ca_provider": "str", "ca_config": "{any}",
        "enable_mesh_gateway_wan_federation": "bool", "test_ca_leaf_root_change_spread": "str",
        "enable_serverless_plugin": "bool",
    },
    "DNS": {
        "allow_stale": "bool", "a_record_limit": "int", "disable_compression": "bool",
        "enable_truncate": "bool", "max_stale": "str", "node_ttl": "str", "only_passing": "bool",
        "recursor_strategy": "str", "recursor_timeout": "str", "service_ttl": "{str}",
        "udp_answer_limit": "int", "enable_additional_node_meta_txt": "bool", "soa": "{any}",
        "use_cache": "bool", "cache_max_age": "str", "prefer_namespace": "bool",
    },
    "Gossip": _GOSSIP,
    "HTTPConfig": {
        "block_endpoints": "[str]", "allow_write_http_from": "[str]",
        "response_headers": "{str}", "use_cache": "bool", "max_header_bytes": "int",
    },
    "Limits": {
        "http_max_conns_per_client": "int", "https_handshake_timeout": "str",
        "request_limits": "RequestLimits", "rpc_client_timeout": "str",
        "rpc_handshake_timeout": "str", "rpc_max_burst": "int",
        "rpc_max_conns_per_client": "int", "rpc_rate": "float", "kv_max_value_size": "int",
        "txn_max_req_len": "int",
    },
    "RequestLimits": {"mode": "str", "read_rate": "float", "write_rate": "float"},
    "Locality": {"region": "str", "zone": "str"},
    "Peering": {"enabled": "bool"},
    "Performance": {"leave_drain_time": "str", "raft_multiplier": "int",
                    "rpc_hold_timeout": "str"},
    "Telemetry": {
        "circonus_api_app": "str", "circonus_api_token": "str", "circonus_api_url": "str",
        "circonus_broker_id": "str", "circonus_broker_select_tag": "str",
        "circonus_check_display_name": "str", "circonus_check_force_metric_activation": "str",
        "circonus_check_id": "str", "circonus_check_instance_id": "str",
        "circonus_check_search_tag": "str", "circonus_check_tags": "str",
        "circonus_submission_interval": "str", "circonus_submission_url": "str",
        "disable_hostname": "bool", "dogstatsd_addr": "str", "dogstatsd_tags": "[str]",
        "retry_failed_connection": "bool", "filter_default": "bool", "prefix_filter": "[str]",
        "metrics_prefix": "str", "prometheus_retention_time": "str", "statsd_address": "str",
        "statsite_address": "str", "enable_host_metrics": "bool",
    },
    "UIConfig": {
        "enabled": "bool", "dir": "str", "content_path": "str", "metrics_provider": "str",
        "metrics_provider_files": "[str]", "metrics_provider_options_json": "str",
        "metrics_proxy": "{any}", "dashboard_url_templates": "{str}",
    },
    "UnixSocket": {"group": "str", "mode": "str", "user": "str"},
    "RPC": {"enable_streaming": "bool"},
    "XDS": {"update_max_per_second": "float"},
    "RaftLogStore": {
        "backend": "str", "disable_log_cache": "bool", "verification": "{any}",
        "boltdb": "{any}", "wal": "{any}",
    },
    "Reporting": {"license": "{any}"},
}

# Go duration strings in the blocks the roles render (builder.go durationVal call sites).
DURATION_KEYS = (
    "retry_interval", "retry_interval_wan", "reconnect_timeout", "reconnect_timeout_wan",
    "acl.token_ttl", "acl.policy_ttl", "acl.role_ttl", "telemetry.prometheus_retention_time",
    "autopilot.last_contact_threshold", "autopilot.server_stabilization_time",
    "performance.leave_drain_time", "performance.rpc_hold_timeout", "session_ttl_min",
    "check_update_interval", "raft_snapshot_interval", "default_query_time", "max_query_time",
)
