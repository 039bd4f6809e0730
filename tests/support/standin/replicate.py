"""TEST INFRASTRUCTURE: copy the leader's contract-server tables to the other servers.

The stand-ins have no Raft log. Instead the leader exports, as JSON, the tables a role
writes and must find again after a restart or a change of leader (ACL policies, tokens,
roles and namespaces for Nomad; ACL tokens and policies and config entries for Consul),
and the servers keep the newest export (by its version, the leader's clock in ns) in
their data_dir and load it into their own contract server. Writes of the last gossip
interval before a leader dies are lost; jobs, allocations and variables are not copied.
"""
import copy


def nomad_export(server):
    """The replicated tables of a Nomad contract server (``NomadApiServer``)."""
    st = server.state
    with st.lock:
        return {
            "policies": {name: {k: v for k, v in pol.items() if k != "_compiled"}
                         for name, pol in st.policies.items()},
            "tokens": copy.deepcopy(st.tokens), "secrets": dict(st.secrets),
            "roles": copy.deepcopy(st.roles), "namespaces": copy.deepcopy(st.namespaces),
            "index": st.index, "bootstrap_index": st.bootstrap_index,
        }


def nomad_import(server, tables):
    """Replace the replicated tables of ``server`` with ``tables`` (policies recompiled)."""
    from tests.support.nomad_api import acl as aclmod
    st = server.state
    policies = {}
    for name, pol in tables["policies"].items():
        policies[name] = dict(pol, _compiled=aclmod.compile_rules(pol.get("Rules") or ""))
    with st.lock:
        st.policies = policies
        st.tokens = copy.deepcopy(tables["tokens"])
        st.secrets = dict(tables["secrets"])
        st.roles = copy.deepcopy(tables["roles"])
        st.namespaces = copy.deepcopy(tables["namespaces"])
        st.index = max(st.index, tables["index"])
        st.bootstrap_index = tables["bootstrap_index"]
        st.cond.notify_all()


_TOKEN_ATTRS = ("accessor", "management", "rules", "policy_links", "meta")


def consul_export(server):
    """The replicated tables of a Consul contract server (``ConsulContractServer``)."""
    state = server.state
    with state.lock:
        acl = state.acl
        return {
            "tokens": [dict({a: copy.deepcopy(getattr(tok, a, None)) for a in _TOKEN_ATTRS},
                            secret=secret) for secret, tok in acl.tokens.items()],
            "policies": copy.deepcopy(getattr(acl, "policies", {})),
            "store": [[kind, name, copy.deepcopy(item)]
                      for (kind, name), item in state.store.items()],
            "index": state.index,
        }


def consul_import(server, tables):
    """Replace the replicated tables of ``server`` with ``tables``."""
    state = server.state
    with state.lock:
        acl = state.acl
        acl.tokens = {}
        for item in tables["tokens"]:
            tok = acl.add(management=item["management"], secret=item["secret"])
            for attr in _TOKEN_ATTRS:
                if item.get(attr) is not None or hasattr(tok, attr):
                    setattr(tok, attr, copy.deepcopy(item.get(attr)))
        if hasattr(acl, "policies"):
            acl.policies = copy.deepcopy(tables["policies"])
        state.store = {(kind, name): copy.deepcopy(item) for kind, name, item in tables["store"]}
        state.index = max(state.index, tables["index"])
