"""Settings, read from the environment and an optional JSON file, never from the network.

Two groups of variables:

* the runtime contract the agentfleet job stamps on every task
  (``plugins/module_utils/fleet/runtime.py`` ``contract_env``): ``AGENT_NAME``,
  ``AGENT_TENANT``, ``AGENT_KIND``, ``AGENT_VERSION``, ``AGENT_EXECUTION_ID``,
  ``LOG_FORMAT``, ``AGENTFLEET_FLEET``, ``AGENT_MAX_RUN_SECONDS``; plus what Nomad itself
  sets (``client/taskenv/env.go``): ``NOMAD_PORT_<label>``, ``NOMAD_ALLOC_DIR``,
  ``NOMAD_TASK_DIR``, ``NOMAD_META_<key>``, ``NOMAD_UPSTREAM_ADDR_<destination>``;
* this agent's own knobs (the spec's ``env:``), listed in ``KNOBS``.

``CONFIG_FILE`` may name a JSON object with the same keys (for example a file rendered
by a Nomad ``template``); a variable in the environment wins over the file.
"""
from __future__ import annotations

import json
import re
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional, TypeVar

T = TypeVar("T")

CONTRACT_REQUIRED = ("AGENT_NAME", "AGENT_TENANT", "AGENT_VERSION", "AGENT_EXECUTION_ID")
KINDS = ("service", "batch", "periodic", "dispatch")

# name: (default, help) of every non-contract setting; numbers are seconds unless named.
KNOBS: dict[str, tuple[str, str]] = {
    "HTTP_PORT_LABEL": ("http", "port label whose NOMAD_PORT_<label> the health server binds"),
    "HTTP_PORT": ("8080", "port when Nomad sets no NOMAD_PORT_<label> (mesh main port: the spec's ports.<label>.to)"),
    "HTTP_BIND": ("0.0.0.0", "address the health server binds"),
    "DATA_DIR": ("", "writable directory for the done-store (default: $NOMAD_ALLOC_DIR/data)"),
    "UPSTREAM_SERVICE": ("", "Consul destination name; the address comes from NOMAD_UPSTREAM_ADDR_<name>"),
    "UPSTREAM_ADDR": ("", "host:port of the upstream, overriding UPSTREAM_SERVICE (local runs)"),
    "UPSTREAM_PATH": ("/work", "path the work item is POSTed to"),
    "UPSTREAM_TIMEOUT": ("5", "timeout of one upstream request"),
    "RETRY_ATTEMPTS": ("5", "upstream attempts per work item"),
    "RETRY_INITIAL": ("0.5", "first backoff; doubles on each retry"),
    "RETRY_MAX": ("10", "longest single backoff"),
    "RETRY_JITTER": ("0.5", "random extra backoff, 0..this"),
    "ITEM_DEADLINE": ("60", "overall time for one work item, retries included"),
    "BREAKER_FAIL_MAX": ("5", "consecutive upstream failures that open the circuit"),
    "BREAKER_RESET": ("30", "time the circuit stays open before one trial call"),
    "SHUTDOWN_GRACE": ("25", "time to finish the current item after the stop signal (keep below kill_timeout)"),
    "LIVE_STALE": ("60", "worker heartbeat age after which /live fails"),
    "STOP_SIGNALS": ("SIGTERM,SIGINT", "signals that start a graceful stop (the spec's kill_signal must be one)"),
    "PAYLOAD_FILE": ("payload.json", "one-shot kinds: work item payload under $NOMAD_TASK_DIR (dispatch payload_file)"),
    "LOG_LEVEL": ("INFO", "DEBUG, INFO, WARNING or ERROR"),
}


class ConfigError(ValueError):
    """Every problem found in the settings, one line each: name, value, what to write."""


@dataclass(frozen=True)
class Settings:  # pylint: disable=too-many-instance-attributes
    """The agent's settings; durations are float seconds."""

    fleet: str
    agent: str
    tenant: str
    kind: str
    version: str
    execution_id: str
    correlation_id: str
    log_format: str
    log_level: str
    bind: str
    port: int
    data_dir: Path
    upstream_addr: Optional[str]
    upstream_path: str
    upstream_timeout: float
    retry_attempts: int
    retry_initial: float
    retry_max: float
    retry_jitter: float
    item_deadline: float
    breaker_fail_max: int
    breaker_reset: float
    shutdown_grace: float
    live_stale: float
    stop_signals: tuple[signal.Signals, ...]
    max_run_seconds: Optional[float]
    payload_file: Optional[Path]


def clean_env_name(name: str) -> str:
    """Nomad's cleaned form of a name used in an env variable: characters other than
    ``[A-Za-z0-9_.]`` (a digit not first) become ``_`` (helper/funcs.go ``CleanEnvVar``)."""
    return "".join(c if c in "_." or c.isascii() and (c.isalpha() or (i > 0 and c.isdigit())) else "_"
                   for i, c in enumerate(name))


def _number(kind: Callable[[str], T], low: float) -> Callable[[str], T]:
    def parse(text: str) -> T:
        value = kind(text)
        if value < low:  # type: ignore[operator]
            raise ValueError
        return value
    return parse


def _signals(text: str) -> tuple[signal.Signals, ...]:
    names = [part.strip().upper() for part in text.split(",") if part.strip()]
    if not names:
        raise ValueError
    return tuple(signal.Signals[name] for name in names)


def _read_file(path: str) -> dict[str, str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"CONFIG_FILE: cannot read {path!r} as JSON ({exc}); write a JSON object of settings") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"CONFIG_FILE: {path!r} holds {type(data).__name__}; write a JSON object of settings")
    return {str(k): str(v) for k, v in data.items()}


def load(environ: Mapping[str, str]) -> Settings:  # pylint: disable=too-many-locals
    """Settings from ``environ`` (and ``CONFIG_FILE``); raises ``ConfigError`` listing
    every problem, each with the variable, the value and what to write instead."""
    values: dict[str, str] = _read_file(environ["CONFIG_FILE"]) if environ.get("CONFIG_FILE") else {}
    values.update(environ)
    errors: list[str] = []

    def get(name: str) -> str:
        return values.get(name) or KNOBS.get(name, ("", ""))[0]

    def typed(name: str, parse: Callable[[str], T], hint: str, fallback: T) -> T:
        try:
            return parse(get(name))
        except (ValueError, KeyError):
            errors.append(f"{name}: {hint} (got {get(name)!r})")
            return fallback

    for name in CONTRACT_REQUIRED:
        if not values.get(name):
            errors.append(f"{name}: not set; the agentfleet job sets it (runtime contract), "
                          f"for a local run export {name}=<value>")
    kind = values.get("AGENT_KIND") or "service"
    if kind not in KINDS:
        errors.append(f"AGENT_KIND: write one of {', '.join(KINDS)} (got {kind!r})")
    log_format = values.get("LOG_FORMAT") or "json"
    if log_format not in ("json", "text"):
        errors.append(f"LOG_FORMAT: write json or text (got {log_format!r})")
    log_level = get("LOG_LEVEL").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        errors.append(f"LOG_LEVEL: write DEBUG, INFO, WARNING or ERROR (got {log_level!r})")

    label = get("HTTP_PORT_LABEL")
    port_source = f"NOMAD_PORT_{label}" if values.get(f"NOMAD_PORT_{label}") else "HTTP_PORT"
    port = typed(port_source, _number(int, 1), "write a TCP port number 1..65535", 0)
    if port > 65535:
        errors.append(f"{port_source}: write a TCP port number 1..65535 (got {port})")

    data_dir = get("DATA_DIR") or (str(Path(values["NOMAD_ALLOC_DIR"]) / "data") if values.get("NOMAD_ALLOC_DIR") else "")
    if not data_dir:
        errors.append("DATA_DIR: not set and no NOMAD_ALLOC_DIR; write DATA_DIR=<writable directory>")

    upstream = get("UPSTREAM_ADDR") or None
    service = get("UPSTREAM_SERVICE")
    if not upstream and service:
        upstream = values.get(f"NOMAD_UPSTREAM_ADDR_{service}") or values.get(f"NOMAD_UPSTREAM_ADDR_{clean_env_name(service)}")
        if not upstream:
            errors.append(f"UPSTREAM_SERVICE: Nomad set no NOMAD_UPSTREAM_ADDR_{clean_env_name(service)} (got {service!r}); "
                          f"declare the upstream in the agent's spec (upstreams: [{{service: ...}}]) or set UPSTREAM_ADDR=host:port")
    if upstream and not re.fullmatch(r"[^\s:/]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5}", upstream):
        errors.append(f"UPSTREAM_ADDR: write host:port (got {upstream!r})")

    seconds = _number(float, 0.0)
    max_run = values.get("AGENT_MAX_RUN_SECONDS")
    payload = get("PAYLOAD_FILE")
    settings = Settings(
        fleet=values.get("AGENTFLEET_FLEET", ""),
        agent=values.get("AGENT_NAME", ""), tenant=values.get("AGENT_TENANT", ""), kind=kind,
        version=values.get("AGENT_VERSION", ""), execution_id=values.get("AGENT_EXECUTION_ID", ""),
        # Not part of the stamped contract: a dispatch meta key, else the execution ID.
        correlation_id=(values.get("NOMAD_META_correlation_id") or values.get("CORRELATION_ID")
                        or values.get("AGENT_EXECUTION_ID", "")),
        log_format=log_format, log_level=log_level, bind=get("HTTP_BIND"), port=port,
        data_dir=Path(data_dir), upstream_addr=upstream, upstream_path="/" + get("UPSTREAM_PATH").lstrip("/"),
        upstream_timeout=typed("UPSTREAM_TIMEOUT", _number(float, 0.05), "write seconds, at least 0.05", 5.0),
        retry_attempts=typed("RETRY_ATTEMPTS", _number(int, 1), "write an integer, at least 1", 1),
        retry_initial=typed("RETRY_INITIAL", seconds, "write seconds, at least 0", 0.0),
        retry_max=typed("RETRY_MAX", seconds, "write seconds, at least 0", 0.0),
        retry_jitter=typed("RETRY_JITTER", seconds, "write seconds, at least 0", 0.0),
        item_deadline=typed("ITEM_DEADLINE", _number(float, 0.1), "write seconds, at least 0.1", 60.0),
        breaker_fail_max=typed("BREAKER_FAIL_MAX", _number(int, 1), "write an integer, at least 1", 1),
        breaker_reset=typed("BREAKER_RESET", _number(float, 0.1), "write seconds, at least 0.1", 30.0),
        shutdown_grace=typed("SHUTDOWN_GRACE", _number(float, 0.1), "write seconds, at least 0.1", 25.0),
        live_stale=typed("LIVE_STALE", _number(float, 1.0), "write seconds, at least 1", 60.0),
        stop_signals=typed("STOP_SIGNALS", _signals, "write signal names separated by commas, e.g. SIGTERM,SIGINT",
                           (signal.SIGTERM,)),
        max_run_seconds=typed("AGENT_MAX_RUN_SECONDS", _number(float, 0.1), "write seconds, at least 0.1", None)
        if max_run else None,
        payload_file=Path(values["NOMAD_TASK_DIR"]) / payload if values.get("NOMAD_TASK_DIR") and payload else None,
    )
    # The heartbeat is renewed before every attempt and every wait (upstream.Upstream):
    # the longest gap is one request plus one wait.
    if not errors and settings.live_stale <= settings.upstream_timeout + settings.retry_max:
        errors.append(f"LIVE_STALE: must exceed UPSTREAM_TIMEOUT + RETRY_MAX ({settings.upstream_timeout:g} + "
                      f"{settings.retry_max:g} s) or /live fails during a slow retry (got {settings.live_stale:g})")
    if errors:
        raise ConfigError("\n".join(errors))
    return settings
