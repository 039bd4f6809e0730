# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a connection option (an address, a token) came from, in words (plain Python).

Used by the module wrappers (``_backend_module.BackendModule``) and the fleet preflight to
say in a connection error where the address came from: a task option (or the caller's
own label for it, such as "variable agent_fleet_nomad_addr"), an environment variable
named by the option's ``env_fallback``, or the default. Never shows a value.
"""
from __future__ import annotations

import os


def describe_origin(option, given, spec, labels=None, environ=None):
    """Where ``option`` of one backend's connection came from, as words, or None (not given
    and no environment variable set: the default, or nothing).

    ``given``: the options the task passed (before defaults and fallbacks); ``spec``: that
    backend's argspec (its ``fallback`` names the environment variables, in order);
    ``labels``: {option: where the caller took a given option from, in words, such as
    "variable agent_fleet_nomad_addr" or "file ~/.agentfleet/lab/nomad.token"}.
    """
    environ = os.environ if environ is None else environ
    names = [option] + list((spec.get(option) or {}).get("aliases") or [])
    if any(given.get(name) not in (None, "") for name in names):
        return (labels or {}).get(option) or "task option %s" % option
    fallback = (spec.get(option) or {}).get("fallback") or ()
    for env in (fallback[1] if len(fallback) > 1 else ()):
        if env in environ:
            return "environment variable %s" % env
    return None


def address_origin(option, given, spec, labels=None, environ=None):
    """``describe_origin`` of an address option, "the default" when it was not set at all."""
    return describe_origin(option, given, spec, labels, environ) or "the default"
