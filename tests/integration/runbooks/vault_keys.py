"""Helpers for the Vault/OpenBao key runbook tests: an initialised raft server, runbook runs."""
import json
from pathlib import Path

import hvac

from tests.support.openbao import RaftServer
from tests.support.playbook import REPO, run_playbook

RUNBOOKS = REPO / "playbooks" / "runbooks"


def run_runbook(name, tmp_path, server, check=False, verbosity=0, callback="json", token=None, **extra):
    """Run ``playbooks/runbooks/<name>.yml`` against ``server`` (one node) with ``extra`` vars;
    ``token`` is given as VAULT_TOKEN."""
    extra_vars = {"vault_runbook_nodes": [server.addr], **extra}
    return run_playbook(f"- import_playbook: {RUNBOOKS / (name + '.yml')}\n", tmp_path=tmp_path,
                        check=check, verbosity=verbosity, callback=callback, extra_vars=extra_vars,
                        env={"VAULT_ADDR": server.addr, "VAULT_TOKEN": token or ""})


def init_server(server, tmp_path, shares, threshold):
    """Initialise ``server`` with vault_init; return the keys file path (0600) and its data."""
    keys_file = Path(tmp_path) / "keys" / "init-keys.json"
    keys_file.parent.mkdir(parents=True)
    run = run_playbook([{"name": "init", "agentfleet.hashistack.vault_init": {
        "dest": str(keys_file), "secret_shares": shares, "secret_threshold": threshold}}],
        tmp_path=Path(tmp_path) / "init", env=server.env)
    assert run.rc == 0, run
    return keys_file, json.loads(keys_file.read_text())


def secrets_of(keys_file):
    """Every key and token value in a keys file."""
    data = json.loads(Path(keys_file).read_text())
    return data.get("keys", []) + data.get("keys_base64", []) + [data["root_token"]]


def seal(server, root_token):
    server.wait_active()
    hvac.Client(url=server.addr, token=root_token).sys.seal()
    assert server.health()["sealed"] is True


class BreakGlassRaftServer(RaftServer):
    """A raft server whose listener allows root token generation from unseal keys
    (OpenBao >= 2.5.3 refuses it by default: ``disable_unauthed_generate_root_endpoints``)."""

    def __init__(self, workdir):
        super().__init__(workdir)
        text = self.config_path.read_text()
        self.config_path.write_text(text.replace(
            "tls_disable = true", "tls_disable = true\n  disable_unauthed_generate_root_endpoints = false"))
