"""POST /v1/jobs/parse: an HCL2 job specification (subset) -> api.Job JSON.

Block and attribute names follow the "Job Specification" docs pages (job, group,
task, resources, network/port, service/check, update, restart, reschedule,
migrate, ephemeral_disk, constraint, affinity, spread, periodic, parameterized,
template, artifact, vault, logs, lifecycle, dispatch_payload, volume,
volume_mount, identity, scaling, consul, disconnect, meta, env, ui) and the
``hcl`` struct tags of the Go api package. Durations are Go duration strings
converted to integer nanoseconds. Anything else is a 400 naming it.
"""
import re

from . import hcl
from .errors import ApiError

_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9,
       "h": 3600 * 10**9}
_DUR = re.compile(r"(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h)")

# Per struct: attribute name -> (API field, kind); kinds: v (value), d (duration),
# m (map of strings, also accepted as a block). Blocks: name -> (API field, struct,
# mode) with mode "one", "list", "label" (list, label goes to Name),
# "map" (labelled, stored in a map), "freeform" (body as a plain dict).
_A, _B = "attrs", "blocks"
SPEC = {
    "Job": {_A: {"region": ("Region", "v"), "namespace": ("Namespace", "v"),
                 "name": ("Name", "v"), "type": ("Type", "v"), "priority": ("Priority", "v"),
                 "all_at_once": ("AllAtOnce", "v"), "datacenters": ("Datacenters", "v"),
                 "node_pool": ("NodePool", "v"), "consul_token": ("ConsulToken", "v"),
                 "vault_token": ("VaultToken", "v"), "meta": ("Meta", "m")},
            _B: {"group": ("TaskGroups", "TaskGroup", "label"),
                 "constraint": ("Constraints", "Constraint", "list"),
                 "affinity": ("Affinities", "Affinity", "list"),
                 "spread": ("Spreads", "Spread", "list"),
                 "update": ("Update", "Update", "one"),
                 "periodic": ("Periodic", "Periodic", "one"),
                 "parameterized": ("ParameterizedJob", "Parameterized", "one"),
                 "reschedule": ("Reschedule", "Reschedule", "one"),
                 "migrate": ("Migrate", "Migrate", "one"),
                 "ui": ("UI", "UI", "one")}},
    "TaskGroup": {_A: {"count": ("Count", "v"), "shutdown_delay": ("ShutdownDelay", "d"),
                       "stop_after_client_disconnect": ("StopAfterClientDisconnect", "d"),
                       "max_client_disconnect": ("MaxClientDisconnect", "d"),
                       "prevent_reschedule_on_lost": ("PreventRescheduleOnLost", "v"),
                       "meta": ("Meta", "m")},
                  _B: {"task": ("Tasks", "Task", "label"),
                       "constraint": ("Constraints", "Constraint", "list"),
                       "affinity": ("Affinities", "Affinity", "list"),
                       "spread": ("Spreads", "Spread", "list"),
                       "restart": ("RestartPolicy", "Restart", "one"),
                       "reschedule": ("ReschedulePolicy", "Reschedule", "one"),
                       "ephemeral_disk": ("EphemeralDisk", "EphemeralDisk", "one"),
                       "update": ("Update", "Update", "one"),
                       "migrate": ("Migrate", "Migrate", "one"),
                       "network": ("Networks", "Network", "list"),
                       "service": ("Services", "Service", "list"),
                       "volume": ("Volumes", "Volume", "map"),
                       "scaling": ("Scaling", "Scaling", "one"),
                       "consul": ("Consul", "Consul", "one"),
                       "disconnect": ("Disconnect", "Disconnect", "one")}},
    "Task": {_A: {"driver": ("Driver", "v"), "user": ("User", "v"), "leader": ("Leader", "v"),
                  "kill_timeout": ("KillTimeout", "d"), "kill_signal": ("KillSignal", "v"),
                  "kind": ("Kind", "v"), "shutdown_delay": ("ShutdownDelay", "d"),
                  "config": ("Config", "any"), "env": ("Env", "m"), "meta": ("Meta", "m")},
             _B: {"config": ("Config", None, "freeform"),
                  "resources": ("Resources", "Resources", "one"),
                  "restart": ("RestartPolicy", "Restart", "one"),
                  "logs": ("LogConfig", "Logs", "one"),
                  "artifact": ("Artifacts", "Artifact", "list"),
                  "template": ("Templates", "Template", "list"),
                  "vault": ("Vault", "Vault", "one"), "consul": ("Consul", "Consul", "one"),
                  "service": ("Services", "Service", "list"),
                  "constraint": ("Constraints", "Constraint", "list"),
                  "affinity": ("Affinities", "Affinity", "list"),
                  "lifecycle": ("Lifecycle", "Lifecycle", "one"),
                  "dispatch_payload": ("DispatchPayload", "DispatchPayload", "one"),
                  "volume_mount": ("VolumeMounts", "VolumeMount", "list"),
                  "identity": ("Identities", "Identity", "list"),
                  "action": ("Actions", "Action", "label")}},
    "Resources": {_A: {"cpu": ("CPU", "v"), "cores": ("Cores", "v"),
                       "memory": ("MemoryMB", "v"), "memory_max": ("MemoryMaxMB", "v"),
                       "secrets": ("SecretsMB", "v")},
                  _B: {"network": ("Networks", "Network", "list"),
                       "device": ("Devices", "Device", "label")}},
    "Device": {_A: {"count": ("Count", "v")},
               _B: {"constraint": ("Constraints", "Constraint", "list"),
                    "affinity": ("Affinities", "Affinity", "list")}},
    "Network": {_A: {"mode": ("Mode", "v"), "hostname": ("Hostname", "v"),
                     "mbits": ("MBits", "v")},
                _B: {"port": (None, "Port", "port"), "dns": ("DNS", "DNS", "one")}},
    "Port": {_A: {"static": ("Value", "v"), "to": ("To", "v"),
                  "host_network": ("HostNetwork", "v"),
                  "ignore_collision": ("IgnoreCollision", "v")}, _B: {}},
    "DNS": {_A: {"servers": ("Servers", "v"), "searches": ("Searches", "v"),
                 "options": ("Options", "v")}, _B: {}},
    "Service": {_A: {"name": ("Name", "v"), "port": ("PortLabel", "v"), "tags": ("Tags", "v"),
                     "canary_tags": ("CanaryTags", "v"), "address_mode": ("AddressMode", "v"),
                     "address": ("Address", "v"), "provider": ("Provider", "v"),
                     "task": ("TaskName", "v"), "on_update": ("OnUpdate", "v"),
                     "enable_tag_override": ("EnableTagOverride", "v"),
                     "cluster": ("Cluster", "v"), "meta": ("Meta", "m"),
                     "canary_meta": ("CanaryMeta", "m"),
                     "tagged_addresses": ("TaggedAddresses", "m")},
                _B: {"check": ("Checks", "Check", "list"),
                     "check_restart": ("CheckRestart", "CheckRestart", "one"),
                     "connect": ("Connect", None, "freeform")}},
    "Check": {_A: {"type": ("Type", "v"), "name": ("Name", "v"), "path": ("Path", "v"),
                   "port": ("PortLabel", "v"), "interval": ("Interval", "d"),
                   "timeout": ("Timeout", "d"), "protocol": ("Protocol", "v"),
                   "method": ("Method", "v"), "command": ("Command", "v"),
                   "args": ("Args", "v"), "initial_status": ("InitialStatus", "v"),
                   "expose": ("Expose", "v"), "address_mode": ("AddressMode", "v"),
                   "task": ("TaskName", "v"), "grpc_service": ("GRPCService", "v"),
                   "grpc_use_tls": ("GRPCUseTLS", "v"), "tls_skip_verify": ("TLSSkipVerify", "v"),
                   "tls_server_name": ("TLSServerName", "v"), "body": ("Body", "v"),
                   "on_update": ("OnUpdate", "v"), "notes": ("Notes", "v"),
                   "success_before_passing": ("SuccessBeforePassing", "v"),
                   "failures_before_critical": ("FailuresBeforeCritical", "v"),
                   "failures_before_warning": ("FailuresBeforeWarning", "v"),
                   "header": ("Header", "any")},
              _B: {"check_restart": ("CheckRestart", "CheckRestart", "one"),
                   "header": ("Header", None, "freeform")}},
    "CheckRestart": {_A: {"limit": ("Limit", "v"), "grace": ("Grace", "d"),
                          "ignore_warnings": ("IgnoreWarnings", "v")}, _B: {}},
    "Update": {_A: {"max_parallel": ("MaxParallel", "v"), "health_check": ("HealthCheck", "v"),
                    "min_healthy_time": ("MinHealthyTime", "d"),
                    "healthy_deadline": ("HealthyDeadline", "d"),
                    "progress_deadline": ("ProgressDeadline", "d"),
                    "auto_revert": ("AutoRevert", "v"), "auto_promote": ("AutoPromote", "v"),
                    "canary": ("Canary", "v"), "stagger": ("Stagger", "d")}, _B: {}},
    "Restart": {_A: {"attempts": ("Attempts", "v"), "interval": ("Interval", "d"),
                     "delay": ("Delay", "d"), "mode": ("Mode", "v"),
                     "render_templates": ("RenderTemplates", "v")}, _B: {}},
    "Reschedule": {_A: {"attempts": ("Attempts", "v"), "interval": ("Interval", "d"),
                        "delay": ("Delay", "d"), "delay_function": ("DelayFunction", "v"),
                        "max_delay": ("MaxDelay", "d"), "unlimited": ("Unlimited", "v")}, _B: {}},
    "Migrate": {_A: {"max_parallel": ("MaxParallel", "v"), "health_check": ("HealthCheck", "v"),
                     "min_healthy_time": ("MinHealthyTime", "d"),
                     "healthy_deadline": ("HealthyDeadline", "d")}, _B: {}},
    "EphemeralDisk": {_A: {"sticky": ("Sticky", "v"), "migrate": ("Migrate", "v"),
                           "size": ("SizeMB", "v")}, _B: {}},
    "Constraint": {_A: {"attribute": ("LTarget", "v"), "value": ("RTarget", "v"),
                        "operator": ("Operand", "v")}, _B: {}},
    "Affinity": {_A: {"attribute": ("LTarget", "v"), "value": ("RTarget", "v"),
                      "operator": ("Operand", "v"), "weight": ("Weight", "v")}, _B: {}},
    "Spread": {_A: {"attribute": ("Attribute", "v"), "weight": ("Weight", "v")},
               _B: {"target": ("SpreadTarget", "SpreadTarget", "label_value")}},
    "SpreadTarget": {_A: {"percent": ("Percent", "v")}, _B: {}},
    "Periodic": {_A: {"cron": ("Spec", "v"), "crons": ("Specs", "v"),
                      "prohibit_overlap": ("ProhibitOverlap", "v"),
                      "time_zone": ("TimeZone", "v"), "enabled": ("Enabled", "v")}, _B: {}},
    "Parameterized": {_A: {"payload": ("Payload", "v"), "meta_required": ("MetaRequired", "v"),
                           "meta_optional": ("MetaOptional", "v")}, _B: {}},
    "Template": {_A: {"source": ("SourcePath", "v"), "destination": ("DestPath", "v"),
                      "data": ("EmbeddedTmpl", "v"), "change_mode": ("ChangeMode", "v"),
                      "change_signal": ("ChangeSignal", "v"), "splay": ("Splay", "d"),
                      "perms": ("Perms", "v"), "uid": ("Uid", "v"), "gid": ("Gid", "v"),
                      "left_delimiter": ("LeftDelim", "v"),
                      "right_delimiter": ("RightDelim", "v"), "env": ("Envvars", "v"),
                      "once": ("Once", "v"), "error_on_missing_key": ("ErrMissingKey", "v")},
                 _B: {"wait": ("Wait", "Wait", "one")}},
    "Wait": {_A: {"min": ("Min", "d"), "max": ("Max", "d")}, _B: {}},
    "Artifact": {_A: {"source": ("GetterSource", "v"), "destination": ("RelativeDest", "v"),
                      "mode": ("GetterMode", "v"), "chown": ("Chown", "v"),
                      "options": ("GetterOptions", "m"), "headers": ("GetterHeaders", "m")},
                 _B: {}},
    "Vault": {_A: {"policies": ("Policies", "v"), "role": ("Role", "v"),
                   "namespace": ("Namespace", "v"), "cluster": ("Cluster", "v"),
                   "env": ("Env", "v"), "disable_file": ("DisableFile", "v"),
                   "change_mode": ("ChangeMode", "v"), "change_signal": ("ChangeSignal", "v"),
                   "allow_token_expiration": ("AllowTokenExpiration", "v")}, _B: {}},
    "Consul": {_A: {"namespace": ("Namespace", "v"), "cluster": ("Cluster", "v"),
                    "partition": ("Partition", "v")}, _B: {}},
    "Logs": {_A: {"max_files": ("MaxFiles", "v"), "max_file_size": ("MaxFileSizeMB", "v"),
                  "disabled": ("Disabled", "v"), "enabled": ("Enabled", "v")}, _B: {}},
    "Lifecycle": {_A: {"hook": ("Hook", "v"), "sidecar": ("Sidecar", "v")}, _B: {}},
    "DispatchPayload": {_A: {"file": ("File", "v")}, _B: {}},
    "VolumeMount": {_A: {"volume": ("Volume", "v"), "destination": ("Destination", "v"),
                         "read_only": ("ReadOnly", "v"),
                         "propagation_mode": ("PropagationMode", "v"),
                         "selinux_label": ("SELinuxLabel", "v")}, _B: {}},
    "Volume": {_A: {"type": ("Type", "v"), "source": ("Source", "v"),
                    "read_only": ("ReadOnly", "v"), "access_mode": ("AccessMode", "v"),
                    "attachment_mode": ("AttachmentMode", "v"), "per_alloc": ("PerAlloc", "v"),
                    "sticky": ("Sticky", "v")},
               _B: {"mount_options": ("MountOptions", None, "freeform")}},
    "Identity": {_A: {"name": ("Name", "v"), "aud": ("Audience", "v"), "env": ("Env", "v"),
                      "file": ("File", "v"), "filepath": ("Filepath", "v"),
                      "change_mode": ("ChangeMode", "v"), "change_signal": ("ChangeSignal", "v"),
                      "ttl": ("TTL", "d"), "service_name": ("ServiceName", "v")}, _B: {}},
    "Action": {_A: {"command": ("Command", "v"), "args": ("Args", "v")}, _B: {}},
    "Scaling": {_A: {"min": ("Min", "v"), "max": ("Max", "v"), "enabled": ("Enabled", "v")},
                _B: {"policy": ("Policy", None, "freeform")}},
    "Disconnect": {_A: {"lost_after": ("LostAfter", "d"), "replace": ("Replace", "v"),
                        "reconcile": ("Reconcile", "v"),
                        "stop_on_client_after": ("StopOnClientAfter", "d")}, _B: {}},
    "UI": {_A: {"description": ("Description", "v")},
           _B: {"link": ("Links", "UILink", "list")}},
    "UILink": {_A: {"label": ("Label", "v"), "url": ("URL", "v")}, _B: {}},
}
_MAP_BLOCKS = {"meta", "env", "canary_meta", "tagged_addresses", "options", "headers"}
_SHORTHAND_OPERANDS = ("distinct_hosts", "distinct_property", "regexp", "set_contains",
                       "set_contains_any", "set_contains_all", "version", "semver",
                       "is_set", "is_not_set")


def duration_ns(value, where):
    """Go duration string ("30s", "1h30m", "1.5s") -> integer nanoseconds."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ApiError(400, f"{where}: expected a duration string, got {value!r}")
    text, total, pos = value.strip(), 0, 0
    if text == "0":
        return 0
    for m in _DUR.finditer(text):
        if m.start() != pos:
            break
        frac = m.group(2) or ""
        unit = _NS[m.group(3)]
        total += int(m.group(1)) * unit
        if frac:
            total += int(frac) * unit // 10 ** len(frac)
        pos = m.end()
    if not text or pos != len(text):
        raise ApiError(400, f"{where}: invalid duration {value!r}")
    return total


def _string_map(value, where):
    if not isinstance(value, dict):
        raise ApiError(400, f"{where}: expected a map")
    return {k: v if isinstance(v, str) else _scalar_str(v) for k, v in value.items()}


def _scalar_str(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _freeform(body):
    out = dict(body.attrs)
    for kind, labels, inner in body.blocks:
        value = _freeform(inner)
        for label in reversed(labels):
            value = {label: value}
        out.setdefault(kind, []).append(value)
    return out


def _decode(body, struct, where):
    spec = SPEC[struct]
    out = {}
    for name, value in body.attrs.items():
        if struct == "Constraint" and name in _SHORTHAND_OPERANDS:
            out["Operand"] = name
            out["RTarget"] = _scalar_str(value)
            continue
        if name not in spec[_A]:
            raise ApiError(400, f"{where}: Unsupported argument; An argument named "
                                f"\"{name}\" is not expected here.")
        field, kind = spec[_A][name]
        if kind == "d":
            value = duration_ns(value, f"{where}.{name}")
        elif kind == "m":
            value = _string_map(value, f"{where}.{name}")
        out[field] = value
    for kind, labels, inner in body.blocks:
        if kind in _MAP_BLOCKS and name_for_map(spec, kind):
            if inner.blocks:
                raise ApiError(400, f"{where}.{kind}: nested blocks are not allowed here")
            out[name_for_map(spec, kind)] = _string_map(inner.attrs, f"{where}.{kind}")
            continue
        if kind not in spec[_B]:
            raise ApiError(400, f"{where}: Unsupported block type; Blocks of type "
                                f"\"{kind}\" are not expected here.")
        field, sub, mode = spec[_B][kind]
        here = f"{where}.{kind}" + "".join(f"[{label}]" for label in labels)
        if mode == "freeform":
            out[field] = _freeform(inner)
            continue
        decoded = _decode(inner, sub, here)
        if mode in ("label", "map", "label_value", "port") and len(labels) != 1:
            raise ApiError(400, f"{here}: Missing name for {kind}; All {kind} blocks must "
                                f"have 1 labels.")
        if mode == "one":
            if field in out:
                raise ApiError(400, f"{here}: Duplicate {kind} block")
            out[field] = decoded
        elif mode == "list":
            out.setdefault(field, []).append(decoded)
        elif mode == "label":
            decoded["Name"] = labels[0]
            out.setdefault(field, []).append(decoded)
        elif mode == "label_value":
            decoded["Value"] = labels[0]
            out.setdefault(field, []).append(decoded)
        elif mode == "map":
            decoded.setdefault("Name", labels[0])
            out.setdefault(field, {})[labels[0]] = decoded
        elif mode == "port":
            decoded["Label"] = labels[0]
            target = "ReservedPorts" if decoded.get("Value") else "DynamicPorts"
            out.setdefault(target, []).append(decoded)
    if struct in ("Constraint", "Affinity") and "Operand" not in out:
        out["Operand"] = "="
    return out


def name_for_map(spec, kind):
    for attr, (field, k) in spec[_A].items():
        if attr == kind and k == "m":
            return field
    return None


def _variables(body, given_text):
    try:
        given = hcl.parse(given_text) if given_text.strip() else hcl.Body()
    except hcl.HCLError as exc:
        raise ApiError(400, f"Failed to parse variables: {exc}") from exc
    if given.blocks:
        raise ApiError(400, "Failed to parse variables: blocks are not allowed")
    values = {}
    declared = set()
    for labels, vbody in body.blocks_of("variable"):
        if len(labels) != 1:
            raise ApiError(400, "variable block needs one label")
        unknown = set(vbody.attrs) - {"default", "type", "description", "sensitive"}
        if unknown or vbody.blocks:
            raise ApiError(400, f"variable {labels[0]!r}: unsupported arguments or blocks "
                                f"{sorted(unknown) or [b[0] for b in vbody.blocks]}")
        declared.add(labels[0])
        if "default" in vbody.attrs:
            values[labels[0]] = hcl.resolve(vbody.attrs["default"], {})
    for name, value in given.attrs.items():
        if name not in declared:
            raise ApiError(400, f"Undefined variable; A variable named \"{name}\" was assigned "
                                f"a value, but the root module does not declare a variable "
                                f"of that name.")
        values[name] = hcl.resolve(value, {})
    missing = declared - set(values)
    if missing:
        raise ApiError(400, f"Unset variable \"{sorted(missing)[0]}\"; A used variable must "
                            f"be set or have a default value.")
    return values


def _resolve_body(body, values):
    out = hcl.Body()
    for name, value in body.attrs.items():
        out.attrs[name] = hcl.resolve(value, values)
    out.blocks = [(k, labels, _resolve_body(inner, values)) for k, labels, inner in body.blocks
                  if k != "variable"]
    return out


def parse_job(text, variables_text):
    """Parse a job specification; return api.Job JSON or raise ApiError(400)."""
    try:
        root = hcl.parse(text)
        values = _variables(root, variables_text)
        root = _resolve_body(root, values)
    except hcl.HCLError as exc:
        raise ApiError(400, f"Failed to parse job: {exc}") from exc
    for kind, _labels, _body in root.blocks:
        if kind not in ("job", "variable"):
            raise ApiError(400, f"Unsupported block type; Blocks of type \"{kind}\" are not "
                                f"expected here (supported: job, variable).")
    if root.attrs:
        raise ApiError(400, f"Unsupported argument {next(iter(root.attrs))!r} at top level")
    jobs = root.blocks_of("job")
    if len(jobs) != 1 or len(jobs[0][0]) != 1:
        raise ApiError(400, "Failed to parse job: expected exactly one job block with a name")
    (labels, body), = jobs
    job = _decode(body, "Job", f"job[{labels[0]}]")
    job["ID"] = labels[0]
    job.setdefault("Name", labels[0])
    return job
