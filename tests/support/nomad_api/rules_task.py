"""Task rules.

Sources: nomad/structs/structs.go ``Task.Validate`` and the validators it calls:
``Template.Validate``, ``ChangeScript.Validate``, ``WaitConfig.Validate``,
``TaskArtifact.Validate``, ``Vault.Validate``, ``DispatchPayloadConfig.Validate``,
``TaskLifecycleConfig.Validate``, ``ValidateConnectProxyService``;
nomad/structs/workload_id.go ``WorkloadIdentity.Validate``;
nomad/structs/actions.go ``Action.Validate``; helper/escapingfs
``PathEscapesAllocViaRelative``.
"""
import posixpath
import re

from .errors import multierror
from .gofmt import duration as dur
from .gofmt import q, vlist
from .rules_placement import affinity_errors, constraint_errors, numbered
from .rules_resources import log_config_errors, resources_errors
from .rules_services import task_services_errors

_IDENTITY_NAME = re.compile(r"^[a-zA-Z0-9-_]{1,128}$")
_ACTION_NAME = re.compile(r"^[^\x00\s]{1,128}$")
TEMPLATE_CHANGE_MODES = ("noop", "restart", "signal", "script")


def escapes_alloc(prefix, path):
    """escapingfs.PathEscapesAllocViaRelative: does prefix/path leave the alloc dir?"""
    joined = posixpath.normpath(posixpath.join("/alloc-dir/alloc-id", prefix, path or ""))
    rel = posixpath.relpath(joined, "/alloc-dir/alloc-id")
    return rel.startswith("..")


def template_errors(t):
    """structs.go Template.Validate (after api Template.Canonicalize)."""
    errs = []
    if not t.get("SourcePath") and not t.get("EmbeddedTmpl"):
        errs.append("Must specify a source path or have an embedded template")
    if not t.get("DestPath"):
        errs.append("Must specify a destination for the template")
    if escapes_alloc("task", t.get("DestPath")):
        errs.append("destination escapes allocation directory")
    mode = t.get("ChangeMode") or ""
    if mode == "signal":
        if not t.get("ChangeSignal"):
            errs.append("Must specify signal value when change mode is signal")
        if t.get("Envvars"):
            errs.append("cannot use signals with env var templates")
    elif mode == "script":
        script = t.get("ChangeScript")
        if script is None:
            errs.append("must specify change script configuration value when change mode is "
                        "script")
        elif not script.get("Command"):
            errs.append("must specify script path value when change mode is script")
    elif mode not in ("noop", "restart"):
        errs.append("Invalid change mode. Must be one of the following: noop, signal, script, "
                    "restart")
    if (t.get("Splay") or 0) < 0:
        errs.append("Must specify positive splay value")
    perms = t.get("Perms") or ""
    if perms and not (re.fullmatch(r"[0-7]+", perms) and int(perms, 8) < 4096):
        errs.append(f"Failed to parse {q(perms)} as octal: strconv.ParseUint: parsing "
                    f"{q(perms)}: invalid syntax")
    wait = t.get("Wait") or {}
    if wait.get("Min") is not None and wait.get("Max") is not None and wait["Min"] > wait["Max"]:
        errs.append(f"wait min {dur(wait['Min'])} is greater than max {dur(wait['Max'])}")
    return errs


def artifact_errors(a):
    """structs.go TaskArtifact.Validate (source, mode, destination)."""
    errs = []
    if not a.get("GetterSource"):
        errs.append("source must be specified")
    mode = a.get("GetterMode") or ""
    if mode not in ("", "any", "file", "dir"):
        errs.append(f"invalid artifact mode {q(mode)}; must be one of: any, file, dir")
    if escapes_alloc("task", a.get("RelativeDest")):
        errs.append("destination escapes allocation directory")
    return errs


def vault_errors(v):
    """structs.go Vault.Validate (api Vault.Canonicalize: ChangeSignal SIGHUP when unset)."""
    mode = v.get("ChangeMode") or ""
    if mode == "signal":
        signal = "SIGHUP" if v.get("ChangeSignal") is None else v["ChangeSignal"]
        if not signal:
            return ['Signal must be specified when using change mode "signal"']
    elif mode not in ("noop", "restart"):
        return [f"Unknown change mode {q(mode)}"]
    return []


def identity_errors(wid):
    """workload_id.go WorkloadIdentity.Validate."""
    errs = []
    name = wid.get("Name") or ""
    if not _IDENTITY_NAME.match(name):
        errs.append(f"invalid name {q(name)}. Must match regex ^[a-zA-Z0-9-_]{{1,128}}$")
    for i, aud in enumerate(wid.get("Audience") or [], 1):
        if aud == "":
            errs.append(f"an empty string is an invalid audience ({i})")
    mode = wid.get("ChangeMode") or ""
    signal = wid.get("ChangeSignal") or ""
    if mode in ("", "noop", "restart"):
        if signal:
            errs.append(f'can only use change_signal={q(signal)} with change_mode="signal"')
    elif mode == "signal":
        if not signal:
            errs.append('change_signal must be specified when using change_mode="signal"')
    else:
        errs.append(f"invalid change_mode: {mode}")
    ttl = wid.get("TTL") or 0
    if ttl > 0 and name in ("", "default"):
        errs.append("ttl for default identity not yet supported")
    if ttl < 0:
        errs.append("ttl must be >= 0")
    if wid.get("Filepath") and not wid.get("File"):
        errs.append("file parameter must be true in order to specify filepath")
    return errs


def _connect_proxy_service(kind, group):
    """structs.go ValidateConnectProxyService for a task of kind connect-proxy:<svc>."""
    service = kind.split(":", 1)[1]
    connect_services = [s.get("Name") for s in group.get("Services") or []
                        if s.get("Connect") is not None]
    if not connect_services:
        return f"No Connect services in task group with Connect proxy ({q(service)})"
    if service not in connect_services:
        return (f"Connect proxy service name ({q(service)}) not found in Connect services from "
                f"task group: {vlist(connect_services)}")
    return None


def task_errors(task, job_type, group):
    """structs.go Task.Validate, in its order."""
    errs = []
    name = task.get("Name") or ""
    if not name:
        errs.append("Missing task name")
    if name == "alloc":
        errs.append('Task cannot be named "alloc"')
    if "/" in name or "\\" in name:
        errs.append("Task name cannot include slashes")
    elif "\x00" in name:
        errs.append("Task name cannot include null characters")
    if not task.get("Driver"):
        errs.append("Missing task driver")
    kill_timeout = task.get("KillTimeout") or 0
    update = group.get("Update")
    if kill_timeout < 0:
        errs.append("KillTimeout must be a positive value")
    elif (job_type == "service" and update is not None
          and (update.get("ProgressDeadline") or 0) > 0
          and kill_timeout > update["ProgressDeadline"]):
        errs.append(f"KillTimout ({dur(kill_timeout)}) longer than the group's ProgressDeadline "
                    f"({dur(update['ProgressDeadline'])})")
    if (task.get("ShutdownDelay") or 0) < 0:
        errs.append("ShutdownDelay must be a positive value")
    res_errs = resources_errors(task.get("Resources") or {})
    if res_errs:
        errs.append(multierror(res_errs))
    log_errs = log_config_errors(task.get("LogConfig") or {}, group.get("EphemeralDisk"))
    if log_errs:
        errs.append(multierror(log_errs))
    for i, c in enumerate(task.get("Constraints") or [], 1):
        c_errs = constraint_errors(c)
        if c_errs:
            errs.append(f"Constraint {i} validation failed: {multierror(c_errs)}")
        if c.get("Operand") in ("distinct_hosts", "distinct_property"):
            errs.append(f"Constraint {i} has disallowed Operand at task level: {c['Operand']}")
    if job_type == "system":
        if task.get("Affinities"):
            errs.append("System jobs may not have an affinity block")
    else:
        errs.extend(numbered(task.get("Affinities"), affinity_errors, "Affinity"))
    svc_errs = task_services_errors(task, group.get("Networks") or [])
    if svc_errs:
        errs.append(multierror(svc_errs))
    errs.extend(numbered(task.get("Artifacts"), artifact_errors, "Artifact"))
    if task.get("Vault") is not None:
        v_errs = vault_errors(task["Vault"])
        if v_errs:
            errs.append(f"Vault validation failed: {multierror(v_errs)}")
    destinations = {}
    for i, tmpl in enumerate(task.get("Templates") or [], 1):
        t_errs = template_errors(tmpl)
        if t_errs:
            errs.append(f"Template {i} validation failed: {multierror(t_errs)}")
        dest = tmpl.get("DestPath") or ""
        if dest in destinations:
            errs.append(f"Template {i} has same destination as {destinations[dest]}")
        else:
            destinations[dest] = i
    actions = {}
    for action in task.get("Actions") or []:
        aname = action.get("Name") or ""
        a_errs = []
        if not action.get("Command"):
            a_errs.append("command cannot be empty")
        if not _ACTION_NAME.match(aname):
            a_errs.append(f"invalid name '{aname}'")
        if a_errs:
            errs.append(f"Action {aname} validation failed: {multierror(a_errs)}")
        if aname in actions and not actions[aname]:
            errs.append(f"Action {aname} defined multiple times")
            actions[aname] = True
            continue
        actions[aname] = False
    payload = task.get("DispatchPayload")
    if payload is not None and escapes_alloc("task/local/", payload.get("File")):
        errs.append("Dispatch Payload validation failed: destination escapes allocation "
                    "directory")
    lifecycle = task.get("Lifecycle")
    if lifecycle is not None:
        hook = lifecycle.get("Hook") or ""
        if hook == "":
            errs.append("Lifecycle validation failed: no lifecycle hook provided")
        elif hook not in ("prestart", "poststart", "poststop"):
            errs.append(f"Lifecycle validation failed: invalid hook: {hook}")
    kind = task.get("Kind") or ""
    if kind.startswith("connect-proxy:"):
        if task.get("Services"):
            errs.append("Connect proxy task must not have a service block")
        if task.get("Leader"):
            errs.append("Connect proxy task must not have leader set")
        problem = _connect_proxy_service(kind, group)
        if problem:
            errs.append(problem)
    volumes = group.get("Volumes") or {}
    for i, mount in enumerate(task.get("VolumeMounts") or []):
        if mount.get("Volume") not in volumes:
            errs.append(f"Volume Mount ({i}) references undefined volume {mount.get('Volume')}")
    default_id = task.get("Identity")
    others = list(task.get("Identities") or [])
    if default_id is None:  # structs Task.Canonicalize moves "default" out of Identities
        found = [w for w in others if w.get("Name") == "default"]
        if found:
            default_id = found[0]
            others.remove(default_id)
    if default_id is not None:
        default_id = dict(default_id, Name=default_id.get("Name") or "default")
        i_errs = identity_errors(default_id)
        if i_errs:
            errs.append(f"Identity {q(default_id['Name'])} is invalid: {multierror(i_errs)}")
    for wid in others:
        if wid.get("Name") == "default":
            errs.append("Duplicate default identities found")
        i_errs = identity_errors(wid)
        if i_errs:
            errs.append(f"Identity {q(wid.get('Name') or '')} is invalid: {multierror(i_errs)}")
    return errs
