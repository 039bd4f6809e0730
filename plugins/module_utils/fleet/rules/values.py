# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small helpers shared by the rule files: typed reads of API-form values, the guard
every ``*_problems`` check of one API object starts with, and the duration
parser/formatter (re-exported, so rule code imports durations from one place)."""
from __future__ import annotations

import functools

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import (  # noqa: F401 pylint: disable=unused-import
    format_duration, parse as parse_duration)


def integer(value):
    """``value`` when it is a real integer (not a bool), else None (type errors are reported elsewhere)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def show_ns(value):
    """Nanoseconds as Go-style text for messages ("5m", "-1s")."""
    if not isinstance(value, int):
        return repr(value)
    return format_duration(value) if value >= 0 else "-" + format_duration(-value)


def requires_object(message):
    """Decorator for ``*_problems(value, ...) -> [(field, message)]``: when ``value`` is not
    a JSON object (dict), the check does not run and its one problem is ``("", message)``
    (``message`` in the words of the real server where it has them, e.g. Nomad's
    "Missing task resources" for a nil ``Resources``)."""
    def decorate(check):
        @functools.wraps(check)
        def guarded(value, *args, **kwargs):
            if not isinstance(value, dict):
                return [("", message)]
            return check(value, *args, **kwargs)
        return guarded
    return decorate
