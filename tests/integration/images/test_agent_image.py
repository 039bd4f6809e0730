"""Role agent_image, for real: the reference agent built from the local base image (no
pull) with the Docker engine, pushed to the TLS registry fixture, built again from a
clean engine (same digest), run read-only as a non-root user, its SBOM checked against
what is installed in the running container.

One build sequence per module (it is the slow part): check mode, build, unchanged
re-run, then the image removed and built again without cache and pushed to a second,
empty registry: the engine has no blob there to reuse, so it compresses the layers
afresh, and an equal manifest digest shows the pushed bytes are reproducible too (not
only the image content, which the equal image IDs show).
"""
import hashlib
import json
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.support.playbook import REPO, run_playbook
from tests.support.registry import Registry, TestCA

# Two image builds run in the first test's setup: about a minute on an idle 2-core machine,
# several on a loaded one; the suite-wide 600 s per test is too tight for the latter.
pytestmark = [pytest.mark.integration, pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(1200)]

SOURCE = REPO / "examples" / "agents" / "reference"
NAME = "reference-agent"
ROLE = "agentfleet.hashistack.agent_image : "


def _play(repository, records, ca_path, nocache=False):
    role_vars = {
        "agent_image_name": NAME,
        "agent_image_src": str(SOURCE),
        "agent_image_repository": repository,
        "agent_image_version": "1.0.0",
        "agent_image_entrypoint": ["python3", "-m", "reference_agent"],
        "agent_image_build_records_dir": str(records),
        "agent_image_registry_ca_path": str(ca_path),
        "agent_image_source_url": "https://github.com/agentfleet/hashistack",
        "agent_image_nocache": nocache,
    }
    return json.dumps([{"name": "agent image", "hosts": "localhost", "gather_facts": False,
                        "roles": [{"role": "agentfleet.hashistack.agent_image", "vars": role_vars}]}])


def _docker(*args, check=True, timeout=120):
    proc = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check:
        assert proc.returncode == 0, f"docker {' '.join(args)}: {proc.stderr}"
    return proc


def _image_id(ref):
    proc = _docker("image", "inspect", "--format", "{{.Id}}", ref, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


@pytest.fixture(scope="module")
def registry2(registry, tmp_path_factory):  # pylint: disable=unused-argument,redefined-outer-name
    """A second, empty TLS registry for the clean rebuild (after ``registry``: engine checked)."""
    base = tmp_path_factory.mktemp("registry2")
    server = Registry(base / "server", TestCA(base / "ca")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def builds(registry, registry2, tmp_path_factory):  # pylint: disable=redefined-outer-name
    """Runs the sequence once; returns what each step gave, with durations (s)."""
    base = tmp_path_factory.mktemp("agent-image")
    repo1 = f"{registry.addr}/agent-image-test/{NAME}"
    repo2 = f"{registry2.addr}/agent-image-test/{NAME}"
    records1, records2 = base / "records", base / "records-rebuild"
    out = {"repo1": repo1, "repo2": repo2, "records1": records1, "records2": records2, "durations": {}}

    def timed(key, **kwargs):
        start = time.monotonic()
        run = run_playbook(kwargs.pop("play"), tmp_path=base / key, **kwargs)
        out["durations"][key] = round(time.monotonic() - start, 1)
        assert run.rc == 0, str(run)
        out[key] = run
        return run

    try:
        timed("check", play=_play(repo1, records1, registry.ca_path), check=True)
        out["after_check"] = {"record": (records1 / f"{NAME}.json").exists(), "image": _image_id(f"{repo1}:1.0.0"),
                              "registry": registry.manifest_digest(f"agent-image-test/{NAME}", "1.0.0")}
        timed("build", play=_play(repo1, records1, registry.ca_path))
        out["record1"] = json.loads((records1 / f"{NAME}.json").read_text())
        out["image_id1"] = _image_id(f"{repo1}:1.0.0")
        out["record1_mtime"] = (records1 / f"{NAME}.json").stat().st_mtime_ns
        timed("rerun", play=_play(repo1, records1, registry.ca_path))
        # A clean engine: the image removed (the role already removed the build cache), no cache.
        _docker("rmi", f"{repo1}:1.0.0")
        timed("rebuild", play=_play(repo2, records2, registry2.ca_path, nocache=True))
        out["record2"] = json.loads((records2 / f"{NAME}.json").read_text())
        out["image_id2"] = _image_id(f"{repo2}:1.0.0")
        yield out
    finally:
        for ref in (f"{repo1}:1.0.0", f"{repo2}:1.0.0"):
            _docker("rmi", "-f", ref, check=False)
        print("\nagent_image durations (s):", out["durations"])


def test_check_mode_builds_nothing(builds):
    run = builds["check"]
    assert run.result(ROLE + "Report what would be built (check mode)")["changed"] is True
    assert "would build" in run.result(ROLE + "Report what would be built (check mode)")["msg"]
    assert builds["after_check"] == {"record": False, "image": None, "registry": None}


def test_build_record_matches_the_registry(builds, registry):
    record = builds["record1"]
    assert set(record) == {"name", "reference", "digest", "pinned", "source_revision", "built_at",
                           "inputs_sha256", "sbom"}
    assert record["name"] == NAME
    assert record["reference"] == f"{builds['repo1']}:1.0.0"
    assert record["digest"] == registry.manifest_digest(f"agent-image-test/{NAME}", "1.0.0")
    assert record["pinned"] == f"{builds['repo1']}@{record['digest']}"
    assert len(record["inputs_sha256"]) == 64
    assert record["sbom"] == f"{NAME}.cdx.json"
    path = builds["records1"] / f"{NAME}.json"
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    revision = subprocess.run(["git", "-C", str(SOURCE), "log", "-1", "--format=%H", "--", "."], capture_output=True,
                              text=True, check=True).stdout.strip()
    assert record["source_revision"].startswith(revision)


def test_unchanged_rerun_does_nothing(builds):
    run = builds["rerun"]
    assert run.changed == [], run.changed
    assert run.result(ROLE + "Report the image as up to date")["msg"].endswith(f"(inputs {builds['record1']['inputs_sha256']})")
    assert (builds["records1"] / f"{NAME}.json").stat().st_mtime_ns == builds["record1_mtime"]


def test_clean_rebuild_gives_the_same_digest(builds, registry2):  # pylint: disable=redefined-outer-name
    first, second = builds["record1"], builds["record2"]
    print(f"\ndigests: first {first['digest']}, clean rebuild {second['digest']}")
    assert builds["image_id1"] and builds["image_id1"] == builds["image_id2"]
    assert second["inputs_sha256"] == first["inputs_sha256"]
    assert second["digest"] == first["digest"]
    assert registry2.manifest_digest(f"agent-image-test/{NAME}", "1.0.0") == first["digest"]
    assert (builds["records2"] / second["sbom"]).read_bytes() == (builds["records1"] / first["sbom"]).read_bytes()


def test_image_labels_and_config(builds, registry2):  # pylint: disable=redefined-outer-name
    record = builds["record2"]
    manifest = registry2.manifest(f"agent-image-test/{NAME}", record["digest"])
    config = json.loads(registry2.blob(f"agent-image-test/{NAME}", manifest["config"]["digest"]))
    labels = config["config"]["Labels"]
    epoch = subprocess.run(["git", "-C", str(SOURCE), "log", "-1", "--format=%ct", "--", "."], capture_output=True, text=True,
                           check=True).stdout.strip()
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))
    assert config["created"] == created
    assert {h["created"] for h in config["history"][-6:]} == {created}
    assert labels["org.opencontainers.image.created"] == created
    assert labels["org.opencontainers.image.version"] == "1.0.0"
    assert labels["org.opencontainers.image.revision"] == record["source_revision"]
    assert labels["org.opencontainers.image.source"] == "https://github.com/agentfleet/hashistack"
    sbom = (builds["records2"] / record["sbom"]).read_bytes()
    assert labels["org.agentfleet.image.sbom.digest"] == "sha256:" + hashlib.sha256(sbom).hexdigest()
    assert config["config"]["User"] == "10001:10001"
    assert config["config"]["Entrypoint"] == ["python3", "-m", "reference_agent"]
    assert not config["config"].get("Cmd")
    assert "container" not in config and "container_config" not in config


@pytest.fixture(scope="module")
def container(builds):
    """The pushed image pulled by digest (the local copy removed first) and run read-only."""
    pinned = builds["record2"]["pinned"]
    _docker("rmi", "-f", f"{builds['repo2']}:1.0.0", check=False)
    _docker("pull", pinned, timeout=180)
    name = f"agent-image-test-{uuid.uuid4().hex[:8]}"
    _docker("run", "-d", "--name", name, "--read-only", "--tmpfs", "/tmp", "-p", "127.0.0.1::8080",
            "-e", "AGENT_NAME=reference", "-e", "AGENT_TENANT=research", "-e", "AGENT_VERSION=1.0.0",
            "-e", "AGENT_EXECUTION_ID=exec-42", "-e", "CORRELATION_ID=corr-7", "-e", "AGENTFLEET_FLEET=demo",
            "-e", "DATA_DIR=/var/lib/agent", pinned)
    try:
        port = _docker("port", name, "8080/tcp").stdout.strip().rsplit(":", 1)[1]
        yield {"name": name, "url": f"http://127.0.0.1:{port}", "pinned": pinned}
    finally:
        _docker("rm", "-f", "-v", name, check=False)
        _docker("rmi", "-f", pinned, check=False)


def _get(url, deadline):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.status, json.loads(resp.read())
        except (urllib.error.URLError, ConnectionError) as exc:
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer: {exc}") from exc
            time.sleep(0.2)


def test_container_serves_health_and_logs_the_contract(container):
    deadline = time.monotonic() + 30
    assert _get(container["url"] + "/live", deadline) == (200, {"live": True})
    assert _get(container["url"] + "/ready", deadline) == (200, {"ready": True, "reason": None})
    logs = _docker("logs", container["name"]).stdout.splitlines()
    records = [json.loads(line) for line in logs if line.startswith("{")]
    ready = [r for r in records if r["msg"] == "agent.ready"]
    assert ready, logs
    for record in records:
        assert {k: record[k] for k in ("agent", "tenant", "version", "execution_id", "correlation_id", "fleet")} == {
            "agent": "reference", "tenant": "research", "version": "1.0.0", "execution_id": "exec-42",
            "correlation_id": "corr-7", "fleet": "demo"}


def test_container_runs_non_root_on_a_read_only_root(container):
    inspect = json.loads(_docker("inspect", container["name"]).stdout)[0]
    assert inspect["HostConfig"]["ReadonlyRootfs"] is True
    assert _docker("exec", container["name"], "id", "-u").stdout.strip() == "10001"
    denied = _docker("exec", container["name"], "touch", "/opt/agent/app/x", check=False)
    assert denied.returncode != 0 and "Read-only file system" in denied.stderr
    # The declared volume is the writable data dir: the done-store lives there.
    assert _docker("exec", container["name"], "test", "-d", "/var/lib/agent/done").returncode == 0


def test_sbom_lists_what_is_installed(container, builds):
    sbom = json.loads((builds["records2"] / builds["record2"]["sbom"]).read_text())
    assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.6"
    components = sbom["components"]
    debs = {(c["name"], c["version"]) for c in components if c["purl"].startswith("pkg:deb/")}
    pythons = {(c["name"].lower(), c["version"]) for c in components if c["purl"].startswith("pkg:pypi/")}
    # dpkg-query -W lists installed packages (and ones in other states with an empty version).
    listed = _docker("exec", container["name"], "dpkg-query", "-W", "-f", "${Package}\t${Version}\t${db:Status-Status}\n")
    installed = {tuple(line.split("\t")[:2]) for line in listed.stdout.splitlines() if line.endswith("\tinstalled")}
    assert debs == installed
    # The runtime image has no pip (slim: only the artefacts); importlib.metadata is what
    # `pip list` reads, over the same sys.path.
    code = "import importlib.metadata as m; print('\\n'.join(f'{d.metadata[\"Name\"]}\\t{d.version}' for d in m.distributions()))"
    dists = _docker("exec", container["name"], "python3", "-c", code).stdout.split()
    assert pythons == {(n.lower(), v) for n, v in zip(dists[::2], dists[1::2])}
    assert ("tenacity", "9.2.1") in pythons and ("pybreaker", "1.4.1") in pythons
    assert len(components) == len(installed) + len(pythons)
    size = _docker("image", "inspect", "--format", "{{.Size}}", container["pinned"]).stdout.strip()
    print(f"\nSBOM components: {len(components)} ({len(installed)} deb, {len(pythons)} pypi); image size {size} bytes")
