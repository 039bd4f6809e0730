"""Placement rules: Constraint, Affinity and Spread validation.

Sources (Nomad 2.0.x, see README): nomad/structs/structs.go
``Constraint.Validate``, ``Affinity.Validate``, ``Spread.Validate`` and
nomad/structs/constraint.go ``validateConstraintAttribute``. Each function
takes the api JSON object and returns a list of error texts (empty = valid).
"""
import re

from .errors import multierror
from .gofmt import q

EXACT_TARGETS = ("${node.unique.id}", "${node.datacenter}", "${node.unique.name}",
                 "${node.class}", "${node.pool}")
PREFIX_TARGETS = ("${attr.", "${device.", "${meta.")
COMPARE_OPS = ("=", "==", "is", "!=", "not", "<", "<=", ">", ">=")
SET_OPS = ("set_contains_all", "set_contains_any", "set_contains")
# hashicorp/go-version constraint syntax: "<op> <version>" joined by commas.
_VERSION_PART = re.compile(
    r"^\s*(=|!=|>|<|>=|<=|~>)?\s*v?[0-9]+(\.[0-9]+)*(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?\s*$")


def version_constraint_ok(text):
    return bool(text) and all(_VERSION_PART.match(p) for p in text.split(","))


def regexp_error(text):
    try:
        re.compile(text or "")
    except re.error as exc:
        return str(exc)
    return None


def attribute_error(target):
    """constraint.go validateConstraintAttribute: interpolated targets must be known."""
    if not target.startswith("$"):
        return None
    if not target.startswith("${"):
        return f"attribute {q(target)} is missing an opening brace"
    if not target.endswith("}"):
        return f"attribute {q(target)} is missing a closing brace"
    if target in EXACT_TARGETS or target.startswith(PREFIX_TARGETS):
        return None
    return f"unsupported attribute {q(target)}"


def constraint_errors(c):
    """structs.go Constraint.Validate."""
    errs = []
    op = c.get("Operand") or ""
    rtarget = c.get("RTarget") or ""
    if not op:
        errs.append("Missing constraint operand")
    need_ltarget = True
    if op == "distinct_hosts":
        need_ltarget = False
    elif op in SET_OPS:
        if not rtarget:
            errs.append("Set contains constraint requires an RTarget")
    elif op == "regexp":
        problem = regexp_error(rtarget)
        if problem:
            errs.append(f"Regular expression failed to compile: {problem}")
    elif op == "version":
        if not version_constraint_ok(rtarget):
            errs.append(f"Version constraint is invalid: Malformed constraint: {rtarget}")
    elif op == "semver":
        if not version_constraint_ok(rtarget):
            errs.append(f"Semver constraint is invalid: Malformed constraint: {rtarget}")
    elif op == "distinct_property":
        if rtarget:
            if not rtarget.isdigit():
                errs.append(f"Failed to convert RTarget {q(rtarget)} to uint64: "
                            f"strconv.ParseUint: parsing {q(rtarget)}: invalid syntax")
            elif int(rtarget) < 1:
                errs.append(f"Distinct Property must have an allowed count of 1 or greater: "
                            f"{int(rtarget)} < 1")
    elif op in ("is_set", "is_not_set"):
        if rtarget:
            errs.append(f"Operator {q(op)} does not support an RTarget")
    elif op in COMPARE_OPS:
        if not rtarget:
            errs.append(f"Operator {q(op)} requires an RTarget")
    else:
        errs.append(f"Unknown constraint type {q(op)}")
    if need_ltarget:
        ltarget = c.get("LTarget") or ""
        if not ltarget:
            errs.append("no attribute provided but is required by operator")
        else:
            problem = attribute_error(ltarget)
            if problem:
                errs.append(problem)
    return errs


def affinity_errors(a):
    """structs.go Affinity.Validate (api Affinity.Canonicalize: Weight 50 when unset)."""
    errs = []
    op = a.get("Operand") or ""
    rtarget = a.get("RTarget") or ""
    if not op:
        errs.append("Missing affinity operand")
    if op in SET_OPS:
        if not rtarget:
            errs.append("Set contains operators require an RTarget")
    elif op == "regexp":
        problem = regexp_error(rtarget)
        if problem:
            errs.append(f"Regular expression failed to compile: {problem}")
    elif op == "version":
        if not version_constraint_ok(rtarget):
            errs.append(f"Version affinity is invalid: Malformed constraint: {rtarget}")
    elif op == "semver":
        if not version_constraint_ok(rtarget):
            errs.append(f"Semver affinity is invalid: Malformed constraint: {rtarget}")
    elif op in COMPARE_OPS:
        if not rtarget:
            errs.append(f"Operator {q(op)} requires an RTarget")
    else:
        errs.append(f"Unknown affinity operator {q(op)}")
    if not a.get("LTarget"):
        errs.append("No LTarget provided but is required")
    weight = 50 if a.get("Weight") is None else a["Weight"]
    if weight == 0:
        errs.append("Affinity weight cannot be zero")
    if weight > 100 or weight < -100:
        errs.append("Affinity weight must be within the range [-100,100]")
    return errs


def spread_errors(s):
    """structs.go Spread.Validate (api Spread.Canonicalize: Weight 50 when unset)."""
    errs = []
    if not s.get("Attribute"):
        errs.append("Missing spread attribute")
    weight = 50 if s.get("Weight") is None else s["Weight"]
    if weight <= 0 or weight > 100:
        errs.append("Spread block must have a positive weight from 0 to 100")
    seen = set()
    total = 0
    for target in s.get("SpreadTarget") or []:
        value = target.get("Value") or ""
        if value in seen:
            errs.append(f"Spread target value {q(value)} already defined")
        seen.add(value)
        percent = target.get("Percent") or 0
        if percent > 100:
            errs.append(f"Spread target percentage for value {q(value)} must be between 0 and 100")
        total += percent
    if total > 100:
        errs.append(f"Sum of spread target percentages must not be greater than 100%; got {total}%")
    return errs


def numbered(items, check, what):
    """'<what> N validation failed: <multierror>' for each invalid item (1-based)."""
    out = []
    for i, item in enumerate(items or [], 1):
        errs = check(item)
        if errs:
            out.append(f"{what} {i} validation failed: {multierror(errs)}")
    return out
