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
  "$BIN/ansible-doc" "$m" >/dev/null || { echo "doc-check: ansible-doc $m failed"; exit 1; }
done
for r in roles/*/meta/argument_specs.yml; do
  [ -e "$r" ] || continue
  role="$(basename "$(dirname "$(dirname "$r")")")"
  "$BIN/ansible-doc" -t role "agentfleet.hashistack.$role" >/dev/null \
    || { echo "doc-check: ansible-doc -t role $role failed"; exit 1; }
done
roles=(roles/*/meta/argument_specs.yml)
echo "doc-check: built $(basename "$tarball"); ${#modules[@]} modules and ${#roles[@]} roles documented"
