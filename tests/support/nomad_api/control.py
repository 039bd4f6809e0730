"""The test-facing handle of a running contract server (what fixtures return).

Everything here is test control, not Nomad API: outcomes of the next
deployment or batch run, fault injection, the request log, read-only views.
"""
import copy
import json
import urllib.request

from .server import NomadApiServer

DEPLOY_OUTCOMES = ("successful", "failed", "stuck", "canary_wait")
BATCH_OUTCOMES = ("complete", "failed", "running")


class NomadApi:
    """Start a server; attributes ``addr``, ``management_token``, ``env``."""

    def __init__(self, acl=True, enterprise=False, host="127.0.0.1", port=0, **options):
        self.server = NomadApiServer(host=host, port=port, acl=acl, enterprise=enterprise,
                                     **options).start()
        self.addr = self.server.addr
        self.management_token = self.server.management_token
        self.state = self.server.state

    @property
    def env(self):
        env = {"NOMAD_ADDR": self.addr}
        if self.management_token:
            env["NOMAD_TOKEN"] = self.management_token
        return env

    @property
    def request_log(self):
        return self.server.request_log

    def _api(self, method, path, body=None):
        req = urllib.request.Request(
            self.addr + path, method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"X-Nomad-Token": self.management_token or ""})
        with urllib.request.urlopen(req, timeout=10) as resp:
            data = resp.read()
            return json.loads(data) if data else None

    def make_token(self, policies, rules=None, name="test-token"):
        """Create a client token for ``policies``; create any given in ``rules``
        ({policy name: rules text}) first. Returns the SecretID."""
        for pol_name, text in (rules or {}).items():
            self._api("POST", f"/v1/acl/policy/{pol_name}",
                      {"Name": pol_name, "Description": "", "Rules": text})
        token = self._api("POST", "/v1/acl/token",
                          {"Name": name, "Type": "client", "Policies": list(policies)})
        return token["SecretID"]

    def set_deployment_outcome(self, job_id, outcome, namespace="default",
                               failed_task_event=None):
        """Drive the job's next deployment: successful | failed | stuck | canary_wait
        (canary_wait applies to the next *update* of a running version, since a
        first version has no canaries; it then waits for promotion even when the
        job asks for auto_promote).
        ``failed_task_event``: a TaskEvent Type ("Driver Failure", "Failed Artifact
        Download", ...), any other string (the driver error message of a
        "Driver Failure" event), or a dict of TaskEvent fields."""
        if outcome not in DEPLOY_OUTCOMES:
            raise ValueError(f"outcome must be one of {DEPLOY_OUTCOMES}")
        with self.state.lock:
            self.state.deploy_outcomes[(namespace, job_id)] = {
                "outcome": outcome, "failed_task_event": failed_task_event}

    def set_batch_outcome(self, job_id, outcome, namespace="default", failed_task_event=None):
        """Drive the batch job's next run: complete | failed | running (never ends)."""
        if outcome not in BATCH_OUTCOMES:
            raise ValueError(f"outcome must be one of {BATCH_OUTCOMES}")
        with self.state.lock:
            self.state.batch_outcomes[(namespace, job_id)] = {
                "outcome": outcome, "failed_task_event": failed_task_event}

    def inject_fault(self, kind, path_prefix="/", method=None, count=1, status=500, delay=0.0, after=0):
        """Next ``count`` requests matching ``path_prefix``/``method`` get a fault:
        "status" (answer ``status``), "latency" (sleep ``delay`` then answer),
        "drop" (close the connection without an answer, request not applied),
        "drop_after" (apply the request, then close without an answer).
        ``after``: let that many matching requests through untouched first (a fault in
        the middle of a batch). Faults are taken in the order they were injected."""
        if after:
            self.server.inject_fault("latency", path_prefix, method, after, status, 0.0)
        self.server.inject_fault(kind, path_prefix, method, count, status, delay)

    def set_leader(self, address):
        """What /v1/status/leader answers ("" = the cluster has no leader)."""
        with self.state.lock:
            self.state.leader = address

    @property
    def keyring(self):
        """A copy of the gossip keyring: {"keys": [...], "primary": key, "members": n}."""
        with self.state.lock:
            return {**self.state.keyring, "keys": list(self.state.keyring["keys"])}

    def nodes(self):
        """Read-only copy of the client nodes: {name: node}."""
        with self.state.lock:
            return {n["Name"]: copy.deepcopy(n) for n in self.state.nodes.values()}

    def clear_faults(self):
        """Drop every fault not used up yet."""
        with self.server._faults_lock:
            self.server._faults.clear()

    def jobs(self, namespace="default"):
        """Read-only copy of the stored jobs of ``namespace``: {job_id: job}."""
        with self.state.lock:
            return {jid: copy.deepcopy(job) for (ns, jid), job in self.state.jobs.items()
                    if ns == namespace}

    def stop(self):
        self.server.stop()
