"""playbooks/runbooks/cluster-snapshot.yml and cluster-restore.yml against the Nomad and
Consul contract servers (their stand-in snapshot format, tests/support/snapshot_archive.py)."""
import datetime
import re
import stat

import pytest
import requests

from tests.integration.runbooks.hashistack import failure, run_runbook

pytestmark = pytest.mark.integration

JOB = {"ID": "keep", "Name": "keep", "Type": "batch", "Datacenters": ["dc1"],
       "TaskGroups": [{"Name": "g", "Count": 1, "Tasks": [
           {"Name": "t", "Driver": "docker", "Config": {"image": "busybox:1"}}]}]}


def _nomad(api, method, path, **kwargs):
    answer = requests.request(method, api.addr + path, headers={"X-Nomad-Token": api.management_token},
                              timeout=5, **kwargs)
    answer.raise_for_status()
    return answer


def test_nomad_snapshot_then_restore(nomad_api, tmp_path):
    _nomad(nomad_api, "POST", "/v1/jobs", json={"Job": JOB})
    snapdir = tmp_path / "snaps"

    run = run_runbook("cluster-snapshot.yml", tmp_path / "check", nomad_api.env, check=True,
                      extra_vars={"product": "nomad", "snapshot_dir": str(snapdir)})
    assert run.rc == 0, run
    assert run.result("Show the snapshot file")["msg"].startswith(
        f"Would write the snapshot of nomad region global to {snapdir}/nomad-global-"), run
    assert not snapdir.exists()

    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    run = run_runbook("cluster-snapshot.yml", tmp_path / "save", nomad_api.env, verbosity=3, callback="default",
                      extra_vars={"product": "nomad", "snapshot_dir": str(snapdir)})
    assert run.rc == 0, run
    assert nomad_api.management_token not in run.output
    files = sorted(snapdir.iterdir())
    assert len(files) == 1, files
    snap = files[0]
    match = re.fullmatch(r"nomad-global-(\d{8}T\d{6}Z)\.snap", snap.name)
    assert match, snap.name
    taken = datetime.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    assert before <= taken <= datetime.datetime.now(datetime.timezone.utc)
    assert stat.S_IMODE(snapdir.stat().st_mode) == 0o700 and stat.S_IMODE(snap.stat().st_mode) == 0o600
    assert snap.read_bytes()[:2] == b"\x1f\x8b"

    _nomad(nomad_api, "DELETE", "/v1/job/keep", params={"purge": "true"})
    assert nomad_api.jobs() == {}
    run = run_runbook("cluster-restore.yml", tmp_path / "refused", nomad_api.env,
                      extra_vars={"product": "nomad", "snapshot_file": str(snap), "confirm_restore": "elsewhere"})
    assert run.rc != 0 and "Confirm with -e confirm_restore=global" in failure(run), run
    assert nomad_api.jobs() == {}

    run = run_runbook("cluster-restore.yml", tmp_path / "restore", nomad_api.env,
                      extra_vars={"product": "nomad", "snapshot_file": str(snap), "confirm_restore": "global"})
    assert run.rc == 0, run
    assert list(nomad_api.jobs()) == ["keep"]


def test_consul_snapshot_restore_and_unhealthy_refusal(consul_api, tmp_path):
    entry = {"Kind": "service-defaults", "Name": "web", "Protocol": "http"}
    requests.put(consul_api.addr + "/v1/config", json=entry, timeout=5,
                 headers={"X-Consul-Token": consul_api.management_token}).raise_for_status()
    snapdir = tmp_path / "snaps"
    run = run_runbook("cluster-snapshot.yml", tmp_path / "save", consul_api.env,
                      extra_vars={"product": "consul", "snapshot_dir": str(snapdir)})
    assert run.rc == 0, run
    (snap,) = snapdir.iterdir()
    assert re.fullmatch(r"consul-dc1-\d{8}T\d{6}Z\.snap", snap.name), snap.name
    assert stat.S_IMODE(snap.stat().st_mode) == 0o600

    requests.delete(consul_api.addr + "/v1/config/service-defaults/web", timeout=5,
                    headers={"X-Consul-Token": consul_api.management_token}).raise_for_status()
    run = run_runbook("cluster-restore.yml", tmp_path / "restore", consul_api.env, verbosity=3, callback="default",
                      extra_vars={"product": "consul", "snapshot_file": str(snap), "confirm_restore": "dc1"})
    assert run.rc == 0, run
    assert consul_api.management_token not in run.output
    assert list(consul_api.entries) == [("service-defaults", "web")]

    consul_api.set_leader("")
    run = run_runbook("cluster-snapshot.yml", tmp_path / "leaderless", consul_api.env,
                      extra_vars={"product": "consul", "snapshot_dir": str(tmp_path / "none")})
    assert run.rc != 0 and failure(run).startswith("cluster not healthy, nothing changed: consul at"), run
    assert not (tmp_path / "none").exists()
