"""In-memory stand-ins for the Vault, Consul and Nomad clients (record every write)."""


class FakeVault:
    def __init__(self, policies=None, roles=None, mounts=None):
        self.policies = dict(policies or {})
        self.roles = dict(roles or {})  # (mount, name) -> data
        self.mounts = dict(mounts or {})
        self.writes = []

    def get(self, path, action=None):
        if path.startswith("sys/policies/acl/"):
            name = path.rsplit("/", 1)[1]
            return {"data": {"policy": self.policies[name]}} if name in self.policies else None
        if path.startswith("auth/") and "/role/" in path:
            mount, name = path[len("auth/"):].split("/role/")
            return {"data": dict(self.roles[(mount, name)])} if (mount, name) in self.roles else None
        if path in ("sys/auth", "sys/mounts"):
            return {"data": self.mounts}
        raise AssertionError(path)

    def list(self, path, action=None):
        if path == "sys/policies/acl":
            return sorted(self.policies)
        mount = path[len("auth/"):-len("/role")]
        return sorted(n for m, n in self.roles if m == mount)

    def post(self, path, data=None, action=None):
        self.writes.append(("POST", path))
        if path.startswith("sys/policies/acl/"):
            self.policies[path.rsplit("/", 1)[1]] = data["policy"]
        elif "/role/" in path:
            mount, name = path[len("auth/"):].split("/role/")
            # A role write merges into the existing role, as Vault's JWT auth plugin does
            # (vault-plugin-auth-jwt path_role.go pathRoleCreateUpdate: only given fields change).
            self.roles[(mount, name)] = dict(self.roles.get((mount, name), {}), **data)

    def delete(self, path, action=None):
        self.writes.append(("DELETE", path))
        if path.startswith("sys/policies/acl/"):
            self.policies.pop(path.rsplit("/", 1)[1], None)
        else:
            mount, name = path[len("auth/"):].split("/role/")
            self.roles.pop((mount, name), None)


class FakeConsul:
    def __init__(self, entries=None):
        self.entries = {(e["Kind"], e["Name"]): dict(e, ModifyIndex=1) for e in entries or []}
        self.writes = []

    def get_config_entry(self, kind, name):
        return self.entries.get((kind, name))

    def list_config_entries(self, kind):
        return [e for (k, _name), e in sorted(self.entries.items()) if k == kind]

    def put_config_entry(self, entry, cas=None):
        self.writes.append(("PUT", entry["Kind"], entry["Name"]))
        current = self.entries.get((entry["Kind"], entry["Name"]))
        if cas is not None and (current or {}).get("ModifyIndex", 0) != cas:
            return False
        self.entries[(entry["Kind"], entry["Name"])] = dict(entry, ModifyIndex=(cas or 0) + 1)
        return True

    def delete_config_entry(self, kind, name, cas=None):
        self.writes.append(("DELETE", kind, name))
        self.entries.pop((kind, name), None)
        return True


class FakeNomad:
    """Jobs, deployments and allocations as a Nomad client would read them."""

    namespace = "default"

    def __init__(self, jobs=None, deployments=None, allocations=None):
        self.jobs = {(j.get("Namespace", "default"), j["ID"]): j for j in jobs or []}
        self.deployments = deployments or {}  # job_id -> list (newest first)
        self.allocations = allocations or {}
        self.dispatched = []
        self.calls = 0

    def get_job(self, job_id, namespace=None):
        return self.jobs.get((namespace or "default", job_id))

    def list_jobs(self, namespace=None, prefix=None):
        return [dict(j) for (ns, jid), j in sorted(self.jobs.items())
                if ns == (namespace or "default") and jid.startswith(prefix or "")]

    def job_allocations(self, job_id, namespace=None):
        return self.allocations.get(job_id, [])

    def job_deployments(self, job_id, namespace=None):
        return self.request("GET", "/v1/job/%s/deployments" % job_id, namespace=namespace)

    def request(self, method, path, params=None, body=None, namespace=None, missing_ok=False):
        self.calls += 1
        assert method == "GET" and path.endswith("/deployments"), path
        return self.deployments.get(path.split("/")[3], [])

    def dispatch_job(self, job_id, namespace=None, payload=None, meta=None, idempotency_token=None):
        child = "%s/dispatch-%d" % (job_id, len(self.dispatched))
        self.dispatched.append((child, idempotency_token, payload, meta))
        self.jobs[(namespace, child)] = {"ID": child, "Namespace": namespace, "ParentID": job_id,
                                         "Status": "pending", "DispatchIdempotencyToken": idempotency_token}
        return {"DispatchedJobID": child, "EvalID": "e"}

    # -- what job_apply.apply_job needs --------------------------------------
    def plan_job(self, job, namespace=None, diff=True, policy_override=False):
        self.plans = getattr(self, "plans", 0) + 1
        live = self.jobs.get((namespace or "default", job["ID"]))
        same = live is not None and {k: v for k, v in live.items() if k != "JobModifyIndex"} == job
        return {"Diff": {"Type": "None" if same else "Edited"}, "JobModifyIndex": (live or {}).get("JobModifyIndex")}

    def register_job(self, job, namespace=None, enforce_index=None, preserve_counts=False, policy_override=False):
        key = (namespace or "default", job["ID"])
        index = (self.jobs.get(key) or {}).get("JobModifyIndex", 0) + 10
        self.jobs[key] = dict(job, JobModifyIndex=index)
        return {"JobModifyIndex": index, "EvalID": "e"}
