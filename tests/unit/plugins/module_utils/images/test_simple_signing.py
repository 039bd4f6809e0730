"""Simple signing checks: the payload rules (containers/image signature/simple.go), the
lookaside layout (docker/registries_d.go), and gpgv against a temporary keyring with real,
throw-away GPG keys (gpg is fast and local; skipped with the reason when it is missing)."""
import json
import shutil
import subprocess

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import image_check
from ansible_collections.agentfleet.hashistack.plugins.module_utils.images import simple_signing as sig

HEX = "ab" * 32
DIGEST = "sha256:" + HEX
IMAGE = "registry.example.com/agents/api@" + DIGEST


def payload(**changes):
    body = {"critical": {"type": sig.SIGNATURE_TYPE, "image": {"docker-manifest-digest": DIGEST},
                         "identity": {"docker-reference": "registry.example.com/agents/api:1.0"}},
            "optional": {"creator": "test", "timestamp": 1796000000}}
    for path, value in changes.items():
        node = body
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[key]
        if value is ...:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
    return json.dumps(body).encode()


def test_a_good_payload_passes():
    assert sig.payload_problem(payload(), DIGEST, IMAGE) is None
    # the identity may name the repository without a tag, or with another tag
    untagged = payload(critical__identity={"docker-reference": "registry.example.com/agents/api"})
    assert sig.payload_problem(untagged, DIGEST, IMAGE) is None
    # optional keys other than creator/timestamp are ignored (simple.go)
    assert sig.payload_problem(payload(optional__extra="x"), DIGEST, IMAGE) is None


BAD = [
    ("not json", b"{", sig.BAD_PAYLOAD, "not JSON"),
    ("no optional", payload(optional=...), sig.BAD_PAYLOAD, "must hold exactly critical, optional"),
    ("extra top key", payload(extra=1), sig.BAD_PAYLOAD, "must hold exactly"),
    ("extra critical key", payload(critical__extra=1), sig.BAD_PAYLOAD, "critical must hold exactly"),
    ("extra image key", payload(critical__image={"docker-manifest-digest": DIGEST, "x": 1}), sig.BAD_PAYLOAD,
     "critical.image must hold exactly"),
    ("digest not a string", payload(critical__image={"docker-manifest-digest": 5}), sig.BAD_PAYLOAD,
     "must be a string"),
    ("other type", payload(critical__type="cosign container image signature"), sig.BAD_PAYLOAD,
     "critical.type is"),
    ("float timestamp", payload(optional__timestamp=1.5), sig.BAD_PAYLOAD, "optional.timestamp"),
    ("creator not a string", payload(optional__creator=1), sig.BAD_PAYLOAD, "optional.creator"),
    ("other digest", payload(critical__image={"docker-manifest-digest": "sha256:" + "cd" * 32}),
     sig.DIGEST_MISMATCH, "the image is pinned to " + DIGEST),
    ("other repository", payload(critical__identity={"docker-reference": "registry.example.com/agents/evil:1"}),
     sig.IDENTITY_MISMATCH, "registry.example.com/agents/evil"),
    ("other registry", payload(critical__identity={"docker-reference": "docker.io/agents/api:1"}),
     sig.IDENTITY_MISMATCH, "docker.io/agents/api"),
    ("invalid identity", payload(critical__identity={"docker-reference": "Not A Reference"}), sig.BAD_PAYLOAD,
     "is not an image reference"),
]


@pytest.mark.parametrize("data, kind, words", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_every_bad_payload_is_refused_with_its_kind(data, kind, words):
    got = sig.payload_problem(data, DIGEST, IMAGE)
    assert got is not None and got[0] == kind and words in got[1], got


def test_docker_hub_short_names_are_normalised():
    image = "docker.io/library/busybox@" + DIGEST
    assert sig.payload_problem(payload(critical__identity={"docker-reference": "busybox:1"}), DIGEST, image) is None


@pytest.mark.parametrize("image, folder", [
    (IMAGE, "agents/api@sha256=" + HEX),
    ("registry.example.com:5000/a/b/c:tag@" + DIGEST, "a/b/c@sha256=" + HEX),
    ("busybox@" + DIGEST, "library/busybox@sha256=" + HEX),
])
def test_lookaside_layout_has_no_registry_host(image, folder):
    assert sig.lookaside_dir(image) == folder


def test_lookaside_needs_a_digest():
    with pytest.raises(ValueError, match="not a reference pinned by digest"):
        sig.lookaside_dir("registry.example.com/agents/api:1.0")


def test_store_is_a_directory_or_https(tmp_path):
    with pytest.raises(ValueError, match="directory or an https"):
        sig.Store("http://signatures.example.com")
    with pytest.raises(ValueError, match="is not a directory"):
        sig.Store(str(tmp_path / "absent"))
    store = sig.Store(str(tmp_path))
    assert store.read(IMAGE, 1) is None
    assert store.where(IMAGE, 2) == str(tmp_path / ("agents/api@sha256=%s" % HEX) / "signature-2")


# -- with real gpg --------------------------------------------------------------------
@pytest.fixture(scope="module")
def gpg(tmp_path_factory):
    if not (shutil.which("gpg") and shutil.which("gpgv")):
        pytest.skip("needs gpg and gpgv (Debian packages gnupg, gpgv)")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)

    def run(*argv, stdin=None):
        return subprocess.run(["gpg", "--homedir", str(home), "--batch"] + list(argv), input=stdin,
                              capture_output=True, check=True, timeout=30).stdout

    fprs = {}
    for name in ("platform", "other"):
        run("--passphrase", "", "--quick-gen-key", name + "@example.com", "ed25519", "sign", "never")
        out = run("--with-colons", "--list-keys", name + "@example.com").decode()
        fprs[name] = [line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:")][0]
    pub = home / "platform.asc"
    pub.write_bytes(run("--armor", "--export", fprs["platform"]))

    def sign(data, who="platform"):
        return run("--local-user", fprs[who], "--sign", stdin=data)

    yield {"run": run, "fpr": fprs, "pub": pub, "sign": sign, "home": home}
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True, timeout=30,
                   check=False)  # the agent gpg started for this home, and only it


@pytest.fixture
def keyring(gpg):
    ring = sig.Keyring.from_files([str(gpg["pub"])])
    yield ring
    ring.close()


def _publish(tmp_path, image, data, index=1):
    folder = tmp_path / sig.lookaside_dir(image)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ("signature-%d" % index)).write_bytes(data)


def test_keyring_holds_only_the_given_keys(gpg, keyring):
    assert keyring.fingerprints == [gpg["fpr"]["platform"]]


def test_keyring_refuses_a_private_key_and_garbage(gpg, tmp_path):
    secret = tmp_path / "secret.asc"
    secret.write_bytes(gpg["run"]("--armor", "--pinentry-mode", "loopback", "--passphrase", "",
                                  "--export-secret-keys", gpg["fpr"]["platform"]))
    with pytest.raises(sig.KeyFileError, match="holds a private key"):
        sig.Keyring.from_files([str(secret)])
    junk = tmp_path / "junk.asc"
    junk.write_text("hello")
    with pytest.raises(sig.KeyFileError, match="not an ASCII-armoured public key"):
        sig.Keyring.from_files([str(junk)])
    with pytest.raises(sig.KeyFileError, match="cannot be read"):
        sig.Keyring.from_files([str(tmp_path / "absent.asc")])


def test_verify_accepts_a_good_signature(gpg, keyring, tmp_path):
    _publish(tmp_path, IMAGE, gpg["sign"](payload()))
    where, fpr = sig.verify_image(IMAGE, sig.Store(str(tmp_path)), keyring)
    assert fpr == gpg["fpr"]["platform"] and where.endswith("signature-1")


def test_verify_takes_any_good_signature_of_several(gpg, keyring, tmp_path):
    _publish(tmp_path, IMAGE, gpg["sign"](payload(), "other"), 1)
    _publish(tmp_path, IMAGE, gpg["sign"](payload()), 2)
    where, _fpr = sig.verify_image(IMAGE, sig.Store(str(tmp_path)), keyring)
    assert where.endswith("signature-2")


@pytest.mark.parametrize("case, kind", [
    ("missing", sig.MISSING), ("other key", sig.UNKNOWN_KEY), ("tampered", sig.BAD_SIGNATURE),
    ("garbage", sig.BAD_SIGNATURE), ("other digest", sig.DIGEST_MISMATCH), ("other identity", sig.IDENTITY_MISMATCH),
    ("wrong type", sig.BAD_PAYLOAD)])
def test_verify_refuses(gpg, keyring, tmp_path, case, kind):
    data = {
        "other key": lambda: gpg["sign"](payload(), "other"),
        "tampered": lambda: _flip(gpg["sign"](payload())),
        "garbage": lambda: b"not a signature",
        "other digest": lambda: gpg["sign"](payload(critical__image={"docker-manifest-digest": "sha256:" + "cd" * 32})),
        "other identity": lambda: gpg["sign"](payload(critical__identity={"docker-reference": "registry.example.com/x"})),
        "wrong type": lambda: gpg["sign"](payload(critical__type="other")),
    }.get(case)
    if data is not None:
        _publish(tmp_path, IMAGE, data())
    with pytest.raises(sig.SigningError) as caught:
        sig.verify_image(IMAGE, sig.Store(str(tmp_path)), keyring)
    assert caught.value.kind == kind, str(caught.value)


def _flip(data):
    data = bytearray(data)
    data[-10] ^= 0x01
    return bytes(data)


def test_an_unpinned_image_is_refused(keyring, tmp_path):
    with pytest.raises(sig.SigningError) as caught:
        sig.verify_image("registry.example.com/agents/api:1.0", sig.Store(str(tmp_path)), keyring)
    assert caught.value.kind == sig.NOT_PINNED


def _bundle(images):
    return {"jobs": [{"tenant": "team", "agent": name, "job": {"Job": {"TaskGroups": [
        {"Tasks": [{"Config": {"image": image}}]}]}}} for name, image in images]}


def test_image_check_reports_one_line_per_bad_image(gpg, keyring, tmp_path):
    other = "registry.example.com/agents/other@sha256:" + "cd" * 32
    _publish(tmp_path, IMAGE, gpg["sign"](payload()))
    images = image_check.bundle_images(_bundle([("api", IMAGE), ("copy", IMAGE), ("other", other)]))
    assert [i[1] for i in images] == ["tenants.team.agents.api.image", "tenants.team.agents.copy.image",
                                      "tenants.team.agents.other.image"]
    results = image_check.check_images(images, sig.Store(str(tmp_path)), keyring)
    assert [r["ok"] for r in results] == [True, True, False]
    text = image_check.failure_text(results)
    assert text.startswith("1 of 3 agent images failed the signature check")
    assert "- tenants.team.agents.other.image (%s): missing signature" % other in text
    assert "image_sign" in text  # what to do


def test_image_check_stops_at_the_deadline(keyring, tmp_path):
    images = image_check.bundle_images(_bundle([("api", IMAGE)]))
    [result] = image_check.check_images(images, sig.Store(str(tmp_path)), keyring, deadline=1e-9)
    assert result["kind"] == image_check.DEADLINE and "deadline" in result["msg"]
