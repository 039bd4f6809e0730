"""``make demo``: its playbook (playbooks/demo.yml, as scripts/demo.sh runs it) builds the
reference agent with the role agent_image from the local base image, pushes it to the TLS
registry fixture, records it, and renders the reference fleet from that record, so every
rendered Nomad job runs the digest the registry holds (one build: about a minute on an
idle 2-core machine, Docker-bound); and scripts/demo.sh without a Docker engine renders
the example fleet and says plainly that the image was not built (no Docker needed)."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.playbook import REPO, run_playbook

pytestmark = [pytest.mark.integration]

REPOSITORY = "agents/reference-agent"
SHOWN = "Show the image, its digest and its SBOM"
CHECKED = "Show which image the rendered jobs run"


@pytest.fixture(scope="module")
def demo(registry, tmp_path_factory):
    """One run of playbooks/demo.yml against the session registry; the pushed image is
    removed from the engine afterwards."""
    base = tmp_path_factory.mktemp("demo")
    run = run_playbook(f"- ansible.builtin.import_playbook: {REPO / 'playbooks' / 'demo.yml'}\n",
                       tmp_path=base / "play", extra_vars={
                           "demo_registry": registry.addr, "demo_registry_ca": str(registry.ca_path),
                           "demo_dir": str(base / "demo")})
    try:
        yield {"run": run, "dir": base / "demo"}
    finally:
        subprocess.run(["docker", "rmi", "-f", f"{registry.addr}/{REPOSITORY}:1.0.0"], capture_output=True,
                       timeout=60, check=False)


@pytest.mark.docker
@pytest.mark.slow
def test_demo_builds_and_records_the_reference_agent(demo, registry):
    run = demo["run"]
    assert run.rc == 0, run
    record = json.loads((demo["dir"] / "images" / "reference-agent.json").read_text())
    digest = registry.manifest_digest(REPOSITORY, "1.0.0")
    assert digest and record["digest"] == digest
    assert record["pinned"] == f"{registry.addr}/{REPOSITORY}@{digest}"
    sbom = demo["dir"] / "images" / record["sbom"]
    assert json.loads(sbom.read_text())["bomFormat"] == "CycloneDX"
    # The SBOM the demo points at is the one labelled into the pushed image.
    manifest = registry.manifest(REPOSITORY, digest)
    config = json.loads(registry.blob(REPOSITORY, manifest["config"]["digest"]))
    assert config["config"]["Labels"]["org.agentfleet.image.sbom.digest"] == \
        "sha256:" + hashlib.sha256(sbom.read_bytes()).hexdigest()
    shown = run.result(SHOWN)["msg"]
    assert shown[0].startswith(f"image: {record['pinned']} ") and str(sbom) in shown[3]


@pytest.mark.docker
@pytest.mark.slow
def test_rendered_jobs_run_the_recorded_digest(demo):
    assert demo["run"].rc == 0, demo["run"]
    record = json.loads((demo["dir"] / "images" / "reference-agent.json").read_text())
    jobs = sorted((demo["dir"] / "reference" / "nomad" / "research").glob("*.json"))
    images = {path.stem: json.loads(path.read_text())["Job"]["TaskGroups"][0]["Tasks"][0]["Config"]["image"]
              for path in jobs}
    assert images == dict.fromkeys(["embedder", "reference", "reference-jobs"], record["pinned"])
    assert demo["run"].result(CHECKED)["msg"].startswith(f"3 jobs in {demo['dir']}/reference/nomad run {record['pinned']}")


def test_without_docker_the_demo_renders_offline_and_says_the_image_was_not_built(tmp_path):
    out = tmp_path / "demo"
    (out / "images").mkdir(parents=True)
    (out / "images" / "reference-agent.json").write_text("{}")  # left by an earlier run
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(DOCKER_HOST=f"unix://{tmp_path}/no-docker.sock", DEMO_DIR=str(out), VENV=str(Path(sys.executable).parents[1]),
               ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_LOCAL_TEMP=str(tmp_path / ".tmp"), ANSIBLE_NOCOLOR="1",
               DEMO_REGISTRY_PORT="1")  # never reached: nothing may listen there
    proc = subprocess.run(["bash", str(REPO / "scripts" / "demo.sh")], cwd=str(REPO), env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    lines = [line for line in proc.stdout.splitlines() if line.startswith("demo: ")]
    reason = next(line for line in lines if "NOT built" in line)
    assert reason in ("demo: the reference agent image was NOT built: the Docker engine does not answer.",
                      "demo: the reference agent image was NOT built: there is no docker command (Debian package docker.io).")
    assert any("`make setup`" in line for line in lines) and any("scripts/ensure-docker.sh" in line for line in lines)
    assert f"demo: {out}/images/ and {out}/reference/ are left from an earlier run, not from this one." in lines
    # The example fleet was rendered offline, as before; nothing of the reference fleet.
    assert (out / "fleet.mmd").is_file() and (out / "nomad" / "research" / "retriever.json").is_file()
    assert not (out / "reference").exists() and not (out / "registry").exists()
