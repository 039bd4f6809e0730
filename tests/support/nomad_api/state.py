"""In-memory state of the contract server: Raft-like indexes, tables, timers.

Every write bumps one global index (as Nomad's Raft log does) and records it
as the table's index, which is what X-Nomad-Index reports and what blocking
queries (``?index=N&wait=D``, "Blocking Queries" docs page) wait on.
"""
import threading
import time
import uuid


def new_id():
    return str(uuid.uuid4())


def now_ns():
    return time.time_ns()


MAX_DELAY_S = 3600.0


def bounded_delay(name, value):
    """A simulated delay in seconds, 0 <= value <= MAX_DELAY_S (else ValueError)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) \
            or not 0 <= value <= MAX_DELAY_S:
        raise ValueError(f"{name} must be a number of seconds in [0, {MAX_DELAY_S}], "
                         f"got {value!r}")
    return float(value)


class State:
    """All server data, guarded by one lock; ``cond`` wakes blocking queries."""

    def __init__(self, acl=True, enterprise=False, settle_delay=0.05, stop_delay=0.3,
                 nodes=None, gossip_key=None):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.acl_enabled = acl
        self.enterprise = enterprise
        self.settle_delay = bounded_delay("settle_delay", settle_delay)
        # Seconds between a stop (deregister without purge) and its allocations being
        # stopped: the scheduler processing the deregister evaluation and the client
        # killing the tasks happen after the RPC returns (nomad/job_endpoint.go
        # Job.Deregister only writes the job and an eval).
        self.stop_delay = bounded_delay("stop_delay", stop_delay)
        self.index = 1
        self.tables = {}
        self.namespaces = {}
        self.policies = {}
        self.tokens = {}  # accessor -> token
        self.secrets = {}  # secret -> accessor
        self.roles = {}  # id -> ACL role
        self.bootstrap_index = None
        self.jobs = {}  # (ns, id) -> current job
        self.versions = {}  # (ns, id) -> {version: job}
        self.evals = {}
        self.deployments = {}
        self.allocs = {}
        self.variables = {}  # (ns, path) -> variable
        self.quotas = {}
        self.dispatch_tokens = {}  # (ns, parent, token) -> child id
        self.deploy_outcomes = {}  # (ns, job) -> outcome dict for the next deployment
        self.batch_outcomes = {}
        self.sched_config = {
            "SchedulerAlgorithm": "binpack",
            "PreemptionConfig": {"SystemSchedulerEnabled": True,
                                 "SysBatchSchedulerEnabled": False,
                                 "BatchSchedulerEnabled": False,
                                 "ServiceSchedulerEnabled": False},
            "MemoryOversubscriptionEnabled": False,
            "RejectJobRegistration": False,
            "PauseEvalBroker": False,
            "CreateIndex": 1, "ModifyIndex": 1,
        }
        self.node_id = new_id()
        # Client nodes, the server's leader address and its gossip keyring (nodes.py,
        # routes_nodes.py, routes_operator.py). ``nodes=None`` keeps the one simulated
        # client ``sim-client-1`` that takes allocations of any node pool.
        from . import nodes as nodes_mod  # nodes imports this module
        nodes_mod.init(self, nodes, gossip_key)
        self._timers = []  # (due monotonic, seq, callback)
        self._seq = 0
        self._stop = threading.Event()
        self.namespaces["default"] = {
            "Name": "default", "Description": "Default shared namespace", "Quota": "",
            "Capabilities": None, "NodePoolConfiguration": None,
            "VaultConfiguration": None, "ConsulConfiguration": None, "Meta": None,
            "CreateIndex": 1, "ModifyIndex": 1}
        self._ticker = threading.Thread(target=self._run_timers, daemon=True,
                                        name="nomad-api-sim")
        self._ticker.start()

    # -- indexes --------------------------------------------------------------
    def bump(self, *tables):
        """Advance the global index, stamp ``tables`` with it, wake waiters."""
        with self.lock:
            self.index += 1
            for table in tables:
                self.tables[table] = self.index
            self.cond.notify_all()
            return self.index

    def table_index(self, *tables):
        return max([self.tables.get(t, 1) for t in tables] + [1])

    def block(self, tables, min_index, wait_s):
        """Wait until one of ``tables`` passes ``min_index`` or ``wait_s`` ends."""
        deadline = time.monotonic() + wait_s
        with self.lock:
            while self.table_index(*tables) <= min_index and not self._stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(min(left, 0.25))

    # -- timers (the simulation's clock) ---------------------------------------
    def after(self, delay, callback):
        with self.lock:
            self._seq += 1
            self._timers.append((time.monotonic() + delay, self._seq, callback))

    def _run_timers(self):
        while not self._stop.wait(0.01):
            with self.lock:
                due = [t for t in self._timers if t[0] <= time.monotonic()]
                if not due:
                    continue
                self._timers = [t for t in self._timers if t not in due]
                for _when, _seq, callback in sorted(due):
                    callback()

    def stop(self):
        self._stop.set()
        with self.lock:
            self.cond.notify_all()
