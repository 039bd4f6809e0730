#!/usr/bin/env bash
# The collection builds, installs from its tarball, and ansible-doc renders every
# module and role entry point from the installed copy (not the working tree).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"
WORK="$(mktemp -d /tmp/agentfleet-doc.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

"$BIN/ansible-galaxy" collection build --force --output-path "$WORK" . >/dev/null
tarball="$(ls "$WORK"/agentfleet-hashistack-*.tar.gz)"
# Test infrastructure (contract servers and other stand-ins) must never be shipped.
if tar -tzf "$tarball" | grep -E '^tests/(support|unit|integration|hostile_specs|conformance)/' | head -3 | grep -q .; then
  echo "doc-check: the tarball ships test infrastructure:"; tar -tzf "$tarball" | grep -E '^tests/' | head; exit 1
fi
ANSIBLE_COLLECTIONS_PATH="$WORK/collections" "$BIN/ansible-galaxy" collection install --force -p "$WORK/collections" "$tarball" >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$WORK/collections"
printf "[defaults]\n" > "$WORK/ansible.cfg"
export ANSIBLE_CONFIG="$WORK/ansible.cfg"

modules=()
for f in plugins/modules/*.py; do
  [ -e "$f" ] || continue
  modules+=("agentfleet.hashistack.$(basename "$f" .py)")
done
listed="$("$BIN/ansible-doc" -l agentfleet.hashistack 2>/dev/null | awk '{print $1}' | sort || true)"
for m in "${modules[@]}"; do
  grep -qx "$m" <<<"$listed" || { echo "doc-check: $m missing from ansible-doc -l"; exit 1; }
done
roles=()
for r in roles/*/meta/argument_specs.yml; do
  [ -e "$r" ] || continue
  roles+=("agentfleet.hashistack.$(basename "$(dirname "$(dirname "$r")")")")
done
# One ansible-doc call per plugin type (each start costs ~1 s). ansible-doc only warns on
# a plugin it cannot load, so the check is: rc 0, no warning or error, and (for the
# JSON form) every name present with its documentation (roles: their entry points).
check_docs() {  # TYPE NAME...
  local type="$1"; shift
  if ! "$BIN/ansible-doc" -t "$type" "$@" >/dev/null 2>"$WORK/doc.err" || grep -q . "$WORK/doc.err"; then
    echo "doc-check: ansible-doc -t $type failed:"; cat "$WORK/doc.err"; exit 1
  fi
  "$BIN/ansible-doc" -t "$type" --json "$@" 2>/dev/null | "$BIN/python" -c '
import json, sys
docs = json.load(sys.stdin)
missing = [name for name in sys.argv[1:]
           if not any((docs.get(name) or {}).get(key) for key in ("doc", "entry_points"))]
if missing:
    sys.exit("doc-check: no documentation rendered for %s" % ", ".join(missing))' "$@" || exit 1
}
check_docs module "${modules[@]}"
check_docs role "${roles[@]}"
echo "doc-check: built $(basename "$tarball"); ${#modules[@]} modules and ${#roles[@]} roles documented"
