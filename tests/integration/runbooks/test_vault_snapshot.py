"""playbooks/runbooks/vault-snapshot.yml and vault-restore.yml against a real raft OpenBao."""
import datetime
import re
import stat
import time

import hvac
import pytest
import requests

from tests.support.openbao import RaftServer
from tests.support.playbook import REPO, run_playbook

pytestmark = pytest.mark.integration

SNAPSHOT = REPO / "playbooks" / "runbooks" / "vault-snapshot.yml"
RESTORE = REPO / "playbooks" / "runbooks" / "vault-restore.yml"


def _wait(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise TimeoutError(what)


def _autopilot_healthy(server, token):
    answer = requests.get(f"{server.addr}/v1/sys/storage/raft/autopilot/state",
                          headers={"X-Vault-Token": token}, timeout=5)
    return answer.status_code == 200 and bool((answer.json().get("data") or {}).get("healthy"))


@pytest.fixture
def raft_vault(tmp_path):
    """An initialised, unsealed single-node raft OpenBao with KV v2 at secret/: (server, root token, key)."""
    server = RaftServer(tmp_path / "openbao-raft").start()
    try:
        client = hvac.Client(url=server.addr)
        init = client.sys.initialize(secret_shares=1, secret_threshold=1)
        client.sys.submit_unseal_key(init["keys"][0])
        token = init["root_token"]
        _wait(lambda: _autopilot_healthy(server, token), "raft autopilot never reported healthy")
        hvac.Client(url=server.addr, token=token).sys.enable_secrets_engine(
            "kv", path="secret", options={"version": "2"})
        yield server, token, init["keys"][0]
    finally:
        server.stop()


def _run(playbook, tmp_path, server, token, **kwargs):
    """Run a runbook file as it is (playbook_dir stays playbooks/runbooks)."""
    return run_playbook(f"- import_playbook: {playbook}\n", tmp_path=tmp_path,
                        env={"VAULT_ADDR": server.addr, "VAULT_TOKEN": token}, **kwargs)


def _sealed(server):
    """The seal-status answer's ``sealed``; None while the server answers something else or
    nothing in time (it can stall a few seconds while it seals itself after a forced restore)."""
    try:
        return requests.get(f"{server.addr}/v1/sys/seal-status", timeout=5).json().get("sealed")
    except (requests.RequestException, ValueError):
        return None


def _debug_msg(run, name):
    return run.result(name)["msg"]


def test_snapshot_then_restore_brings_a_deleted_secret_back(raft_vault, tmp_path):
    server, token, _key = raft_vault
    kv = hvac.Client(url=server.addr, token=token).secrets.kv.v2
    kv.create_or_update_secret("rb/snap", secret={"value": "before-the-snapshot"}, mount_point="secret")
    cluster = server.health()["cluster_name"]
    snapdir = tmp_path / "snaps"

    # Check mode: names the file it would write, writes nothing.
    run = _run(SNAPSHOT, tmp_path / "check", server, token, check=True, extra_vars={"snapshot_dir": str(snapdir)})
    assert run.rc == 0, run
    msg = _debug_msg(run, "Show the snapshot file")
    assert msg.startswith(f"Would write the snapshot of cluster {cluster} to {snapdir}/{cluster}-"), msg
    assert not snapdir.exists()

    # Real run at -vvv: the token never shows.
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    run = _run(SNAPSHOT, tmp_path / "save", server, token, verbosity=3, callback="default",
               extra_vars={"snapshot_dir": str(snapdir)})
    after = datetime.datetime.now(datetime.timezone.utc)
    assert run.rc == 0, run
    assert token not in run.output
    files = sorted(snapdir.iterdir())
    assert len(files) == 1, files  # no temporary file left behind
    snap = files[0]
    match = re.fullmatch(re.escape(cluster) + r"-(\d{8}T\d{6}Z)\.snap", snap.name)
    assert match, snap.name
    taken = datetime.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    assert before <= taken <= after
    assert stat.S_IMODE(snap.stat().st_mode) == 0o600
    assert snap.read_bytes()[:2] == b"\x1f\x8b"  # the server's gzip snapshot
    assert f"Wrote the snapshot of cluster {cluster} to {snap}" in run.output

    kv.delete_metadata_and_all_versions("rb/snap", mount_point="secret")
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_version("rb/snap", mount_point="secret", raise_on_deleted_version=True)

    # Restore without (or with a wrong) confirmation is refused and changes nothing.
    for confirm in ({}, {"confirm_restore": "some-other-cluster"}):
        run = _run(RESTORE, tmp_path / "refused", server, token, extra_vars={"snapshot_file": str(snap), **confirm})
        assert run.rc != 0, run
        assert f"Confirm with -e confirm_restore={cluster}" in run.output, run
        assert "Restore the snapshot" not in [r["task"] for r in run.results]
    # Check mode shows the file, its size and time, and restores nothing.
    run = _run(RESTORE, tmp_path / "restore-check", server, token, check=True,
               extra_vars={"snapshot_file": str(snap), "confirm_restore": cluster})
    assert run.rc == 0, run
    msg = _debug_msg(run, "Show what would be restored")
    assert f"Would restore {snap} ({snap.stat().st_size} bytes, modified " in msg and cluster in msg, msg
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_version("rb/snap", mount_point="secret", raise_on_deleted_version=True)

    # The real restore at -vvv brings the secret back; the token never shows.
    run = _run(RESTORE, tmp_path / "restore", server, token, verbosity=3, callback="default",
               extra_vars={"snapshot_file": str(snap), "confirm_restore": cluster})
    assert run.rc == 0, run
    assert token not in run.output
    _wait(lambda: _sealed(server) is False, "sealed after the restore", timeout=30)
    value = kv.read_secret_version("rb/snap", mount_point="secret", raise_on_deleted_version=True)
    assert value["data"]["data"] == {"value": "before-the-snapshot"}


def test_refuses_missing_file_and_sealed_cluster(raft_vault, tmp_path):
    server, token, _key = raft_vault
    cluster = server.health()["cluster_name"]
    missing = tmp_path / "nope.snap"

    run = _run(RESTORE, tmp_path / "missing", server, token,
               extra_vars={"snapshot_file": str(missing), "confirm_restore": cluster})
    assert run.rc != 0
    assert f"src: {missing} does not exist" in run.output, run

    run = _run(RESTORE, tmp_path / "unset", server, token, extra_vars={"confirm_restore": cluster})
    assert run.rc != 0
    assert "snapshot_file is not set" in run.output, run

    unreadable = tmp_path / "empty.snap"
    unreadable.write_bytes(b"")
    run = _run(RESTORE, tmp_path / "empty", server, token,
               extra_vars={"snapshot_file": str(unreadable), "confirm_restore": cluster})
    assert run.rc != 0
    assert f"src: {unreadable} is empty" in run.output, run

    hvac.Client(url=server.addr, token=token).sys.seal()
    snapdir = tmp_path / "snaps"
    run = _run(SNAPSHOT, tmp_path / "sealed", server, token, extra_vars={"snapshot_dir": str(snapdir)})
    assert run.rc != 0
    assert "refusing to take a snapshot" in run.output and "is sealed" in run.output, run
    assert not snapdir.exists()
    assert token not in run.output


def test_snapshot_of_another_cluster_needs_force(raft_vault, tmp_path):
    server, token, _key = raft_vault
    other = RaftServer(tmp_path / "other").start()
    try:
        init = hvac.Client(url=other.addr).sys.initialize(secret_shares=1, secret_threshold=1)
        hvac.Client(url=other.addr).sys.submit_unseal_key(init["keys"][0])
        other_token = init["root_token"]
        _wait(lambda: _autopilot_healthy(other, other_token), "other cluster never healthy")
        snapdir = tmp_path / "snaps"
        run = _run(SNAPSHOT, tmp_path / "save", other, other_token, extra_vars={"snapshot_dir": str(snapdir)})
        assert run.rc == 0, run
        (snap,) = snapdir.iterdir()
        cluster = server.health()["cluster_name"]

        # The server refuses it (its keyring differs); the runbook shows the server's reason.
        run = _run(RESTORE, tmp_path / "plain", server, token,
                   extra_vars={"snapshot_file": str(snap), "confirm_restore": cluster})
        assert run.rc != 0
        assert "use the snapshot-force API" in run.output, run
        assert _sealed(server) is False

        # force_restore accepts it; the cluster then seals itself (the other keyring applies).
        run = _run(RESTORE, tmp_path / "force", server, token, verbosity=3, callback="default",
                   extra_vars={"snapshot_file": str(snap), "confirm_restore": cluster, "force_restore": True})
        assert run.rc == 0, run
        assert token not in run.output and other_token not in run.output
        assert "Forced restore done" in run.output
        _wait(lambda: _sealed(server) is True, "not sealed after a forced restore", timeout=30)
        client = hvac.Client(url=server.addr)
        client.sys.submit_unseal_key(init["keys"][0])
        _wait(lambda: _sealed(server) is False, "the other cluster's key did not unseal it", timeout=30)
    finally:
        other.stop()
