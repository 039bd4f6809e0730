"""The harness itself: real OpenBao servers start, answer and stop."""
import pytest
import requests

pytestmark = pytest.mark.integration


def test_dev_server_answers_and_stores_secrets(openbao):
    client = openbao.client()
    assert client.is_authenticated()
    client.secrets.kv.v2.create_or_update_secret(path="harness/check", secret={"k": "v"})
    read = client.secrets.kv.v2.read_secret_version(path="harness/check", raise_on_deleted_version=True)
    assert read["data"]["data"] == {"k": "v"}


def test_raft_server_starts_uninitialised_and_survives_restart(openbao_raft):
    health = requests.get(f"{openbao_raft.addr}/v1/sys/health", timeout=5)
    assert health.status_code == 501  # documented: not initialised
    assert health.json()["initialized"] is False
    openbao_raft.stop()
    openbao_raft.start()
    assert openbao_raft.health()["initialized"] is False
