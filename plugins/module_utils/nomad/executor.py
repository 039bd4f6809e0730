# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one function over many items with bounded concurrency (plain Python)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor


def run_many(items, func, concurrency=8, on_error=None):
    """``[func(item) for item in items]`` on at most ``concurrency`` threads, in order.

    An exception from one item does not stop the others: ``on_error(item, exc)``
    turns it into that item's result (default: re-raise after all items ran).
    """
    items = list(items)
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1, got %r" % (concurrency,))
    workers = max(1, min(concurrency, len(items)))

    def guarded(item):
        try:
            return False, func(item)
        except Exception as exc:  # collected per item
            if on_error is None:
                return True, exc
            return False, on_error(item, exc)

    if workers == 1:
        outcomes = [guarded(i) for i in items]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(guarded, items))
    for raised, value in outcomes:
        if raised:
            raise value
    return [value for _raised, value in outcomes]
