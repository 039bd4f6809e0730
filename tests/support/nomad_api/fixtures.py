"""pytest fixtures for the Nomad API contract server.

``nomad_api``: a fresh server per test, ACLs enabled and bootstrapped.
``nomad_api_factory(acl=True, enterprise=False, **options)``: start more.
Register with ``pytest_plugins = ["tests.support.nomad_api.fixtures"]``.
"""
import pytest

from .control import NomadApi


@pytest.fixture
def nomad_api_factory():
    servers = []

    def start(acl=True, enterprise=False, **options):
        server = NomadApi(acl=acl, enterprise=enterprise, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def nomad_api(nomad_api_factory):
    return nomad_api_factory()
