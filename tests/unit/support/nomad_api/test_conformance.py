"""The Nomad conformance catalogue (tests/conformance/nomad) against the contract server.

Every catalogued request is refused with the status and error text real Nomad
gives (on register and, for RPC-level refusals, on plan too: Job.Plan runs the
same admission chain); every baseline is accepted.
"""
import pathlib
import urllib.parse

import pytest

from tests.support import conformance
from tests.support.nomad_api.control import NomadApi
from tests.unit.support.nomad_api.helpers import Client

CATALOGUE = conformance.load(pathlib.Path(__file__).parents[4] / "tests/conformance/nomad")
CASES = CATALOGUE.cases
VALID = CATALOGUE.valid
REGISTER = "PUT /v1/jobs"


@pytest.fixture(scope="module")
def shared_client():
    """One server for the module: refused requests change nothing."""
    server = NomadApi(acl=True)
    try:
        yield Client(server, server.management_token)
    finally:
        server.stop()


def _send(client, request, document):
    method, path = request.split(" ", 1)
    return client.call(method, path, document)


def _plan_path(job_id):
    return "/v1/job/" + urllib.parse.quote(job_id, safe="") + "/plan"


def test_catalogue_shape():
    assert len(CASES) >= 80
    ids = [c["id"] for c in CASES + VALID]
    assert len(ids) == len(set(ids)), "case ids are unique"
    for case in CASES + VALID:
        assert case.get("rule") and case.get("source"), case["id"]
        assert case["source"].split()[0].endswith(".go"), case["id"]
    for case in CASES:
        assert case["status"] in (400, 403, 404, 500), case["id"]
        assert case["error"], case["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_refused_on_register(shared_client, case):
    resp = _send(shared_client, case.get("request", REGISTER), case["document"])
    assert resp.status_code == case["status"], resp.text
    assert case["error"] in resp.text
    assert resp.headers["Content-Type"].startswith("text/plain")


RPC_CASES = [c for c in CASES if c["status"] == 500 and "request" not in c]


@pytest.mark.parametrize("case", RPC_CASES, ids=[c["id"] for c in RPC_CASES])
def test_case_is_refused_on_plan(shared_client, case):
    job = case["document"]["Job"]
    resp = shared_client.call("POST", _plan_path(job["ID"]), {"Job": job, "Diff": True})
    assert resp.status_code == case["status"], resp.text
    assert case["error"] in resp.text


@pytest.mark.parametrize("case", VALID, ids=[c["id"] for c in VALID])
def test_baseline_is_accepted(shared_client, case):
    job = case["document"]["Job"]
    plan = shared_client.call("POST", _plan_path(job["ID"]), {"Job": job, "Diff": True})
    assert plan.status_code == 200, plan.text
    resp = _send(shared_client, case.get("request", REGISTER), case["document"])
    assert resp.status_code == 200, resp.text


def test_validation_errors_are_one_multierror(shared_client):
    """Several problems come back together as go-multierror text (HTTP 500)."""
    base = next(c for c in VALID if c["id"] == "valid-batch")["document"]
    doc = conformance.merge(base, {"Job/Priority": 101, "Job/TaskGroups/0/Count": -1})
    resp = shared_client.call("PUT", "/v1/jobs", doc)
    assert resp.status_code == 500
    assert resp.text.startswith("2 errors occurred:\n\t* Task group work validation failed: ")
    assert "\t* job priority must be between [1, 100]\n" in resp.text


def test_plan_checks_of_the_http_agent(shared_client):
    """command/agent/job_endpoint.go jobPlan: 400 before the RPC."""
    resp = shared_client.call("POST", _plan_path("x"), {"Job": {"Name": "x"}})
    assert (resp.status_code, resp.text) == (400, "Job must have a valid ID")
    resp = shared_client.call("POST", _plan_path("x"), {"Job": {"ID": "y"}})
    assert (resp.status_code, resp.text) == (400, "Job ID does not match")


def test_path_patches_append_create_and_set_null():
    doc = {"A": [{"B": 1}], "F": {"G": 1}}
    out = conformance.merge(doc, {"A/1": {"B": 2}, "A/0/C/D": 3, "E/0": "x", "F/G": None})
    assert out == {"A": [{"B": 1, "C": {"D": 3}}, {"B": 2}], "E": ["x"], "F": {"G": None}}
    assert doc == {"A": [{"B": 1}], "F": {"G": 1}}
