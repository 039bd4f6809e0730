#!/usr/bin/env bash
# Extra virtualenvs for the older ansible-core lines this collection supports, next to
# the main .venv (ansible-core 2.19):
#   .venv-core2.17  from requirements-compat-2.17.txt  (ansible 10.7.0, ansible-core 2.17.x)
#   .venv-core2.18  from requirements-compat-2.18.txt  (ansible 11.13.0, ansible-core 2.18.x)
# Each file pins every package exactly (runtime and test set, transitive included).
# Idempotent: a venv whose stamp matches the sha256 of its requirements file is left
# alone (a warm run takes well under a second); a changed file rebuilds the venv from
# scratch so no package of an older pin set survives.
#
# Usage: bash scripts/compat-venvs.sh [2.17 2.18]   (default: every requirements-compat-*.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
log() { printf '[compat-venvs] %s\n' "$*"; }

versions=("$@")
if [ "${#versions[@]}" -eq 0 ]; then
  for f in requirements-compat-*.txt; do
    [ -e "$f" ] || continue
    v="${f#requirements-compat-}"
    versions+=("${v%.txt}")
  done
fi

for v in "${versions[@]}"; do
  req="requirements-compat-$v.txt"
  venv=".venv-core$v"
  [ -f "$req" ] || { log "no $req; known:" requirements-compat-*.txt; exit 2; }
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" = "$want" ] && [ -x "$venv/bin/ansible-playbook" ]; then
    log "$venv up to date ($("$venv/bin/python" -c 'import ansible; print("ansible-core", ansible.__version__)'))"
    continue
  fi
  start=$(date +%s)
  log "creating $venv from $req"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  # --no-deps would hide a pin set that does not hold together; resolve normally instead,
  # every package is pinned so the result is the file's exact set.
  # Bounded: 60 s per socket read, 3 retries per download, 20 min for the whole install.
  timeout 1200 "$venv/bin/pip" install -q --disable-pip-version-check --timeout 60 --retries 3 -r "$req" \
    2> >(grep -v "WARNING: Location" >&2)
  "$venv/bin/pip" check >/dev/null
  echo "$want" > "$venv/.requirements.sha256"
  log "$venv ready in $(( $(date +%s) - start )) s ($("$venv/bin/python" -c 'import ansible; print("ansible-core", ansible.__version__)'))"
done
