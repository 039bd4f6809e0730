# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shorten an old/new pair of texts for people without hiding the change. Plain Python.

Cutting both sides at the same length hides a change that lies past the cut
(``"service.namespace=research,service.v..." => "service.namespace=research,service.v..."``).
``window`` keeps the part around the first difference on both sides instead:

    window("a" * 100 + "1.4.2", "a" * 100 + "2.0.0", width=20)
    -> ("...aaaaaaaaaaaa1.4.2", "...aaaaaaaaaaaa2.0.0")
"""
from __future__ import annotations

ELLIPSIS = "..."
# Characters of common text kept before the first difference when a side is cut.
LEAD = 12


def first_difference(old, new):
    """Index (int) of the first character where ``old`` and ``new`` (str) differ;
    ``min(len)`` when one is a prefix of the other."""
    for index, (left, right) in enumerate(zip(old, new)):
        if left != right:
            return index
    return min(len(old), len(new))


def _cut(text, start, width):
    if len(text) <= width:
        return text
    head = ELLIPSIS if start > 0 else ""
    room = width - len(head)
    piece = text[start:start + room]
    if start + room < len(text):
        piece = piece[:max(room - len(ELLIPSIS), 1)] + ELLIPSIS
    return head + piece


def window(old, new, width=60):
    """(old, new) each at most ``width`` characters (int, >= 10), both cut around the first
    difference so the changed characters stay visible on both sides; a text that fits is
    returned whole. Ellipses (``...``) mark what was cut."""
    old, new = str(old), str(new)
    if len(old) <= width and len(new) <= width:
        return old, new
    diff = first_difference(old, new)
    start = max(0, diff - LEAD)
    return _cut(old, start if len(old) > width else 0, width), _cut(new, start if len(new) > width else 0, width)


def shorten(text, width=60):
    """``text`` (str) cut to ``width`` characters with a trailing ellipsis when longer."""
    text = str(text)
    return text if len(text) <= width else text[:width - len(ELLIPSIS)] + ELLIPSIS
