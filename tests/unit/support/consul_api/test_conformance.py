"""The Consul contract server answers the whole conformance catalogue like real Consul.

Catalogue: ``tests/conformance/consul/*.yml`` (format in ``tests/support/conformance.py``).
Every case must be refused with the catalogued status and error substring and change
nothing; every ``valid`` baseline must be accepted, applied in catalogue order on one
server (the L7 intentions baseline needs the http service-defaults stored before it).
"""
import json
import os

import pytest
import requests

from tests.support.conformance import load
from tests.support.consul_api.server import ConsulContractServer

FOLDER = os.path.join(os.path.dirname(__file__), "..", "..", "..", "conformance", "consul")
CATALOGUE = load(FOLDER)
KINDS = ("service-defaults", "service-intentions", "service-resolver", "proxy-defaults")


@pytest.fixture(scope="module")
def server():
    srv = ConsulContractServer(acl=True).start()
    yield srv
    srv.stop()


def put(server, document):
    resp = requests.put(server.addr + "/v1/config", data=json.dumps(document), timeout=5,
                        headers={"X-Consul-Token": server.management_token})
    return resp.status_code, resp.text


def stored(server):
    with server.state.lock:
        return {key: dict(item) for key, item in server.state.store.items()}


def test_catalogue_shape():
    ids = [item["id"] for item in CATALOGUE.cases + CATALOGUE.valid]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert len(CATALOGUE.cases) >= 25
    for item in CATALOGUE.cases + CATALOGUE.valid:
        assert item["source"].strip(), item["id"]
    for case in CATALOGUE.cases:
        assert case["status"] in (400, 403, 404, 500), case["id"]
        assert case["rule"].strip() and str(case["error"]).strip(), case["id"]
    kinds = {c["document"].get("Kind") for c in CATALOGUE.cases if isinstance(c["document"], dict)}
    assert set(KINDS) <= kinds, "every modelled kind has cases"


@pytest.mark.parametrize("case", CATALOGUE.cases, ids=[c["id"] for c in CATALOGUE.cases])
def test_case_is_refused_like_consul(server, case):
    before = stored(server)
    status, text = put(server, case["document"])
    assert (status, case["error"] in text) == (case["status"], True), text
    assert stored(server) == before, "a refused write changed the store"


@pytest.mark.parametrize("item", CATALOGUE.valid, ids=[v["id"] for v in CATALOGUE.valid])
def test_valid_baseline_is_accepted(server, item):
    status, text = put(server, item["document"])
    assert (status, text) == (200, "true")
    kind = item["document"]["Kind"]
    name = item["document"].get("Name") or "global"
    resp = requests.get("%s/v1/config/%s/%s" % (server.addr, kind, name), timeout=5,
                        headers={"X-Consul-Token": server.management_token})
    assert resp.status_code == 200 and resp.json()["Kind"] == kind
