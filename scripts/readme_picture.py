#!/usr/bin/env python
"""Put the example fleet's picture (its fleet.mmd, Mermaid) into README.md between the
`<!-- fleet-picture:start -->` and `<!-- fleet-picture:end -->` markers.

    .venv/bin/python scripts/readme_picture.py [--check]

`make picture` runs it; --check exits 1 when the README's picture is stale (changes nothing).
"""
import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / ".collections"))

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import api, picture  # noqa: E402

README = REPO / "README.md"
EXAMPLE = REPO / "inventories" / "local" / "group_vars" / "all" / "fleet.yml"
START, END = "<!-- fleet-picture:start -->", "<!-- fleet-picture:end -->"


def block():
    """The README lines between the markers: a fenced Mermaid block of the example fleet."""
    fleet = api.load_spec(api.load_spec_file(str(EXAMPLE)))
    return "```mermaid\n" + picture.mermaid(picture.fleet_graph(fleet)) + "```\n"


def with_picture(text):
    head, sep, rest = text.partition(START + "\n")
    _old, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"{README}: the markers {START} and {END} are missing")
    return head + sep + block() + sep2 + tail


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the README's picture is stale")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    new = with_picture(text)
    if args.check:
        if new != text:
            print("README.md's fleet picture is stale: run `make picture`", file=sys.stderr)
            return 1
        return 0
    if new != text:
        README.write_text(new, encoding="utf-8")
        print("README.md: fleet picture updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
