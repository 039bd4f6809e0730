#!/usr/bin/env bash
# Run Molecule scenarios, JOBS at a time (each in its own containers and network), one log
# per scenario under build/molecule/; print each log when its scenario ends, append
# "<scenario> <seconds>" to build/junit/molecule.txt for each that passed, and exit 1 if
# any failed. Usage: scripts/molecule-parallel.sh JOBS SCENARIO...
set -uo pipefail
jobs="$1"; shift
molecule="${MOLECULE:-.venv/bin/molecule}"
mkdir -p build/molecule build/junit
failed=()

run_one() {
  local s="$1" start rc
  start=$(date +%s)
  "$molecule" test -s "$s" >"build/molecule/$s.log" 2>&1
  rc=$?
  echo "$rc $(( $(date +%s) - start ))" >"build/molecule/$s.rc"
}

report() {
  local s="$1" rc secs
  read -r rc secs <"build/molecule/$s.rc"
  echo "=== molecule $s: log build/molecule/$s.log"
  cat "build/molecule/$s.log"
  if [ "$rc" -eq 0 ]; then
    echo "=== molecule $s passed in $secs s"
    echo "$s $secs" >>build/junit/molecule.txt
  else
    echo "=== molecule $s FAILED (rc=$rc) after $secs s"
    failed+=("$s")
  fi
}

declare -A pid_of=()
pending=("$@")
while [ "${#pending[@]}" -gt 0 ] || [ "${#pid_of[@]}" -gt 0 ]; do
  while [ "${#pending[@]}" -gt 0 ] && [ "${#pid_of[@]}" -lt "$jobs" ]; do
    s="${pending[0]}"; pending=("${pending[@]:1}")
    rm -f "build/molecule/$s.rc"
    echo "=== molecule test -s $s (started $(date -u +%H:%M:%S))"
    run_one "$s" & pid_of[$s]=$!
  done
  wait -n || true
  for s in "${!pid_of[@]}"; do
    if [ -f "build/molecule/$s.rc" ] && ! kill -0 "${pid_of[$s]}" 2>/dev/null; then
      unset "pid_of[$s]"; report "$s"
    fi
  done
done
if [ "${#failed[@]}" -gt 0 ]; then echo "=== molecule failed: ${failed[*]}"; exit 1; fi
