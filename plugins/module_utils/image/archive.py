# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make a ``docker save`` archive reproducible (plain Python, no Ansible imports).

Why: the Docker engine here (20.10, classic builder) stamps every build with the wall
clock: file modification times in the layers it writes (``COPY``, ``RUN``), the image
``created`` time, a ``created`` per history entry, the build container's ID
(``container``, ``container_config.Hostname``) and the ID of the intermediate parent
image (``config.Image``). Two builds of the same inputs therefore differ in their image
ID (the sha256 of the config) and in their pushed digest. ``normalize`` rewrites only
what the build added, on top of the base image's layers (kept byte for byte):

* each added layer: every entry's mtime set to ``epoch`` (SOURCE_DATE_EPOCH), the
  owner *names* cleared (the numeric uid/gid are what a container uses), access and
  change times dropped; entry order kept (Docker's ``pkg/archive`` walks each directory
  in lexical order, Go ``filepath.Walk``), the tar written by Python's ``tarfile``
  in PAX format, so equal content gives equal bytes and equal ``diff_ids``;
* the config: ``created`` and the added history entries' ``created`` set to ``epoch``;
  ``container``, ``container_config``, ``docker_version`` (all optional in the image
  spec, github.com/moby/moby ``image/image.go`` ``V1Image``) dropped; ``config.Image``
  and ``config.Hostname`` cleared; extra ``labels`` merged; ``rootfs.diff_ids``
  recomputed.

The archive written back is what ``docker load`` reads (``manifest.json``, the config
``<sha256>.json``, one ``<diff_id>/layer.tar`` per layer), entries sorted, mtimes at
``epoch``. Formats: docker/docs ``image/spec/v1.2.md`` (image JSON, ``docker save``
layout) and the OCI image-spec ``config.md``.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from datetime import datetime, timezone

KEEP_PAX = ("SCHILY.xattr.", "LIBARCHIVE.xattr.")  # extended attributes (capabilities) stay


class ArchiveError(ValueError):
    """The archive is not a ``docker save`` archive this module can read."""


def rfc3339(epoch):
    """``epoch`` (int seconds) as RFC 3339 UTC, e.g. ``2026-11-30T00:00:00Z``."""
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


class SavedImage:
    """A ``docker save`` archive of one image, unpacked under ``workdir``.

    ``config`` (dict), ``layers`` (absolute paths of the uncompressed layer tars, base
    first), ``repo_tags`` (list).
    """

    def __init__(self, archive, workdir):
        self.workdir = workdir
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.name.startswith("/") or ".." in member.name.split("/"):
                    raise ArchiveError("unsafe path %r in %s" % (member.name, archive))
            tar.extractall(workdir)  # nosec: names checked above
        try:
            with open(os.path.join(workdir, "manifest.json"), encoding="utf-8") as handle:
                manifest = json.load(handle)
        except (OSError, ValueError) as exc:
            raise ArchiveError("%s has no readable manifest.json (%s); give the output of `docker save`" % (archive, exc))
        if not isinstance(manifest, list) or len(manifest) != 1:
            raise ArchiveError("%s holds %s images; save exactly one" % (archive, len(manifest) if isinstance(manifest, list) else "?"))
        entry = manifest[0]
        with open(os.path.join(workdir, entry["Config"]), encoding="utf-8") as handle:
            self.config = json.load(handle)
        self.layers = [os.path.join(workdir, layer) for layer in entry["Layers"]]
        self.repo_tags = entry.get("RepoTags") or []
        if len(self.layers) != len(self.config["rootfs"]["diff_ids"]):
            raise ArchiveError("%s: %d layers but %d diff_ids" % (archive, len(self.layers), len(self.config["rootfs"]["diff_ids"])))


def _normalize_layer(src, dest, epoch):
    with tarfile.open(src) as tar_in, tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as tar_out:
        for member in tar_in:
            fileobj = tar_in.extractfile(member) if member.isreg() else None
            clean = copy.copy(member)
            clean.mtime = int(epoch)
            clean.uname = ""
            clean.gname = ""
            clean.pax_headers = {k: v for k, v in member.pax_headers.items() if k.startswith(KEEP_PAX)}
            tar_out.addfile(clean, fileobj)


def normalize(archive, dest, epoch, base_diff_ids, labels=None, repo_tag=None):
    """Rewrite ``archive`` (``docker save`` output) reproducibly into ``dest``.

    ``epoch``: int seconds (SOURCE_DATE_EPOCH). ``base_diff_ids``: the base image's
    ``rootfs.diff_ids`` (list of ``sha256:<hex>``); those leading layers are kept as they
    are. ``labels``: dict merged into ``config.Labels``, or a callable taking the list of
    final layer paths and returning that dict (used to label the SBOM digest computed
    from the final layers). ``repo_tag``: the tag ``docker load`` gives the image.
    Returns ``{"image_id": "sha256:<hex of the config>", "diff_ids": [...],
    "layers": [...], "labels": {...}}``. ``dest`` is replaced atomically.
    """
    epoch = int(epoch)
    stamp = rfc3339(epoch)
    workdir = tempfile.mkdtemp(prefix=".agent-image-", dir=os.path.dirname(os.path.abspath(dest)))
    try:
        saved = SavedImage(archive, os.path.join(workdir, "in"))
        diff_ids = list(saved.config["rootfs"]["diff_ids"])
        keep = len(base_diff_ids)
        if diff_ids[:keep] != list(base_diff_ids):
            raise ArchiveError("the image does not start with the base image's layers (%s...); build it FROM that base"
                               % ", ".join(base_diff_ids[:2]))
        out = os.path.join(workdir, "out")
        os.makedirs(out)
        final_layers = []
        for index, layer in enumerate(saved.layers):
            tmp = os.path.join(out, "layer-%d.tar" % index)
            if index < keep:
                shutil.copyfile(layer, tmp)
            else:
                _normalize_layer(layer, tmp, epoch)
            diff_id = _sha256_file(tmp)
            folder = os.path.join(out, diff_id.split(":", 1)[1])
            os.makedirs(folder, exist_ok=True)
            os.replace(tmp, os.path.join(folder, "layer.tar"))
            diff_ids[index] = diff_id
            final_layers.append(os.path.join(folder, "layer.tar"))
        config = saved.config
        for key in ("container", "container_config", "docker_version"):
            config.pop(key, None)
        config["created"] = stamp
        run = config.setdefault("config", {})
        run["Image"] = ""
        run["Hostname"] = ""
        merged = dict(run.get("Labels") or {})
        merged.update(labels(final_layers) if callable(labels) else (labels or {}))
        run["Labels"] = merged or None
        history = config.get("history") or []
        base_entries = _base_history_count(history, keep)
        for entry in history[base_entries:]:
            entry["created"] = stamp
        config["rootfs"]["diff_ids"] = diff_ids
        config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode("utf-8")
        image_id = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
        with open(os.path.join(out, image_id.split(":", 1)[1] + ".json"), "wb") as handle:
            handle.write(config_bytes)
        manifest = [{"Config": image_id.split(":", 1)[1] + ".json",
                     "RepoTags": [repo_tag] if repo_tag else None,
                     "Layers": [os.path.relpath(p, out) for p in final_layers]}]
        with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, sort_keys=True)
        tmp_dest = os.path.join(workdir, "image.tar")
        _write_dir_tar(out, tmp_dest, epoch)
        os.replace(tmp_dest, dest)
        return {"image_id": image_id, "diff_ids": diff_ids, "labels": merged,
                "layers": [os.path.basename(os.path.dirname(p)) for p in final_layers]}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _base_history_count(history, base_layers):
    """Number of leading history entries that belong to the base image: those up to and
    including the one that made its last layer (entries with ``empty_layer`` make none)."""
    seen = 0
    for index, entry in enumerate(history):
        if seen == base_layers:
            return index
        if not entry.get("empty_layer"):
            seen += 1
    return len(history) if seen == base_layers else 0


def _write_dir_tar(folder, dest, epoch):
    with tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as tar:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                path = os.path.join(root, name)
                info = tar.gettarinfo(path, arcname=os.path.relpath(path, folder))
                info.mtime = int(epoch)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o755 if info.isdir() else 0o644
                if info.isreg():
                    with open(path, "rb") as handle:
                        tar.addfile(info, handle)
                else:
                    tar.addfile(info)


def read_files(layers, wanted):
    """The final content of the files for which ``wanted(path)`` is true, after applying
    ``layers`` (tar paths, base first) with OCI whiteouts (``.wh.<name>`` removes
    ``<name>``, ``.wh..wh..opq`` hides the lower layers' entries of its directory;
    image-spec ``layer.md``). Returns ``{path: bytes}`` (paths without a leading ``/``)."""
    found = {}
    for layer in layers:
        with tarfile.open(layer) as tar:
            members = tar.getmembers()
            for member in members:  # whiteouts of this layer apply to lower layers only
                folder, base = os.path.split(_clean(member.name))
                if base == ".wh..wh..opq":
                    prefix = folder + "/"
                    for path in [p for p in found if p.startswith(prefix)]:
                        del found[path]
                elif base.startswith(".wh."):
                    gone = os.path.join(folder, base[4:])
                    for path in [p for p in found if p == gone or p.startswith(gone + "/")]:
                        del found[path]
            for member in members:
                name = _clean(member.name)
                if os.path.basename(name).startswith(".wh."):
                    continue
                if member.isreg() and wanted(name):
                    found[name] = tar.extractfile(member).read()
                elif member.issym() and wanted(name):
                    found.pop(name, None)  # a link is not followed (SBOM inputs are regular files)
    return found


def _clean(name):
    """A layer entry name without a leading ``./`` or ``/``."""
    while name.startswith(("./", "/")):
        name = name[2:] if name.startswith("./") else name[1:]
    return name


def file_digest(path):
    """``sha256:<hex>`` of a file."""
    return _sha256_file(path)


def bytes_digest(data):
    """``sha256:<hex>`` of bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


__all__ = ["ArchiveError", "SavedImage", "normalize", "read_files", "rfc3339", "file_digest", "bytes_digest"]
