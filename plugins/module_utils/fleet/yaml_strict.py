# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Strict, bounded YAML loading: duplicate keys are errors (PyYAML keeps the last one
silently), and a document cannot exhaust the controller.

Bounds (a spec is data written by possibly untrusted authors):
- ``MAX_BYTES``: size of the document, checked before parsing;
- ``MAX_DEPTH``: nesting of collections, checked while composing (PyYAML composes
  recursively, so a deep document would otherwise end in a RecursionError);
- ``MAX_ALIASES`` and ``MAX_NODES``: aliases (``*name``) and the node count *after*
  alias expansion, computed on the composed graph (shared nodes counted once per use)
  before any Python object is built, so an alias bomb costs only its own size;
  recursive aliases are refused.

Lines: given a ``lines`` dict, ``load_yaml`` records where each mapping key and list
item was written (``spec_source.SpecLines`` turns that into ``file:line`` on spec errors).

PyYAML is a controller dependency (ansible-core's own); it is imported lazily so the
rest of the core imports without it.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError, SpecError

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 1000
MAX_NODES = 1_000_000
_LOADER = []


class _Bound(Exception):
    def __init__(self, line, message):
        super().__init__(message)
        self.line, self.message = line, message


def _loader_class():
    if _LOADER:
        return _LOADER[0]
    import yaml

    class StrictLoader(yaml.SafeLoader):
        duplicates = None
        lines = None  # {id(mapping or list): (the object, {key or index: line})} when recording
        source = "<spec>"
        depth = 0
        aliases = 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise _Bound(event.start_mark.line + 1, f"has more than {MAX_ALIASES} aliases (*name); "
                                 "write the values out or use fewer anchors")
                if event.anchor in self.anchors and self.anchors[event.anchor] is None:
                    raise _Bound(event.start_mark.line + 1, f"alias *{event.anchor} refers to itself "
                                 "(a recursive structure is not a spec)")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Bound(event.start_mark.line + 1, f"nests deeper than {MAX_DEPTH} levels")
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def compose_document(self):
            node = super().compose_document()
            _check_expanded_size(node)
            return node

    def mapping(loader, node, deep=False):
        seen = {}
        own = [(k, v) for k, v in node.value if k.tag != "tag:yaml.org,2002:merge"]
        loader.flatten_mapping(node)  # merge keys (<<: *anchor); explicit keys may override merged ones
        for key_node, _value_node in own:
            key = loader.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                loader.duplicates.append(SpecError(f"{loader.source}:{line}",
                                                   f"duplicate key (first at line {seen[key]})", key))
            else:
                seen[key] = line
        data = loader.construct_mapping(node, deep=deep)
        if loader.lines is not None:
            # merged pairs come first in node.value, own ones after: the last line of a key wins,
            # as its value does in construct_mapping
            where = {}
            for key_node, _value_node in node.value:
                where[loader.construct_object(key_node, deep=deep)] = key_node.start_mark.line + 1
            loader.lines[id(data)] = (data, where)
        return data

    def sequence(loader, node):
        data = []
        if loader.lines is not None:
            loader.lines[id(data)] = (data, [item.start_mark.line + 1 for item in node.value])
        yield data
        data.extend(loader.construct_sequence(node))

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, sequence)

    def as_text(loader, node):
        return loader.construct_scalar(node)

    def refuse(loader, node):
        raise _Bound(node.start_mark.line + 1, f"uses the tag {node.tag}; a spec holds only strings, numbers, "
                     "booleans, null, lists and mappings (quote the value)")

    # JSON's data model only: a date stays the text it was written as; other YAML 1.1 types are refused.
    StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", as_text)
    for tag in ("binary", "set", "omap", "pairs"):
        StrictLoader.add_constructor(f"tag:yaml.org,2002:{tag}", refuse)
    _LOADER.append((StrictLoader, yaml.YAMLError))
    return _LOADER[0]


def _check_expanded_size(root):
    """Count nodes as if every alias were expanded (memoised per node, so linear in the
    composed graph) and refuse more than MAX_NODES; refuse cycles."""
    sizes, state = {}, {}
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = node.value if isinstance(node.value, list) else []
        children = [c for pair in children for c in (pair if isinstance(pair, tuple) else (pair,))]
        if done:
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            state[key] = "done"
            if sizes[key] > MAX_NODES:
                raise _Bound(node.start_mark.line + 1, f"expands to more than {MAX_NODES} values through aliases "
                             "(an alias bomb); write the values out or use fewer aliases")
            continue
        if state.get(key) == "done":
            continue
        if state.get(key) == "open":
            raise _Bound(node.start_mark.line + 1, "contains a recursive alias (a structure that contains itself)")
        state[key] = "open"
        stack.append((node, True))
        for child in children:
            if state.get(id(child)) == "open":
                raise _Bound(child.start_mark.line + 1, "contains a recursive alias (a structure that contains itself)")
            if state.get(id(child)) != "done":
                stack.append((child, False))


def load_yaml(text, source="<spec>", lines=None):
    """The data of one YAML (or JSON) document; FleetSpecError naming ``source`` and the line
    for invalid YAML, duplicate keys and any bound exceeded (see the module docstring).

    ``lines``: a dict to fill with ``{id(mapping or list): (that object, {key: line} or
    [line of each item])}`` (lines count from 1), or None not to record them."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise FleetSpecError([SpecError(source, f"is larger than {MAX_BYTES} bytes; split the fleet or "
                                        "shorten it", len(text.encode("utf-8")))])
    loader_class, yaml_error = _loader_class()
    loader = loader_class(text)
    loader.duplicates = []
    loader.lines = lines
    loader.source = source
    try:
        data = loader.get_single_data()
    except _Bound as exc:
        raise FleetSpecError([SpecError(f"{source}:{exc.line}", exc.message, None)]) from None
    except yaml_error as exc:
        raise FleetSpecError([SpecError(source, f"is not valid YAML: {exc}", None)]) from None
    except (ValueError, TypeError, RecursionError) as exc:
        # e.g. an integer of more digits than Python converts (ValueError), or an unhashable key
        raise FleetSpecError([SpecError(source, f"cannot be read as data: {exc}", None)]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise FleetSpecError(loader.duplicates)
    return data
