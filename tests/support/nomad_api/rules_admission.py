"""The job-register admission chain and the HTTP agent's own checks.

Sources: nomad/job_endpoint.go ``NewJobEndpoints`` (mutators, then validators,
in this order: connect, expose-check, vault, consul, namespace, node pool,
validate, ...) and ``Job.admissionValidators`` (every validator's error joined
in one multierror); nomad/job_endpoint_hook_connect.go ``groupConnectHook``
(mutator errors: "error in job mutator connect: ...") and
``groupConnectValidate`` / ``groupConnectUpstreamsValidate`` /
``groupConnectNetworkModeValidate`` / ``groupConnectSidecarValidate``;
nomad/job_endpoint_hook_expose_check.go ``Mutate``/``Validate``;
nomad/job_endpoint_hook_vault.go + _ce.go; job_endpoint_hook_consul.go + _ce.go;
nomad/job_endpoint_hooks.go ``jobValidate.Validate``;
command/agent/job_endpoint.go ``jobUpdate`` / ``jobPlan`` (HTTP 400 checks).
"""
from .errors import ApiError
from .gofmt import q
from .rules_job import job_validate_errors
from .rules_services import check_name, connect_kinds

MIN_PRIORITY, MAX_PRIORITY = 1, 100   # structs.JobMinPriority, server job_max_priority
JOB_MAX_COUNT = 50000                 # structs.JobDefaultMaxCount
ENABLED_VAULT_CLUSTERS = ("default",)
ONE_NETWORK = "must have exactly one network for Consul Connect"
NETWORK_MODE = "invalid network mode for Consul Connect"


def http_register_errors(body):
    """command/agent/job_endpoint.go jobUpdate: raise the agent's 400 before the RPC."""
    job = body.get("Job") or {}
    if job.get("Type") == "system":
        for group in job.get("TaskGroups") or []:
            if group.get("Scaling") is not None:
                raise ApiError(400, "Task groups with job type system do not support scaling "
                                    "blocks")
    priority = body.get("EvalPriority") or 0
    if priority and not 1 <= priority <= 100:
        raise ApiError(400, "Eval priority must be between 1 and 100 inclusively")


def _group_tasks(group):
    return group.get("Tasks") or []


def mutator_error(job):
    """The first error a job mutator returns (Nomad stops there), or None."""
    for group in job.get("TaskGroups") or []:
        networks = group.get("Networks") or []
        if networks:  # jobConnectHook.Mutate skips groups without networks
            for s in group.get("Services") or []:
                sidecar, native, gateway = connect_kinds(s.get("Connect"))
                if native and not sidecar:
                    task_name = s.get("TaskName") or ""
                    names = [t.get("Name") for t in _group_tasks(group)]
                    if not task_name and len(names) != 1:
                        return (f"error in job mutator connect: task for Consul Connect Native "
                                f"service {group.get('Name')}->{s.get('Name')} is ambiguous and "
                                f"must be set")
                    if task_name and task_name not in names:
                        return (f"error in job mutator connect: task {task_name} named by "
                                f"Consul Connect Native service "
                                f"{group.get('Name')}->{s.get('Name')} does not exist")
                elif gateway and not sidecar and not native:
                    if (s["Connect"]["Gateway"].get("Mesh") is not None
                            and not s.get("PortLabel")):
                        return ("error in job mutator connect: service.port must be set for mesh "
                                "gateway service")
        for s in group.get("Services") or []:
            for c in s.get("Checks") or []:
                if not (c.get("Expose") and connect_kinds(s.get("Connect"))[0]):
                    continue
                # checkIsExposable: http/grpc with an absolute path
                if ((c.get("Type") or "").lower() not in ("http", "grpc")
                        or not (c.get("Path") or "").startswith("/")):
                    continue
                problem = _network_mode_error(group, "connect expose check", False)
                if problem:
                    return f"error in job mutator expose-check: {problem}"
                if not _local_port(group, s.get("PortLabel") or ""):
                    return (f"error in job mutator expose-check: unable to determine local "
                            f"service port for service check "
                            f"{group.get('Name')}->{s.get('Name')}->{check_name(c, s.get('Name'))}")
    return None


def _local_port(group, label):
    """expose hook exposePathForCheck: a port label's static Value, or a number."""
    for net in group.get("Networks") or []:
        for port in (net.get("ReservedPorts") or []) + (net.get("DynamicPorts") or []):
            if port.get("Label") == label and (port.get("Value") or 0) > 0:
                return port["Value"]
    return int(label) if label.isdigit() and int(label) > 0 else 0


def _network_mode_error(group, prefix, allow_host):
    """job_endpoint_hook_connect.go groupConnectNetworkModeValidate."""
    networks = group.get("Networks") or []
    if len(networks) != 1:
        return f"{prefix}: {ONE_NETWORK}: group {q(group.get('Name'))} has {len(networks)} networks"
    mode = networks[0].get("Mode") or "host"
    if mode == "bridge" or (allow_host and mode == "host") or mode.startswith("cni/"):
        return None
    allowed = '"bridge", "host", or "cni/*"' if allow_host else '"bridge" or "cni/*"'
    return (f"{prefix}: {NETWORK_MODE}: group {q(group.get('Name'))} uses network mode "
            f"{q(mode)}; must be {allowed}")


def _connect_group_error(group):
    """groupConnectValidate: the first problem of one group."""
    gname = group.get("Name") or ""
    for s in group.get("Services") or []:
        sidecar, native, gateway = connect_kinds(s.get("Connect"))
        sname = s.get("Name") or ""
        if sidecar:
            problem = _network_mode_error(group, "connect sidecar", False)
            if problem:
                return problem
            if sname != sname.lower():
                return (f"Consul Connect service name {q(sname)} in group {q(gname)} must not "
                        f"contain uppercase characters")
            if gname != gname.lower():
                return (f"Consul Connect group {q(gname)} with service {q(sname)} must not "
                        f"contain uppercase characters")
        elif native:
            names = [t.get("Name") for t in _group_tasks(group)]
            task_name = s.get("TaskName") or ""
            if not task_name and len(names) != 1:
                return (f"task for Consul Connect Native service {gname}->{sname} is ambiguous "
                        f"and must be set")
            if task_name and task_name not in names:
                return (f"task {task_name} named by Consul Connect Native service "
                        f"{gname}->{sname} does not exist")
        elif gateway:
            problem = _network_mode_error(group, "connect gateway", True)
            if problem:
                return problem
    listeners = {}
    blocks = 0
    tproxy = False
    for s in group.get("Services") or []:
        if s.get("Connect") is not None:
            blocks += 1
        if not connect_kinds(s.get("Connect"))[0]:
            continue
        proxy = (s["Connect"]["SidecarService"] or {}).get("Proxy") or {}
        for up in proxy.get("Upstreams") or []:
            listener = up.get("LocalBindSocketPath") or ""
            if not listener:
                addr = up.get("LocalBindAddress") or ""
                host = f"[{addr}]" if ":" in addr else addr
                listener = f"{host}:{up.get('LocalBindPort') or 0}"
            if listener in listeners:
                return (f"Consul Connect services {q(s.get('Name'))} and "
                        f"{q(listeners[listener])} in group {q(gname)} using same address for "
                        f"upstreams ({listener})")
            listeners[listener] = s.get("Name")
        if proxy.get("TransparentProxy") is not None:
            tproxy = True
    if tproxy and blocks > 1:
        return "Consul Connect transparent proxy requires there is only one connect block"
    return None


def _expose_error(group):
    """jobExposeCheckHook.Validate for one group."""
    gname = group.get("Name") or ""
    uses_expose = any(c.get("Expose") for s in group.get("Services") or []
                      for c in s.get("Checks") or [])
    if uses_expose:
        problem = _network_mode_error(group, "connect expose check", False)
        if problem:
            return problem
    for s in group.get("Services") or []:
        for c in s.get("Checks") or []:
            if c.get("Expose") and not connect_kinds(s.get("Connect"))[0]:
                return (f"exposed service check {gname}->{s.get('Name')}->"
                        f"{check_name(c, s.get('Name'))} requires use of sidecar_proxy")
    for task in _group_tasks(group):
        for s in task.get("Services") or []:
            for c in s.get("Checks") or []:
                if c.get("Expose"):
                    return (f"exposed service check {gname}[{task.get('Name')}]->"
                            f"{s.get('Name')}->{check_name(c, s.get('Name'))} is not a "
                            f"task-group service")
    return None


def _first(job, check):
    for group in job.get("TaskGroups") or []:
        problem = check(group)
        if problem:
            return problem
    return None


def _vault_error(job):
    """jobVaultHook.Validate (CE): enabled cluster, no namespaces, default cluster."""
    blocks = [t["Vault"] for g in job.get("TaskGroups") or [] for t in _group_tasks(g)
              if t.get("Vault") is not None]
    for vault in blocks:
        cluster = vault.get("Cluster") or "default"
        if cluster not in ENABLED_VAULT_CLUSTERS:
            return f"Vault {q(cluster)} not enabled but used in the job"
    namespaces = sorted({v.get("Namespace") for v in blocks if v.get("Namespace")})
    if namespaces:
        return ("multiple Vault namespaces requires Nomad Enterprise, Namespaces: "
                + ", ".join(namespaces))
    return None


def _consul_error(job):
    """jobConsulHook.Validate (CE): partitions agree, only the default cluster."""
    for group in job.get("TaskGroups") or []:
        group_partition = (group.get("Consul") or {}).get("Partition") or ""
        clusters = [(group.get("Consul") or {}).get("Cluster")]
        clusters += [s.get("Cluster") for s in group.get("Services") or []]
        for task in _group_tasks(group):
            consul = task.get("Consul") or {}
            if consul.get("Partition") and group_partition and \
                    consul["Partition"] != group_partition:
                return (f"task.consul.partition {q(consul['Partition'])} must match "
                        f"group.consul.partition {q(group_partition)} if both are set")
            clusters.append(consul.get("Cluster"))
            clusters += [s.get("Cluster") for s in task.get("Services") or []]
        if any(c not in (None, "", "default") for c in clusters):
            return "non-default Consul cluster requires Nomad Enterprise"
    return None


def _job_validate_extra(job):
    """jobValidate.Validate: Job.Validate plus the server-side checks."""
    errs = job_validate_errors(job)
    if job.get("Type") == "core":
        errs.append("job type cannot be core")
    if job.get("Payload") and not job.get("Dispatched"):  # Job.Dispatch skips admission
        errs.append("job can't be submitted with a payload, only dispatched")
    # jobCanonicalizer: an unset (0) priority takes the server's default (50)
    priority = job.get("Priority") or 50
    if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        errs.append(f"job priority must be between [{MIN_PRIORITY}, {MAX_PRIORITY}]")
    total = 0
    for group in job.get("TaskGroups") or []:
        total += group.get("Count") or 0
        services = [("task group " + (group.get("Name") or ""), s)
                    for s in group.get("Services") or []]
        for task in _group_tasks(group):
            services += [("task " + (task.get("Name") or ""), s)
                         for s in task.get("Services") or []]
            vault = task.get("Vault")
            if vault is not None and (vault.get("Cluster") or "default") != "default":
                wanted = f"vault_{vault['Cluster']}"
                names = [w.get("Name") for w in task.get("Identities") or []]
                if wanted not in names:
                    errs.append(f"Task {task.get('Name')} uses Vault cluster {vault['Cluster']} "
                                f"but does not have an identity named {wanted} and no default "
                                f"identity is provided in agent configuration")
        for parent, s in services:
            identity = s.get("Identity")
            # jobImplicitIdentitiesHook names the identity of every Consul service
            if identity is not None and not identity.get("Name") and \
                    (s.get("Provider") or "consul") != "consul":
                errs.append(f"Service {s.get('Name')} in {parent} has an identity with an "
                            f"empty name")
    if total > JOB_MAX_COUNT:
        errs.append(f"total count was greater than configured job_max_count: "
                    f"{total} > {JOB_MAX_COUNT}")
    return errs


def admission_errors(job):
    """Job.admissionValidators: every validator's error, flattened, in order."""
    errs = []
    for problem in (_first(job, _connect_group_error), _first(job, _expose_error),
                    _vault_error(job), _consul_error(job)):
        if problem:
            errs.append(problem)
    errs.extend(_job_validate_extra(job))
    return errs
