# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``image: {build: NAME}``: an agent image named by its build, resolved from a build record.

The role ``agent_image`` writes one JSON record per built and pushed image at
``<build_records_dir>/<NAME>.json`` (the shared interface, docs/fleet-spec.md "Images from
build records")::

    {"name": str, "reference": "registry/repo:tag", "digest": "sha256:<64 hex>",
     "pinned": "registry/repo@sha256:<64 hex>", "source_revision": str,
     "built_at": RFC 3339 UTC, "inputs_sha256": "<hex>", "sbom": "<file name>"}

The folder is the **operator's** setting (role variable ``agent_fleet_build_records_dir``,
action option ``build_records_dir``), never a spec value: a spec names a record only by a
plain file name (``schema.BUILD_NAME``: no path separator, no leading dot), so it can reach
no other controller file.

A record is **stale** (refused) when
- the spec's ``image.revision`` is set and names another revision than the record's
  ``source_revision`` (``same_revision``: equal, or an abbreviated commit of 7+ hex
  characters that starts it), reported at ``image.revision``, or
- the operator set a maximum age (``agent_fleet_build_record_max_age``, a Go duration)
  and ``now - built_at`` exceeds it.
A ``built_at`` more than ``CLOCK_SKEW`` in the future makes the record invalid.

Plain Python, no Ansible imports. ``resolve_spec`` is called by ``validate.validate_spec``
before the guardrails, so ``allowed_registries`` and ``require_image_digest`` apply to the
resolved reference.
"""
from __future__ import annotations

import datetime
import json
import os
import re

from ansible_collections.agentfleet.hashistack.plugins.module_utils.go_duration import DurationError, parse as parse_duration
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.errors import SpecError, join
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet.schema import BUILD_NAME

MAX_RECORD_BYTES = 1024 * 1024
CLOCK_SKEW = datetime.timedelta(minutes=5)
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}\Z")
_RFC3339_UTC = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|\+00:00)\Z")
_FIELDS = {"name": str, "reference": str, "digest": str, "pinned": str, "source_revision": str,
           "built_at": str, "inputs_sha256": str, "sbom": str}
_SETTING = ("the operator's build records folder (role variable agent_fleet_build_records_dir, "
            "or build_records_dir of fleet_bundle / fleet_render)")


class RecordError(ValueError):
    """A record that cannot be used; the message says what is wrong and what to do.
    ``field`` is the key of the spec's ``image`` mapping the error belongs to."""

    def __init__(self, message, field="build"):
        super().__init__(message)
        self.field = field


def same_revision(recorded, asked):
    """True when the spec's ``asked`` revision names the record's ``recorded`` one: equal,
    or ``asked`` is an abbreviated git commit (7 to 40 lowercase hex, as ``git log
    --oneline`` prints) that starts the recorded full commit. A ``-dirty`` build (built
    from uncommitted changes) never matches an abbreviation."""
    if recorded == asked:
        return True
    return bool(re.match(r"^[0-9a-f]{7,40}\Z", asked) and re.match(r"^[0-9a-f]{40,64}\Z", recorded)
                and recorded.startswith(asked))


def parse_built_at(text):
    """An RFC 3339 UTC timestamp (``2026-11-30T02:00:00Z``, optional fraction, ``Z`` or
    ``+00:00``) as an aware datetime; ValueError otherwise."""
    match = _RFC3339_UTC.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError("is not an RFC 3339 UTC time such as 2026-11-30T02:00:00Z")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    frac = match.group(7) or ""
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    return datetime.datetime(year, month, day, hour, minute, second, micro, tzinfo=datetime.timezone.utc)


def _repository(reference):
    """``registry/repo`` of ``registry/repo[:tag][@digest]`` (the tag is after the last '/')."""
    name = reference.split("@", 1)[0]
    head, _sep, last = name.rpartition("/")
    return (head + "/" if head else "") + last.split(":", 1)[0]


class BuildRecords:
    """The operator's build records: ``directory`` (str path, or None/"" when not set),
    ``max_age`` (Go duration string, or None/"" for no age limit), ``now`` (a callable
    returning an aware UTC datetime; tests pass their own). ``resolved`` maps each agent
    path resolved so far to its record's summary (``resolve``'s second value)."""

    def __init__(self, directory=None, max_age=None, now=None):
        self.directory = directory or None
        self.max_age_text = max_age or None
        self.max_age = None
        if self.max_age_text:
            try:
                nanos = parse_duration(self.max_age_text)
            except DurationError as exc:
                raise ValueError("build_record_max_age: %s; write a Go duration such as 720h" % exc) from None
            if nanos <= 0:
                raise ValueError("build_record_max_age must be positive, got %r; write a Go duration such as 720h"
                                 % self.max_age_text)
            self.max_age = datetime.timedelta(microseconds=nanos // 1000)
        self.now = now or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self.resolved = {}

    def path(self, name):
        return os.path.join(self.directory, name + ".json")

    def read(self, name):
        """The record ``name`` checked against the interface; RecordError otherwise."""
        if not self.directory:
            raise RecordError("names a build record, but no build records folder is configured: set %s, "
                              "or write the pinned reference registry/repo@sha256:<64 hex>" % _SETTING)
        if not isinstance(name, str) or not re.match(BUILD_NAME, name):
            raise RecordError("must be a plain build name matching %s" % BUILD_NAME)
        path = self.path(name)
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_RECORD_BYTES + 1)
        except FileNotFoundError:
            raise RecordError("no build record %s: build and push the image first (role agent_image), or "
                              "check the build name" % path) from None
        except OSError as exc:
            raise RecordError("build record %s cannot be read (%s); check the file's permissions"
                              % (path, exc.strerror or exc)) from None
        if len(data) > MAX_RECORD_BYTES:
            raise RecordError("build record %s is over %d bytes; rebuild the image (role agent_image)"
                              % (path, MAX_RECORD_BYTES))
        try:
            record = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise RecordError("build record %s is not valid JSON (%s); rebuild the image (role agent_image)"
                              % (path, exc)) from None
        problem = record_problem(record, name)
        if problem:
            raise RecordError("build record %s is invalid: %s; rebuild the image (role agent_image)" % (path, problem))
        return path, record

    def resolve(self, build, revision=None):
        """(pinned reference, summary) of build ``build``; RecordError when the record is
        missing, invalid or stale (the module docstring defines stale)."""
        path, record = self.read(build)
        built = parse_built_at(record["built_at"])
        now = self.now()
        if built - now > CLOCK_SKEW:
            raise RecordError("build record %s is invalid: built_at %s is in the future (clock skew over %s); "
                              "check the build host's clock and rebuild" % (path, record["built_at"], CLOCK_SKEW))
        if revision is not None and not same_revision(record["source_revision"], revision):
            raise RecordError("build record %s is stale: it was built from source revision %r, the spec asks "
                              "for %r; rebuild the image at that revision (role agent_image) or change "
                              "image.revision (the full commit or at least its first 7 characters)"
                              % (path, record["source_revision"], revision), field="revision")
        if self.max_age is not None and now - built > self.max_age:
            raise RecordError("build record %s is stale: built at %s, older than the operator's maximum age %s "
                              "(agent_fleet_build_record_max_age); rebuild the image from fresh inputs (role agent_image: "
                              "a newer base image or locked dependencies; a build whose inputs did not change "
                              "keeps its record, so delete the record to rebuild the same inputs)"
                              % (path, record["built_at"], self.max_age_text))
        summary = {"build": build, "record": path, "pinned": record["pinned"], "built_at": record["built_at"],
                   "source_revision": record["source_revision"]}
        return record["pinned"], summary

    def expired(self, builds):
        """True when a summary in ``builds`` (``resolved`` values kept in a bundle) is now
        older than the maximum age: a cached bundle must then be validated again."""
        if self.max_age is None:
            return False
        now = self.now()
        for summary in builds:
            try:
                if now - parse_built_at(summary.get("built_at")) > self.max_age:
                    return True
            except (ValueError, AttributeError):
                return True
        return False


def record_problem(record, name):
    """What is wrong with a parsed record (words), or None when it keeps the interface."""
    if not isinstance(record, dict):
        return "it must be a JSON object"
    for key, kind in _FIELDS.items():
        if key not in record:
            return "%r is missing" % key
        if not isinstance(record[key], kind):
            return "%r must be a string" % key
    if record["name"] != name:
        return "its name %r is not the file's name %r" % (record["name"], name)
    if not DIGEST.match(record["digest"]):
        return "digest %r is not sha256:<64 lowercase hex>" % record["digest"]
    pinned = record["pinned"]
    at = pinned.rfind("@")
    if at < 0 or not DIGEST.match(pinned[at + 1:]):
        return "pinned %r is not a digest reference registry/repo@sha256:<64 hex>" % pinned
    if pinned[at + 1:] != record["digest"]:
        return "pinned %r does not end in its digest %s" % (pinned, record["digest"])
    if _repository(pinned) != _repository(record["reference"]):
        return "pinned %r and reference %r name different repositories" % (pinned, record["reference"])
    try:
        parse_built_at(record["built_at"])
    except ValueError as exc:
        return "built_at %r %s" % (record["built_at"], exc)
    if not re.match(r"^[0-9a-f]{64}\Z", record["inputs_sha256"]):
        return "inputs_sha256 is not 64 lowercase hex"
    return None


def resolve_spec(spec, records, errors):
    """Replace every agent's ``image: {build: NAME[, revision]}`` in the normalized ``spec``
    by the record's pinned reference (in place), appending one SpecError per agent whose
    record is missing, invalid or stale, at ``<agent path>.image.build``. ``records`` is a
    ``BuildRecords`` or None (no folder configured). Each resolved agent gets
    ``_image_build`` (the summary; ``validate_spec`` removes it after the guardrails)."""
    records = records if records is not None else BuildRecords()
    for tname in sorted((spec or {}).get("tenants") or {}):
        for agent in ((spec["tenants"][tname] or {}).get("agents") or []):
            image = agent.get("image")
            if not isinstance(image, dict) or not isinstance(image.get("build"), str):
                continue
            path = agent.get("_path") or f"tenants.{tname}.agents.{agent.get('name')}"
            try:
                pinned, summary = records.resolve(image["build"], image.get("revision"))
            except RecordError as exc:
                errors.append(SpecError(join(path, "image." + exc.field), str(exc), image.get(exc.field)))
                agent["image"] = None
                continue
            records.resolved[path] = summary
            agent["image"] = pinned
            agent["_image_build"] = summary
