# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shape the per-object results of a bulk phase into one module result (plain Python)."""
from __future__ import annotations


def module_result(results, want_diff):
    """``changed``, ``results`` (diffs taken out), ``summary`` counts per outcome, ``diff`` list,
    and ``failures`` (messages of failed objects)."""
    summary, diffs, failures = {}, [], []
    for res in results:
        summary[res["outcome"]] = summary.get(res["outcome"], 0) + 1
        diff = res.pop("diff", None)
        if want_diff and diff is not None and res.get("changed"):
            diffs.append(diff)
        if res["outcome"] == "failed":
            failures.append("%s %s: %s" % (res.get("object"), res.get("name"), res.get("msg")))
    out = {"changed": any(r.get("changed") for r in results), "results": results, "summary": summary}
    if diffs:
        out["diff"] = diffs
    return out, failures


def failure_message(failures, total):
    shown = "; ".join(failures[:10])
    more = " (and %d more)" % (len(failures) - 10) if len(failures) > 10 else ""
    return "%d of %d objects failed: %s%s" % (len(failures), total, shown, more)
