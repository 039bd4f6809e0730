"""Service and check rules, for group and task services.

Sources: nomad/structs/services.go ``Service.Validate``, ``ValidateName``,
``validateConsulService``, ``validateNomadService``, ``validateCheckPort``,
``validateIdentity``, ``ServiceCheck.validateCommon`` / ``validateConsul`` /
``validateNomad``, ``CheckRestart.Validate`` (structs.go), ``ConsulConnect.Validate``;
nomad/structs/structs.go ``validateServices`` (task services),
``TaskGroup.validateServices`` and ``validateScriptChecksInGroupServices``.
"""
import re
from urllib.parse import urlsplit

from .errors import multierror
from .gofmt import duration as dur
from .gofmt import q

MIN_CHECK_INTERVAL = 1_000_000_000  # services.go minCheckInterval
MIN_CHECK_TIMEOUT = 1_000_000_000   # services.go minCheckTimeout
_NAME = re.compile(r"^(?i:[a-z0-9]|[a-z0-9][a-z0-9\-]{0,61}[a-z0-9])$")
_ENV = re.compile(r"\$\{[^}]*\}")
ON_UPDATE = ("", "ignore", "require_healthy", "ignore_warnings")
CONSUL_KINDS = ("", "api-gateway", "ingress-gateway", "mesh-gateway", "terminating-gateway")
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE")


def connect_kinds(connect):
    """(sidecar, native, gateway) flags of an api ConsulConnect object."""
    if not connect:
        return False, False, False
    return (connect.get("SidecarService") is not None, bool(connect.get("Native")),
            connect.get("Gateway") is not None)


def _check_common(c, allowed):
    """ServiceCheck.validateCommon: the first problem, or None."""
    ctype = (c.get("Type") or "").lower()
    if ctype not in allowed:
        return f"invalid check type ({q(ctype)}), must be one of {', '.join(allowed)}"
    if ctype == "http":
        path = c.get("Path") or ""
        if not path:
            return "http type must have http path"
        if urlsplit(path).scheme:
            return "http type must have relative http path"
    if ctype == "script" and not c.get("Command"):
        return "script type must have a valid script path"
    interval, timeout = c.get("Interval") or 0, c.get("Timeout") or 0
    if interval == 0:
        return (f"missing required value interval. Interval cannot be less than "
                f"{dur(MIN_CHECK_INTERVAL)}")
    if interval < MIN_CHECK_INTERVAL:
        return f"interval ({dur(interval)}) cannot be lower than {dur(MIN_CHECK_INTERVAL)}"
    if timeout == 0:
        return (f"missing required value timeout. Timeout cannot be less than "
                f"{dur(MIN_CHECK_INTERVAL)}")
    if timeout < MIN_CHECK_TIMEOUT:
        return (f"timeout ({dur(timeout)}) is lower than required minimum timeout "
                f"{dur(MIN_CHECK_INTERVAL)}")
    status = c.get("InitialStatus") or ""
    if status not in ("", "passing", "warning", "critical"):
        return (f'invalid initial check state ({status}), must be one of "passing", '
                f'"warning", "critical" or empty')
    mode = c.get("AddressMode") or ""
    if mode == "auto":
        return 'invalid address_mode "auto" - auto only valid for services'
    if mode not in ("", "host", "driver", "alloc", "alloc_ipv6"):
        return f"invalid address_mode {q(mode)}"
    on_update = c.get("OnUpdate") or ""
    if on_update not in ON_UPDATE:
        return (f'on_update must be "require_healthy", "ignore_warnings", or "ignore"; '
                f'got {q(on_update)}')
    restart = c.get("CheckRestart")
    if restart is not None:
        if on_update == "ignore":
            return 'on_update value "ignore" is not compatible with check_restart'
        if not restart.get("IgnoreWarnings") and on_update == "ignore_warnings":
            return ('on_update value "ignore_warnings" not supported with check_restart '
                    'ignore_warnings value "false"')
        restart_errs = []
        if (restart.get("Limit") or 0) < 0:
            restart_errs.append(f"limit must be greater than or equal to 0 but found "
                                f"{restart['Limit']}")
        if (restart.get("Grace") or 0) < 0:
            restart_errs.append(f"grace period must be greater than or equal to 0 but found "
                                f"{restart['Grace']}")
        if restart_errs:
            return multierror(restart_errs)
    return None


def _check_consul(c):
    """ServiceCheck.validateConsul."""
    problem = _check_common(c, ("grpc", "tcp", "http", "script"))
    if problem:
        return problem
    ctype = (c.get("Type") or "").lower()
    if c.get("Expose") and ctype not in ("grpc", "http"):
        return "expose may only be set on HTTP or gRPC checks"
    for field, name in (("SuccessBeforePassing", "success_before_passing"),
                        ("FailuresBeforeCritical", "failures_before_critical"),
                        ("FailuresBeforeWarning", "failures_before_warning")):
        value = c.get(field) or 0
        if value < 0:
            return f"{name} must be non-negative"
        if value > 0 and c.get("Type") not in ("tcp", "http", "grpc"):
            return f"{name} not supported for check of type {q(c.get('Type'))}"
    if len(c.get("Notes") or "") > 255:
        return "notes must not be longer than 255 characters"
    return None


def _check_nomad(c):
    """ServiceCheck.validateNomad."""
    problem = _check_common(c, ("tcp", "http"))
    if problem:
        return problem
    if c.get("Expose"):
        return "expose may only be set for Consul service checks"
    if c.get("OnUpdate") == "ignore_warnings":
        return "on_update may only be set to ignore_warnings for Consul service checks"
    if (c.get("CheckRestart") or {}).get("IgnoreWarnings"):
        return "ignore_warnings on check_restart only supported for Consul service checks"
    if c.get("AddressMode") == "driver":
        return "address_mode = driver may only be set for Consul service checks"
    method = c.get("Method") or ""
    if c.get("Type") == "http" and method and method not in HTTP_METHODS:
        return f"method type {q(method)} not supported in Nomad http check"
    for field, name in (("SuccessBeforePassing", "success_before_passing"),
                        ("FailuresBeforeCritical", "failures_before_critical"),
                        ("FailuresBeforeWarning", "failures_before_warning")):
        if c.get(field):
            return f"{name} may only be set for Consul service checks"
    if c.get("TLSServerName"):
        return "tls_server_name may only be set for Consul service checks"
    return None


def _requires_port(c):
    return c.get("Type") in ("grpc", "http", "tcp")


def check_name(c, service_name):
    """structs ServiceCheck.Canonicalize default name."""
    return c.get("Name") or f"service: {q(service_name)} check"


def service_errors(s):
    """services.go Service.Validate."""
    errs = []
    name = s.get("Name") or ""
    if not _NAME.match(_ENV.sub("ENV-VAR", name)):
        errs.append("Service name must be valid per RFC 1123 and can contain only alphanumeric "
                    "characters or dashes and must be no longer than 63 characters: "
                    f"{q(name)}")
    mode = s.get("AddressMode") or ""
    if mode in ("host", "driver", "alloc", "alloc_ipv6"):
        if s.get("Address"):
            errs.append('Service address_mode must be "auto" if address is set')
    elif mode not in ("", "auto"):
        errs.append(f'Service address_mode must be "auto", "host", or "driver"; not {q(mode)}')
    on_update = s.get("OnUpdate") or ""
    if on_update not in ON_UPDATE:
        errs.append(f'Service on_update must be "require_healthy", "ignore_warnings", or '
                    f'"ignore"; not {q(on_update)}')
    provider = s.get("Provider") or "consul"
    connect = s.get("Connect")
    sidecar, native, gateway = connect_kinds(connect)
    if provider == "consul":
        for c in s.get("Checks") or []:
            cname = check_name(c, name)
            if not s.get("PortLabel") and not c.get("PortLabel") and _requires_port(c):
                errs.append(f"Check {cname} invalid: check requires a port but neither check "
                            f"nor service {q(name)} have a port")
                continue
            if c.get("Type") == "tcp" and sidecar:
                errs.append(f"Check {cname} invalid: tcp checks are not valid for Connect "
                            f"enabled services")
                continue
            problem = _check_consul(c)
            if problem:
                errs.append(f"Check {cname} invalid: {problem}")
        if (s.get("Kind") or "") not in CONSUL_KINDS:
            errs.append(f"Service {name} kind must be one of consul service kind or empty")
        if connect is not None:
            if sum((sidecar, native, gateway)) != 1:
                errs.append("Consul Connect must be exclusively native, make use of a sidecar, "
                            "or represent a Gateway")
            if native and not s.get("TaskName"):
                errs.append(f"Service {name} is Connect Native and requires setting the task")
            if native and not s.get("PortLabel"):
                errs.append(f"Service {name} is Connect Native and requires setting the port")
    elif provider == "nomad":
        for c in s.get("Checks") or []:
            if not s.get("PortLabel") and not c.get("PortLabel") and _requires_port(c):
                errs.append(f"Check {check_name(c, name)} invalid: check requires a port but "
                            f"neither check nor service {q(name)} have a port")
                continue
            problem = _check_nomad(c)
            if problem:
                errs.append(problem)
        if connect is not None:
            errs.append("Service with provider nomad cannot include Connect blocks")
    else:
        errs.append(f'Service provider must be "consul", or "nomad"; not {q(provider)}')
    identity = s.get("Identity")
    if identity is not None and not identity.get("Audience"):
        errs.append("Service identity must provide at least one target aud value")
    return errs


def task_services_errors(task, group_networks):
    """structs.go validateServices: task services, their checks and port labels."""
    errs = []
    wanted = {}
    known = set()
    for i, s in enumerate(task.get("Services") or []):
        name = s.get("Name") or ""
        s_errs = service_errors(s)
        if s_errs:
            errs.append(f"service[{i}] {q(name)} validation failed: {multierror(s_errs)}")
        mode = s.get("AddressMode") or ""
        if mode in ("alloc", "alloc_ipv6"):
            errs.append(f'service {q(name)} cannot use address_mode="{mode}", only services '
                        f'defined in a "group" block can use this mode')
        key = name + (s.get("PortLabel") or "")
        if key in known:
            errs.append(f"service {q(name)} is duplicate")
        known.add(key)
        label = s.get("PortLabel") or ""
        if label and not (mode == "driver" and label.lstrip("-").isdigit()):
            wanted.setdefault(label, set()).add(name)
        if s.get("Connect") is not None:
            errs.append(f'service {q(name)} cannot have "connect" block, only services defined '
                        f'in a "group" block can')
        seen_checks = set()
        for c in s.get("Checks") or []:
            cname = check_name(c, name)
            if cname in seen_checks:
                errs.append(f"check {q(cname)} is duplicate")
            seen_checks.add(cname)
            cmode = c.get("AddressMode") or ""
            if cmode in ("alloc", "alloc_ipv6"):
                errs.append(f'check {q(name)} cannot use address_mode="{cmode}", only checks '
                            f'defined in a "group" service block can use this mode')
            if not _requires_port(c):
                continue
            port = c.get("PortLabel") or label
            if not port:
                errs.append(f"check {q(cname)} is missing a port")
                continue
            numeric = port.lstrip("-").isdigit()
            if cmode == "driver" and numeric:
                if int(port) <= 0:
                    errs.append(f"check {q(cname)} has invalid numeric port {int(port)}")
                continue
            if numeric:
                errs.append(f'check {q(cname)} cannot use a numeric port {int(port)} without '
                            f'setting address_mode="driver"')
                continue
            wanted.setdefault(port, set()).add(name)
    labels = set()
    if group_networks:
        labels.update(p.get("Label") for p in (group_networks[0].get("ReservedPorts") or [])
                      + (group_networks[0].get("DynamicPorts") or []))
    for net in (task.get("Resources") or {}).get("Networks") or []:
        labels.update(p.get("Label") for p in (net.get("ReservedPorts") or [])
                      + (net.get("DynamicPorts") or []))
    for port in sorted(wanted):
        if port not in labels:
            errs.append(f"port label {q(port)} referenced by services "
                        f"{', '.join(sorted(wanted[port]))} does not exist")
    return errs


def group_services_errors(group):
    """structs.go TaskGroup.validateServices."""
    errs = []
    tasks = set()
    ids = []
    duplicates = []
    providers = set()
    for task in group.get("Tasks") or []:
        tasks.add(task.get("Name"))
        for s in task.get("Services") or []:
            if s.get("TaskName") and s["TaskName"] != task.get("Name"):
                errs.append(f"Service {s.get('Name')} is invalid: may only specify task the "
                            f"service belongs to, got {q(s['TaskName'])}")
            for c in s.get("Checks") or []:
                if c.get("TaskName") and c["TaskName"] != task.get("Name"):
                    errs.append(f"Check {check_name(c, s.get('Name'))} is invalid: may only "
                                f"specify task the check belongs to, got {q(c['TaskName'])}")
            key = (s.get("Name"), task.get("Name"), s.get("PortLabel") or "")
            (duplicates if key in ids else ids).append(key)
            providers.add(s.get("Provider") or "consul")
    for i, s in enumerate(group.get("Services") or []):
        key = (s.get("Name"), "group", s.get("PortLabel") or "")
        (duplicates if key in ids else ids).append(key)
        providers.add(s.get("Provider") or "consul")
        s_errs = service_errors(s)
        if s_errs:
            errs.append(f"Service[{i}] {s.get('Name')} validation failed: {multierror(s_errs)}")
            continue
        if s.get("AddressMode") == "driver":
            errs.append(f'service {q(s.get("Name"))} cannot use address_mode="driver", only '
                        f'services defined in a "task" block can use this mode')
        for c in s.get("Checks") or []:
            if c.get("TaskName"):
                if c.get("AddressMode") == "driver":
                    errs.append(f'Check {q(s.get("Name"))} invalid: cannot use '
                                f'address_mode="driver", only checks defined in a "task" '
                                f'service block can use this mode')
                if c["TaskName"] not in tasks:
                    errs.append(f"Check {check_name(c, s.get('Name'))} invalid: refers to "
                                f"non-existent task {c['TaskName']}")
    if duplicates:
        shown = " ".join(f"{t}->{n}" + (f":{p}" if p else "") for n, t, p in duplicates)
        errs.append(f"Services are not unique: [{shown}]")
    if len(providers) > 1:
        errs.append("Multiple service providers used: task group services must use the same "
                    "provider")
    return errs


def group_script_check_errors(group):
    """structs.go TaskGroup.validateScriptChecksInGroupServices."""
    errs = []
    for s in group.get("Services") or []:
        if s.get("TaskName"):
            continue
        for c in s.get("Checks") or []:
            if c.get("Type") == "script" and not c.get("TaskName"):
                errs.append(f"Service [{group.get('Name')}]->{s.get('Name')} or Check "
                            f"{check_name(c, s.get('Name'))} must specify task parameter")
    return errs
