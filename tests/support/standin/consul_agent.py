"""TEST INFRASTRUCTURE: the Consul-specific parts of the stand-in agent.

Agent-local endpoints (served by every agent): ``/v1/status/leader`` and
``/v1/status/peers`` (JSON ``"addr:server_port"``; agent/status_endpoint.go),
``/v1/agent/self`` (agent:read; the loaded configuration with secrets redacted, as
``DebugConfig`` is sanitised in agent/agent_endpoint.go ``AgentSelf``),
``/v1/agent/members`` (node:read, otherwise filtered to ``[]``; serf status codes 1 alive,
3 left, 4 failed), ``PUT /v1/agent/token/<kind>`` (agent:write). ``PUT /v1/acl/bootstrap``
and ``/v1/operator/autopilot/health`` (autopilot.py) run on the leader
(agent/acl_endpoint.go ``ACLBootstrap``): 401 "ACL support disabled"
without ACLs; a second call 403 "Permission denied: ACL bootstrap no longer allowed
(reset index: N)" (structs ``ACLBootstrapNotAllowedErr``); the token has the
global-management policy. Everything else is the config-entry contract server
(tests/support/consul_api) of the leader. The agent-local ACL model is coarse: only the
bootstrap token and ``acl.tokens.initial_management`` are management tokens.
"""
import hashlib
import json
import uuid

from tests.support.consul_api.server import ConsulContractServer

from . import autopilot, consul_config, metrics, replicate
from .agent import now_rfc3339

SECRET_KEYS = {"encrypt", "acl_token", "acl_agent_token", "acl_agent_master_token",
               "acl_master_token", "acl_replication_token", "token", "intro_token",
               "circonus_api_token", "client_secret"}
GLOBAL_MANAGEMENT = {"ID": "00000000-0000-0000-0000-000000000001", "Name": "global-management"}
SERF_STATUS = {"alive": 1, "left": 3, "failed": 4}
TOKEN_KINDS = ("default", "agent", "agent_recovery", "replication",
               "config_file_service_registration", "dns")


def _json(status, obj):
    return status, {"Content-Type": "application/json"}, json.dumps(obj).encode()


def _text(status, text):
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()


class _Contract:
    def __init__(self, rt):
        self.server = ConsulContractServer(host="127.0.0.1", port=0, acl=rt.acl_enabled).start()
        acl = self.server.state.acl
        acl.tokens.pop(acl.management_token, None)  # only bootstrapped tokens manage
        if rt.initial_management:
            acl.add(management=True, secret=rt.initial_management)
        self.host_port = ("127.0.0.1", self.server.port)

    def stop(self):
        self.server.stop()


class ConsulProduct:
    name = "consul"
    clients_use_rpc = False  # Consul clients are gossip members: they use the serf port

    @staticmethod
    def load(paths):
        return consul_config.load(paths)

    @staticmethod
    def token(headers, query):
        tok = headers.get("X-Consul-Token")
        auth = headers.get("Authorization") or ""
        if not tok and auth.lower().startswith("bearer "):
            tok = auth[7:].strip()
        return tok or query.get("token")

    @staticmethod
    def join_port(rt, text):
        del rt, text
        return consul_config.DEFAULT_PORTS["serf_lan"]

    @staticmethod
    def cluster_bind(rt):
        return rt.raw.get("serf_lan") or rt.bind_addr

    @staticmethod
    def extra_channels(agent, rt):
        del agent, rt
        return []

    @staticmethod
    def client_tls(rt):
        del rt
        return None  # Consul clients gossip with the key; no TLS channel of their own

    @staticmethod
    def client_channel(agent):
        return agent.key, None  # Consul clients are gossip members with the same key

    @staticmethod
    def member_entry(rt):
        return {"name": rt.node_name, "addr": rt.advertise_addr, "port": rt.cluster_port,
                "role": "server" if rt.server else "client", "dc": rt.datacenter,
                "server_port": rt.ports["server"]}

    @staticmethod
    def start_contract(rt):
        return _Contract(rt)

    @staticmethod
    def export_tables(contract):
        return replicate.consul_export(contract.server)

    @staticmethod
    def import_tables(contract, tables):
        replicate.consul_import(contract.server, tables)

    @staticmethod
    def install_token(contract, token):
        acl = contract.server.state.acl
        if token["SecretID"] not in acl.tokens:
            added = acl.add(management=True, secret=token["SecretID"])
            added.accessor = token["AccessorID"]
            # read by the contract server's ACL token API where it has one
            added.policy_links = [GLOBAL_MANAGEMENT]
            keep = ("Description", "CreateTime", "CreateIndex", "ModifyIndex", "Hash")
            added.meta = {k: token[k] for k in keep if k in token}

    @staticmethod
    def on_membership(agent):
        del agent  # Consul's catalog of nodes is not modelled by the contract server

    # -- routes ------------------------------------------------------------------------
    def _allowed(self, agent, token):
        rt = agent.rt
        if not rt.acl_enabled or rt.default_policy == "allow":
            return True
        return bool(token) and token in agent.management_secrets()

    def local_route(self, agent, method, path, query, token, body):
        ms = agent.membership
        if path == "/v1/agent/metrics":
            if not self._allowed(agent, token):
                return _text(403, "Permission denied: token with AccessorID '%s' lacks permission "
                                  "'agent:read' on \"%s\"" % (_accessor(token), agent.rt.node_name))
            return metrics.answer("consul", agent, query,
                                  metrics.consul_prometheus_enabled(agent.rt.raw),
                                  "Prometheus is not enabled since its retention time is not "
                                  "positive")
        if path == "/v1/status/leader":
            leader = ms.leader()
            return _json(200, "%s:%d" % (leader["addr"], leader["server_port"]) if leader else "")
        if path == "/v1/status/peers":
            if not agent.rt.server:
                return None  # clients ask the servers (forwarded to the leader)
            table = {m["name"]: m for m in ms.table()}
            return _json(200, ["%s:%d" % (table[n]["addr"], table[n]["server_port"])
                               for n in sorted(ms.peers) if n in table])
        if path == "/v1/agent/self":
            if not self._allowed(agent, token):
                return _text(403, "Permission denied: token with AccessorID '%s' lacks permission "
                                  "'agent:read' on \"%s\"" % (_accessor(token), agent.rt.node_name))
            rt = agent.rt
            return _json(200, {
                "Config": {"Datacenter": rt.datacenter, "NodeName": rt.node_name,
                           "Server": rt.server, "Version": agent.product_version,
                           "Revision": "standin"},
                "DebugConfig": _redact(rt.raw),
                "Member": _member(ms.table()[0]),
                "Meta": rt.raw.get("node_meta") or {},
                "Stats": {"standin": {"test_infrastructure": "true"}}})
        if path == "/v1/agent/members":
            if not self._allowed(agent, token):
                return _json(200, [])
            return _json(200, [_member(m) for m in ms.table()])
        if path.startswith("/v1/agent/token/"):
            kind = path[len("/v1/agent/token/"):]
            if method != "PUT":
                return _text(405, "method %s not allowed" % method)
            if kind not in TOKEN_KINDS:
                return _text(404, 'Token "%s" is unknown' % kind)
            if not self._allowed(agent, token):
                return _text(403, "Permission denied: token with AccessorID '%s' lacks permission "
                                  "'agent:write' on \"%s\"" % (_accessor(token), agent.rt.node_name))
            try:
                payload = json.loads(body or b"{}")
            except ValueError as exc:
                return _text(400, "Request decoding failed: %s" % exc)
            if not isinstance(payload, dict) or not isinstance(payload.get("Token", ""), str):
                return _text(400, "Request decoding failed: expected {\"Token\": string}")
            agent.agent_tokens[kind] = payload.get("Token", "")
            return 200, {}, b""
        return None

    @staticmethod
    def leader_route(agent, method, path, headers, body):
        if path == "/v1/status/peers":
            return agent.product.local_route(agent, method, path, {}, None, body)
        if path == "/v1/operator/autopilot/health":
            return autopilot.answer(agent, method, agent.product.token(headers, {}), nomad=False)
        if path != "/v1/acl/bootstrap":
            return None
        if method != "PUT":
            return _text(405, "method %s not allowed" % method)
        if not agent.rt.acl_enabled:
            return _text(401, "ACL support disabled")
        with agent.lock:
            if agent.acl.get("token") or agent.rt.initial_management:
                index = agent.acl.get("index") or 1
                return _text(403, "Permission denied: ACL bootstrap no longer allowed "
                                  "(reset index: %d)" % index)
            index = 13
            token = {"AccessorID": str(uuid.uuid4()), "SecretID": str(uuid.uuid4()),
                     "Description": "Bootstrap Token (Global Management)",
                     "Policies": [GLOBAL_MANAGEMENT], "Local": False,
                     "CreateTime": now_rfc3339(), "CreateIndex": index, "ModifyIndex": index}
            token["Hash"] = hashlib.sha256(token["AccessorID"].encode()).hexdigest()[:44]
            agent.acl = {"index": index, "token": token}
            agent.product.install_token(agent.contract, token)
        agent.save_state()
        return _json(200, token)


def _accessor(token):
    return "00000000-0000-0000-0000-000000000002" if not token else "unknown"


def _redact(raw):
    from .agent import redact
    out = redact(raw, SECRET_KEYS)
    tokens = (out.get("acl") or {}).get("tokens")
    if isinstance(tokens, dict):  # every acl.tokens value is a secret
        out["acl"]["tokens"] = {k: "<redacted>" for k in tokens}
    return out


def _member(entry):
    return {"Name": entry["name"], "Addr": entry["addr"], "Port": entry["port"],
            "Tags": {"role": "consul" if entry["role"] == "server" else "node",
                     "dc": entry.get("dc", "dc1"), "port": str(entry.get("server_port", 8300)),
                     "build": "%s:standin" % entry.get("version", ""), "standin": "true"},
            "Status": SERF_STATUS.get(entry.get("status", "alive"), 4)}
