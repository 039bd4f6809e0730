"""Print one closing line over a test run: pytest junit files plus Molecule scenarios.

Usage: python scripts/test_summary.py build/junit
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def main(folder):
    folder = Path(folder)
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    for xml in sorted(folder.glob("*.xml")):
        for suite in ET.parse(xml).getroot().iter("testsuite"):
            tests = int(suite.get("tests", 0))
            failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skipped = int(suite.get("skipped", 0))
            totals["failed"] += failed
            totals["skipped"] += skipped
            totals["passed"] += tests - failed - skipped
            print(f"  {xml.stem}: {tests - failed - skipped} passed, {failed} failed, {skipped} skipped")
    molecule = folder / "molecule.txt"
    if molecule.exists():
        for line in molecule.read_text().split("\n"):
            if line.strip():
                name, seconds = line.split()
                totals["passed"] += 1
                print(f"  molecule {name}: passed in {seconds} s")
    print(f"summary: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    return 1 if totals["failed"] or not totals["passed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/junit"))
