"""Helpers for the fleet apply end-to-end tests: the example fleet and playbook runs."""
import copy
from pathlib import Path

import yaml

from tests.support.playbook import REPO, run_playbook

EXAMPLE = REPO / "inventories" / "local" / "group_vars" / "all" / "fleet.yml"


def example_fleet(name="agents-lab", jwt_mount="jwt-nomad", kv_mount="secret"):
    """The example fleet of the local inventory, with its own name and Vault mounts (the
    OpenBao server is shared by the whole session)."""
    spec = copy.deepcopy(yaml.safe_load(EXAMPLE.read_text())["agentfleet_fleet"])
    spec["name"] = name
    spec["defaults"]["vault"]["jwt_mount"] = jwt_mount
    spec["defaults"]["vault"]["kv_mount"] = kv_mount
    return spec


def agent(spec, tenant, name):
    return next(a for a in spec["tenants"][tenant]["agents"] if a["name"] == name)


def playbook_text(name):
    """A repository playbook, runnable from a test's temporary directory."""
    return (REPO / "playbooks" / name).read_text()


def run_fleet(spec, tmp_path, env, *, playbook="fleet.yml", check=False, diff=False, extra=None,
              callback="json", verbosity=0):
    extra_vars = {"agentfleet_fleet": spec, "agent_fleet_work_dir": str(Path(tmp_path) / "work"),
                  "agent_fleet_wait_timeout": 20, "agent_fleet_wait_interval": 0.1}
    extra_vars.update(extra or {})
    return run_playbook(playbook_text(playbook), tmp_path=tmp_path, env=env, check=check, diff=diff,
                        extra_vars=extra_vars, callback=callback, verbosity=verbosity)


def objects(run, task):
    """(object, name, outcome) triples of a fleet_* task's results."""
    return [(r["object"], r["name"], r["outcome"]) for r in run.result(task).get("results", [])]


def changed_objects(run, tasks):
    out = []
    for task in tasks:
        try:
            res = run.result(task)
        except KeyError:
            continue
        out += [(r["object"], r["name"], r.get("agent")) for r in res.get("results", []) if r.get("changed")]
    return sorted(out, key=str)
