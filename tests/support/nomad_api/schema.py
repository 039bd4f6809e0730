"""The Nomad api.Job struct tree as JSON field names and JSON types.

Follows the Go structs of github.com/hashicorp/nomad/api (jobs.go, tasks.go,
resources.go, services.go, constraint.go, affinity.go, networking, volumes,
consul.go, vault, workload identity) for Nomad 1.10. A Go *T accepts JSON null,
so null is accepted everywhere. time.Duration is an integer of nanoseconds;
[]byte is a base64 string; map[string]string values must be strings.

Stricter than Go's decoder on purpose (see README): unknown fields and wrong
JSON types are errors. Go matches keys to fields case-insensitively; the server
does too (``fold=True``, then ``normalize``), while ``validate_job`` by default
also flags a key in the wrong case, so rendered jobs use the exact names.
"""
import base64
import binascii

# Type codes: str int uint int8 bool float dur bytes any; "[T]" list; "{T}" map
# with string keys; any other word names a struct below.
_STRUCTS = {
    "Job": """Region:str Namespace:str ID:str Name:str Type:str Priority:int
        AllAtOnce:bool Datacenters:[str] NodePool:str Constraints:[Constraint]
        Affinities:[Affinity] TaskGroups:[TaskGroup] Update:UpdateStrategy
        Multiregion:Multiregion Spreads:[Spread] Periodic:PeriodicConfig
        ParameterizedJob:ParameterizedJobConfig Reschedule:ReschedulePolicy
        Migrate:MigrateStrategy Meta:{str} ConsulToken:str VaultToken:str
        UI:JobUIConfig Stop:bool ParentID:str Dispatched:bool
        DispatchIdempotencyToken:str Payload:bytes ConsulNamespace:str
        VaultNamespace:str NomadTokenID:str Status:str StatusDescription:str
        Stable:bool Version:uint SubmitTime:int CreateIndex:uint
        ModifyIndex:uint JobModifyIndex:uint VersionTag:JobVersionTag""",
    "JobUIConfig": "Description:str Links:[JobUILink]",
    "JobUILink": "Label:str URL:str",
    "JobVersionTag": "Name:str Description:str TaggedTime:int",
    "Constraint": "LTarget:str RTarget:str Operand:str",
    "Affinity": "LTarget:str RTarget:str Operand:str Weight:int8",
    "Spread": "Attribute:str Weight:int8 SpreadTarget:[SpreadTarget]",
    "SpreadTarget": "Value:str Percent:int",
    "UpdateStrategy": """Stagger:dur MaxParallel:int HealthCheck:str
        MinHealthyTime:dur HealthyDeadline:dur ProgressDeadline:dur Canary:int
        AutoRevert:bool AutoPromote:bool""",
    "Multiregion": "Strategy:MultiregionStrategy Regions:[MultiregionRegion]",
    "MultiregionStrategy": "MaxParallel:int OnFailure:str",
    "MultiregionRegion": "Name:str Count:int Datacenters:[str] NodePool:str Meta:{str}",
    "PeriodicConfig": """Enabled:bool Spec:str Specs:[str] SpecType:str
        ProhibitOverlap:bool TimeZone:str""",
    "ParameterizedJobConfig": "Payload:str MetaRequired:[str] MetaOptional:[str]",
    "ReschedulePolicy": """Attempts:int Interval:dur Delay:dur DelayFunction:str
        MaxDelay:dur Unlimited:bool""",
    "MigrateStrategy": "MaxParallel:int HealthCheck:str MinHealthyTime:dur HealthyDeadline:dur",
    "RestartPolicy": "Interval:dur Attempts:int Delay:dur Mode:str RenderTemplates:bool",
    "EphemeralDisk": "Sticky:bool Migrate:bool SizeMB:int",
    "DisconnectStrategy": "LostAfter:dur Replace:bool Reconcile:str StopOnClientAfter:dur",
    "TaskGroup": """Name:str Count:int Constraints:[Constraint] Affinities:[Affinity]
        Tasks:[Task] Spreads:[Spread] Volumes:{VolumeRequest}
        RestartPolicy:RestartPolicy Disconnect:DisconnectStrategy
        ReschedulePolicy:ReschedulePolicy EphemeralDisk:EphemeralDisk
        Update:UpdateStrategy Migrate:MigrateStrategy Networks:[NetworkResource]
        Meta:{str} Services:[Service] ShutdownDelay:dur
        StopAfterClientDisconnect:dur MaxClientDisconnect:dur
        Scaling:ScalingPolicy Consul:Consul PreventRescheduleOnLost:bool
        MaxRunDuration:dur""",
    "Task": """Name:str Driver:str User:str Lifecycle:TaskLifecycle Config:{any}
        Constraints:[Constraint] Affinities:[Affinity] Env:{str}
        Services:[Service] Resources:Resources RestartPolicy:RestartPolicy
        Meta:{str} KillTimeout:dur LogConfig:LogConfig Artifacts:[TaskArtifact]
        Vault:Vault Consul:Consul Templates:[Template]
        DispatchPayload:DispatchPayloadConfig VolumeMounts:[VolumeMount]
        CSIPluginConfig:any Leader:bool ShutdownDelay:dur KillSignal:str
        Kind:str ScalingPolicies:[ScalingPolicy] Identity:WorkloadIdentity
        Identities:[WorkloadIdentity] Actions:[Action] Schedule:any""",
    "TaskLifecycle": "Hook:str Sidecar:bool",
    "Resources": """CPU:int Cores:int MemoryMB:int MemoryMaxMB:int DiskMB:int
        Networks:[NetworkResource] Devices:[RequestedDevice] IOPS:int
        NUMA:NUMAResource SecretsMB:int""",
    "NUMAResource": "Affinity:str Devices:[str]",
    "RequestedDevice": "Name:str Count:uint Constraints:[Constraint] Affinities:[Affinity]",
    "NetworkResource": """Mode:str Device:str CIDR:str IP:str DNS:DNSConfig
        ReservedPorts:[Port] DynamicPorts:[Port] Hostname:str MBits:int CNI:any""",
    "DNSConfig": "Servers:[str] Searches:[str] Options:[str]",
    "Port": "Label:str Value:int To:int HostNetwork:str IgnoreCollision:bool",
    "LogConfig": "MaxFiles:int MaxFileSizeMB:int Disabled:bool Enabled:bool",
    "TaskArtifact": """GetterSource:str GetterOptions:{str} GetterHeaders:{str}
        GetterMode:str GetterInsecure:bool RelativeDest:str Chown:bool""",
    "Template": """SourcePath:str DestPath:str EmbeddedTmpl:str ChangeMode:str
        ChangeScript:ChangeScript ChangeSignal:str Splay:dur Perms:str Uid:int
        Gid:int LeftDelim:str RightDelim:str Envvars:bool VaultGrace:dur
        Wait:WaitConfig ErrMissingKey:bool Once:bool""",
    "ChangeScript": "Command:str Args:[str] Timeout:dur FailOnError:bool",
    "WaitConfig": "Min:dur Max:dur",
    "Vault": """Policies:[str] Role:str Namespace:str Cluster:str Env:bool
        DisableFile:bool ChangeMode:str ChangeSignal:str AllowTokenExpiration:bool""",
    "Consul": "Namespace:str Cluster:str Partition:str",
    "DispatchPayloadConfig": "File:str",
    "VolumeRequest": """Name:str Type:str Source:str ReadOnly:bool AccessMode:str
        AttachmentMode:str MountOptions:any PerAlloc:bool Sticky:bool""",
    "VolumeMount": "Volume:str Destination:str ReadOnly:bool PropagationMode:str SELinuxLabel:str",
    "ScalingPolicy": """ID:str Namespace:str Target:{str} Min:int Max:int
        Policy:{any} Enabled:bool Type:str CreateIndex:uint ModifyIndex:uint""",
    "WorkloadIdentity": """Name:str Audience:[str] ChangeMode:str ChangeSignal:str
        Env:bool File:bool Filepath:str ServiceName:str TTL:dur""",
    "Action": "Name:str Command:str Args:[str]",
    "Service": """Name:str Tags:[str] CanaryTags:[str] EnableTagOverride:bool
        PortLabel:str AddressMode:str Address:str Checks:[ServiceCheck]
        CheckRestart:CheckRestart Connect:any Meta:{str} CanaryMeta:{str}
        TaggedAddresses:{str} TaskName:str OnUpdate:str Identity:WorkloadIdentity
        Weights:ServiceWeights Provider:str Cluster:str Kind:str""",
    "ServiceWeights": "Passing:int Warning:int",
    "ServiceCheck": """Name:str Type:str Command:str Args:[str] Path:str
        Protocol:str PortLabel:str Expose:bool AddressMode:str Advertise:str
        Interval:dur Timeout:dur InitialStatus:str Notes:str TLSServerName:str
        TLSSkipVerify:bool Header:{[str]} Method:str CheckRestart:CheckRestart
        GRPCService:str GRPCUseTLS:bool TaskName:str SuccessBeforePassing:int
        FailuresBeforeCritical:int FailuresBeforeWarning:int Body:str OnUpdate:str""",
    "CheckRestart": "Limit:int Grace:dur IgnoreWarnings:bool",
}

# Request bodies of the other endpoints (api/*.go request structs and the
# objects they carry; WriteRequest fields Region/Namespace/SecretID/
# IdempotencyToken are accepted where the Go struct embeds it).
_WRITE = "Region:str Namespace:str SecretID:str IdempotencyToken:str"
_STRUCTS.update({
    "JobRegisterRequest": f"""Submission:JobSubmission Job:Job EnforceIndex:bool
        JobModifyIndex:uint PolicyOverride:bool PreserveCounts:bool EvalPriority:int
        {_WRITE}""",
    "JobSubmission": "Source:str Format:str VariableFlags:{str} Variables:str",
    "JobPlanRequest": f"Job:Job Diff:bool PolicyOverride:bool {_WRITE}",
    "JobValidateRequest": f"Job:Job {_WRITE}",
    "JobDispatchRequest": f"JobID:str Payload:bytes Meta:{{str}} IdPrefixTemplate:str {_WRITE}",
    "ScalingRequest": f"""Count:int Target:{{str}} Message:str Error:bool Meta:{{any}}
        PolicyOverride:bool JobModifyIndex:uint EnforceIndex:bool {_WRITE}""",
    "JobsParseRequest": "JobHCL:str hclv1:bool Variables:str Canonicalize:bool",
    "DeploymentPromoteRequest": f"DeploymentID:str All:bool Groups:[str] {_WRITE}",
    "DeploymentFailRequest": f"DeploymentID:str {_WRITE}",
    "Namespace": """Name:str Description:str Quota:str Capabilities:NamespaceCapabilities
        NodePoolConfiguration:NamespaceNodePoolConfiguration
        VaultConfiguration:NamespaceVaultConfiguration
        ConsulConfiguration:NamespaceConsulConfiguration Meta:{str}
        CreateIndex:uint ModifyIndex:uint""",
    "NamespaceCapabilities": """EnabledTaskDrivers:[str] DisabledTaskDrivers:[str]
        EnabledNetworkModes:[str] DisabledNetworkModes:[str]""",
    "NamespaceNodePoolConfiguration": "Default:str Allowed:[str] Denied:[str]",
    "NamespaceVaultConfiguration": "Default:str Allowed:[str] Denied:[str]",
    "NamespaceConsulConfiguration": "Default:str Allowed:[str] Denied:[str]",
    "ACLPolicy": """Name:str Description:str Rules:str JobACL:JobACL
        CreateIndex:uint ModifyIndex:uint""",
    "JobACL": "Namespace:str JobID:str Group:str Task:str",
    "ACLToken": """AccessorID:str SecretID:str Name:str Type:str Policies:[str]
        Roles:[ACLTokenRoleLink] Global:bool CreateTime:str ExpirationTime:str
        ExpirationTTL:any CreateIndex:uint ModifyIndex:uint Hash:bytes""",
    "ACLTokenRoleLink": "ID:str Name:str",
    "ACLRole": """ID:str Name:str Description:str Policies:[ACLRolePolicyLink]
        CreateIndex:uint ModifyIndex:uint Hash:bytes""",
    "ACLRolePolicyLink": "Name:str",
    "BootstrapRequest": "BootstrapSecret:str",
    "Variable": """Namespace:str Path:str Items:{str} Lock:any CreateIndex:uint
        ModifyIndex:uint CreateTime:int ModifyTime:int""",
    "SchedulerConfiguration": """SchedulerAlgorithm:str PreemptionConfig:PreemptionConfig
        MemoryOversubscriptionEnabled:bool RejectJobRegistration:bool
        PauseEvalBroker:bool CreateIndex:uint ModifyIndex:uint""",
    "PreemptionConfig": """SystemSchedulerEnabled:bool SysBatchSchedulerEnabled:bool
        BatchSchedulerEnabled:bool ServiceSchedulerEnabled:bool""",
    "QuotaSpec": "Name:str Description:str Limits:[QuotaLimit] CreateIndex:uint ModifyIndex:uint",
    "QuotaLimit": "Region:str RegionLimit:QuotaResources VariablesLimit:int Hash:bytes",
    "QuotaResources": """CPU:int Cores:int MemoryMB:int MemoryMaxMB:int DiskMB:int
        Networks:[NetworkResource] Devices:[RequestedDevice] NUMA:NUMAResource
        SecretsMB:int Storage:any""",
})


def _parse_type(text):
    if text.startswith("[") and text.endswith("]"):
        return ("list", _parse_type(text[1:-1]))
    if text.startswith("{") and text.endswith("}"):
        return ("map", _parse_type(text[1:-1]))
    return text


STRUCTS = {
    name: {f.split(":", 1)[0]: _parse_type(f.split(":", 1)[1]) for f in spec.split()}
    for name, spec in _STRUCTS.items()
}
_SCALARS = {"str", "int", "uint", "int8", "bool", "float", "dur", "bytes", "any"}
for _name, _fields in STRUCTS.items():
    for _field, _typ in _fields.items():
        _base = _typ
        while isinstance(_base, tuple):
            _base = _base[1]
        assert _base in _SCALARS or _base in STRUCTS, (_name, _field, _base)

_INT_RANGES = {"int": (-(2 ** 63), 2 ** 63 - 1), "dur": (-(2 ** 63), 2 ** 63 - 1),
               "uint": (0, 2 ** 64 - 1), "int8": (-128, 127)}


def _json_kind(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _check(value, typ, path, errors, fold=False):
    if value is None:
        return
    if isinstance(typ, tuple):
        kind, inner = typ
        if kind == "list":
            if not isinstance(value, list):
                errors.append(f"{path}: expected array, got {_json_kind(value)}")
                return
            for i, item in enumerate(value):
                _check(item, inner, f"{path}[{i}]", errors, fold)
        else:
            if not isinstance(value, dict):
                errors.append(f"{path}: expected object, got {_json_kind(value)}")
                return
            for key, item in value.items():
                _check(item, inner, f"{path}[{key}]", errors, fold)
        return
    if typ in STRUCTS:
        check_struct(value, typ, path, errors, fold)
        return
    if typ == "any":
        return
    if typ in ("str", "bytes"):
        if not isinstance(value, str):
            errors.append(f"{path}: expected string, got {_json_kind(value)}")
        elif typ == "bytes":
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                errors.append(f"{path}: expected base64 string")
        return
    if typ == "bool":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected boolean, got {_json_kind(value)}")
        return
    if typ == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"{path}: expected number, got {_json_kind(value)}")
        return
    # integer kinds (int, uint, int8, dur)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        what = "integer nanoseconds" if typ == "dur" else "integer"
        errors.append(f"{path}: expected {what}, got {_json_kind(value)}")
        return
    if isinstance(value, float) and not value.is_integer():
        errors.append(f"{path}: expected integer, got fractional number {value}")
        return
    low, high = _INT_RANGES[typ]
    if not low <= int(value) <= high:
        errors.append(f"{path}: {value} out of range for {typ}")


_FOLDED = {name: {f.lower(): f for f in fields} for name, fields in STRUCTS.items()}


def _field(struct, key, fold):
    """The struct field ``key`` names: exact, or (fold=True) ASCII case-insensitive
    as Go's encoding/json matches an object key to a field."""
    if key in STRUCTS[struct]:
        return key
    if fold and isinstance(key, str):
        return _FOLDED[struct].get(key.lower())
    return None


def check_struct(obj, struct, path, errors, fold=False):
    """Append to ``errors`` every problem of ``obj`` as the JSON of ``struct``."""
    if not isinstance(obj, dict):
        errors.append(f"{path}: expected object ({struct}), got {_json_kind(obj)}")
        return
    fields = STRUCTS[struct]
    for key, value in obj.items():
        field = _field(struct, key, fold)
        if field is None:
            hint = _FOLDED[struct].get(str(key).lower())
            extra = f" (did you mean {hint!r}?)" if hint else ""
            errors.append(f"{path}.{key}: unknown field of {struct}{extra}")
            continue
        _check(value, fields[field], f"{path}.{key}", errors, fold)


def normalize(value, typ):
    """Rename object keys to the struct field names they matched (see _field);
    a later key for the same field wins, as with Go's decoder."""
    if value is None:
        return None
    if isinstance(typ, tuple):
        kind, inner = typ
        if kind == "list":
            return [normalize(v, inner) for v in value]
        return {k: normalize(v, inner) for k, v in value.items()}
    if typ in STRUCTS:
        out = {}
        for key, item in value.items():
            field = _field(typ, key, True)
            out[field] = normalize(item, STRUCTS[typ][field])
        return out
    return value


def validate_job(obj):
    """Return a list of errors (field path + problem) for ``obj`` as an api.Job.

    Checks JSON shape only (field names and JSON types), like decoding into the
    Go struct with unknown fields disallowed. An empty list means it decodes.
    """
    errors = []
    check_struct(obj, "Job", "Job", errors)
    return errors


def validate(obj, struct, path=None, fold=False):
    """Like validate_job for any struct of the tree; ``fold=True`` accepts keys
    that differ from a field name only in case (what the server does)."""
    errors = []
    check_struct(obj, struct, path or struct, errors, fold)
    return errors
