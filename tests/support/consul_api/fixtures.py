"""pytest fixtures for the Consul contract server (registered in tests/conftest.py).

``consul_api``: a fresh server with ACLs on, per test. Attributes: ``addr``,
``management_token``, ``env`` (CONSUL_HTTP_ADDR/CONSUL_HTTP_TOKEN), ``make_token(rules)``,
``inject_fault(kind, path_prefix="/", method=None, count=1, status=500, delay=0.0)``,
``entries`` (``{(kind, name): entry as Consul would answer}``), ``request_log``.
``set_leader(address)`` ("" = no leader), ``keyring`` (a copy of the gossip keyring).
``consul_api_factory(acl=True, gossip_key=None)``: start more servers (all stopped at teardown).
"""
import pytest

from tests.support.consul_api.server import ConsulContractServer, Fault

FAULT_KINDS = ("latency", "error", "drop")


class ConsulAPI:
    def __init__(self, server):
        self.server = server

    @property
    def addr(self):
        return self.server.addr

    @property
    def management_token(self):
        return self.server.management_token

    @property
    def env(self):
        return {"CONSUL_HTTP_ADDR": self.addr, "CONSUL_HTTP_TOKEN": self.management_token}

    def make_token(self, rules):
        """A token with ``rules`` (HCL subset or dict, see acl.py); returns its secret."""
        return self.server.state.acl.add(rules).secret

    def inject_fault(self, kind, path_prefix="/", method=None, count=1, status=500, delay=0.0):
        """Make the next ``count`` matching requests fail (``count=-1``: all of them)."""
        if kind not in FAULT_KINDS:
            raise ValueError("fault kind must be one of %s, got %r" % (FAULT_KINDS, kind))
        fault = Fault(kind, path_prefix, method, count, status, delay)
        with self.server.state.lock:
            self.server.state.faults.append(fault)
        return fault

    def set_leader(self, address):
        """What /v1/status/leader answers ("" = the cluster has no leader)."""
        with self.server.state.lock:
            self.server.state.leader = address

    @property
    def keyring(self):
        """A copy of the gossip keyring: {"keys": [...], "primary": key, "members": n}."""
        with self.server.state.lock:
            return {**self.server.state.keyring, "keys": list(self.server.state.keyring["keys"])}

    def clear_faults(self):
        with self.server.state.lock:
            self.server.state.faults.clear()

    @property
    def entries(self):
        state = self.server.state
        with state.lock:
            return {key: state.rendered(*key) for key in state.store}

    def entry(self, kind, name):
        with self.server.state.lock:
            return self.server.state.rendered(kind, name)

    @property
    def request_log(self):
        with self.server.state.lock:
            return list(self.server.state.request_log)

    def writes(self):
        """Logged PUT/DELETE requests (for "nothing was written" checks)."""
        return [r for r in self.request_log if r["method"] in ("PUT", "DELETE")]

    def stop(self):
        self.server.stop()


@pytest.fixture
def consul_api_factory():
    started = []

    def start(acl=True, gossip_key=None):
        api = ConsulAPI(ConsulContractServer(acl=acl, gossip_key=gossip_key).start())
        started.append(api)
        return api

    yield start
    for api in started:
        api.stop()


@pytest.fixture
def consul_api(consul_api_factory):
    return consul_api_factory(acl=True)
