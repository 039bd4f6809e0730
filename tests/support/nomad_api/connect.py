"""Connect admission: what the server adds to a job with a Consul Connect sidecar.

Nomad's mutating admission hooks run on every register and plan, after
canonicalization and before validation (nomad/job_endpoint_hooks.go admissionMutators):

- jobConnectHook (nomad/job_endpoint_hook_connect.go groupConnectHook): for each
  group service with ``Connect.SidecarService`` in a group that has a network, a
  sidecar task ``connect-proxy-<service>`` (Kind ``connect-proxy:<service>``) is
  appended unless one of that Kind exists (newConnectSidecarTask: Envoy image and
  args, 250 MHz / 128 MB, prestart sidecar lifecycle, 5 s shutdown delay, 2x2 MB
  logs, the Consul version and gRPC constraints); ``SidecarTask`` overrides are
  merged into it; the dynamic port ``SidecarService.Port`` or
  ``connect-proxy-<service>`` (envoy.PortLabel) is added to the group's first
  network (injectPort, ``To: -1``).
- jobExposeCheckHook (nomad/job_endpoint_hook_expose_check.go Mutate,
  exposePathForCheck): an http/grpc check with ``Expose`` on a sidecar service gets
  a dynamic port ``svc_<service>_ck_<6 hex>`` when it has no PortLabel, and an
  expose path (Path, Protocol, LocalPathPort, ListenerPort) in
  ``Connect.SidecarService.Proxy.Expose.Paths`` unless the same path is there.

Both are idempotent, so a re-submitted job plans as "no change".
"""
import hashlib
import json

from .canonicalize import canon_task

SECOND = 1_000_000_000
PROXY_PREFIX = "connect-proxy"  # structs.ConnectProxyPrefix
ENVOY_BOOTSTRAP = "${NOMAD_SECRETS_DIR}/envoy_bootstrap.json"  # structs.EnvoyBootstrapPath


def _constraints(cluster):
    """connectSidecarVersionConstraint and connectListenerConstraint."""
    if cluster in ("", "default"):
        version, grpc = "${attr.consul.version}", "${attr.consul.grpc}"
    else:
        version, grpc = f"${{attr.consul.{cluster}.version}}", f"${{attr.consul.{cluster}.grpc}}"
    return [{"LTarget": version, "RTarget": ">= 1.8.0", "Operand": "semver"},
            {"LTarget": grpc, "RTarget": "0", "Operand": ">"}]


def _driver(group):
    """groupConnectGuessTaskDriver: podman only when no task uses docker."""
    drivers = {t.get("Driver") for t in group.get("Tasks") or []}
    return "podman" if "podman" in drivers and "docker" not in drivers else "docker"


def _sidecar_task(service, driver, cluster):
    """newConnectSidecarTask."""
    return {
        "Name": f"{PROXY_PREFIX}-{service}", "Kind": f"{PROXY_PREFIX}:{service}",
        "Driver": driver,
        "Config": {"image": "${meta.connect.sidecar_image}",
                   "args": ["-c", ENVOY_BOOTSTRAP, "-l", "${meta.connect.log_level}",
                            "--concurrency", "${meta.connect.proxy_concurrency}",
                            "--disable-hot-restart"]},
        "ShutdownDelay": 5 * SECOND,
        "LogConfig": {"MaxFiles": 2, "MaxFileSizeMB": 2},
        "Resources": {"CPU": 250, "MemoryMB": 128},
        "Lifecycle": {"Hook": "prestart", "Sidecar": True},
        "Constraints": _constraints(cluster),
    }


def _merge_sidecar_task(override, task):
    """SidecarTask.MergeIntoTask (nomad/structs/services.go): set fields replace;
    Config, Env, Meta and Resources are merged key by key."""
    for key, value in (override or {}).items():
        if value in (None, "", 0) or key == "Name":
            continue
        if key in ("Config", "Env", "Meta", "Resources") and isinstance(value, dict):
            task[key] = dict(task.get(key) or {}, **value)
        else:
            task[key] = value


def _inject_port(group, label):
    """injectPort: a dynamic port on the group's first network, once."""
    net = group["Networks"][0]
    ports = net.get("DynamicPorts") or []
    if not any(p.get("Label") == label for p in ports):
        ports.append({"Label": label, "To": -1, "HostNetwork": "default"})
    net["DynamicPorts"] = ports


def _local_port(group, service):
    """The service's port inside the network namespace: a mapped port's Value, else
    PortLabel as a number (exposePathForCheck); None when neither."""
    label = service.get("PortLabel") or ""
    for net in group.get("Networks") or []:
        for port in (net.get("ReservedPorts") or []) + (net.get("DynamicPorts") or []):
            if port.get("Label") == label and (port.get("Value") or 0) > 0:
                return port["Value"]
    return int(label) if label.isdigit() and int(label) > 0 else None


def _expose_checks(group, service):
    sidecar = service["Connect"]["SidecarService"]
    for i, check in enumerate(service.get("Checks") or []):
        if not check.get("Expose") or check.get("Type") not in ("http", "grpc"):
            continue
        if not check.get("PortLabel"):
            seed = json.dumps([service["Name"], i, check], sort_keys=True).encode()
            label = f"svc_{service['Name']}_ck_{hashlib.sha256(seed).hexdigest()[:6]}"
            _inject_port(group, label)
            check["PortLabel"] = label
        port = _local_port(group, service)
        if port is None:
            continue  # validation reports it ("unable to determine local service port")
        proxy = sidecar.get("Proxy") or {}
        sidecar["Proxy"] = proxy
        expose = proxy.get("Expose") or {}
        proxy["Expose"] = expose
        paths = expose.get("Paths") or []
        path = {"Path": check.get("Path") or "", "Protocol": check.get("Protocol") or "",
                "LocalPathPort": port, "ListenerPort": check["PortLabel"]}
        if path not in paths:
            paths.append(path)
        expose["Paths"] = paths


def admit_connect(job):
    """Apply the Connect and expose-check mutations to canonical ``job`` in place (a new
    sidecar task gets task.Canonicalize's defaults) and return it."""
    for group in job.get("TaskGroups") or []:
        if not group.get("Networks"):
            continue
        for service in group.get("Services") or []:
            sidecar = (service.get("Connect") or {}).get("SidecarService")
            if sidecar is None:
                continue
            name = service["Name"]
            tasks = group.setdefault("Tasks", [])
            task = next((t for t in tasks if t.get("Kind") == f"{PROXY_PREFIX}:{name}"), None)
            if task is None:
                task = _sidecar_task(name, _driver(group), service.get("Cluster") or "default")
                if any(t.get("Name") == task["Name"] for t in tasks):
                    suffix = hashlib.sha256(json.dumps(job.get("ID")).encode()).hexdigest()[:6]
                    task["Name"] = f"{task['Name']}-{suffix}"  # Nomad: a random 6-char suffix
                tasks.append(task)
            _merge_sidecar_task(service["Connect"].get("SidecarTask"), task)
            canon_task(task, group, job)
            _inject_port(group, sidecar.get("Port") or f"{PROXY_PREFIX}-{name}")
            _expose_checks(group, service)
    return job
