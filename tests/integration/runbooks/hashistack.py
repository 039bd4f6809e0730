"""Helpers of the Nomad/Consul runbook tests (nomad-drain, cluster-snapshot, gossip-rotate,
acl-token-rotate) against the contract servers."""
from tests.support.playbook import REPO, run_playbook

RUNBOOKS = REPO / "playbooks" / "runbooks"


def run_runbook(name, tmp_path, env, **kwargs):
    """Run playbooks/runbooks/<name> as it is (playbook_dir stays playbooks/runbooks)."""
    return run_playbook(f"- import_playbook: {RUNBOOKS / name}\n", tmp_path=tmp_path, env=env, **kwargs)


def failure(run):
    """The messages of the failed tasks and loop items, joined (the JSON callback escapes
    quotes inside run.output, so tests match these instead)."""
    messages = []
    for entry in run.results:
        result = entry["result"]
        if not result.get("failed") or result.get("ignore_errors"):
            continue
        items = [r for r in result.get("results") or [] if r.get("failed")]
        messages += [str(r.get("msg")) for r in items] or [str(result.get("msg"))]
    return " | ".join(messages)
