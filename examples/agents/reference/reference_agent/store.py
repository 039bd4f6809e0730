"""Done-store: which execution IDs have been processed, one small file each.

Layout: ``<data_dir>/done/<sha256 of the execution ID>.json`` holding the ID, the
correlation ID and the finish time. A file is written to a temporary name and renamed
(atomic on one file system), so a crash never leaves a half-marked item. Nothing is
written outside ``data_dir``, so the image's root file system can be read-only.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path


class DoneStore:
    """Files under ``data_dir``; safe for one writer (the worker) and many readers."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "done"

    def prepare(self) -> int:
        """Create the directory and prove it is writable; returns the number of done items."""
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return sum(1 for path in self.root.glob("*.json"))

    def _path(self, execution_id: str) -> Path:
        return self.root / (hashlib.sha256(execution_id.encode("utf-8")).hexdigest() + ".json")

    def is_done(self, execution_id: str) -> bool:
        return self._path(execution_id).exists()

    def mark_done(self, execution_id: str, correlation_id: str) -> None:
        path = self._path(execution_id)
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        record = {"execution_id": execution_id, "correlation_id": correlation_id, "finished_at": time.time()}
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
