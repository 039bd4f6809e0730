"""A known secret value in Vault, referenced by the spec, never shows in any output; a bad
spec fails with every error listed and nothing changed on any backend."""
import copy

import pytest

from tests.integration.fleet_apply.helpers import agent, run_fleet

pytestmark = pytest.mark.integration

SECRET = "sk-live-4f9c1e7a-DO-NOT-LEAK-91b2"
TLS_KEY = "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQ-leak-canary"


def test_secret_value_appears_nowhere(stack, tmp_path):
    client = stack.openbao.client()
    client.sys.enable_secrets_engine("kv", path=stack.kv_mount, options={"version": "2"})
    client.secrets.kv.v2.create_or_update_secret("research/retriever/llm", {"api_key": SECRET},
                                                 mount_point=stack.kv_mount)
    client.secrets.kv.v2.create_or_update_secret("support/triage/tls",
                                                 {"certificate": "cert", "private_key": TLS_KEY},
                                                 mount_point=stack.kv_mount)
    spec = stack.spec()
    # Tokens given as variables (not only environment) must not show either.
    env = {k: v for k, v in stack.env.items() if k not in ("NOMAD_TOKEN", "VAULT_TOKEN")}
    extra = {"agent_fleet_nomad_token": stack.nomad.management_token,
             "agent_fleet_vault_token": stack.openbao.token}
    outputs = []
    for step, kwargs in (("plan", {"check": True, "diff": True}), ("apply", {"diff": True}),
                         ("again", {"diff": True})):
        run = run_fleet(spec, tmp_path / step, env, callback="default", verbosity=3, extra=extra, **kwargs)
        assert run.rc == 0, run
        outputs.append(run.output)
    changed = copy.deepcopy(spec)
    agent(changed, "research", "retriever")["secrets"][0]["env"]["LLM_API_KEY_2"] = "api_key"
    run = run_fleet(changed, tmp_path / "change", env, callback="default", verbosity=3, diff=True, extra=extra)
    assert run.rc == 0, run
    outputs.append(run.output)
    stop = run_fleet(changed, tmp_path / "stop", env, playbook="fleet-stop.yml", callback="default",
                     verbosity=3, extra=dict(extra, tenant="support"))
    assert stop.rc == 0, stop
    outputs.append(stop.output)
    text = "\n".join(outputs)
    # The output is not empty of detail: the diffs show the secret *references*.
    assert "research/retriever/llm" in text and "LLM_API_KEY_2" in text
    for value in (SECRET, TLS_KEY, stack.nomad.management_token, stack.openbao.token):
        assert value not in text
    assert SECRET not in "".join(p.read_text(errors="replace") for p in (tmp_path / "apply" / "work").rglob("*")
                                 if p.is_file())


def test_bad_spec_lists_every_error_and_changes_nothing(stack, tmp_path):
    spec = stack.spec()
    retriever = agent(spec, "research", "retriever")
    retriever["resources"]["memory"] = 99999
    retriever["imagee"] = "typo"
    agent(spec, "support", "triage")["image"] = "docker.io/library/nginx:latest"
    run = run_fleet(spec, tmp_path / "bad", stack.env)
    assert run.rc != 0
    msg = " ".join(r["result"].get("msg", "") for r in run.results if r["result"].get("failed"))
    assert "tenants.research.agents.retriever.resources.memory" in msg
    assert "imagee" in msg
    assert "tenants.support.agents.triage.image" in msg
    assert [m for m, _p, _s in stack.nomad.request_log if m in ("POST", "PUT", "DELETE")] == []
    assert stack.consul.writes() == []
    assert stack.nomad.jobs("research") == {}
