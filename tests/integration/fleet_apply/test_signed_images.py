"""Guardrail require_signed_images and image: {build: NAME} through fleet.yml, with real GPG and skopeo.

Throw-away keys in a temporary GNUPGHOME; every agent image of the example fleet gets a manifest
file of its own (its digest pinned in the spec), signed by the module image_sign (skopeo
standalone-sign underneath) into a lookaside store directory; skopeo standalone-verify accepts
what image_sign wrote (interop). Then fleet.yml in check mode and applied against the contract
servers: a fully signed fleet passes; a tampered signature, a signature by another key, a
signature of another digest and a missing signature are each refused with their own error, and
nothing is written to Nomad, Consul or Vault.
"""
import json
import shutil
import urllib.request

import pytest

from tests.integration.fleet_apply.helpers import agent, example_fleet, run_fleet
from tests.support.playbook import run_playbook
from tests.support.signing import GnuPGHome, lookaside, require_tools, write_manifest

pytestmark = pytest.mark.integration
VERIFY = "agentfleet.hashistack.agent_fleet : Verify the signature of every agent image (guardrails.require_signed_images)"
VALIDATE = ("agentfleet.hashistack.agent_fleet : Validate the whole spec and write the apply bundle "
            "(nothing is changed on any error)")


@pytest.fixture(scope="module")
def signing(tmp_path_factory):
    """Once per module: throw-away keys, one manifest per example agent, each signed by the
    platform key through image_sign (run twice: the second run changes nothing), and checked
    with skopeo standalone-verify (interop)."""
    require_tools()
    tmp = tmp_path_factory.mktemp("signing")
    home = GnuPGHome(tmp / "gnupg")
    platform = home.make_key("Platform", passphrase="correct horse")
    other = home.make_key("Intruder")
    keys = home.export_public(platform, tmp / "platform.asc")
    store = tmp / "sigstore"
    store.mkdir()
    images, manifests = {}, {}
    for tname, tenant in example_fleet()["tenants"].items():
        for item in tenant["agents"]:
            name = item["image"].split("@", 1)[0]
            path, digest = write_manifest(tmp / ("%s-%s.json" % (tname, item["name"])), item["name"])
            images["%s/%s" % (tname, item["name"])] = "%s@%s" % (name, digest)
            manifests["%s@%s" % (name, digest)] = path
    tasks = [{"name": "Sign", "agentfleet.hashistack.image_sign": {
        "image": "{{ item.key }}", "manifest": "{{ item.value }}", "key_fingerprint": platform,
        "gnupg_home": str(home.path), "passphrase": "correct horse", "store": str(store)},
        "loop": "{{ images | dict2items }}", "register": "signing"}]
    extra_vars = {"images": {k: str(v) for k, v in manifests.items()}}
    first = run_playbook(tasks, tmp_path=tmp / "sign1", extra_vars=extra_vars, callback="json")
    assert first.rc == 0, first
    assert "correct horse" not in first.output
    assert len(first.result("Sign")["results"]) == 7 and all(r["changed"] for r in first.result("Sign")["results"])
    again = run_playbook(tasks, tmp_path=tmp / "sign2", extra_vars=extra_vars, callback="json")
    assert again.rc == 0 and again.changed == [], again  # idempotent: valid signatures are kept
    for image, path in manifests.items():
        signature = lookaside(store, image) / "signature-1"
        assert home.verify(path, image.split("@", 1)[0], platform, signature) == image.split("@", 1)[1]
    yield {"home": home, "platform": platform, "other": other, "store": store, "keys": keys,
           "images": images, "manifests": manifests}
    home.close()


@pytest.fixture
def signed(stack, signing, tmp_path):
    """The stack's example fleet with the signed images and require_signed_images, a copy of
    the store for this test, and the operator's settings for fleet.yml."""
    spec = stack.spec()
    spec["guardrails"]["require_signed_images"] = True
    for tname, tenant in spec["tenants"].items():
        for item in tenant["agents"]:
            item["image"] = signing["images"]["%s/%s" % (tname, item["name"])]
    store = tmp_path / "sigstore"
    shutil.copytree(signing["store"], store)
    extra = {"agent_fleet_image_signature_keys": [str(signing["keys"])],
             "agent_fleet_image_signature_store": str(store)}
    return dict(signing, spec=spec, store=store, extra=extra)


def _vault_policies(stack):
    request = urllib.request.Request(stack.openbao.addr + "/v1/sys/policies/acl?list=true",
                                     headers={"X-Vault-Token": stack.openbao.token})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]["keys"]


def _nothing_written(stack, policies_before):
    assert [m for m, _p, _s in stack.nomad.request_log if m in ("POST", "PUT", "DELETE")] == []
    assert stack.consul.writes() == []
    assert _vault_policies(stack) == policies_before


def test_signed_fleet_passes_check_mode_and_applies(stack, signed, tmp_path):
    spec = signed["spec"]
    check = run_fleet(spec, tmp_path / "check", stack.env, check=True, extra=signed["extra"])
    assert check.rc == 0, check
    verified = check.result(VERIFY)
    assert verified["required"] is True and len(verified["images"]) == 7
    assert all(r["ok"] and r["signed_by"] == signed["platform"] for r in verified["images"])
    applied = run_fleet(spec, tmp_path / "apply", stack.env, extra=signed["extra"])
    assert applied.rc == 0, applied
    job = stack.nomad.jobs("research")["retriever"]
    image = job["TaskGroups"][0]["Tasks"][0]["Config"]["image"]
    assert image == agent(spec, "research", "retriever")["image"]


def test_each_bad_signature_is_refused_with_its_own_error_and_nothing_is_written(stack, signed, tmp_path):
    spec, store, home = signed["spec"], signed["store"], signed["home"]
    retriever = agent(spec, "research", "retriever")["image"]
    embedder = agent(spec, "research", "embedder")["image"]
    indexer = agent(spec, "research", "indexer")["image"]
    triage = agent(spec, "support", "triage")["image"]
    # tampered: one byte of the signed message changed
    tampered = lookaside(store, retriever) / "signature-1"
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    # another key: a real skopeo signature of the right manifest by a key the operator does not trust
    home.sign(signed["manifests"][embedder], embedder.split("@", 1)[0], signed["other"],
              lookaside(store, embedder) / "signature-1")
    # another digest: a valid platform signature, under the indexer's identity, of another manifest
    home.sign(signed["manifests"][embedder], indexer.split("@", 1)[0], signed["platform"],
              lookaside(store, indexer) / "signature-1")
    # missing
    shutil.rmtree(lookaside(store, triage))
    before = _vault_policies(stack)
    for label, check, extra in (("check", True, {}),
                                # the operator's switch: the spec turning the guardrail off changes nothing
                                ("apply", False, {"agent_fleet_require_signed_images": True})):
        run_spec = dict(spec, guardrails=dict(spec["guardrails"], require_signed_images=(label == "check")))
        run = run_fleet(run_spec, tmp_path / label, stack.env, check=check, extra=dict(signed["extra"], **extra))
        assert run.rc != 0, run
        result = run.result(VERIFY)
        assert result["failed"], run
        msg = result["msg"]
        assert msg.startswith("4 of 7 agent images failed the signature check"), msg
        lines = {line.split(" (", 1)[0][2:]: line for line in msg.splitlines()[1:]}
        assert set(lines) == {"tenants.research.agents.retriever.image", "tenants.research.agents.embedder.image",
                              "tenants.research.agents.indexer.image", "tenants.support.agents.triage.image"}
        assert "bad signature" in lines["tenants.research.agents.retriever.image"]
        assert "unknown key" in lines["tenants.research.agents.embedder.image"]
        assert "digest mismatch" in lines["tenants.research.agents.indexer.image"]
        assert "missing signature" in lines["tenants.support.agents.triage.image"]
        _nothing_written(stack, before)


def test_image_from_build_record_is_resolved_and_a_stale_one_refused(stack, signed, tmp_path):
    spec = signed["spec"]
    item = agent(spec, "research", "retriever")
    pinned = item["image"]
    records = tmp_path / "records"
    records.mkdir()
    record = {"name": "retriever", "reference": pinned.split("@", 1)[0] + ":1.4.2", "digest": pinned.split("@", 1)[1],
              "pinned": pinned, "source_revision": "abc123", "built_at": "2026-11-01T00:00:00Z",
              "inputs_sha256": "0" * 64, "sbom": "retriever.cdx.json"}
    (records / "retriever.json").write_text(json.dumps(record))
    item["image"] = {"build": "retriever", "revision": "abc123"}
    extra = dict(signed["extra"], agent_fleet_build_records_dir=str(records))
    before = _vault_policies(stack)
    ok = run_fleet(spec, tmp_path / "ok", stack.env, check=True, extra=extra)
    assert ok.rc == 0, ok
    verified = ok.result(VERIFY)
    assert {r["image"] for r in verified["images"] if r["agent"] == "research/retriever"} == {pinned}
    item["image"]["revision"] = "def456"
    stale = run_fleet(spec, tmp_path / "stale", stack.env, check=True, extra=extra)
    assert stale.rc != 0
    msg = stale.result(VALIDATE)["msg"]
    assert "tenants.research.agents.retriever.image.revision" in msg and "is stale" in msg and "def456" in msg
    _nothing_written(stack, before)
