# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CycloneDX bill of materials of an image's file system (plain Python, no Ansible imports).

What is listed is what is installed in the final layers, read from the files the
package managers keep (``archive.read_files`` applies the layers and whiteouts):

* Debian packages: ``var/lib/dpkg/status`` paragraphs whose ``Status`` is
  ``install ok installed`` (dpkg(1) "package states"; the same set ``dpkg-query -W``
  lists), with ``Package``, ``Version``, ``Architecture``; purl
  ``pkg:deb/<ID>/<name>@<version>?arch=<arch>&distro=<ID>-<VERSION_ID>`` with ``ID`` and
  ``VERSION_ID`` from ``etc/os-release`` (purl-spec ``PURL-TYPES.rst``, type ``deb``).
* Python distributions: every ``*.dist-info/METADATA`` (and Debian's ``*.egg-info``
  ``PKG-INFO``), ``Name`` and ``Version`` (core metadata spec); purl
  ``pkg:pypi/<normalised name>@<version>`` (name normalised as PEP 503: runs of
  ``-_.`` become ``-``, lower case).

The document is deterministic, so that its digest can be labelled into the image
without depending on the build: no wall-clock time (``metadata.timestamp`` is the
source date), a serial number derived from the content (UUID 5), ``bom-ref`` = purl.
Written with cyclonedx-python-lib (spec 1.6 JSON).
"""
from __future__ import annotations

import email.parser
import re
import uuid
from datetime import datetime, timezone

try:
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL
    HAS_CYCLONEDX = True
    CYCLONEDX_IMPORT_ERROR = None
except ImportError as exc:  # reported by the module through missing_required_lib
    HAS_CYCLONEDX = False
    CYCLONEDX_IMPORT_ERROR = exc

DPKG_STATUS = "var/lib/dpkg/status"
OS_RELEASE = ("etc/os-release", "usr/lib/os-release")
SERIAL_NAMESPACE = uuid.UUID("6f1b3c1e-4c43-5b8e-9a55-2f0e0c7a1d42")  # agentfleet SBOM serials (UUID 5)


def wanted(path):
    """True for the files the bill of materials is made from."""
    return (path == DPKG_STATUS or path in OS_RELEASE or path.endswith(".dist-info/METADATA")
            or (".egg-info/" in path and path.endswith("/PKG-INFO")) or path.endswith(".egg-info"))


def os_release(files):
    """``{"ID": ..., "VERSION_ID": ...}`` from ``etc/os-release`` (os-release(5))."""
    for path in OS_RELEASE:
        if path in files:
            out = {}
            for line in files[path].decode("utf-8", "replace").splitlines():
                key, sep, value = line.partition("=")
                if sep:
                    out[key.strip()] = value.strip().strip('"').strip("'")
            return out
    return {}


def dpkg_packages(status):
    """``[(name, version, arch)]`` installed according to a dpkg ``status`` file (bytes)."""
    out = []
    for paragraph in re.split(r"\n\s*\n", status.decode("utf-8", "replace")):
        fields = {}
        for line in paragraph.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue  # continuation lines (Description, Conffiles)
            key, value = line.split(":", 1)
            fields[key.strip()] = value.strip()
        if fields.get("Package") and fields.get("Status", "").split()[-1:] == ["installed"]:
            out.append((fields["Package"], fields.get("Version", ""), fields.get("Architecture", "")))
    return sorted(out)


def python_distributions(files):
    """``[(name, version, path)]`` of the Python distributions found in ``files``."""
    out = []
    for path, data in files.items():
        if path.endswith(".dist-info/METADATA") or path.endswith("/PKG-INFO") or path.endswith(".egg-info"):
            meta = email.parser.BytesParser().parsebytes(data, headersonly=True)
            if meta.get("Name") and meta.get("Version"):
                out.append((meta["Name"], meta["Version"], path))
    return sorted(out)


def pep503(name):
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def build_bom(files, name, version, epoch, properties=None):
    """The CycloneDX JSON (str, spec 1.6) of ``files`` (``{path: bytes}`` from
    ``archive.read_files(layers, wanted)``). ``name``/``version``: the image's;
    ``epoch``: int seconds, the document's timestamp; ``properties``: extra
    ``{name: value}`` on the image component. Returns ``(json_text, counts)`` with
    ``counts = {"deb": n, "pypi": n, "total": n}``."""
    release = os_release(files)
    distro_id = release.get("ID", "debian")
    distro = "%s-%s" % (distro_id, release["VERSION_ID"]) if release.get("VERSION_ID") else distro_id
    components = []
    debs = dpkg_packages(files.get(DPKG_STATUS, b""))
    for pkg, ver, arch in debs:
        qualifiers = {"arch": arch, "distro": distro} if arch else {"distro": distro}
        purl = PackageURL(type="deb", namespace=distro_id, name=pkg, version=ver, qualifiers=qualifiers)
        components.append(Component(name=pkg, version=ver, type=ComponentType.LIBRARY if pkg.startswith("lib")
                                    else ComponentType.APPLICATION, purl=purl, bom_ref=purl.to_string(),
                                    properties=[Property(name="agentfleet:package-manager", value="dpkg")]))
    seen = set()
    pythons = []
    for dist, ver, path in python_distributions(files):
        purl = PackageURL(type="pypi", name=pep503(dist), version=ver)
        if purl.to_string() in seen:
            continue
        seen.add(purl.to_string())
        pythons.append(dist)
        components.append(Component(name=dist, version=ver, type=ComponentType.LIBRARY, purl=purl,
                                    bom_ref=purl.to_string(),
                                    properties=[Property(name="agentfleet:package-manager", value="python"),
                                                Property(name="agentfleet:metadata-path", value="/" + path)]))
    image = Component(name=name, version=version, type=ComponentType.CONTAINER, bom_ref="image:%s" % name,
                      properties=[Property(name=k, value=str(v)) for k, v in sorted((properties or {}).items())])
    content = "\n".join(c.bom_ref.value for c in components) + "\n%s %s" % (name, version)
    bom = Bom(components=components,
              serial_number=uuid.uuid5(SERIAL_NAMESPACE, content),
              metadata=BomMetaData(component=image, timestamp=datetime.fromtimestamp(int(epoch), timezone.utc)))
    bom.register_dependency(image, components)
    text = JsonV1Dot6(bom).output_as_string(indent=2)
    return text, {"deb": len(debs), "pypi": len(pythons), "total": len(components)}
