# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet spec's JSON Schema (draft-07), derived from the one schema in ``schema.py``.

    export() -> dict        # the schema document
    text() -> str           # docs/fleet-spec.schema.json, byte for byte (``make schema`` writes it)

For editors (yaml-language-server completes keys, shows defaults and choices, flags typos).
It is a first line of checks, never a second source of rules: everything it states comes
from the ``Field`` tree (types, choices, patterns, bounds, required keys, unknown keys) and
from ``schema.KIND_ONLY`` / ``schema.REQUIRED_FOR_KIND``, so it refuses only what the
validator refuses (patterns are whole-string matches on both sides). The validator checks more (references between agents, tenant isolation,
guardrails, budgets, Go duration overflow, cron syntax, what real Nomad and Consul refuse).

A document is either the spec itself or a mapping holding it under ``agentfleet_fleet``
(a group_vars file), as ``spec_source.load`` reads it. Optional keys may be null (YAML
``key:`` with no value means "use the default", as in ``_schema_engine.normalize_struct``).
Plain Python: no Ansible imports.
"""
from __future__ import annotations

import json

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import schema
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet._schema_engine import INT64_MAX, INT64_MIN, MISSING

SCHEMA_ID = "https://github.com/agentfleet/hashistack/blob/main/docs/fleet-spec.schema.json"
WRAPPER_KEY = "agentfleet_fleet"
# Go's time.ParseDuration grammar (go_duration.py): an optional sign, then "0" or one or more
# <decimal><unit> parts (a negative value is refused later by the validator; "-0s" is zero).
DURATION_PATTERN = r"^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$"
_JSON_TYPES = {"str": "string", "duration": "string", "int": "integer", "number": "number",
               "bool": "boolean", "list": "array", "map": "object", "struct": "object"}


def _nullable(out):
    """Also accept null (an optional key left empty)."""
    out = dict(out)
    out["type"] = (out["type"] if isinstance(out["type"], list) else [out["type"]]) + ["null"]
    if "enum" in out:
        out["enum"] = out["enum"] + [None]
    return out


def field_schema(field, item_override=None):
    """JSON Schema of one ``Field`` (see ``_schema_engine.Field``); ``item_override`` replaces
    the item schema of a list whose items are checked outside the Field tree (tenant agents)."""
    out = {"type": _JSON_TYPES[field.kind]}
    if field.doc:
        out["description"] = field.doc
    if field.choices is not None:
        out["enum"] = list(field.choices)
    if field.pattern is not None:
        out["pattern"] = field.pattern.pattern
    if field.kind == "duration":
        out["pattern"] = DURATION_PATTERN
    if field.kind in ("int", "number"):
        # _schema_engine._in_range: within int64 (Nomad's Go structs); its own bounds inside that.
        out["minimum"] = INT64_MIN if field.minimum is None else field.minimum
        out["maximum"] = INT64_MAX if field.maximum is None else field.maximum
    if field.kind == "list":
        if field.min_items:
            out["minItems"] = field.min_items
        if item_override is not None:
            out["items"] = item_override
        elif field.item is not None:
            out["items"] = field_schema(field.item)
    if field.kind == "map":
        if field.key_pattern is not None:
            out["propertyNames"] = {"pattern": field.key_pattern.pattern}
        if field.item is not None:
            out["additionalProperties"] = field_schema(field.item)
    if field.kind == "struct":
        out.update(struct_schema(field.fields))
    if field.default is not MISSING and field.default is not None and not (field.kind == "struct" and field.default == {}):
        out["default"] = field.default
    if field.alt is not None:
        # Either this kind or a mapping checked as ``alt`` (``_schema_engine.normalize``): the
        # struct keywords apply to objects only and ``pattern`` to strings only (draft-07),
        # so one node with both types states exactly that.
        out["type"] = [out["type"], _JSON_TYPES[field.alt.kind]]
        out.update(struct_schema(field.alt.fields))
    return out


def struct_schema(fields, overrides=None):
    """``properties`` (optional ones nullable), ``required`` and no unknown keys
    (``_schema_engine.normalize_struct``: an unknown key is an error, a required key may not be null)."""
    overrides = overrides or {}
    properties = {}
    for name, field in fields.items():
        sub = overrides[name] if name in overrides else field_schema(field)
        properties[name] = sub if field.required else _nullable(sub)
    out = {"properties": properties, "additionalProperties": False}
    required = [name for name, field in fields.items() if field.required]
    if required:
        out["required"] = required
    return out


def _agent():
    """An agent, plus the per-kind rules of ``validate._normalize_agents`` (``schema.KIND_ONLY``:
    a key set on another kind is an error; ``schema.REQUIRED_FOR_KIND``)."""
    out = {"type": "object", **struct_schema(schema.AGENT.fields)}
    rules = []
    for kind in schema.KINDS:
        forbidden = sorted(key for key, kinds in schema.KIND_ONLY.items() if kind not in kinds)
        needed = list(schema.REQUIRED_FOR_KIND.get(kind, ()))
        then = {"properties": {key: {"type": "null"} for key in forbidden}}
        if needed:
            then["required"] = needed
            then["properties"].update({key: {"type": "object"} for key in needed})
        rules.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": then})
    out["allOf"] = rules
    return out


def export():
    """The whole JSON Schema document (a dict; serialize with sorted keys for a stable file)."""
    tenant = schema.TENANT
    tenant_schema = {"type": "object", **struct_schema(tenant.fields, overrides={
        "agents": field_schema(tenant.fields["agents"], item_override={"$ref": "#/definitions/agent"})})}
    fleet = {"type": "object", **struct_schema(schema.FLEET.fields, overrides={
        "tenants": dict(field_schema(schema.FLEET.fields["tenants"]), additionalProperties={"$ref": "#/definitions/tenant"})})}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "agentfleet.hashistack fleet spec",
        "description": ("A fleet spec (docs/fleet-spec.md), or a group_vars file holding it under "
                        f"{WRAPPER_KEY}. Generated from plugins/module_utils/fleet/schema.py by `make schema`; "
                        "the validator (fleet_render) checks more than this schema."),
        "definitions": {"fleet": fleet, "tenant": tenant_schema, "agent": _agent()},
        "if": {"type": "object", "required": [WRAPPER_KEY]},
        "then": {"type": "object", "properties": {WRAPPER_KEY: {"$ref": "#/definitions/fleet"}}},
        "else": {"$ref": "#/definitions/fleet"},
    }


def text():
    """The committed file's exact text: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(export(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
