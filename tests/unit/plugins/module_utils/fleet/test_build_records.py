"""image: {build: NAME} resolved from the operator's build records, and every way a record is refused."""
import datetime
import json

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api, json_schema
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.build_records import BuildRecords
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply import bundle as bundles

from . import specs

HEX = "ab" * 32
PINNED = f"{specs.REGISTRY}/api@sha256:{HEX}"
NOW = datetime.datetime(2026, 11, 30, 12, 0, 0, tzinfo=datetime.timezone.utc)
PATH = "tenants.team.agents.api.image.build"


def _record(**extra):
    record = {"name": "api", "reference": f"{specs.REGISTRY}/api:1.0.0", "digest": f"sha256:{HEX}",
              "pinned": PINNED, "source_revision": "abc123", "built_at": "2026-11-29T12:00:00Z",
              "inputs_sha256": "cd" * 32, "sbom": "api.cdx.json"}
    record.update(extra)
    return record


def _write(folder, record, name="api"):
    (folder / f"{name}.json").write_text(json.dumps(record) if not isinstance(record, str) else record)


def _spec(image):
    return specs.fleet([specs.service("api", image=image)])


def _records(folder, max_age=None):
    return BuildRecords(str(folder), max_age, now=lambda: NOW)


def _errors(spec, records):
    return [(e.path, e.message) for e in api.validate(spec, records)]


def test_a_build_resolves_to_the_records_pinned_reference(tmp_path):
    _write(tmp_path, _record())
    records = _records(tmp_path)
    fleet = api.load_spec(_spec({"build": "api", "revision": "abc123"}), records=records)
    assert fleet.agent("team/api").spec["image"] == PINNED
    assert fleet.image_builds["team/api"]["record"] == str(tmp_path / "api.json")
    job = api.render(fleet).jobs[0]["job"]
    body = job.get("Job", job)
    assert body["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == PINNED


def test_without_a_records_folder_a_build_is_an_error():
    [(path, message)] = _errors(_spec({"build": "api"}), None)
    assert path == PATH and "no build records folder is configured" in message
    assert "agent_fleet_build_records_dir" in message


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b", ".hidden", "", "x" * 129])
def test_a_build_name_is_a_plain_file_name(tmp_path, name):
    errors = _errors(_spec({"build": name}), _records(tmp_path))
    assert errors and errors[0][0] == PATH and "must match" in errors[0][1]


def test_image_must_be_a_string_or_a_mapping(tmp_path):
    assert _errors(_spec(["x"]), _records(tmp_path)) == [
        ("tenants.team.agents.api.image", "must be a string or a mapping")]
    assert _errors(_spec({"build": "api", "tag": "x"}), _records(tmp_path))[0] == (
        "tenants.team.agents.api.image.tag", "unknown key")


BAD_RECORDS = [
    ("not json", "{not json", "is not valid JSON"),
    ("not an object", "[1, 2]", "must be a JSON object"),
    ("null value", _record(pinned=None), "'pinned' must be a string"),
    ("wrong type", _record(built_at=5), "'built_at' must be a string"),
    ("other name", _record(name="other"), "is not the file's name"),
    ("bad digest", _record(digest="sha256:XYZ"), "is not sha256:<64 lowercase hex>"),
    ("pinned by tag", _record(pinned=f"{specs.REGISTRY}/api:1.0.0"), "is not a digest reference"),
    ("pinned other digest", _record(pinned=f"{specs.REGISTRY}/api@sha256:{'cd' * 32}"), "does not end in its digest"),
    ("pinned other repo", _record(pinned=f"{specs.REGISTRY}/other@sha256:{HEX}"), "name different repositories"),
    ("bad built_at", _record(built_at="yesterday"), "is not an RFC 3339 UTC time"),
    ("local built_at", _record(built_at="2026-11-29T12:00:00+02:00"), "is not an RFC 3339 UTC time"),
    ("bad inputs", _record(inputs_sha256="xyz"), "inputs_sha256 is not 64 lowercase hex"),
    ("future", _record(built_at="2026-11-30T13:00:00Z"), "is in the future"),
]


@pytest.mark.parametrize("record, words", [(r, w) for _id, r, w in BAD_RECORDS], ids=[i for i, _r, _w in BAD_RECORDS])
def test_an_invalid_record_is_an_error_naming_the_file(tmp_path, record, words):
    _write(tmp_path, record)
    [(path, message)] = _errors(_spec({"build": "api"}), _records(tmp_path))
    assert path == PATH
    assert words in message and str(tmp_path / "api.json") in message, message


def test_missing_key_is_named(tmp_path):
    record = _record()
    del record["source_revision"]
    _write(tmp_path, record)
    [(_path, message)] = _errors(_spec({"build": "api"}), _records(tmp_path))
    assert "'source_revision' is missing" in message


def test_a_missing_record_says_to_build_first(tmp_path):
    [(path, message)] = _errors(_spec({"build": "api"}), _records(tmp_path))
    assert path == PATH and "no build record" in message and "agent_image" in message


def test_an_unreadable_record_is_an_error(tmp_path):
    (tmp_path / "api.json").mkdir()
    [(path, message)] = _errors(_spec({"build": "api"}), _records(tmp_path))
    assert path == PATH and "cannot be read" in message


def test_an_oversized_record_is_an_error(tmp_path):
    _write(tmp_path, " " * (1024 * 1024 + 10))
    [(_path, message)] = _errors(_spec({"build": "api"}), _records(tmp_path))
    assert "is over" in message


def test_a_record_of_another_source_revision_is_stale(tmp_path):
    _write(tmp_path, _record())
    [(path, message)] = _errors(_spec({"build": "api", "revision": "def456"}), _records(tmp_path))
    assert path == PATH.replace("image.build", "image.revision")
    assert "is stale" in message and "'abc123'" in message and "'def456'" in message


FULL = "21c73ffcfd70a8e1b2c3d4e5f60718293a4b5c6d"


def test_an_abbreviated_commit_names_the_recorded_one(tmp_path):
    _write(tmp_path, _record(source_revision=FULL))
    assert _errors(_spec({"build": "api", "revision": FULL[:7]}), _records(tmp_path)) == []
    assert _errors(_spec({"build": "api", "revision": FULL}), _records(tmp_path)) == []
    # too short, another commit, or a build from uncommitted changes: stale
    for asked, recorded in (("21c73f", FULL), ("21c73fe", FULL), (FULL[:7], FULL + "-dirty")):
        _write(tmp_path, _record(source_revision=recorded))
        [(path, message)] = _errors(_spec({"build": "api", "revision": asked}), _records(tmp_path))
        assert path.endswith("image.revision") and "is stale" in message


def test_a_record_older_than_the_max_age_is_stale(tmp_path):
    _write(tmp_path, _record(built_at="2026-11-01T00:00:00Z"))
    assert _errors(_spec({"build": "api"}), _records(tmp_path)) == []  # no maximum age: any age
    assert _errors(_spec({"build": "api"}), _records(tmp_path, "720h")) == []  # 29.5 days < 30 days
    [(path, message)] = _errors(_spec({"build": "api"}), _records(tmp_path, "168h"))
    assert path == PATH and "is stale" in message and "168h" in message


def test_a_bad_max_age_is_refused():
    for text in ("a week", "-1h", "0s"):
        with pytest.raises(ValueError, match="build_record_max_age"):
            BuildRecords("/x", text)


def test_guardrails_apply_to_the_resolved_reference(tmp_path):
    other = f"ghcr.io/evil/api@sha256:{HEX}"
    _write(tmp_path, _record(reference="ghcr.io/evil/api:1", pinned=other))
    [(path, message)] = _errors(_spec({"build": "api"}), _records(tmp_path))
    assert path == PATH and "not in guardrails.allowed_registries" in message
    assert "resolved from build record" in message


def test_expired_says_when_a_cached_bundle_must_be_validated_again(tmp_path):
    summary = {"built_at": "2026-11-29T12:00:00Z"}
    assert not _records(tmp_path).expired([summary])
    assert not _records(tmp_path, "48h").expired([summary])
    assert _records(tmp_path, "12h").expired([summary])
    assert _records(tmp_path, "12h").expired([{"built_at": "garbage"}])


def test_the_bundle_fingerprint_covers_the_records(tmp_path):
    spec = _spec({"build": "api"})
    _write(tmp_path, _record())
    first = bundles.input_key(spec, records=_records(tmp_path))
    assert bundles.input_key(spec, records=_records(tmp_path)) == first
    _write(tmp_path, _record(source_revision="new"))
    assert bundles.input_key(spec, records=_records(tmp_path)) != first
    assert bundles.input_key(spec, records=_records(tmp_path, "720h")) != bundles.input_key(spec, records=_records(tmp_path))


def test_the_bundle_carries_the_builds_and_the_guardrail(tmp_path):
    _write(tmp_path, _record())
    spec = _spec({"build": "api"})
    spec["guardrails"]["require_signed_images"] = True
    data = bundles.build(spec, records=_records(tmp_path))
    assert data["require_signed_images"] is True
    assert data["image_builds"]["team/api"]["pinned"] == PINNED


def test_json_schema_takes_a_build_mapping():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft7Validator(json_schema.export())
    assert not list(validator.iter_errors(_spec({"build": "api", "revision": "abc123"})))
    assert list(validator.iter_errors(_spec({"build": "a/b"})))
    assert list(validator.iter_errors(_spec({"revision": "x"})))
    assert list(validator.iter_errors(_spec(5)))
