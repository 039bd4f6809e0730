"""TEST INFRASTRUCTURE: a small type checker for agent configuration files (stdlib only).

A schema is ``{struct name: {key: type}}``; a type is one of

- ``"str"``, ``"bool"``, ``"int"``, ``"float"`` (an int is accepted too), ``"any"``;
- ``"[str]"``: a list of strings (``"[int]"`` likewise);
- ``"{str}"`` / ``"{any}"``: an object with string / any values;
- ``"Name"``: a nested block decoded into struct ``Name``; HCL's JSON form also allows
  the block as a list of objects (hcl/json decoder), so a list of objects is accepted;
- ``"[Name]"``: a repeated block (one object or a list of objects);
- ``"<Name>"``: a labelled repeated block: ``{label: {...}}`` or a list of those.

The checker is strict where the real decoders are weak: HCL v1 and mapstructure turn
``"3"`` into an int in some places; a stand-in refuses it so that a role renders real
JSON types (the stand-ins must be at least as strict as the real agents).
"""

SCALARS = {"str": (str,), "bool": (bool,), "int": (int,), "float": (int, float)}


def type_name(value):
    """JSON name of a Python value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"


def _got(value):
    if isinstance(value, (dict, list)):
        return type_name(value)
    return "%s %s" % (type_name(value), _short(value))


def _short(value):
    import json
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _scalar_ok(value, typ):
    if isinstance(value, bool) and typ != "bool":
        return False
    return isinstance(value, SCALARS[typ])


def check(value, typ, path, schema, errors):
    """Append ``"path: message"`` strings to ``errors`` for every problem in ``value``."""
    if typ == "any":
        return
    if typ in SCALARS:
        if not _scalar_ok(value, typ):
            errors.append("%s: expected %s, got %s" % (path, typ, _got(value)))
        return
    if typ.startswith("{") and typ.endswith("}"):
        inner = typ[1:-1]
        if not isinstance(value, dict):
            errors.append("%s: expected an object of %s, got %s" % (path, inner, _got(value)))
            return
        for key, item in value.items():
            check(item, inner, "%s.%s" % (path, key), schema, errors)
        return
    if typ.startswith("<") and typ.endswith(">"):
        inner = typ[1:-1]
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, dict):
                errors.append("%s: expected {label: {...}} blocks, got %s" % (path, _got(item)))
                continue
            for label, body in item.items():
                check_block(body, inner, '%s["%s"]' % (path, label), schema, errors)
        return
    if typ.startswith("[") and typ.endswith("]"):
        inner = typ[1:-1]
        if inner in schema:
            items = value if isinstance(value, list) else [value]
            for idx, item in enumerate(items):
                check_block(item, inner, "%s[%d]" % (path, idx) if isinstance(value, list) else path,
                            schema, errors)
            return
        if not isinstance(value, list):
            errors.append("%s: expected a list of %s, got %s" % (path, inner, _got(value)))
            return
        for idx, item in enumerate(value):
            check(item, inner, "%s[%d]" % (path, idx), schema, errors)
        return
    if typ in schema:
        if isinstance(value, list):  # HCL JSON: a block may be written as a list of objects
            for idx, item in enumerate(value):
                check_block(item, typ, "%s[%d]" % (path, idx), schema, errors)
            return
        check_block(value, typ, path, schema, errors)
        return
    raise KeyError("schema bug: unknown type %r at %s" % (typ, path))


def check_block(value, struct, path, schema, errors):
    """Check one object against struct ``struct``: unknown keys and wrong types."""
    if not isinstance(value, dict):
        errors.append("%s: expected a block (object), got %s" % (path, _got(value)))
        return
    fields = schema[struct]
    for key, item in value.items():
        sub = "%s.%s" % (path, key) if path else key
        if key not in fields:
            errors.append("%s: unknown key %r (the real agent refuses unknown keys)" % (sub, key))
            continue
        check(item, fields[key], sub, schema, errors)


def blocks(value):
    """A block value as a list of objects (HCL JSON allows an object or a list)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
