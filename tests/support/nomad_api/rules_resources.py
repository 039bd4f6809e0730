"""Task resources, ephemeral disk, log config, group networks and volumes.

Sources: nomad/structs/structs.go ``Resources.Validate``,
``Resources.MeetsMinResources``, ``RequestedDevice.Validate``,
``EphemeralDisk.Validate``, ``LogConfig.Validate``,
``TaskGroup.validateNetworks``; nomad/structs/volumes.go
``VolumeRequest.Validate`` (type, source and per_alloc rules only).
"""
from .errors import multierror
from .gofmt import q
from .rules_placement import affinity_errors, constraint_errors, numbered

MIN_CPU = 1          # structs.MinResources
MIN_MEMORY_MB = 10
MIN_DISK_MB = 10     # EphemeralDisk.Validate
MEMORY_NO_LIMIT = -1
MAX_PORT = 65535


def resources_errors(r):
    """structs.go Resources.Validate (after api Resources.Canonicalize)."""
    errs = []
    cpu, cores = r.get("CPU") or 0, r.get("Cores") or 0
    memory = r.get("MemoryMB") or 0
    if cores > 0 and cpu > 0:
        errs.append("Task can only ask for 'cpu' or 'cores' resource, not both.")
    if cores < 0:
        errs.append(f"cores value ({cores}) cannot be negative")
    minimum = []
    if cpu < MIN_CPU and cores == 0:
        minimum.append(f"minimum CPU value is {MIN_CPU}; got {cpu}")
    if memory < MIN_MEMORY_MB:
        minimum.append(f"minimum MemoryMB value is {MIN_MEMORY_MB}; got {memory}")
    if minimum:
        errs.append(multierror(minimum))
    if (r.get("DiskMB") or 0) > 0:
        errs.append("Task can't ask for disk resources, they have to be specified at the task "
                    "group level.")
    for i, device in enumerate(r.get("Devices") or [], 1):
        device_errs = device_errors(device)
        if device_errs:
            errs.append(f"device {i} failed validation: {multierror(device_errs)}")
    max_mb = r.get("MemoryMaxMB") or 0
    if max_mb not in (0, MEMORY_NO_LIMIT) and max_mb < memory:
        errs.append(f"MemoryMaxMB value ({max_mb}) should be larger than MemoryMB value ({memory})")
    secrets = r.get("SecretsMB") or 0
    if secrets > memory:
        errs.append(f"SecretsMB value ({secrets}) cannot be larger than MemoryMB value ({memory})")
    if secrets < 0:
        errs.append(f"SecretsMB value ({secrets}) cannot be negative")
    return errs


def device_errors(d):
    """structs.go RequestedDevice.Validate."""
    errs = []
    if not d.get("Name"):
        errs.append("device name must be given as one of the following: type, vendor/type, "
                    "or vendor/type/name")
    for i, c in enumerate(d.get("Constraints") or [], 1):
        if c.get("Operand") in ("distinct_hosts", "distinct_property"):
            errs.append(f"Constraint {i} validation failed: using unsupported operand "
                        f"{q(c.get('Operand'))}")
        else:
            c_errs = constraint_errors(c)
            if c_errs:
                errs.append(f"Constraint {i} validation failed: {multierror(c_errs)}")
    errs.extend(numbered(d.get("Affinities"), affinity_errors, "Affinity"))
    return errs


def disk_errors(disk):
    """structs.go EphemeralDisk.Validate."""
    size = disk.get("SizeMB") or 0
    return [f"minimum DiskMB value is {MIN_DISK_MB}; got {size}"] if size < MIN_DISK_MB else []


def log_config_errors(log, disk):
    """structs.go LogConfig.Validate: rotated logs must fit the group's disk."""
    errs = []
    files, size = log.get("MaxFiles") or 0, log.get("MaxFileSizeMB") or 0
    if files < 1:
        errs.append(f"minimum number of files is 1; got {files}")
    if size < 1:
        errs.append(f"minimum file size is 1MB; got {size}")
    if disk is not None:
        usage = files * size
        if (disk.get("SizeMB") or 0) <= usage:
            errs.append(f"log storage ({usage} MB) must be less than requested disk capacity "
                        f"({disk.get('SizeMB') or 0} MB)")
    return errs


def _ports(net):
    return list(net.get("ReservedPorts") or []) + list(net.get("DynamicPorts") or [])


def _is_domain_name(name):
    """miekg/dns IsDomainName, roughly: no empty or over-long labels."""
    labels = name[:-1].split(".") if name.endswith(".") else name.split(".")
    return len(name) <= 255 and all(0 < len(label) <= 63 for label in labels)


def network_errors(group):
    """structs.go TaskGroup.validateNetworks: unique port labels, no static port
    twice on one host network, port ranges, CNI args, hostname."""
    errs = []
    labels = {}
    static = {}
    cni_keys = set()
    for net in group.get("Networks") or []:
        mode = net.get("Mode") or ""
        for port in _ports(net):
            label = port.get("Label") or ""
            if label in labels:
                errs.append(f"Port label {label} already in use by {labels[label]}")
            else:
                labels[label] = "taskgroup network"
            value = port.get("Value") or 0
            if value != 0:
                used = static.setdefault(port.get("HostNetwork") or "default", {})
                if value in used:
                    if not port.get("IgnoreCollision"):
                        errs.append(f"Static port {value} already reserved by {used[value]}")
                elif value > MAX_PORT:
                    errs.append(f"Port {label} ({value}) cannot be greater than {MAX_PORT}")
                else:
                    used[value] = f"taskgroup network:{label}"
            to = port.get("To") or 0
            if to < -1:
                errs.append(f"Port {q(label)} cannot be mapped to negative value {to}")
            elif to > MAX_PORT:
                errs.append(f"Port {q(label)} cannot be mapped to a port ({to}) greater than "
                            f"{MAX_PORT}")
            if port.get("IgnoreCollision") and mode not in ("", "host"):
                errs.append(f"Port {q(label)} collision may not be ignored on non-host network "
                            f"mode {q(mode)}")
        cni = net.get("CNI") or {}
        for key, value in sorted((cni.get("Args") or {}).items()):
            if key in cni_keys:
                errs.append(f"duplicate CNI arg {q(key)}")
            cni_keys.add(key)
            if ";" in key:
                errs.append(f"invalid ';' character in CNI arg key {q(key)}")
            if ";" in str(value):
                errs.append(f"invalid ';' character in CNI arg value {q(value)}")
        hostname = net.get("Hostname") or ""
        if hostname and "${" not in hostname and not _is_domain_name(hostname):
            errs.append("Hostname is not a valid DNS name")
    for task in group.get("Tasks") or []:
        for net in (task.get("Resources") or {}).get("Networks") or []:
            for port in _ports(net):
                label = port.get("Label") or ""
                if label in labels:
                    errs.append(f"Port label {label} already in use by {labels[label]}")
                value = port.get("Value") or 0
                if value != 0:
                    used = static.setdefault(port.get("HostNetwork") or "default", {})
                    if value in used:
                        errs.append(f"Static port {value} already reserved by {used[value]}")
                    elif value > MAX_PORT:
                        errs.append(f"Port {label} ({value}) cannot be greater than {MAX_PORT}")
                    else:
                        used[value] = f"{task.get('Name')}:{label}"
    return errs


def volume_errors(vol, job_type, count, canaries):
    """volumes.go VolumeRequest.Validate (type, source, per_alloc)."""
    vtype = vol.get("Type") or ""
    if vtype not in ("host", "csi"):
        return [f"volume has unrecognized type {vtype}"]
    errs = []
    if not vol.get("Source"):
        errs.append("volume has an empty source")
    if vol.get("PerAlloc"):
        if job_type in ("system", "sysbatch"):
            errs.append("volume cannot be per_alloc for system or sysbatch jobs")
        if canaries > 0:
            errs.append("volume cannot be per_alloc when canaries are in use")
        if vol.get("Sticky"):
            errs.append("volume cannot be per_alloc and sticky at the same time")
    return errs
