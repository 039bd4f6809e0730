"""Strict Consul config-entry API contract server for tests (see README.md)."""
from tests.support.consul_api.server import ConsulContractServer  # noqa: F401
