#!/usr/bin/env bash
# Ensure a Docker engine answers and the local systemd base image(s) exist.
# Idempotent and cached: a second run takes seconds.
set -euo pipefail

IMAGE="${AGENTFLEET_BASE_IMAGE:-local/debian-systemd:bookworm}"
SUITE="${AGENTFLEET_BASE_SUITE:-bookworm}"
PACKAGES="python3,systemd,systemd-sysv,dbus,ca-certificates,iproute2,procps,sudo,unzip,curl"

log() { printf '[ensure-docker] %s\n' "$*"; }

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    log "must run as root to install or start the Docker engine"; exit 1
  fi
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if [ "${#missing[@]}" -gt 0 ]; then
    need_root
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

start_engine() {
  if docker info >/dev/null 2>&1; then return 0; fi
  need_root
  log "starting dockerd"
  # In its own session: a caller whose process group is killed (a timed-out job) must not
  # take the engine, and every container of other runs, down with it.
  setsid nohup dockerd >>/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  log "dockerd did not answer within 60 s; see /var/log/dockerd.log"; exit 1
}

debian_mirror() {
  local src=/etc/apt/sources.list.d/debian.sources
  if [ -f "$src" ]; then
    awk '/^URIs:/ {print $2; exit}' "$src"
  else
    awk '/^deb / {print $2; exit}' /etc/apt/sources.list
  fi
}

build_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    log "image $IMAGE present (cached)"; return 0
  fi
  need_root
  local root mirror
  root="$(mktemp -d /var/tmp/agentfleet-rootfs.XXXXXX)"
  mirror="$(debian_mirror)"
  log "building $IMAGE with debootstrap from $mirror (about 2 minutes)"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$mirror" >/var/log/agentfleet-debootstrap.log 2>&1 \
    || { log "debootstrap failed; see /var/log/agentfleet-debootstrap.log"; rm -rf "$root"; exit 1; }
  # No units that fight a container: getty, udev triggers.
  rm -f "$root"/etc/systemd/system/getty.target.wants/* || true
  apt_clean "$root"
  tar -C "$root" -c . | docker import -c 'CMD ["/lib/systemd/systemd"]' - "$IMAGE" >/dev/null
  rm -rf "$root"
  log "image $IMAGE built"
}

apt_clean() {
  rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/* || true
}

install_packages
start_engine
build_image
