"""Golden files: one rendered job per agent kind, plus the Vault and Consul artefacts.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest <this file>`` and review
the diff.
"""
import os
from pathlib import Path

import pytest

from . import specs
from .conftest import render_spec

GOLDEN = Path(__file__).parent / "golden"


def _compare(name, text):
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.is_file(), f"missing golden {path}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{name} differs from its golden file"


@pytest.mark.parametrize("kind", sorted(specs.KINDS))
def test_job_per_kind_matches_golden(kind):
    agents = [specs.KINDS[kind]()]
    if kind != "service":
        agents.append(specs.service("api"))  # an upstream target for the mesh wiring
        agents[0]["upstreams"] = [{"service": "api", "local_port": 9001, "request_timeout": "5s"}]
        agents[0].setdefault("ports", {"admin": {"to": 8081}})
    rendered = render_spec(specs.fleet(agents))
    job_file = f"nomad/team/{agents[0]['name']}.json"
    _compare(f"{kind}.json", rendered.files[job_file])


def test_vault_and_consul_artefacts_match_golden():
    agents = [specs.service("api"), specs.dispatch("worker", ports={"admin": {"to": 8081}},
                                                   upstreams=[{"service": "api", "local_port": 9001,
                                                               "limits": {"max_connections": 10}}])]
    rendered = render_spec(specs.fleet(agents))
    wanted = ["vault/policies/lab--team--worker.hcl", "vault/roles/lab--team--worker.json",
              "consul/default-deny.json", "consul/service-intentions-lab--team--api.json",
              "consul/service-defaults-lab--team--worker.json", "nomad/acl/lab--team.hcl",
              "nomad/namespaces/team.json"]
    for rel in wanted:
        _compare(rel.replace("/", "__"), rendered.files[rel])
