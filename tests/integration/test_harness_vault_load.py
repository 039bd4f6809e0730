"""The load client of the upgrade test (tests/support/vault_load.py) against a real OpenBao:
it counts what it does, goes around a dead node, and does notice a lost write."""
import json

import pytest

from tests.support.faults import refused_address
from tests.support.vault_load import LoadClient, Node, Result, main

pytestmark = pytest.mark.integration


def _client(openbao, urls, mount):
    nodes = [Node(url, None) for url in urls]
    return LoadClient(nodes, openbao.token, mount, Result(urls, 0.05), request_deadline=3, attempt_timeout=1)


def test_every_acknowledged_write_is_read_back(openbao, tmp_path):
    client = _client(openbao, [openbao.addr], "load-ok")
    client.prepare()
    client.run(0.05, str(tmp_path / "never"), max_seconds=1.0)
    client.verify()
    figures = client.result.as_dict()
    assert figures["acknowledged_writes"] >= 5
    assert figures["requests"] == 2 * figures["acknowledged_writes"]  # one write and one read per tick
    assert figures["failed"] == 0 and figures["retried_attempts"] == 0
    assert figures["writes_read_back"] == figures["acknowledged_writes"] and figures["lost"] == 0


def test_a_dead_node_costs_retries_not_requests(openbao, tmp_path):
    client = _client(openbao, [refused_address(), openbao.addr], "load-dead")
    client.prepare()
    client.preferred = 0  # prepare() moved on to the live node; start measuring on the dead one
    client.run(0.05, str(tmp_path / "never"), max_seconds=0.5)
    client.verify()
    figures = client.result.as_dict()
    assert figures["failed"] == 0 and figures["lost"] == 0
    # The first request tried the dead node first; later ones stick to the live one.
    assert figures["retried_attempts"] >= 1
    assert figures["errors"] == {"ConnectionRefusedError": figures["retried_attempts"]}


def test_a_deleted_write_counts_as_lost(openbao, tmp_path):
    client = _client(openbao, [openbao.addr], "load-lost")
    client.prepare()
    client.run(0.05, str(tmp_path / "never"), max_seconds=0.5)
    victim = client.result.acknowledged[1]
    openbao.client().secrets.kv.v2.delete_metadata_and_all_versions(path=f"seq-{victim}", mount_point="load-lost")
    client.verify(timeout=10)
    figures = client.result.as_dict()
    assert figures["lost"] == 1 and figures["lost_sequences"] == [victim]
    assert figures["writes_read_back"] == figures["acknowledged_writes"] - 1


def test_command_line_stops_on_the_stop_file_and_writes_the_result(openbao, tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"root_token": openbao.token}))
    stop = tmp_path / "stop"
    stop.touch()  # already there: measure nothing, still verify and report
    result = tmp_path / "result.json"
    assert main(["--node", openbao.addr, "--keys-file", str(keys), "--mount", "load-cli",
                 "--stop-file", str(stop), "--ready-file", str(tmp_path / "ready"),
                 "--result", str(result)]) == 0
    figures = json.loads(result.read_text())
    assert (tmp_path / "ready").exists()
    assert figures["requests"] == 0 and figures["lost"] == 0 and figures["nodes"] == [openbao.addr]
