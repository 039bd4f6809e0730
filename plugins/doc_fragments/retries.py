# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of plugins/module_utils/_http.py ``retry_argument_spec()``: one retry and
fast-fail policy for Nomad, Vault and Consul (keep the two in sync)."""
from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  retries:
    description:
      - How many times a call is retried, within O(timeout). Retried - a connection that could
        not be made; for idempotent calls only (GET, DELETE, and writes that leave the same
        state when repeated) also a lost answer and HTTP 429 (honouring C(Retry-After), capped
        at 30 s), 502, 503 and 504. Other answers (4xx, 500, 501) are never retried, and a
        write that is not idempotent is never repeated once it was sent.
    type: int
    default: 3
  retry_delay:
    description:
      - Seconds before the first retry; doubles on each further retry (at most 5 seconds).
    type: float
    default: 0.5
  fail_fast_after:
    description:
      - Fast-fail - after this many calls in a row got no answer (could not connect, timed
        out), the server is taken as down and every further call of the task fails at once
        with one message naming the server, so objects not yet applied are not tried.
      - V(0) never gives up early.
    type: int
    default: 3
"""
