#!/usr/bin/env bash
# Run `ansible-test sanity` offline. ansible-test needs the collection at
# .../ansible_collections/agentfleet/hashistack and under git, so copy the files git
# knows (tracked, plus untracked ones not ignored) into a scratch tree and run there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
VENV="${VENV:-$ROOT/.venv}"
WORK="$(mktemp -d /tmp/agentfleet-sanity.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
DEST="$WORK/ansible_collections/agentfleet/hashistack"
mkdir -p "$DEST"

git ls-files -z --cached --others --exclude-standard \
  | grep -zv '^\.collections/' \
  | xargs -0 cp --parents -P -t "$DEST" 2>/dev/null \
  || true  # files deleted in the work tree but still in the index are simply absent
cd "$DEST"
git init -q && git add -A && git -c user.email=ci@localhost -c user.name=ci commit -qm sanity

export PATH="$VENV/bin:$PATH"
ansible-test sanity --python 3.11 --local --color no "$@"
