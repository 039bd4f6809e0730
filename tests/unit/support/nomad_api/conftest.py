"""Fixtures for the contract server's own tests."""
import pytest

from tests.unit.support.nomad_api.helpers import Client


@pytest.fixture
def client(nomad_api):
    """Plain-HTTP client holding the management token."""
    return Client(nomad_api, nomad_api.management_token)
