"""Job defaults, as Nomad's api Canonicalize methods and the server's job
mutating admission hooks fill them (api/jobs.go Job.Canonicalize,
UpdateStrategy/DefaultUpdateStrategy, api/tasks.go TaskGroup/Task/
RestartPolicy/ReschedulePolicy/EphemeralDisk/LogConfig/Template/Vault/
TaskArtifact Canonicalize, api/resources.go Resources.Canonicalize,
api/services.go Service/ServiceCheck Canonicalize; nomad/job_endpoint_hooks.go
sets Datacenters ["*"] and NodePool "default").

Only the fields this project uses are filled; canonicalize(canonicalize(j)) ==
canonicalize(j), which is what makes a re-submitted job plan as "no change".
"""
import json

SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE


def _default(obj, key, value):
    if obj.get(key) is None:
        obj[key] = dict(value) if isinstance(value, dict) else value


def default_update_strategy():
    return {"Stagger": 30 * SECOND, "MaxParallel": 1, "HealthCheck": "checks",
            "MinHealthyTime": 10 * SECOND, "HealthyDeadline": 5 * MINUTE,
            "ProgressDeadline": 10 * MINUTE, "AutoRevert": False, "Canary": 0,
            "AutoPromote": False}


def _update_set(update):
    """api UpdateStrategy.Empty() inverted."""
    return any(update.get(k) for k in ("Stagger", "MaxParallel", "HealthCheck",
                                       "MinHealthyTime", "HealthyDeadline",
                                       "ProgressDeadline", "AutoRevert", "AutoPromote",
                                       "Canary"))


def _canon_update(update):
    for key, value in default_update_strategy().items():
        _default(update, key, value)


def _restart_default(job_type):
    if job_type in ("service", "system"):
        return {"Delay": 15 * SECOND, "Attempts": 2, "Interval": 30 * MINUTE,
                "Mode": "fail", "RenderTemplates": False}
    return {"Delay": 15 * SECOND, "Attempts": 3, "Interval": 24 * HOUR,
            "Mode": "fail", "RenderTemplates": False}


def _reschedule_default(job_type):
    if job_type == "service":
        return {"Attempts": 0, "Interval": 0, "Delay": 30 * SECOND,
                "DelayFunction": "exponential", "MaxDelay": HOUR, "Unlimited": True}
    if job_type == "batch":
        return {"Attempts": 1, "Interval": 24 * HOUR, "Delay": 5 * SECOND,
                "DelayFunction": "constant", "MaxDelay": 0, "Unlimited": False}
    return None


def _merge(base, override):
    out = dict(base)
    for key, value in (override or {}).items():
        if value is not None:
            out[key] = value
    return out


def _canon_resources(res):
    _default(res, "Cores", 0)
    if res.get("CPU") is None and res["Cores"] == 0:
        res["CPU"] = 100
    _default(res, "MemoryMB", 300)
    _default(res, "MemoryMaxMB", 0)
    for net in res.get("Networks") or []:
        _canon_network(net)


def _canon_network(net):
    _default(net, "Mode", "host")
    _default(net, "MBits", 0)
    for port in (net.get("ReservedPorts") or []) + (net.get("DynamicPorts") or []):
        _default(port, "HostNetwork", "default")


def _canon_check(check):
    _default(check, "OnUpdate", "require_healthy")
    _default(check, "Timeout", 0)
    _default(check, "Interval", 0)


def _canon_service(svc, job, group, task=None):
    if not svc.get("Name"):
        parts = [job["Name"], group["Name"]] + ([task["Name"]] if task else [])
        svc["Name"] = "-".join(parts)
    _default(svc, "AddressMode", "auto")
    _default(svc, "OnUpdate", "require_healthy")
    _default(svc, "Provider", "consul")
    if svc["Provider"] == "consul":
        _default(svc, "Cluster", "default")
    for check in svc.get("Checks") or []:
        _canon_check(check)


def _canon_template(tmpl):
    for key, value in (("SourcePath", ""), ("DestPath", ""), ("EmbeddedTmpl", ""),
                       ("ChangeMode", "restart"), ("Splay", 5 * SECOND),
                       ("Perms", "0644"), ("LeftDelim", "{{"), ("RightDelim", "}}"),
                       ("Envvars", False), ("ErrMissingKey", False), ("Once", False)):
        _default(tmpl, key, value)
    if tmpl.get("ChangeSignal") is None:
        tmpl["ChangeSignal"] = "SIGHUP" if tmpl["ChangeMode"] == "signal" else ""
    else:
        tmpl["ChangeSignal"] = tmpl["ChangeSignal"].upper()


def canon_task(task, group, job):
    """api Task.Canonicalize (also used for the Connect sidecar task)."""
    _default(task, "Resources", {})
    _canon_resources(task["Resources"])
    _default(task, "KillTimeout", 5 * SECOND)
    _default(task, "LogConfig", {})
    for key, value in (("MaxFiles", 10), ("MaxFileSizeMB", 10), ("Disabled", False)):
        _default(task["LogConfig"], key, value)
    task["RestartPolicy"] = _merge(group["RestartPolicy"], task.get("RestartPolicy"))
    lifecycle = task.get("Lifecycle")
    if lifecycle is not None and not lifecycle.get("Hook"):
        task["Lifecycle"] = None
    for art in task.get("Artifacts") or []:
        _default(art, "GetterMode", "any")
        _default(art, "GetterSource", "")
        _default(art, "RelativeDest", "local/")
    if task.get("Vault") is not None:
        for key, value in (("Env", True), ("DisableFile", False),
                           ("ChangeMode", "restart"), ("Role", ""),
                           ("Namespace", ""), ("Cluster", "default")):
            _default(task["Vault"], key, value)
        if task["Vault"]["ChangeMode"] == "signal":
            _default(task["Vault"], "ChangeSignal", "SIGHUP")
    for tmpl in task.get("Templates") or []:
        _canon_template(tmpl)
    for svc in task.get("Services") or []:
        _canon_service(svc, job, group, task)


def _canon_group(group, job):
    _default(group, "Name", "")
    scaling = group.get("Scaling")
    if group.get("Count") is None:
        group["Count"] = scaling["Min"] if scaling and scaling.get("Min") is not None else 1
    _default(group, "EphemeralDisk", {})
    for key, value in (("Sticky", False), ("Migrate", False), ("SizeMB", 300)):
        _default(group["EphemeralDisk"], key, value)
    if job.get("Update") is not None and _update_set(job["Update"]):
        group["Update"] = _merge(job["Update"], group.get("Update"))
    if group.get("Update") is not None:
        _canon_update(group["Update"])
    group["RestartPolicy"] = _merge(_restart_default(job["Type"]), group.get("RestartPolicy"))
    resched = _reschedule_default(job["Type"])
    if resched is not None:
        resched = _merge(resched, job.get("Reschedule"))
        group["ReschedulePolicy"] = _merge(resched, group.get("ReschedulePolicy"))
    if job["Type"] == "service":
        migrate = {"MaxParallel": 1, "HealthCheck": "checks",
                   "MinHealthyTime": 10 * SECOND, "HealthyDeadline": 5 * MINUTE}
        group["Migrate"] = _merge(_merge(migrate, job.get("Migrate")), group.get("Migrate"))
    for net in group.get("Networks") or []:
        _canon_network(net)
    for task in group.get("Tasks") or []:
        canon_task(task, group, job)
    for svc in group.get("Services") or []:
        _canon_service(svc, job, group)


def canonicalize(job):
    """Return a copy of ``job`` (api.Job JSON) with Nomad's defaults filled in."""
    job = json.loads(json.dumps(job))  # a deep copy; jobs are JSON anyway
    _default(job, "ID", "")
    _default(job, "Name", job["ID"])
    for key, value in (("ParentID", ""), ("Namespace", "default"), ("Priority", 50),
                       ("Stop", False), ("Region", "global"), ("NodePool", "default"),
                       ("Type", "service"), ("AllAtOnce", False), ("ConsulToken", ""),
                       ("ConsulNamespace", ""), ("VaultToken", ""),
                       ("VaultNamespace", ""), ("NomadTokenID", ""), ("Status", ""),
                       ("StatusDescription", ""), ("Stable", False), ("Version", 0),
                       ("CreateIndex", 0), ("ModifyIndex", 0), ("JobModifyIndex", 0),
                       ("Dispatched", False)):
        _default(job, key, value)
    if not job["NodePool"]:
        job["NodePool"] = "default"
    if not job.get("Datacenters"):
        job["Datacenters"] = ["*"]
    if job.get("Update") is not None:
        _canon_update(job["Update"])
    elif job["Type"] == "service":
        job["Update"] = default_update_strategy()
    else:
        job["Update"] = None
    periodic = job.get("Periodic")
    if periodic is not None:
        for key, value in (("Enabled", True), ("SpecType", "cron"),
                           ("ProhibitOverlap", False)):
            _default(periodic, key, value)
        if not periodic.get("TimeZone"):
            periodic["TimeZone"] = "UTC"
    for group in job.get("TaskGroups") or []:
        _canon_group(group, job)
    for aff in job.get("Affinities") or []:
        _default(aff, "Weight", 50)
    for spread in job.get("Spreads") or []:
        _default(spread, "Weight", 50)
    return job
