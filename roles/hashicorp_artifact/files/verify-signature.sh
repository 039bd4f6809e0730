#!/bin/sh
# verify-signature.sh KEY.asc SIG FILE: gpgv-verify FILE against an ASCII-armoured key.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# De-armour: base64 body between the armour header's blank line and the CRC/footer.
python3 - "$1" "$tmp/key.gpg" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().strip().splitlines()
start = next(i for i, l in enumerate(lines) if not l.strip()) + 1
body = [l for l in lines[start:] if l and not l.startswith(("=", "-----"))]
open(sys.argv[2], "wb").write(base64.b64decode("".join(body)))
PY
if ! gpgv --keyring "$tmp/key.gpg" "$2" "$3" 2>"$tmp/gpgv.err"; then
  echo "the signature $2 does not verify $3 with the key in $1: give the release signer's" \
    "public key (hashicorp_artifact_gpg_key) and the checksum list it signed. gpgv said:" >&2
  sed 's/^gpgv: //' "$tmp/gpgv.err" >&2
  exit 1
fi
