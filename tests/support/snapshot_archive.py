"""The contract servers' stand-in snapshot format (test infrastructure, not Raft's).

Real Nomad and Consul snapshots are gzip'd tar archives holding ``meta.json``,
``state.bin`` (the Raft FSM state) and ``SHA256SUMS`` (hashicorp/raft-boltdb
snapshot + ``consul/snapshot/archive.go`` ``write``/``read``; Nomad's
``helper/snapshot`` is the same code). The contract servers keep the shape but
store their in-memory state as JSON in ``state.json``: a gzip'd tar with
``meta.json``, ``state.json`` and ``SHA256SUMS``. Restoring checks every sum,
as ``archive.go`` ``read`` does, and refuses anything else.
"""
import gzip
import hashlib
import io
import json
import tarfile
import time

FORMAT = "agentfleet-contract-snapshot/1"


class SnapshotError(ValueError):
    """The body is not a snapshot of this product's contract server."""


def _member(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def pack(product, index, state):
    """gzip'd tar bytes of ``state`` (a JSON-able dict) taken at Raft-like ``index``."""
    meta = json.dumps({"Format": FORMAT, "Product": product, "Index": index,
                       "Term": 1, "Version": 1}).encode()
    body = json.dumps(state, sort_keys=True).encode()
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                   for name, data in (("meta.json", meta), ("state.json", body))).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w") as tar:
            _member(tar, "meta.json", meta)
            _member(tar, "state.json", body)
            _member(tar, "SHA256SUMS", sums)
    return buf.getvalue()


def unpack(product, data):
    """``(meta, state)`` of a snapshot made by ``pack`` for ``product``; SnapshotError else."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            with tarfile.open(fileobj=io.BytesIO(gz.read()), mode="r") as tar:
                files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    except (OSError, EOFError, tarfile.TarError) as exc:
        raise SnapshotError(f"failed to read snapshot archive: {exc}") from exc
    missing = {"meta.json", "state.json", "SHA256SUMS"} - set(files)
    if missing:
        raise SnapshotError(f"snapshot archive is missing {sorted(missing)}")
    for line in files["SHA256SUMS"].decode(errors="replace").splitlines():
        digest, _sep, name = line.partition("  ")
        if name not in files or hashlib.sha256(files[name]).hexdigest() != digest:
            raise SnapshotError(f"sha256 hash mismatch for {name!r}")  # archive.go verifyHash
    try:
        meta = json.loads(files["meta.json"])
        state = json.loads(files["state.json"])
    except ValueError as exc:
        raise SnapshotError(f"failed to decode snapshot: {exc}") from exc
    if meta.get("Format") != FORMAT or meta.get("Product") != product:
        raise SnapshotError(f"not a {product} snapshot of the contract server")
    return meta, state
