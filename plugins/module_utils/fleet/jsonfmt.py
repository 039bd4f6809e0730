# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one deterministic text form of every rendered JSON file."""
from __future__ import annotations

import json


def canonical_json(obj):
    """Sorted keys, two-space indent, UTF-8 kept as is, trailing newline; NaN and Infinity
    raise ValueError (they are not JSON, and Nomad's Go decoder refuses them)."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
