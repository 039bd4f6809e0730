"""The exported JSON Schema (fleet/json_schema.py, committed as docs/fleet-spec.schema.json):
up to date, a valid draft-07 schema, accepts every valid spec (the examples and generated
ones), and whatever it refuses the validator refuses too. Checked with the PyPI jsonschema
package, as editors (yaml-language-server) would."""
import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api, json_schema, schema
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet._schema_engine import MISSING

from .strategies import valid_fleets

REPO = Path(__file__).resolve().parents[5]
COMMITTED = REPO / "docs" / "fleet-spec.schema.json"
EXAMPLES = [REPO / "inventories" / "local" / "group_vars" / "all" / "fleet.yml",
            REPO / "inventories" / "example-production" / "group_vars" / "all" / "fleet.yml"]
VALIDATOR = jsonschema.Draft7Validator(json.loads(COMMITTED.read_text(encoding="utf-8")))


def _errors(document):
    return sorted(".".join(map(str, e.absolute_path)) + ": " + e.message for e in VALIDATOR.iter_errors(document))


def test_committed_schema_is_up_to_date():
    assert COMMITTED.read_text(encoding="utf-8") == json_schema.text(), \
        "docs/fleet-spec.schema.json is stale: run `make schema` and commit it"


def test_schema_is_a_valid_draft7_schema():
    jsonschema.Draft7Validator.check_schema(json.loads(COMMITTED.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parts[-4])
def test_example_fleets_validate_against_the_schema(path):
    document = yaml.safe_load(path.read_text())
    assert _errors(document) == []
    assert _errors(document["agentfleet_fleet"]) == [], "the bare spec validates too"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_fleets())
def test_schema_never_refuses_a_valid_spec(spec):
    assert [str(e) for e in api.validate(spec)] == []
    assert _errors(spec) == []
    assert _errors({"agentfleet_fleet": spec, "other_group_var": [1, 2]}) == []


def _example():
    return yaml.safe_load(EXAMPLES[0].read_text())["agentfleet_fleet"]


def _agent(spec, tenant, name):
    return next(a for a in spec["tenants"][tenant]["agents"] if a["name"] == name)


def _typo(spec):
    _agent(spec, "research", "retriever")["replicas"] = 3


def _bad_kind(spec):
    _agent(spec, "research", "indexer")["kind"] = "daemon"


def _kind_only(spec):
    _agent(spec, "research", "indexer")["schedule"] = {"crons": ["0 * * * *"]}


def _kind_required(spec):
    del _agent(spec, "support", "ticket-worker")["dispatch"]


def _bad_duration(spec):
    spec["defaults"]["kill_timeout"] = "20 seconds"


def _bad_name(spec):
    spec["tenants"]["Research"] = spec["tenants"].pop("research")


def _too_big(spec):
    spec["defaults"]["priority"] = 101


def _missing_required(spec):
    del _agent(spec, "support", "triage")["image"]


def _wrong_type(spec):
    _agent(spec, "support", "triage")["count"] = "2"


def _bad_env_name(spec):
    _agent(spec, "research", "retriever")["env"]["1BAD"] = "x"


MUTATIONS = [_typo, _bad_kind, _kind_only, _kind_required, _bad_duration, _bad_name, _too_big,
             _missing_required, _wrong_type, _bad_env_name]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda f: f.__name__.strip("_"))
def test_what_the_schema_refuses_the_validator_refuses(mutate):
    spec = _example()
    mutate(spec)
    assert _errors(spec), "the schema flags it for the editor"
    assert api.validate(copy.deepcopy(spec)), "and the validator refuses it too"


def _walk(field, node, path, seen):
    """Every key of the Field tree appears in the exported schema with its type and default."""
    seen.append(path)
    types = node["type"] if isinstance(node["type"], list) else [node["type"]]
    assert json_schema._JSON_TYPES[field.kind] in types, path  # pylint: disable=protected-access
    if field.default not in (MISSING, None, {}):
        assert node["default"] == field.default, path
    if field.choices:
        assert set(field.choices) <= set(node["enum"]), path
    if field.kind == "struct":
        assert set(node["properties"]) == set(field.fields), path
        for name, sub in field.fields.items():
            _walk(sub, node["properties"][name], f"{path}.{name}", seen)
    elif field.kind == "list" and field.item is not None:
        _walk(field.item, node["items"], f"{path}[]", seen)
    elif field.kind == "map" and field.item is not None and "$ref" not in node["additionalProperties"]:
        _walk(field.item, node["additionalProperties"], f"{path}.*", seen)
    if field.alt is not None:  # a value or a mapping (an agent's image: {build: NAME})
        assert json_schema._JSON_TYPES[field.alt.kind] in types, path  # pylint: disable=protected-access
        assert set(node["properties"]) == set(field.alt.fields), path
        for name, sub in field.alt.fields.items():
            _walk(sub, node["properties"][name], f"{path}.{name}", seen)


def test_every_schema_key_is_exported():
    document = json_schema.export()
    seen = []
    _walk(schema.FLEET, document["definitions"]["fleet"], "", seen)
    _walk(schema.TENANT, document["definitions"]["tenant"], "tenants.*", seen)
    _walk(schema.AGENT, document["definitions"]["agent"], "tenants.*.agents[]", seen)
    assert "tenants.*.agents[].upstreams[].passive_health_check.max_failures" in seen
    assert len(seen) > 150
