#!/usr/bin/env bash
# `make demo`, from the repository root:
# 1. validates and renders the example fleet (inventories/local) offline into build/demo/,
#    with its picture and what an apply would create (no server, no Docker);
# 2. when the Docker engine answers: starts a TLS registry on loopback
#    (127.0.0.1:$DEMO_REGISTRY_PORT, default 5000; Debian's docker-registry through
#    tests/support/registry.py, images kept in build/demo/registry/ across runs), then
#    playbooks/demo.yml builds the reference agent image from the local base image, pushes
#    it there, writes its build record and SBOM to build/demo/images/ and renders the
#    reference fleet with that record into build/demo/reference/; the registry is stopped
#    at the end.
# Without a Docker engine (or the base image, or docker-registry) step 2 is skipped with a
# line saying the image was NOT built and how to get what is missing; the exit status is
# then that of step 1. DEMO_DIR (default build/demo) moves every output (the tests use it).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${VENV:-.venv}/bin"
DEMO_DIR="$(realpath -m "${DEMO_DIR:-build/demo}")"
OUT="${DEMO_DIR#"$PWD"/}"   # as shown
PORT="${DEMO_REGISTRY_PORT:-5000}"
BASE_IMAGE="local/debian-systemd:bookworm"   # agent_image_base_image's default, built by scripts/ensure-docker.sh
log() { printf 'demo: %s\n' "$*"; }

"$BIN/ansible-playbook" playbooks/render.yml -e fleet_file="$PWD/inventories/local/group_vars/all/fleet.yml" \
  -e render_dir="$DEMO_DIR"
log "the example fleet's rendered files and picture (fleet.svg, fleet.mmd, fleet.dot) are in $OUT/"

missing=""
if ! command -v docker >/dev/null 2>&1; then
  missing="there is no docker command (Debian package docker.io)"
elif ! timeout 20 docker info >/dev/null 2>&1; then
  missing="the Docker engine does not answer"
elif ! timeout 20 docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  missing="the base image $BASE_IMAGE is not in the Docker engine"
elif ! command -v docker-registry >/dev/null 2>&1; then
  missing="there is no docker-registry command (Debian package docker-registry)"
fi
if [ -n "$missing" ]; then
  log "the reference agent image was NOT built: $missing."
  log "to build it, run \`make setup\` (as root: installs docker.io and docker-registry, starts the engine,"
  log "builds $BASE_IMAGE), or \`sudo bash scripts/ensure-docker.sh\` when the packages are installed; then \`make demo\` again."
  if [ -e "$DEMO_DIR/images/reference-agent.json" ]; then
    log "$OUT/images/ and $OUT/reference/ are left from an earlier run, not from this one."
  fi
  exit 0
fi

mkdir -p "$DEMO_DIR"
out="$DEMO_DIR/registry.out"
"$BIN/python" -m tests.support.registry --port "$PORT" --workdir "$DEMO_DIR/registry" >"$out" 2>&1 &
registry_pid=$!
stop_registry() {
  kill -TERM "$registry_pid" 2>/dev/null || true
  wait "$registry_pid" 2>/dev/null || true
}
trap stop_registry EXIT
for _ in $(seq 1 80); do   # Registry.start gives up after 30 s by itself
  grep -q '^REGISTRY_CA=' "$out" && break
  if ! kill -0 "$registry_pid" 2>/dev/null; then
    log "the demo registry did not start on 127.0.0.1:$PORT: $(tail -c 600 "$out")"
    log "another port: DEMO_REGISTRY_PORT=5001 make demo"
    exit 1
  fi
  sleep 0.5
done
ca="$(sed -n 's/^REGISTRY_CA=//p' "$out")"
if [ -z "$ca" ]; then
  log "the demo registry did not answer within 40 s; see $out"; exit 1
fi
log "registry 127.0.0.1:$PORT (TLS, CA $ca, images in $OUT/registry/)"

"$BIN/ansible-playbook" playbooks/demo.yml -e demo_registry="127.0.0.1:$PORT" -e demo_registry_ca="$ca" \
  -e demo_dir="$DEMO_DIR"
log "reference agent: build record and SBOM in $OUT/images/, the fleet that runs it in $OUT/reference/"
