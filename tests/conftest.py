"""Shared pytest fixtures: real OpenBao servers and the collection import path.

Contract-server fixtures live next to each server in tests/support/<name>/fixtures.py
and are registered in ``pytest_plugins`` below.
"""
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# `ansible_collections.agentfleet.hashistack` resolves to this checkout via the symlink.
sys.path.insert(0, str(REPO / ".collections"))

from tests.support.openbao import DevServer, RaftServer  # noqa: E402

pytest_plugins = [
    "tests.support.nomad_api.fixtures",
    "tests.support.consul_api.fixtures",
    "tests.support.registry",
]


@pytest.fixture(scope="session")
def openbao(tmp_path_factory):
    """A real OpenBao dev server on a free loopback port, shared by the session.

    Attributes: ``addr``, ``token`` (root), ``env`` (VAULT_ADDR/VAULT_TOKEN), ``client()``.
    Tests must use unique mount paths/names so they do not collide.
    """
    server = DevServer(tmp_path_factory.mktemp("openbao-dev")).start()
    yield server
    server.stop()


@pytest.fixture
def openbao_raft(tmp_path):
    """A fresh, uninitialised non-dev OpenBao server with raft storage.

    ``stop()`` and ``start()`` restart it on the same storage (it comes back sealed).
    """
    server = RaftServer(tmp_path / "openbao-raft").start()
    yield server
    server.stop()
