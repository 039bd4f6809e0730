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
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.integration.fleet_apply.helpers import example_fleet
from tests.support.playbook import REPO, run_playbook
from tests.support.registry import Registry, TestCA
from tests.support.signing import GnuPGHome, lookaside, require_tools

# Two image builds run in the first test's setup: about a minute on an idle 2-core machine,
# several on a loaded one; the suite-wide 600 s per test is too tight for the latter.
pytestmark = [pytest.mark.integration, pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(1200)]

SOURCE = REPO / "examples" / "agents" / "reference"
NAME = "reference-agent"
ROLE = "agentfleet.hashistack.agent_image : "


def _play(repository, records, ca_path, nocache=False, sign=None):
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
        **(sign or {}),
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
        out["rerun_mtime"] = (records1 / f"{NAME}.json").stat().st_mtime_ns  # before signing adds a key
        # Sign what was pushed (the up-to-date image: nothing is built again).
        require_tools()
        home = out["gnupg"] = GnuPGHome(base / "gnupg")
        out["key"] = home.make_key("Platform", passphrase="image-e2e secret")
        out["keys"] = home.export_public(out["key"], base / "platform.asc")
        out["store"] = base / "sigstore"
        out["store"].mkdir()
        sign = {"agent_image_sign": True, "agent_image_sign_key": out["key"], "agent_image_gnupg_home": str(home.path),
                "agent_image_sign_passphrase": "image-e2e secret", "agent_image_signature_store": str(out["store"])}
        timed("sign", play=_play(repo1, records1, registry.ca_path, sign=sign))
        out["signed_record"] = json.loads((records1 / f"{NAME}.json").read_text())
        timed("sign_again", play=_play(repo1, records1, registry.ca_path, sign=sign))
        # A clean engine: the image removed (the role already removed the build cache), no cache.
        _docker("rmi", f"{repo1}:1.0.0")
        timed("rebuild", play=_play(repo2, records2, registry2.ca_path, nocache=True))
        out["record2"] = json.loads((records2 / f"{NAME}.json").read_text())
        out["image_id2"] = _image_id(f"{repo2}:1.0.0")
        yield out
    finally:
        for ref in (f"{repo1}:1.0.0", f"{repo2}:1.0.0"):
            _docker("rmi", "-f", ref, check=False)
        if "gnupg" in out:
            out["gnupg"].close()
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
    assert builds["rerun_mtime"] == builds["record1_mtime"]


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


SIGN = ROLE + "Sign the image and publish the signature"
BUNDLE = "Validate the spec and write the apply bundle"
VERIFY = "Verify the signature of every agent image"
AFTER = "The first write would come here"


def _raw_manifest(registry, digest, dest):
    """The pushed manifest's bytes, read by digest (what a verifier hashes)."""
    request = urllib.request.Request(f"{registry.url}/v2/agent-image-test/{NAME}/manifests/{digest}",
                                     headers={"Accept": "application/vnd.oci.image.manifest.v1+json, "
                                                        "application/vnd.docker.distribution.manifest.v2+json"})
    with urllib.request.urlopen(request, context=registry.ssl_context(), timeout=10) as resp:
        dest.write_bytes(resp.read())
    return dest


def test_role_signs_the_pushed_image_by_digest(builds, registry, tmp_path):
    record, store, home = builds["signed_record"], builds["store"], builds["gnupg"]
    result = builds["sign"].result(SIGN)
    signature = lookaside(store, record["pinned"]) / "signature-1"
    assert result["changed"] is True and result["digest"] == builds["record1"]["digest"]
    assert result["signature"] == str(signature) and result["signed_by"] == builds["key"]
    assert "image-e2e secret" not in builds["sign"].output
    # The record gains only the signature's path; the readers ignore extra keys.
    assert {k: v for k, v in record.items() if k != "signature"} == builds["record1"]
    assert record["signature"] == str(signature)
    assert oct((builds["records1"] / f"{NAME}.json").stat().st_mode & 0o777) == "0o644"
    # skopeo verifies it against the manifest in the registry (interop), for the pushed tag.
    manifest = _raw_manifest(registry, record["digest"], tmp_path / "manifest.json")
    assert home.verify(manifest, record["reference"], builds["key"], signature) == record["digest"]
    # Signing again keeps the valid signature and the record as they are.
    assert builds["sign_again"].changed == [], builds["sign_again"].changed
    assert not (signature.parent / "signature-2").exists()


def _guardrail(builds, registry, tmp_path, store):
    """fleet_bundle (validate, image: {build: NAME} from the records) then the real guardrail
    action fleet_images, as roles/agent_fleet/tasks/{validate,images}.yml call them, then a
    marker task standing for the first write."""
    spec = example_fleet()
    spec["guardrails"]["require_signed_images"] = True
    spec["guardrails"]["allowed_registries"] = [f"{registry.addr}/agent-image-test"]
    for tenant in spec["tenants"].values():
        for item in tenant["agents"]:
            item["image"] = {"build": NAME, "revision": builds["record1"]["source_revision"]}
    marker = tmp_path / "written"
    tasks = [
        {"name": BUNDLE, "agentfleet.hashistack.fleet_bundle": {
            "spec": spec, "dest": str(tmp_path / "bundle.json"), "build_records_dir": str(builds["records1"])}},
        {"name": VERIFY, "agentfleet.hashistack.fleet_images": {
            "bundle": str(tmp_path / "bundle.json"), "keys": [str(builds["keys"])], "store": str(store)}},
        {"name": AFTER, "ansible.builtin.copy": {"content": "x", "dest": str(marker), "mode": "0644"}},
    ]
    return run_playbook(tasks, tmp_path=tmp_path / "play"), marker


def test_guardrail_accepts_the_signed_pushed_image(builds, registry, tmp_path):
    run, marker = _guardrail(builds, registry, tmp_path, builds["store"])
    assert run.rc == 0, run
    verified = run.result(VERIFY)
    assert verified["required"] is True and verified["keys"] == [builds["key"]]
    assert {r["image"] for r in verified["images"]} == {builds["record1"]["pinned"]}
    assert all(r["ok"] and r["signed_by"] == builds["key"] for r in verified["images"])
    assert marker.exists()


@pytest.mark.parametrize("damage", ["tampered", "missing"])
def test_guardrail_refuses_a_tampered_or_missing_signature(builds, registry, tmp_path, damage):
    store = tmp_path / "sigstore"
    shutil.copytree(builds["store"], store)
    folder = lookaside(store, builds["record1"]["pinned"])
    if damage == "tampered":  # one byte of the signed message changed
        data = bytearray((folder / "signature-1").read_bytes())
        data[len(data) // 2] ^= 0x01
        (folder / "signature-1").write_bytes(bytes(data))
    else:
        shutil.rmtree(folder)
    run, marker = _guardrail(builds, registry, tmp_path, store)
    assert run.rc != 0, run
    result = run.result(VERIFY)
    assert result["failed"], run
    count = len(result["images"])
    assert count >= 1 and result["msg"].startswith(f"{count} of {count} agent images failed the signature check"), \
        result["msg"]
    expected = "bad signature" if damage == "tampered" else "missing signature"
    lines = result["msg"].splitlines()[1:]
    assert len(lines) == count and all(expected in line and builds["record1"]["pinned"] in line for line in lines), lines
    assert not marker.exists()


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
