"""Nodes, drain and eligibility endpoints of the Nomad contract server (routes_nodes.py,
drain.py): shapes, the drain simulation and the refusals of the real server."""
import pytest

from tests.unit.support.nomad_api.helpers import Client, service_job

NODES = [{"Name": "c1"}, {"Name": "c2"}, {"Name": "g1", "NodePool": "gpu"}]
SECOND = 10**9


@pytest.fixture
def cluster(nomad_api_factory):
    api = nomad_api_factory(nodes=NODES)
    client = Client(api, api.management_token)
    ids = {n["Name"]: n["ID"] for n in client.call("GET", "/v1/nodes").json()}
    return api, client, ids


def _live_on(client, node_id):
    return [a for a in client.call("GET", f"/v1/node/{node_id}/allocations").json()
            if a["DesiredStatus"] == "run" and a["ClientStatus"] not in ("complete", "failed", "lost")]


def _running_job(client, count=2):
    assert client.call("POST", "/v1/jobs", {"Job": service_job(count=count)}).status_code == 200
    client.wait_for(lambda: all(a["ClientStatus"] == "running"
                                for a in client.call("GET", "/v1/job/web/allocations").json()))


def test_default_server_keeps_its_one_any_pool_node(client):
    nodes = client.call("GET", "/v1/nodes").json()
    assert [(n["Name"], n["NodePool"], n["SchedulingEligibility"], n["Drain"]) for n in nodes] == [
        ("sim-client-1", "default", "eligible", False)]
    job = service_job(count=1, NodePool="other-pool")
    assert client.call("POST", "/v1/jobs", {"Job": job}).status_code == 200
    allocs = client.poll("/v1/job/web/allocations", lambda b: b and b[0]["ClientStatus"] == "running")
    assert allocs[0]["NodeName"] == "sim-client-1"


def test_node_reads_shape_and_acl(cluster):
    api, client, ids = cluster
    node = client.call("GET", f"/v1/node/{ids['g1']}").json()
    assert node["NodePool"] == "gpu" and node["DrainStrategy"] is None and node["LastDrain"] is None
    assert client.call("GET", "/v1/node/no-such-node").status_code == 404
    reader = api.make_token(["nr"], rules={"nr": 'node { policy = "read" }'})
    nobody = api.make_token(["ns"], rules={"ns": 'namespace "default" { policy = "read" }'})
    assert client.call("GET", "/v1/nodes", token=reader).status_code == 200
    assert client.call("GET", "/v1/nodes", token=nobody).status_code == 403
    # node:read lists the node's allocations, but only those of namespaces it may read
    _running_job(client)
    on_nodes = sum(len(client.call("GET", f"/v1/node/{i}/allocations", token=reader).json())
                   for i in ids.values())
    assert on_nodes == 0
    assert sum(len(_live_on(client, i)) for i in ids.values()) == 2


def test_allocations_spread_over_eligible_nodes_of_the_job_pool(cluster):
    _api, client, ids = cluster
    _running_job(client)
    assert len(_live_on(client, ids["c1"])) == 1 and len(_live_on(client, ids["c2"])) == 1
    assert _live_on(client, ids["g1"]) == []


def test_drain_moves_allocations_then_completes_and_stays_ineligible(cluster):
    _api, client, ids = cluster
    _running_job(client)
    answer = client.call("POST", f"/v1/node/{ids['c1']}/drain",
                         {"DrainSpec": {"Deadline": 60 * SECOND, "IgnoreSystemJobs": False},
                          "Meta": {"reason": "kernel"}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["NodeModifyIndex"] > 0
    draining = client.call("GET", f"/v1/node/{ids['c1']}").json()
    assert draining["SchedulingEligibility"] == "ineligible"
    assert draining["LastDrain"]["Status"] in ("draining", "complete")
    done = client.poll(f"/v1/node/{ids['c1']}", lambda n: n["DrainStrategy"] is None)
    assert done["LastDrain"]["Status"] == "complete"
    assert done["LastDrain"]["Meta"] == {"reason": "kernel"}
    assert done["SchedulingEligibility"] == "ineligible"
    assert _live_on(client, ids["c1"]) == []
    client.wait_for(lambda: len([a for a in _live_on(client, ids["c2"]) if a["ClientStatus"] == "running"]) == 2)
    moved = [a for a in client.call("GET", f"/v1/node/{ids['c1']}/allocations").json()]
    assert all(a["DesiredDescription"] == "alloc is being migrated" for a in moved)
    # eligible again; new allocations may land on it
    answer = client.call("POST", f"/v1/node/{ids['c1']}/eligibility", {"Eligibility": "eligible"})
    assert answer.status_code == 200
    assert client.call("GET", f"/v1/node/{ids['c1']}").json()["SchedulingEligibility"] == "eligible"


def test_drain_without_room_waits_until_the_deadline_force_stops(cluster):
    _api, client, ids = cluster
    _running_job(client)
    client.call("POST", f"/v1/node/{ids['c2']}/eligibility", {"Eligibility": "ineligible"})
    client.call("POST", f"/v1/node/{ids['c1']}/drain", {"DrainSpec": {"Deadline": SECOND // 2}})
    node = client.call("GET", f"/v1/node/{ids['c1']}").json()
    assert node["DrainStrategy"]["ForceDeadline"] != "0001-01-01T00:00:00Z"
    assert len(_live_on(client, ids["c1"])) == 1  # nowhere to go yet
    done = client.poll(f"/v1/node/{ids['c1']}", lambda n: n["DrainStrategy"] is None, timeout=5)
    assert done["LastDrain"]["Status"] == "complete"
    assert _live_on(client, ids["c1"]) == []


def test_cancel_drain_and_mark_eligible(cluster):
    _api, client, ids = cluster
    _running_job(client)
    client.call("POST", f"/v1/node/{ids['c2']}/eligibility", {"Eligibility": "ineligible"})
    client.call("POST", f"/v1/node/{ids['c1']}/drain", {"DrainSpec": {"Deadline": 3600 * SECOND}})
    answer = client.call("POST", f"/v1/node/{ids['c1']}/drain", {"DrainSpec": None, "MarkEligible": True})
    assert answer.status_code == 200
    node = client.call("GET", f"/v1/node/{ids['c1']}").json()
    assert node["DrainStrategy"] is None and node["SchedulingEligibility"] == "eligible"
    assert node["LastDrain"]["Status"] == "canceled"


def test_refusals_as_the_real_server(cluster):
    api, client, ids = cluster
    c1 = ids["c1"]
    client.call("POST", f"/v1/node/{ids['c2']}/eligibility", {"Eligibility": "ineligible"})
    _running_job(client, count=1)
    client.call("POST", f"/v1/node/{c1}/drain", {"DrainSpec": {"Deadline": 3600 * SECOND}})
    answer = client.call("POST", f"/v1/node/{c1}/eligibility", {"Eligibility": "eligible"})
    assert (answer.status_code, answer.text) == (
        500, "can not set node's scheduling eligibility to eligible while it is draining")
    answer = client.call("POST", f"/v1/node/{c1}/eligibility", {"Eligibility": "maybe"})
    assert (answer.status_code, answer.text) == (500, 'invalid scheduling eligibility "maybe"')
    assert client.call("POST", "/v1/node/unknown/drain", {"DrainSpec": None}).text == "node not found"
    assert client.call("POST", "/v1/node/unknown/eligibility",
                       {"Eligibility": "eligible"}).status_code == 500
    bad = client.call("POST", f"/v1/node/{c1}/drain", {"DrainSpec": {"Deadline": "1h"}})
    assert bad.status_code == 400 and "Deadline" in bad.text
    assert client.call("POST", f"/v1/node/{c1}/drain", {"Drainspec": None, "Bogus": 1}).status_code == 400
    assert client.call("GET", f"/v1/node/{c1}/drain").status_code == 405
    reader = api.make_token(["nr"], rules={"nr": 'node { policy = "read" }'})
    for path, body in ((f"/v1/node/{c1}/drain", {"DrainSpec": None}),
                       (f"/v1/node/{c1}/eligibility", {"Eligibility": "ineligible"})):
        assert client.call("POST", path, body, token=reader).status_code == 403
    writer = api.make_token(["nw"], rules={"nw": 'node { policy = "write" }'})
    assert client.call("POST", f"/v1/node/{c1}/drain", {"DrainSpec": None}, token=writer).status_code == 200


def test_no_feasible_node_leaves_the_allocation_pending_until_one_is_eligible(cluster):
    _api, client, ids = cluster
    for name in ("c1", "c2"):
        client.call("POST", f"/v1/node/{ids[name]}/eligibility", {"Eligibility": "ineligible"})
    assert client.call("POST", "/v1/jobs", {"Job": service_job(count=1)}).status_code == 200
    allocs = client.poll("/v1/job/web/allocations", lambda b: len(b) == 1)
    assert allocs[0]["NodeID"] == "" and allocs[0]["ClientStatus"] == "pending"
    client.call("POST", f"/v1/node/{ids['c2']}/eligibility", {"Eligibility": "eligible"})
    allocs = client.poll("/v1/job/web/allocations", lambda b: b[0]["ClientStatus"] == "running")
    assert allocs[0]["NodeName"] == "c2"


def test_node_set_is_checked(nomad_api_factory):
    with pytest.raises(ValueError, match="duplicate node name"):
        nomad_api_factory(nodes=["a", "a"])
    with pytest.raises(ValueError, match="Status must be one of"):
        nomad_api_factory(nodes=[{"Name": "a", "Status": "fine"}])
