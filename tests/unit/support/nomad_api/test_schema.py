"""validate_job: JSON shape of api.Job (field names and JSON types)."""
from tests.support.nomad_api.schema import STRUCTS, validate_job
from tests.unit.support.nomad_api.helpers import service_job


def test_valid_job_has_no_errors():
    assert validate_job(service_job()) == []


def test_unknown_field_is_named_with_its_path():
    job = service_job()
    job["TaskGroups"][0]["Tasks"][0]["Bogus"] = 1
    assert validate_job(job) == ["Job.TaskGroups[0].Tasks[0].Bogus: unknown field of Task"]


def test_wrong_case_field_is_unknown_with_hint():
    job = service_job()
    job["datacenters"] = job.pop("Datacenters")
    (err,) = validate_job(job)
    assert err.startswith("Job.datacenters: unknown field") and "'Datacenters'" in err


def test_duration_must_be_integer_nanoseconds():
    job = service_job()
    job["TaskGroups"][0]["Tasks"][0]["KillTimeout"] = "5s"
    assert validate_job(job) == [
        "Job.TaskGroups[0].Tasks[0].KillTimeout: expected integer nanoseconds, got string"]
    job["TaskGroups"][0]["Tasks"][0]["KillTimeout"] = 5_000_000_000
    assert validate_job(job) == []


def test_wrong_types_are_reported():
    job = service_job(Priority="50", AllAtOnce=1, Meta={"a": 1})
    job["TaskGroups"][0]["Count"] = 1.5
    errors = validate_job(job)
    assert "Job.Priority: expected integer, got string" in errors
    assert "Job.AllAtOnce: expected boolean, got number" in errors
    assert "Job.Meta[a]: expected string, got number" in errors
    assert any(e.startswith("Job.TaskGroups[0].Count: expected integer") for e in errors)


def test_null_is_accepted_like_a_go_pointer():
    assert validate_job(service_job(Update=None, Meta=None)) == []


def test_int8_range_and_base64_bytes():
    job = service_job(Affinities=[{"LTarget": "a", "RTarget": "b", "Operand": "=",
                                   "Weight": 200}], Payload="not base64!")
    errors = validate_job(job)
    assert "Job.Affinities[0].Weight: 200 out of range for int8" in errors
    assert "Job.Payload: expected base64 string" in errors


def test_non_object_job():
    assert validate_job([]) == ["Job: expected object (Job), got array"]


def test_struct_tree_is_closed():
    # every referenced type exists (checked at import) and Job reaches Task
    assert "Tasks" in STRUCTS["TaskGroup"] and "Resources" in STRUCTS["Task"]
