# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nomad's service and service-check rules (group services, Consul provider, Connect).

Sources: nomad/structs/services.go ``Service.Validate``, ``Service.ValidateName``,
``Service.validateConsulService``, ``Service.validateCheckPort``,
``ServiceCheck.validateCommon``, ``ServiceCheck.validateConsul``,
``ServiceCheck.validateNomad``; nomad/structs/structs.go ``CheckRestart.Validate``,
``TaskGroup.validateScriptChecksInGroupServices``; nomad/job_endpoint_hook_expose_check.go
``tgValidateUseOfCheckExpose``.
"""
from __future__ import annotations

import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.rules.values import integer, requires_object, show_ns

# RFC 1123 label, at most 63 characters (services.go Service.ValidateName).
SERVICE_NAME = re.compile(r"^(?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])\Z", re.IGNORECASE)
MIN_CHECK_INTERVAL = 1_000_000_000  # services.go minCheckInterval (1s)
MIN_CHECK_TIMEOUT = 1_000_000_000   # services.go minCheckTimeout (1s)
CONSUL_CHECK_TYPES = ("grpc", "tcp", "http", "script")
NOMAD_CHECK_TYPES = ("tcp", "http")
ON_UPDATE = ("require_healthy", "ignore_warnings", "ignore")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def service_name_problem(name):
    """Message when ``name`` is not a valid Nomad service name, else None (Service.ValidateName)."""
    if not isinstance(name, str) or not SERVICE_NAME.match(name):
        return ("Service name must be valid per RFC 1123 and can contain only alphanumeric "
                "characters or dashes and must be no longer than 63 characters")
    return None


def http_path_problem(path):
    """Message when Go's url.Parse refuses ``path`` or finds it absolute (ServiceCheck.validateCommon)."""
    if not isinstance(path, str) or not path:
        return "http type must have http path"
    # url.Parse unescapes the path and the fragment, never the query (kept raw)
    rest, dummy, fragment = path.partition("#")
    escaped = rest.partition("?")[0] + fragment
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path) or _BAD_ESCAPE.search(escaped) or path.startswith(":"):
        return "http type must have valid http path"
    if _SCHEME.match(path):
        return "http type must have relative http path"
    return None


@requires_object("a check must be an object")
def check_problems(check, provider="consul", connect_sidecar=False, group_service=True):
    """``check``: API-form ``ServiceCheck``. ``connect_sidecar``: the service has a Connect
    sidecar. Returns ``[(field, message)]`` in the order Nomad reports them (the first
    common problem stops the common checks, as in validateCommon)."""
    out = []
    ctype = str(check.get("Type") or "").lower()
    if provider == "consul" and ctype == "tcp" and connect_sidecar:
        # services.go validateConsulService: the service listens on loopback in the netns
        return [("Type", "tcp checks are not valid for Connect enabled services")]
    allowed = CONSUL_CHECK_TYPES if provider == "consul" else NOMAD_CHECK_TYPES
    if ctype not in allowed:
        return [("Type", f"invalid check type ({ctype!r}), must be one of {', '.join(allowed)}")]
    if ctype == "http":
        problem = http_path_problem(check.get("Path"))
        if problem:
            return [("Path", problem)]
    if ctype == "script" and not check.get("Command"):
        return [("Command", "script type must have a valid script path")]
    interval, timeout = integer(check.get("Interval")), integer(check.get("Timeout"))
    if not interval:
        return [("Interval", "missing required value interval. Interval cannot be less than 1s")]
    if interval < MIN_CHECK_INTERVAL:
        return [("Interval", f"interval ({show_ns(interval)}) cannot be lower than 1s")]
    if not timeout:
        return [("Timeout", "missing required value timeout. Timeout cannot be less than 1s")]
    if timeout < MIN_CHECK_TIMEOUT:
        return [("Timeout", f"timeout ({show_ns(timeout)}) is lower than required minimum timeout 1s")]
    on_update = check.get("OnUpdate") or ""
    if on_update and on_update not in ON_UPDATE:
        return [("OnUpdate", f"on_update must be one of {', '.join(ON_UPDATE)}")]
    restart = check.get("CheckRestart")
    if isinstance(restart, dict):
        if on_update == "ignore":
            return [("OnUpdate", "on_update value 'ignore' is not compatible with check_restart")]
        if on_update == "ignore_warnings" and not restart.get("IgnoreWarnings"):
            return [("OnUpdate", "on_update value 'ignore_warnings' not supported with check_restart "
                     "ignore_warnings value false")]
        limit, grace = integer(restart.get("Limit")), integer(restart.get("Grace"))
        if limit is not None and limit < 0:
            out.append(("CheckRestart.Limit", "limit must be greater than or equal to 0"))
        if grace is not None and grace < 0:
            out.append(("CheckRestart.Grace", "grace period must be greater than or equal to 0"))
    if check.get("Expose"):
        if provider != "consul":
            out.append(("Expose", "expose may only be set for Consul service checks"))
        elif ctype not in ("http", "grpc"):
            out.append(("Expose", "expose may only be set on HTTP or gRPC checks"))
        elif not connect_sidecar:
            out.append(("Expose", "exposed service check requires use of sidecar_proxy"))
    if group_service and ctype == "script" and not check.get("TaskName"):
        out.append(("TaskName", "a script check in a group service must specify its task"))
    return out


@requires_object("a service must be an object")
def service_problems(service):
    """``service``: API-form group ``Service``. Returns ``[(field, message)]`` (Service.Validate)."""
    out = []
    if service.get("Name"):  # api/services.go Service.Canonicalize derives an unset name
        problem = service_name_problem(service["Name"])
        if problem:
            out.append(("Name", problem))
    provider = service.get("Provider") or "consul"
    if provider not in ("consul", "nomad"):
        out.append(("Provider", f"Service provider must be 'consul', or 'nomad'; not {provider!r}"))
        return out
    connect = service.get("Connect")
    sidecar = isinstance(connect, dict) and connect.get("SidecarService") is not None
    if connect is not None and provider == "nomad":
        out.append(("Connect", "Service with provider nomad cannot include Connect blocks"))
    if sidecar and isinstance(service.get("Name"), str) and service["Name"] != service["Name"].lower():
        out.append(("Name", "Consul Connect service name must not contain uppercase characters"))
    for i, check in enumerate(service.get("Checks") or []):
        if isinstance(check, dict) and not service.get("PortLabel") and not check.get("PortLabel") \
                and str(check.get("Type") or "").lower() in ("http", "tcp", "grpc") and not check.get("Expose"):
            out.append((f"Checks[{i}].PortLabel", "check requires a port but neither check nor service have a port"))
            continue
        for field, message in check_problems(check, provider, sidecar):
            out.append((f"Checks[{i}]" + (f".{field}" if field else ""), message))
    return out
