#!/usr/bin/env python
"""Write the fleet spec's JSON Schema (derived from plugins/module_utils/fleet/schema.py).

    .venv/bin/python scripts/fleet_schema.py [--out docs/fleet-spec.schema.json] [--check]

`make schema` runs it; --check exits 1 when the committed file is stale (changes nothing).
"""
import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / ".collections"))

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import json_schema  # noqa: E402

DEFAULT_OUT = REPO / "docs" / "fleet-spec.schema.json"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if --out is not up to date")
    args = parser.parse_args()
    text = json_schema.text()
    current = args.out.read_text(encoding="utf-8") if args.out.is_file() else None
    if args.check:
        if current != text:
            print(f"{args.out} is stale: run `make schema`", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    if current != text:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(f"{args.out} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
