"""The server speaks to python-nomad (what the collection's client wraps) as Nomad does."""
import nomad

from tests.unit.support.nomad_api.helpers import service_job


def test_python_nomad_round_trip(nomad_api):
    client = nomad.Nomad(host="127.0.0.1", port=int(nomad_api.addr.rsplit(":", 1)[1]),
                         token=nomad_api.management_token, timeout=5)
    job = service_job()
    assert client.job.plan_job("web", {"Job": job}, diff=True)["Diff"]["Type"] == "Added"
    assert client.jobs.register_job({"Job": job})["EvalID"]
    assert client.job.get_job("web")["Version"] == 0
    assert [j["ID"] for j in client.jobs.get_jobs()] == ["web"]
    rules = 'namespace "default" { policy = "read" }'
    client.acl.create_policy("ro", {"Name": "ro", "Rules": rules})
    assert client.acl.get_policy("ro")["Name"] == "ro"
    assert client.job.deregister_job("web", purge=True)["EvalID"]
    try:
        client.job.get_job("web")
    except nomad.api.exceptions.URLNotFoundNomadException as exc:
        assert exc.nomad_resp.status_code == 404
    else:
        raise AssertionError("purged job still readable")
