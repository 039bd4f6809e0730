"""``make demo``'s playbook (playbooks/demo.yml, as scripts/demo.sh runs it): the reference
agent built with the role agent_image from the local base image, pushed to the TLS
registry fixture, recorded, and the reference fleet rendered from that record, so every
rendered Nomad job runs the digest the registry holds. One build (about a minute on an
idle 2-core machine)."""
import hashlib
import json
import subprocess

import pytest

from tests.support.playbook import REPO, run_playbook

pytestmark = [pytest.mark.integration, pytest.mark.docker, pytest.mark.slow]

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


def test_rendered_jobs_run_the_recorded_digest(demo):
    assert demo["run"].rc == 0, demo["run"]
    record = json.loads((demo["dir"] / "images" / "reference-agent.json").read_text())
    jobs = sorted((demo["dir"] / "reference" / "nomad" / "research").glob("*.json"))
    images = {path.stem: json.loads(path.read_text())["Job"]["TaskGroups"][0]["Tasks"][0]["Config"]["image"]
              for path in jobs}
    assert images == dict.fromkeys(["embedder", "reference", "reference-jobs"], record["pinned"])
    assert demo["run"].result(CHECKED)["msg"].startswith(f"3 jobs in {demo['dir']}/reference/nomad run {record['pinned']}")
