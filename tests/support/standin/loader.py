"""TEST INFRASTRUCTURE: read agent configuration files for the stand-ins (JSON only).

``read_sources(paths)`` takes what ``-config-dir``/``-config``/``validate`` name: a directory
(every ``*.json`` in it, sorted by name, as both agents load a directory: Consul
``agent/config/builder.go`` ``sourcesFromPath``, Nomad ``command/agent/config_parse.go``
``LoadConfigDir``), or one file. HCL files are refused with a clear message rather than
half-parsed: the roles render JSON. Messages start with the file name.
"""
import base64
import binascii
import json
import os
import re

_DURATION = re.compile(r"^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$")


class ConfigError(Exception):
    """All problems found in a configuration, one message per line."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def read_sources(paths, any_extension=False):
    """``[(file name, parsed object)]`` for ``paths``; ConfigError lists every problem.
    A file named directly is read whatever its name when ``any_extension`` (Nomad's
    ``ParseConfigFile``; Consul with ``-config-format=json``), else it must end in
    ``.json`` (Consul skips other files: builder.go ``shouldParseFile``)."""
    found, errors = [], []
    for path in paths:
        if os.path.isdir(path):
            names = sorted(os.listdir(path))
            files = [os.path.join(path, n) for n in names
                     if os.path.isfile(os.path.join(path, n))]
        elif os.path.isfile(path):
            files = [path]
        else:
            errors.append("%s: no such file or directory" % path)
            continue
        for name in files:
            if name.endswith(".hcl"):
                errors.append("%s: the stand-in reads JSON only; render this configuration as "
                              "JSON (a .json file) instead of HCL" % os.path.basename(name))
            elif name.endswith(".json") or (any_extension and not os.path.isdir(path)):
                found.append(name)
            elif not os.path.isdir(path):
                errors.append("%s: the file name must end in .json (or pass "
                              "-config-format=json); the stand-in reads JSON only"
                              % os.path.basename(name))
    sources = []
    for name in found:
        label = os.path.basename(name)
        try:
            with open(name, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            errors.append("%s: cannot read: %s" % (label, exc.strerror))
            continue
        if not text.strip():
            continue  # an empty file is skipped (Consul ErrNoData)
        try:
            data = json.loads(text)
        except ValueError as exc:
            errors.append("%s: invalid JSON: %s" % (label, exc))
            continue
        if not isinstance(data, dict):
            errors.append("%s: the top level must be a JSON object" % label)
            continue
        sources.append((label, data))
    if errors:
        raise ConfigError(errors)
    if not sources:
        raise ConfigError(["%s: no configuration (.json) files found" % ", ".join(paths)])
    return sources


def merge(dst, src):
    """Merge ``src`` into ``dst`` in place: objects recursively, lists appended, scalars
    replaced (later files win, lists accumulate, as both agents merge files)."""
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dst.get(key), dict):
            merge(dst[key], value)
        elif isinstance(value, list) and isinstance(dst.get(key), list):
            dst[key] = dst[key] + value
        else:
            dst[key] = value
    return dst


def lookup(obj, dotted, default=None):
    """``obj["a"]["b"]`` for ``"a.b"``; a block given as a list is merged first."""
    cur = obj
    for part in dotted.split("."):
        if isinstance(cur, list):
            merged = {}
            for item in cur:
                if isinstance(item, dict):
                    merge(merged, item)
            cur = merged
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def is_duration(text):
    """True for a Go ``time.ParseDuration`` string ("10s", "1m30s", "0")."""
    return isinstance(text, str) and (text == "0" or bool(_DURATION.match(text)))


def gossip_key(text, field):
    """Decode a gossip key: standard base64 of 16, 24 or 32 bytes (memberlist
    ``ValidateKey``: "key size must be 16, 24 or 32 bytes"); ValueError with the reason."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ValueError("%s has invalid key: illegal base64 data (%s)" % (field, exc)) from exc
    if len(raw) not in (16, 24, 32):
        raise ValueError("%s has invalid key: key size must be 16, 24 or 32 bytes, got %d"
                         % (field, len(raw)))
    return raw
