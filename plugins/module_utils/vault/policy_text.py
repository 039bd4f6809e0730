# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalise ACL policy HCL for comparison. Plain Python.

Vault stores policy text verbatim, so cosmetic edits (indentation, blank lines, line
endings, trailing spaces, comments) must not count as a change.
"""
from __future__ import annotations


def _strip_comment(line):
    """Drop a ``#`` or ``//`` comment that is not inside a double-quoted string."""
    in_string = False
    escaped = False
    for i, char in enumerate(line):
        if escaped:
            escaped = False
            continue
        if char == "\\" and in_string:
            escaped = True
        elif char == '"':
            in_string = not in_string
        elif not in_string and (char == "#" or line.startswith("//", i)):
            return line[:i]
    return line


def _collapse(line):
    """Collapse whitespace runs outside strings into one space; trim the ends."""
    out = []
    in_string = False
    escaped = False
    for char in line:
        if escaped:
            escaped = False
        elif char == "\\" and in_string:
            escaped = True
        elif char == '"':
            in_string = not in_string
        elif not in_string and char.isspace():
            if out and out[-1] != " ":
                out.append(" ")
            continue
        out.append(char)
    return "".join(out).strip()


def normalise_policy(text):
    """Canonical form of policy text: no comments, no blank lines, single spaces."""
    lines = []
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _collapse(_strip_comment(raw))
        if line:
            lines.append(line)
    return "\n".join(lines)
