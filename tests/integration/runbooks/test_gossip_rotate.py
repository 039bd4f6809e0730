"""playbooks/runbooks/gossip-rotate.yml against the Consul and Nomad contract servers' keyrings."""
import base64
import os
import stat

import pytest

from tests.integration.runbooks.hashistack import failure, run_runbook

pytestmark = pytest.mark.integration


def _key():
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def clusters(consul_api_factory, nomad_api_factory, tmp_path):
    keys = {"consul": _key(), "nomad": _key()}
    consul = consul_api_factory(gossip_key=keys["consul"])
    nomad = nomad_api_factory(gossip_key=keys["nomad"])
    files = {}
    for product, key in keys.items():
        files[product] = tmp_path / f"{product}-gossip.key"
        files[product].write_text(key + "\n")
        files[product].chmod(0o600)
    env = {**consul.env, **nomad.env}
    extra = {f"{p}_gossip_key_file": str(f) for p, f in files.items()}
    return consul, nomad, keys, files, env, extra


def test_rotates_both_keyrings_and_the_key_files(clusters, tmp_path):
    consul, nomad, keys, files, env, extra = clusters
    run = run_runbook("gossip-rotate.yml", tmp_path / "check", env, check=True, extra_vars=extra)
    assert run.rc == 0, run
    plans = [r["msg"] for r in run.result("Show the plan")["results"]]
    assert plans[0].startswith("Would rotate the gossip key of consul (1 member(s))"), plans
    assert consul.keyring["keys"] == [keys["consul"]] and nomad.keyring["keys"] == [keys["nomad"]]

    run = run_runbook("gossip-rotate.yml", tmp_path / "apply", env, verbosity=3, callback="default", extra_vars=extra)
    assert run.rc == 0, run
    for product, api in (("consul", consul), ("nomad", nomad)):
        ring = api.keyring
        new = files[product].read_text().strip()
        assert new != keys[product] and len(base64.b64decode(new)) == 32
        assert ring["keys"] == [new] and ring["primary"] == new
        assert stat.S_IMODE(files[product].stat().st_mode) == 0o600
        for secret in (keys[product], new, api.management_token):
            assert secret not in run.output


def test_refuses_a_key_file_that_is_not_the_primary_key(clusters, tmp_path):
    consul, nomad, keys, files, env, extra = clusters
    files["nomad"].write_text(_key() + "\n")
    run = run_runbook("gossip-rotate.yml", tmp_path / "stale", env, extra_vars=extra)
    assert run.rc != 0
    assert f"nomad: {files['nomad']} does not hold the cluster primary gossip key" in failure(run), run
    assert consul.keyring["keys"] == [keys["consul"]] and nomad.keyring["keys"] == [keys["nomad"]]
