"""TEST INFRASTRUCTURE: the Nomad-specific parts of the stand-in agent.

Agent-local endpoints: ``/v1/status/leader`` / ``/v1/status/peers`` (``"addr:rpc_port"``;
command/agent/status_endpoint.go), ``/v1/agent/self`` (agent:read; the configuration with
secrets redacted, like command/agent/agent_endpoint.go ``AgentSelfRequest`` which returns
``Config.Copy().Sanitized()``), ``/v1/agent/members`` (servers only, as Nomad's Serf pool
holds servers; clients register with servers and are not Serf members); the running
version is ``config.Version.Version``. ``/v1/operator/autopilot/health`` (autopilot.py) and
``/v1/acl/bootstrap`` run on the leader (nomad/acl_endpoint.go ``Bootstrap``): 400 "ACL support disabled"
without ACLs, a second call 400 "ACL bootstrap already done (reset index: N)". Everything
else is the leader's contract server (tests/support/nomad_api).
"""
import json
import ssl
import uuid

from tests.support.nomad_api.routes_acl import _public, bootstrap_token
from tests.support.nomad_api.server import NomadApiServer

from . import autopilot, metrics, nomad_config, replicate

SECRET_KEYS = {"encrypt", "token", "replication_token", "circonus_api_token"}


def _json(status, obj):
    return status, {"Content-Type": "application/json"}, json.dumps(obj).encode()


def _text(status, text):
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()


class _Contract:
    def __init__(self, rt):
        self.server = NomadApiServer(host="127.0.0.1", port=0, acl=rt.acl_enabled,
                                     bootstrap=False, version=NomadProduct.version).start()
        self.host_port = ("127.0.0.1", self.server.port)

    def stop(self):
        self.server.stop()


class NomadProduct:
    name = "nomad"
    clients_use_rpc = True  # Nomad clients talk to servers' RPC port only
    version = "2.0.6"

    @staticmethod
    def load(paths):
        return nomad_config.load(paths)

    @staticmethod
    def token(headers, query):
        del query
        tok = headers.get("X-Nomad-Token")
        auth = headers.get("Authorization") or ""
        if not tok and auth.lower().startswith("bearer "):
            tok = auth[7:].strip()
        return tok

    @staticmethod
    def join_port(rt, text):
        if text in rt.client_servers:
            return nomad_config.DEFAULT_PORTS["rpc"]
        return nomad_config.DEFAULT_PORTS["serf"]

    @staticmethod
    def cluster_bind(rt):
        return rt.serf_addr

    @staticmethod
    def extra_channels(agent, rt):
        """Servers also listen on the RPC port for clients: no gossip key there (Nomad
        clients have none); mutual TLS when ``tls.rpc`` is on (helper/tlsutil: RPC TLS
        verifies the peer against ``ca_file``). ``rt`` is the configuration whose
        certificate files are read (the running one, or the one a SIGHUP reloads)."""
        if not rt.server:
            return []
        ctx = None
        if rt.tls.get("rpc"):
            ctx = agent.ssl_context({"cert_file": rt.tls["cert_file"],
                                     "key_file": rt.tls["key_file"],
                                     "ca_file": rt.tls.get("ca_file"), "verify_incoming": True})
        return [(rt.ports["rpc"], None, ctx)]

    @staticmethod
    def client_tls(rt):
        """A client's RPC TLS to the servers, ``(context, server name)``, or None without
        ``tls.rpc``: its own certificate, the server name ``server.<region>.nomad`` when
        ``verify_server_hostname`` is set (Nomad's certificate naming). Built when the agent
        starts and again on SIGHUP (Nomad ``agent.Reload`` reloads the key pair the client
        shares), never per call, so new files are not used before a reload."""
        if rt.server or not rt.tls.get("rpc"):
            return None
        ctx = ssl.create_default_context(cafile=rt.tls.get("ca_file"))
        ctx.load_cert_chain(rt.tls["cert_file"], rt.tls["key_file"])
        name = None
        if rt.tls.get("verify_server_hostname"):
            name = "server.%s.nomad" % rt.region
        else:
            ctx.check_hostname = False
        return ctx, name

    @staticmethod
    def client_channel(agent):
        """A client's RPC channel to the servers: no gossip key; the TLS built by
        ``client_tls`` (None without ``tls.rpc``)."""
        return None, agent.tls.get("client")

    @staticmethod
    def member_entry(rt):
        return {"name": rt.node_name, "addr": rt.advertise_addr,
                "port": rt.cluster_port if rt.server else 0,  # clients do not listen
                "role": "server" if rt.server else "client", "dc": rt.datacenter,
                "region": rt.region, "server_port": rt.ports["rpc"],
                "http_port": rt.ports["http"],
                "node_pool": (nomad_config.client_block(rt.raw).get("node_pool") or "default")}

    @staticmethod
    def start_contract(rt):
        return _Contract(rt)

    @staticmethod
    def export_tables(contract):
        return replicate.nomad_export(contract.server)

    @staticmethod
    def import_tables(contract, tables):
        replicate.nomad_import(contract.server, tables)

    @staticmethod
    def install_token(contract, token):
        st = contract.server.state
        with st.lock:
            if token["AccessorID"] in st.tokens:
                return
            made = bootstrap_token(st)
            del st.tokens[made["AccessorID"]]
            del st.secrets[made["SecretID"]]
            made.update({k: v for k, v in token.items() if not k.startswith("_")})
            st.tokens[made["AccessorID"]] = made
            st.secrets[made["SecretID"]] = made["AccessorID"]

    @staticmethod
    def on_membership(agent):
        """On the leader: mirror the registered clients into the contract server's client
        nodes (``/v1/nodes``) when it models them (``nodes.py``): ``ready`` while the
        client heartbeats, ``down`` once it failed or left (nomad/node_endpoint.go
        heartbeat TTL). The simulated ``sim-client-1`` is dropped: a stand-in cluster has
        only its real clients."""
        try:
            from tests.support.nomad_api import nodes as nodes_mod
        except ImportError:
            return
        st = agent.contract.server.state
        make = getattr(nodes_mod, "_node", None)
        if make is None or not isinstance(getattr(st, "nodes", None), dict):
            return
        clients = [m for m in agent.membership.table() if m["role"] == "client"]
        with st.lock:
            for node_id in [i for i, n in st.nodes.items() if n.get("_any_pool")]:
                del st.nodes[node_id]
            by_name = {n["Name"]: n for n in st.nodes.values()}
            for member in clients:
                node = by_name.get(member["name"])
                if node is None:
                    # a stable ID (the real client keeps its node ID in its data_dir), so
                    # the node keeps its ID when leadership moves
                    node_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "standin-node:" + member["name"]))
                    node = make(st, {"Name": member["name"],
                                     "NodePool": member.get("node_pool") or "default"}, node_id)
                    node.update(Datacenter=member.get("dc", "dc1"), Address=member["addr"],
                                HTTPAddr="%s:%d" % (member["addr"], member.get("http_port", 4646)),
                                Version=member.get("version", ""))
                    st.nodes[node["ID"]] = node
                node["Status"] = "ready" if member["status"] == "alive" else "down"
                node["Version"] = member.get("version", "")  # the client's own, after an upgrade
            if hasattr(st, "cond"):
                st.cond.notify_all()

    @staticmethod
    def _allowed(agent, token):
        if not agent.rt.acl_enabled:
            return True
        return bool(token) and token in agent.management_secrets()

    def local_route(self, agent, method, path, query, token, body):
        del body
        ms = agent.membership
        if path == "/v1/metrics":
            if method != "GET":
                return _text(405, "Invalid method")
            enabled = bool(nomad_config.telemetry_block(agent.rt.raw).get("prometheus_metrics"))
            return metrics.answer("nomad", agent, query, enabled, "Prometheus is not enabled")
        if path == "/v1/status/leader":
            leader = ms.leader()
            return _json(200, "%s:%d" % (leader["addr"], leader["server_port"]) if leader else "")
        if path == "/v1/status/peers":
            if not agent.rt.server:
                return None  # clients ask the servers (forwarded to the leader)
            table = {m["name"]: m for m in ms.table()}
            return _json(200, ["%s:%d" % (table[n]["addr"], table[n]["server_port"])
                               for n in sorted(ms.peers) if n in table])
        if path in ("/v1/agent/self", "/v1/agent/members"):
            if not self._allowed(agent, token):
                return _text(403, "Permission denied")
            rt = agent.rt
            members = [_member(m, rt) for m in ms.table() if m["role"] == "server"]
            if path == "/v1/agent/members":
                return _json(200, {"ServerName": rt.node_name, "ServerRegion": rt.region,
                                   "ServerDC": rt.datacenter, "Members": members})
            from .agent import redact
            config = redact(rt.raw, SECRET_KEYS)
            # the running build, as Config.Version (version.VersionInfo) of the real agent
            config["Version"] = {"Version": agent.product_version, "VersionPrerelease": "",
                                 "VersionMetadata": "", "Revision": "standin",
                                 "BuildDate": "2026-11-30T00:00:00Z"}
            return _json(200, {"config": config,
                               "member": _member(ms.table()[0], rt),
                               "stats": {"standin": {"test_infrastructure": "true"}}})
        return None

    @staticmethod
    def leader_route(agent, method, path, headers, body):
        if path == "/v1/status/peers":
            return agent.product.local_route(agent, method, path, {}, None, body)
        if path == "/v1/operator/autopilot/health":
            return autopilot.answer(agent, method, agent.product.token(headers, {}), nomad=True)
        if path != "/v1/acl/bootstrap":
            return None
        if method not in ("PUT", "POST"):
            return _text(405, "Invalid method")
        if not agent.rt.acl_enabled:
            return _text(400, "ACL support disabled")
        with agent.lock:
            if agent.acl.get("token"):
                return _text(400, "ACL bootstrap already done (reset index: %d)"
                             % agent.acl["index"])
            st = agent.contract.server.state
            with st.lock:
                token = bootstrap_token(st)
            public = _public(token)
            agent.acl = {"index": token["CreateIndex"], "token": public}
        agent.save_state()
        return _json(200, public)


def _member(entry, rt):
    return {"Name": "%s.%s" % (entry["name"], entry.get("region", rt.region)),
            "Addr": entry["addr"], "Port": entry["port"],
            "Tags": {"role": "nomad", "region": entry.get("region", rt.region),
                     "dc": entry.get("dc", "dc1"), "port": str(entry.get("server_port", 4647)),
                     "build": entry.get("version", ""), "standin": "true"},
            "Status": entry.get("status", "alive")}
