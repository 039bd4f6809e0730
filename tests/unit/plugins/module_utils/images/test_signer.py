"""image_sign's logic: refusals before anything is signed, check mode, idempotence, and a
signature that skopeo itself verifies (real gpg and skopeo, skipped with the reason when absent)."""
import shutil

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.images import signer
from ansible_collections.agentfleet.hashistack.plugins.module_utils.images import simple_signing as sig

from tests.support.signing import GnuPGHome, lookaside, write_manifest

HEX = "ab" * 32
IMAGE = "registry.example.com/agents/api@sha256:" + HEX
FPR = "0EA6674DA6515E706E780A1DE4F04EBFDCB78CB0"


@pytest.mark.parametrize("kwargs, words", [
    ({"image": "registry.example.com/agents/api:1.0"}, "is not pinned by digest"),
    ({"identity": "registry.example.com/agents/other:1.0"}, "is not in the image's repository"),
    ({"fingerprint": "ABCD"}, "full fingerprint"),
    ({"store": "/nonexistent/store"}, "is not a directory"),
])
def test_refused_before_signing(tmp_path, kwargs, words):
    args = dict(image=IMAGE, store=str(tmp_path), fingerprint=FPR)
    args.update(kwargs)
    with pytest.raises(signer.SignError, match=words):
        signer.sign(**args)


def test_default_identity_drops_the_digest():
    assert signer.default_identity("r.example.com/a/b:1.0@sha256:" + HEX) == "r.example.com/a/b:1.0"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    missing = [t for t in ("gpg", "gpgv", "skopeo") if shutil.which(t) is None]
    if missing:
        pytest.skip("needs %s (Debian packages gnupg, gpgv, skopeo)" % ", ".join(missing))
    home = GnuPGHome(tmp_path_factory.mktemp("gnupg"))
    yield home, home.make_key("Signer", passphrase="s3cret")
    home.close()


def test_sign_check_mode_idempotence_and_interop(keys, tmp_path):
    home, fpr = keys
    manifest, digest = write_manifest(tmp_path / "m.json", "api")
    image = "registry.example.com/agents/api@" + digest
    store = tmp_path / "store"
    store.mkdir()
    planned = signer.sign(image, str(store), fpr, gnupg_home=str(home.path), passphrase="s3cret",
                          manifest=str(manifest), check=True)
    assert planned["changed"] and not list(store.iterdir())  # check mode writes nothing
    done = signer.sign(image, str(store), fpr, gnupg_home=str(home.path), passphrase="s3cret", manifest=str(manifest))
    assert done["changed"] and done["signature"] == planned["signature"] == str(lookaside(store, image) / "signature-1")
    assert done["signed_by"] == fpr and done["identity"] == "registry.example.com/agents/api"
    assert home.verify(manifest, "registry.example.com/agents/api", fpr, done["signature"]) == digest
    again = signer.sign(image, str(store), fpr, gnupg_home=str(home.path), passphrase="s3cret", manifest=str(manifest))
    assert not again["changed"] and again["signature"] == done["signature"]
    # a new identity (a tag) is a new signature, at the next free index; the first one stays
    tagged = signer.sign(image, str(store), fpr, gnupg_home=str(home.path), passphrase="s3cret",
                         manifest=str(manifest), identity="registry.example.com/agents/api:2.0")
    assert tagged["changed"] and tagged["signature"].endswith("signature-2")


def test_a_wrong_passphrase_or_manifest_signs_nothing(keys, tmp_path):
    home, fpr = keys
    manifest, digest = write_manifest(tmp_path / "m.json", "api")
    store = tmp_path / "store"
    store.mkdir()
    home.close()  # gpg-agent caches a passphrase once given: start from a fresh agent
    with pytest.raises(signer.SignError, match="skopeo standalone-sign failed"):
        signer.sign("registry.example.com/agents/api@" + digest, str(store), fpr, gnupg_home=str(home.path),
                    passphrase="wrong", manifest=str(manifest))
    with pytest.raises(signer.SignError, match="not the pinned"):
        signer.sign(IMAGE, str(store), fpr, gnupg_home=str(home.path), passphrase="s3cret", manifest=str(manifest))
    assert not list(store.iterdir())


def test_a_key_missing_from_the_home_is_refused(keys, tmp_path):
    home, _fpr = keys
    with pytest.raises(signer.SignError, match="is not in the GnuPG home"):
        signer.sign(IMAGE, str(tmp_path), FPR, gnupg_home=str(home.path))


def test_the_store_layout_matches_the_verifier(tmp_path):
    assert sig.Store(str(tmp_path)).where(IMAGE, 1) == str(lookaside(tmp_path, IMAGE) / "signature-1")
