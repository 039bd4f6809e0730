"""The registry fixture itself: TLS from the test CA only, the Docker engine's trust file,
a real push through the Docker engine."""
import json
import ssl
import subprocess
import urllib.error
import urllib.request

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.docker]


def test_registry_serves_tls_from_the_test_ca_only(registry):
    with urllib.request.urlopen(f"{registry.url}/v2/", context=registry.ssl_context(), timeout=5) as resp:
        assert resp.status == 200
        assert resp.headers["Docker-Distribution-Api-Version"] == "registry/2.0"
    # A client that does not trust the test CA is refused at the handshake.
    with pytest.raises(urllib.error.URLError) as err:
        urllib.request.urlopen(f"{registry.url}/v2/", context=ssl.create_default_context(), timeout=5)
    assert isinstance(err.value.reason, ssl.SSLCertVerificationError)
    assert (registry.certs_d / "ca.crt").read_bytes() == registry.ca_path.read_bytes()


def test_docker_engine_pushes_to_the_registry(registry):
    # A one-file image made from nothing (no pull): scratch + an empty layer.
    ref = f"{registry.addr}/agent-image-fixture/tiny:1"
    build = subprocess.run(["docker", "import", "-", ref], input=b"\0" * 1024, capture_output=True, timeout=60,
                           check=False)
    assert build.returncode == 0, build.stderr
    try:
        push = subprocess.run(["docker", "push", ref], capture_output=True, text=True, timeout=60, check=False)
        assert push.returncode == 0, push.stderr
        digest = registry.manifest_digest("agent-image-fixture/tiny", "1")
        assert digest and digest.startswith("sha256:") and digest in push.stdout
        manifest = registry.manifest("agent-image-fixture/tiny", digest)
        config = json.loads(registry.blob("agent-image-fixture/tiny", manifest["config"]["digest"]))
        assert config["rootfs"]["type"] == "layers"
        assert registry.manifest_digest("agent-image-fixture/tiny", "absent") is None
    finally:
        subprocess.run(["docker", "rmi", "-f", ref], capture_output=True, timeout=60, check=False)
