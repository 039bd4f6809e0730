"""Logs on stdout, one record per line: a JSON object (``LOG_FORMAT=json``, the fleet
default) or ``key=value`` text (``LOG_FORMAT=text``).

Every record carries ``ts`` (RFC 3339 UTC, milliseconds), ``level``, ``msg``, ``fleet``,
``agent``, ``tenant``, ``kind``, ``version``, ``execution_id`` and ``correlation_id``.
Inside a work item the last two are the item's (``item_context``); elsewhere they are
the process's, from the environment. Payloads and upstream bodies are never logged.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any, Iterator

from reference_agent.config import Settings

_ITEM: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("item", default=None)
LOGGER_NAME = "reference_agent"


@contextlib.contextmanager
def item_context(execution_id: str, correlation_id: str) -> Iterator[None]:
    """Records logged inside carry this work item's execution and correlation IDs."""
    token = _ITEM.set((execution_id, correlation_id))
    try:
        yield
    finally:
        _ITEM.reset(token)


class _Formatter(logging.Formatter):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def record_fields(self, record: logging.LogRecord) -> dict[str, Any]:
        s = self.settings
        execution_id, correlation_id = _ITEM.get() or (s.execution_id, s.correlation_id)
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(), "msg": record.getMessage(),
            "fleet": s.fleet, "agent": s.agent, "tenant": s.tenant, "kind": s.kind, "version": s.version,
            "execution_id": execution_id, "correlation_id": correlation_id,
        }
        out.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[1] is not None:
            out["error"] = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        return out

    def format(self, record: logging.LogRecord) -> str:
        fields = self.record_fields(record)
        if self.settings.log_format == "json":
            return json.dumps(fields, sort_keys=False, default=str)
        head = f"{fields.pop('ts')} {fields.pop('level').upper():7} {fields.pop('msg')}"
        return " ".join([head] + [f"{k}={json.dumps(v, default=str)}" for k, v in fields.items()])


def setup(settings: Settings) -> logging.Logger:
    """The agent's logger, writing to stdout at ``settings.log_level``."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_Formatter(settings))
    logger.addHandler(handler)
    logger.setLevel(settings.log_level)
    logger.propagate = False
    return logger


def event(logger: logging.Logger, level: int, msg: str, exc: BaseException | None = None, **fields: Any) -> None:
    """Log ``msg`` (a dotted event name such as ``item.done``) with extra ``fields``."""
    logger.log(level, msg, exc_info=(type(exc), exc, None) if exc else None, extra={"fields": fields})
