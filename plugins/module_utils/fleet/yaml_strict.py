# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""YAML loading that reports duplicate keys (PyYAML keeps the last one silently).

PyYAML is a controller dependency (ansible-core's own); it is imported lazily so the
rest of the core imports without it.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import FleetSpecError, SpecError

_LOADER = []


def _loader_class():
    if _LOADER:
        return _LOADER[0]
    import yaml

    class StrictLoader(yaml.SafeLoader):
        duplicates = None
        source = "<spec>"

    def mapping(loader, node, deep=False):
        seen = {}
        for key_node, _value_node in node.value:
            key = loader.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                loader.duplicates.append(SpecError(f"{loader.source}:{line}",
                                                   f"duplicate key (first at line {seen[key]})", key))
            else:
                seen[key] = line
        return loader.construct_mapping(node, deep=deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    _LOADER.append((StrictLoader, yaml.YAMLError))
    return _LOADER[0]


def load_yaml(text, source="<spec>"):
    loader_class, yaml_error = _loader_class()
    loader = loader_class(text)
    loader.duplicates = []
    loader.source = source
    try:
        data = loader.get_single_data()
    except yaml_error as exc:
        raise FleetSpecError([SpecError(source, f"is not valid YAML: {exc}", None)]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise FleetSpecError(loader.duplicates)
    return data
