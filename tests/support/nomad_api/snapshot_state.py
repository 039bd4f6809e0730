"""The Raft-replicated part of the contract server's state as JSON, and back.

What a real Nomad snapshot holds (nomad/fsm.go ``nomadSnapshot.Persist``): jobs and
their versions, evaluations, allocations, deployments, nodes, ACL policies, tokens and
roles, variables, namespaces, quotas, the scheduler configuration and the bootstrap
index. Test controls (next deployment outcomes) and serf's gossip keyring are not in it.
Tables keyed by tuples are stored as ``[[key...], value]`` pairs.
"""
from . import acl as aclmod

PLAIN = ("namespaces", "policies", "tokens", "secrets", "roles", "evals", "deployments",
         "allocs", "quotas", "nodes")
PAIRED = ("jobs", "variables", "dispatch_tokens")


def dump(st):
    """A JSON-able dict of the state (caller holds st.lock)."""
    out = {name: getattr(st, name) for name in PLAIN}
    out["policies"] = {n: {k: v for k, v in p.items() if k != "_compiled"}
                       for n, p in st.policies.items()}
    for name in PAIRED:
        out[name] = [[list(key), value] for key, value in getattr(st, name).items()]
    out["versions"] = [[list(key), [[v, job] for v, job in versions.items()]]
                       for key, versions in st.versions.items()]
    out["sched_config"] = st.sched_config
    out["bootstrap_index"] = st.bootstrap_index
    return out


def load(st, data, index):
    """Replace the state with ``data`` (from ``dump``); pending simulation timers are
    dropped. The index moves past both the current and the snapshot's index and every
    table is stamped with it, so blocking queries wake (caller holds st.lock).
    ValueError when ``data`` lacks a table (nothing is changed then)."""
    missing = [n for n in PLAIN + PAIRED + ("versions", "sched_config", "bootstrap_index") if n not in data]
    if missing:
        raise ValueError(f"snapshot state has no {missing}")
    for name in PLAIN:
        setattr(st, name, dict(data[name]))
    for name in PAIRED:
        setattr(st, name, {tuple(key): value for key, value in data[name]})
    st.versions = {tuple(key): {int(v): job for v, job in versions}
                   for key, versions in data["versions"]}
    for policy in st.policies.values():
        policy["_compiled"] = aclmod.compile_rules(policy["Rules"])
    st.sched_config = data["sched_config"]
    st.bootstrap_index = data["bootstrap_index"]
    st._timers = []
    st.index = max(st.index, int(index)) + 1
    for table in list(st.tables) + ["nodes", "allocs", "jobs", "evals", "deployment"]:
        st.tables[table] = st.index
    st.cond.notify_all()
