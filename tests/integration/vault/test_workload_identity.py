"""End to end: a Nomad-style workload identity logs in via JWT and reads only its own secrets.

The "Nomad server" here is a JWKS document served on loopback with a locally generated
RSA key; tokens carry the claims Nomad puts in workload identities.
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import hvac
import hvac.exceptions
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.integration.vault.conftest import assert_no_secret, task
from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

MOUNT, KV, AUD = "it-nomad-wi", "it-agents", "vault.io"
SECRETS = {"alpha": {"api_key": "alpha-key-4f1c"}, "beta": {"api_key": "beta-key-9d2e"}}


@pytest.fixture
def jwks_server():
    """Serve /.well-known/jwks.json for a fresh RSA key on a free loopback port."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="it-key-1", use="sig", alg="RS256")
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            if self.path != "/.well-known/jwks.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield key, f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()
    server.server_close()


def _identity(key, job, *, namespace="agents", task_name="agent", kid="it-key-1", lifetime=300):
    now = int(time.time())
    claims = {
        "iss": "nomad-test", "aud": AUD, "iat": now, "nbf": now, "exp": now + lifetime,
        "sub": f"global:{namespace}:{job}:{job}:{task_name}:default",
        "nomad_namespace": namespace, "nomad_job_id": job, "nomad_allocation_id": "0b1c",
        "nomad_task": task_name,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _agent_setup(jwks_url):
    tasks = [
        task("vault_secrets_engine", "kv mount", path=KV, type="kv-v2"),
        task("vault_auth_method", "jwt mount", path=MOUNT, type="jwt", description="Nomad workload identity"),
        task("vault_jwt_auth_config", "jwt config", mount_point=MOUNT, jwks_url=jwks_url,
             jwt_supported_algs=["RS256"], bound_issuer="nomad-test"),
    ]
    for agent in SECRETS:
        tasks += [
            task("vault_kv2_secret", f"{agent} secret", mount_point=KV, path=f"{agent}/llm",
                 data="{{ agent_secrets." + agent + " }}"),
            # Data read only (no metadata): the least an agent needs.
            task("vault_policy", f"{agent} policy", name=f"it-agent-{agent}",
                 policy=f'path "{KV}/data/{agent}/*" {{ capabilities = ["read"] }}\n'),
            task("vault_jwt_role", f"{agent} role", mount_point=MOUNT, name=f"agent-{agent}",
                 bound_audiences=[AUD], user_claim="nomad_job_id",
                 bound_claims={"nomad_namespace": "agents", "nomad_job_id": agent, "nomad_task": "agent"},
                 claim_mappings={"nomad_job_id": "nomad_job_id", "nomad_task": "nomad_task"},
                 token_policies=[f"it-agent-{agent}"], token_ttl="5m", token_max_ttl="10m", token_type="service"),
        ]
    return tasks


def test_nomad_workload_identity_reads_only_its_own_secret(openbao, jwks_server, tmp_path):
    key, jwks_url = jwks_server
    run = run_playbook(_agent_setup(jwks_url), tmp_path=tmp_path / "setup", env=openbao.env,
                       extra_vars={"agent_secrets": SECRETS})
    assert run.rc == 0, run
    assert not run.failed

    # Log in as the alpha agent's task with its workload identity.
    client = hvac.Client(url=openbao.addr, token="")  # "" = no ambient ~/.vault-token
    login = client.auth.jwt.jwt_login(role="agent-alpha", jwt=_identity(key, "alpha"), path=MOUNT)
    assert login["auth"]["metadata"]["nomad_job_id"] == "alpha"
    assert "it-agent-alpha" in login["auth"]["policies"] and login["auth"]["lease_duration"] == 300
    own = client.secrets.kv.v2.read_secret_version("alpha/llm", mount_point=KV, raise_on_deleted_version=True)
    assert own["data"]["data"] == SECRETS["alpha"]
    with pytest.raises(hvac.exceptions.Forbidden):
        client.secrets.kv.v2.read_secret_version("beta/llm", mount_point=KV, raise_on_deleted_version=True)

    anonymous = hvac.Client(url=openbao.addr, token="")
    # beta's identity cannot use alpha's role; wrong namespace, expired, or foreign key: no login.
    bad_tokens = {
        "other job": _identity(key, "beta"),
        "other namespace": _identity(key, "alpha", namespace="default"),
        "other task": _identity(key, "alpha", task_name="sidecar"),
        "expired": _identity(key, "alpha", lifetime=-120),
        "foreign key": _identity(rsa.generate_private_key(public_exponent=65537, key_size=2048), "alpha"),
    }
    for label, token in bad_tokens.items():
        with pytest.raises((hvac.exceptions.InvalidRequest, hvac.exceptions.Forbidden)):
            anonymous.auth.jwt.jwt_login(role="agent-alpha", jwt=token, path=MOUNT)
        assert not anonymous.token, label

    # The same chain through the modules' JwtAuth strategy: alpha can read its path (a
    # check-mode compare reports no change) and is denied beta's.
    identity = _identity(key, "alpha")
    login_args = dict(auth_method="jwt", jwt=identity, jwt_role="agent-alpha", auth_mount_point=MOUNT, mount_point=KV)
    run = run_playbook([
        task("vault_kv2_secret", "alpha reads own", check=True, path="alpha/llm",
             data="{{ agent_secrets.alpha }}", **login_args),
        task("vault_kv2_secret", "alpha reads beta", check=True, ignore=True, path="beta/llm",
             data="{{ agent_secrets.beta }}", **login_args),
    ], tmp_path=tmp_path / "as-agent", env={"VAULT_ADDR": openbao.addr}, extra_vars={"agent_secrets": SECRETS},
        verbosity=3)
    assert run.rc == 0, run
    assert run.result("alpha reads own")["changed"] is False
    denied = run.result("alpha reads beta")
    assert denied["failed"] and "permission denied" in denied["msg"] and "403" in denied["msg"]
    assert_no_secret(run, identity, SECRETS["alpha"]["api_key"], SECRETS["beta"]["api_key"])

    # Clean up the shared server.
    root = openbao.client()
    root.sys.disable_auth_method(MOUNT)
    root.sys.disable_secrets_engine(KV)
    for agent in SECRETS:
        root.sys.delete_acl_policy(f"it-agent-{agent}")
