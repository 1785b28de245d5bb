#!/usr/bin/env bash
# Provisions what pare's engine and end-to-end tests need on a Debian 12 machine
# with no Docker Hub: Debian's docker.io with dockerd running, a local registry on
# 127.0.0.1:5000, and the pare-base/* images built from Debian's mirror (plus the
# stand-ins for Docker Hub and private bases that examples name, see BASE_IMAGES).
#
# Idempotent and safe to run repeatedly (and concurrently: a lock serialises runs).
# Everything that exists is reused; a base image is rebuilt only when its
# Dockerfile, its parent image or the host's CA bundle changed (a content key is
# stored in the image's labels). PARE_REBUILD=1 forces rebuilding every base image.
#
# Environment:
#   PARE_PROVISION_STATE  where logs and the registry config go (/var/lib/pare-ci)
#   PARE_REBUILD=1        rebuild all base images
#   PARE_BASES="a b"      build only these bases (names as in .ci/bases/NAME.Dockerfile)
set -euo pipefail

CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASES_DIR="$CI_DIR/bases"
STATE_DIR=${PARE_PROVISION_STATE:-/var/lib/pare-ci}
LOG_DIR="$STATE_DIR/log"
# Debian's 20.10 client: it has the classic builder and BuildKit via
# DOCKER_BUILDKIT=1. A newer docker earlier on PATH may lack buildx, so never
# rely on PATH order.
DOCKER=/usr/bin/docker
REGISTRY_ADDR=127.0.0.1:5000
HOST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
SUITE=bookworm
KEY_LABEL=org.pare.provision.key
REPLACED_LIST="${PARE_PROVISION_STATE:-/var/lib/pare-ci}/replaced-images"
START=$(date +%s)

log() { printf '[provision-engine %3ss] %s\n' "$(($(date +%s) - START))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "must run as root (no sudo available)"
  exec sudo -E "$0" "$@"
fi

mkdir -p "$LOG_DIR"
exec 9>"$STATE_DIR/provision.lock"
flock 9

# ---------------------------------------------------------------- packages
PACKAGES=(docker.io mmdebstrap docker-registry skopeo pigz zstd chromium curl ca-certificates strace
  podman crun conmon slirp4netns fuse-overlayfs uidmap catatonit netavark aardvark-dns)

install_missing_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "packages: all present"
    return
  fi
  log "packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d stops the packages' init scripts from trying to start daemons
  # here; this script starts what it needs itself.
  local policy=/usr/sbin/policy-rc.d created_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOG_DIR/apt-install.log" 2>&1 ||
    { tail -n 30 "$LOG_DIR/apt-install.log" >&2; [ -n "$created_policy" ] && rm -f "$policy"; die "apt-get install failed"; }
  [ -n "$created_policy" ] && rm -f "$policy"
  [ -x "$DOCKER" ] || die "$DOCKER missing after installing docker.io"
}

# ---------------------------------------------------------------- dockerd
docker_answers() { timeout 10 "$DOCKER" info >/dev/null 2>&1; }

ensure_dockerd() {
  if docker_answers; then
    log "dockerd: running"
    return
  fi
  case "${DOCKER_HOST:-unix:///var/run/docker.sock}" in
    unix:///var/run/docker.sock) ;;
    *) die "DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local dockerd for a remote engine" ;;
  esac
  local pid_file=/var/run/docker.pid
  if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    log "dockerd: process exists but does not answer yet; waiting"
  elif [ -d /run/systemd/system ]; then
    log "dockerd: starting docker.service"
    systemctl start docker.service 9>&- || die "systemctl start docker.service failed"
  else
    log "dockerd: starting (log: $LOG_DIR/dockerd.log)"
    # setsid + nohup: dockerd must outlive this script and the CI step's shell;
    # 9>&- : it must not inherit (and hold forever) the provisioning lock.
    setsid nohup /usr/sbin/dockerd >>"$LOG_DIR/dockerd.log" 2>&1 </dev/null 9>&- &
  fi
  local i
  for i in $(seq 1 60); do
    docker_answers && { log "dockerd: up after ${i}s"; return; }
    sleep 1
  done
  tail -n 30 "$LOG_DIR/dockerd.log" >&2 || true
  die "dockerd did not answer within 60 s (see $LOG_DIR/dockerd.log)"
}

# ---------------------------------------------------------------- registry
registry_answers() { curl -fsS -o /dev/null --max-time 3 "http://$REGISTRY_ADDR/v2/" 2>/dev/null; }

ensure_registry() {
  if registry_answers; then
    log "registry: answering on $REGISTRY_ADDR"
    return
  fi
  # Our own config rather than the package's /etc/docker/registry/config.yml:
  # that one listens on every interface and enables htpasswd auth with no
  # password file. Tests want plain http on loopback only.
  local config="$STATE_DIR/registry.yml"
  mkdir -p "$STATE_DIR/registry"
  cat >"$config" <<EOF
version: 0.1
log:
  level: warn
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $STATE_DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  log "registry: starting /usr/bin/docker-registry on $REGISTRY_ADDR (log: $LOG_DIR/registry.log)"
  setsid nohup /usr/bin/docker-registry serve "$config" >>"$LOG_DIR/registry.log" 2>&1 </dev/null 9>&- &
  local i
  for i in $(seq 1 30); do
    registry_answers && { log "registry: up"; return; }
    sleep 0.5
  done
  tail -n 20 "$LOG_DIR/registry.log" >&2 || true
  die "registry did not answer on $REGISTRY_ADDR within 15 s"
}

# ---------------------------------------------------------------- base images
# name|tag|parent name ('' for the mmdebstrap root)|other tags. The Dockerfile is
# bases/NAME.Dockerfile. The other tags are the Docker Hub names that examples'
# Dockerfiles use as real projects write them (node:20-slim, golang:1.22, …):
# local stand-ins built from Debian's packages, since Docker Hub is unreachable
# (each example's README says which stand-in its tags are). The acme-* images
# stand in for private company bases that no catalogue knows. On a machine that
# has the real images, these tags move to the stand-ins; the real images stay.
BASE_IMAGES=(
  "debian|pare-base/debian:bookworm||"
  "debian-slim|pare-base/debian:bookworm-slim|debian|debian:bookworm-slim debian:buster-slim"
  "golang|pare-base/golang:bookworm|debian|golang:1.22"
  "gcc|pare-base/gcc:bookworm|debian|"
  "rust|pare-base/rust:bookworm|debian|"
  "python|pare-base/python:bookworm|debian|"
  "python-slim|pare-base/python:slim-bookworm|debian-slim|"
  "node|pare-base/node:bookworm|debian|"
  "java|pare-base/java:bookworm|debian|"
  "jre|pare-base/jre:bookworm|debian-slim|"
  "hub-node|node:20|node|node:latest"
  "hub-node-slim|node:20-slim|hub-node|node:16-slim"
  "hub-node20-slim|node:20.20-bookworm-slim|debian-slim|"
  "acme-python|registry.acme.internal/platform/python-base:3.11|python|"
  "acme-node|acme/node-toolchain:18|node|"
)

base_field() { # base_field NAME FIELD(1=tag 2=parent 3=other tags)
  local entry name tag parent aliases
  for entry in "${BASE_IMAGES[@]}"; do
    IFS='|' read -r name tag parent aliases <<<"$entry"
    if [ "$name" = "$1" ]; then
      case "$2" in 1) echo "$tag" ;; 2) echo "$parent" ;; *) echo "$aliases" ;; esac
      return
    fi
  done
  die "unknown base image $1"
}

# Points the entry's other tags at the image its main tag names (only those
# that point elsewhere or nowhere; the image they left is untagged, and
# remove_replaced drops it when its main tag was rebuilt).
tag_aliases() {
  local name=$1 tag id alias
  tag=$(base_field "$name" 1)
  id=$(image_id "$tag")
  for alias in $(base_field "$name" 3); do
    if [ "$(image_id "$alias")" != "$id" ]; then
      "$DOCKER" tag "$tag" "$alias" || { log "$alias: docker tag $tag $alias FAILED"; return 1; }
      log "$alias: tagged (same image as $tag)"
    fi
  done
}

image_id() { "$DOCKER" image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
image_key() { "$DOCKER" image inspect -f "{{index .Config.Labels \"$KEY_LABEL\"}}" "$1" 2>/dev/null || true; }

# Mirror lines for mmdebstrap, taken from the host's apt sources so the images use
# the same mirror as the host (PARE_DEBIAN_MIRROR overrides the main archive).
debian_mirror_lines() {
  local main="${PARE_DEBIAN_MIRROR:-}" security="" uris
  # Only active entries: deb822 "URIs:" fields and one-line "deb" entries.
  uris=$({ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
    sed -nE 's/^URIs:[[:space:]]*//p; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' | tr ' ' '\n')
  if [ -z "$main" ]; then
    main=$(grep -E '/debian/?$' <<<"$uris" | head -n 1 || true)
  fi
  main=${main:-http://deb.debian.org/debian}
  main=${main%/}
  security=$(grep -E '/debian-security/?$' <<<"$uris" | head -n 1 || true)
  security=${security:-${main%/debian}/debian-security}
  security=${security%/}
  printf '%s\n' "deb $main $SUITE main" "deb $main $SUITE-updates main" "deb $security $SUITE-security main"
}

# A proxy configured for the host's apt must also apply inside mmdebstrap's chroot.
apt_proxy_options() {
  apt-config dump 2>/dev/null | grep -iE '^Acquire::(http|https)::Proxy ' || true
}

# The key decides whether an existing image is current: it covers the Dockerfile,
# the parent's image ID and, for the root, the mmdebstrap inputs.
provision_key() {
  local name=$1 parent
  parent=$(base_field "$name" 2)
  {
    cat "$BASES_DIR/$name.Dockerfile"
    [ "$name" = hub-node20-slim ] && host_node_identity
    if [ -n "$parent" ]; then
      image_id "$(base_field "$parent" 1)"
    else
      debian_mirror_lines
      apt_proxy_options
      sha256sum <"$HOST_CA_BUNDLE"
      cat "$BASES_DIR/apt-docker.conf"
      echo "mmdebstrap --variant=minbase --hook-dir=merged-usr rm-bin $SUITE"
    fi
  } | sha256sum | cut -c1-16
}

# The machine's Node build, which the node:20.20-bookworm-slim stand-in carries.
HOST_NODE=/usr/bin/node
HOST_NPM=/usr/lib/node_modules/npm
host_node_identity() { "$HOST_NODE" --version; sha256sum <"$HOST_NODE"; cat "$HOST_NPM/package.json"; }
stage_host_node() {
  local context=$1
  [ -x "$HOST_NODE" ] && [ -d "$HOST_NPM" ] || die "no Node build at $HOST_NODE and $HOST_NPM for the node:20 stand-in"
  cp "$HOST_NODE" "$context/node"
  cp -a "$HOST_NPM" "$context/npm"
}

# Builds the root filesystem tarball for pare-base/debian into $1.
make_debian_rootfs() {
  local context=$1 mirrors=() opts=() line
  mapfile -t mirrors < <(debian_mirror_lines)
  [ "${#mirrors[@]}" -gt 0 ] || die "could not work out the Debian mirror"
  while IFS= read -r line; do [ -n "$line" ] && opts+=("--aptopt=$line"); done < <(apt_proxy_options)
  log "debian: mmdebstrap --variant=minbase $SUITE from ${mirrors[0]#deb }"
  # stdin from /dev/null: without a tty, mmdebstrap would read sources from stdin.
  # The merged-usr hook sets up the merged /usr layout itself (as debuerreotype
  # does for the official images); otherwise bookworm pulls in the usrmerge
  # package, which drags full perl (~55 MB) into every image.
  mmdebstrap --variant=minbase --mode=root --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr "${opts[@]}" \
    --customize-hook='mkdir -p "$1/etc/ssl/certs" "$1/usr/local/share/ca-certificates"' \
    --customize-hook="copy-in $HOST_CA_BUNDLE /etc/ssl/certs" \
    --customize-hook="upload $HOST_CA_BUNDLE /usr/local/share/ca-certificates/pare-host-bundle.crt" \
    --customize-hook="upload $BASES_DIR/apt-docker.conf /etc/apt/apt.conf.d/docker-clean" \
    --customize-hook='rm -f "$1"/var/cache/apt/*.bin' \
    "$SUITE" "$context/rootfs.tar" "${mirrors[@]}" </dev/null >"$LOG_DIR/mmdebstrap.log" 2>&1 ||
    { tail -n 30 "$LOG_DIR/mmdebstrap.log" >&2; die "mmdebstrap failed (see $LOG_DIR/mmdebstrap.log)"; }
}

# build_base NAME: builds one base image unless an image with the same key exists.
build_base() {
  local name=$1 tag key context status=0 started previous
  tag=$(base_field "$name" 1)
  key=$(provision_key "$name")
  if [ -z "${PARE_REBUILD:-}" ] && [ "$(image_key "$tag")" = "$key" ]; then
    log "$tag: up to date"
    tag_aliases "$name"
    return
  fi
  started=$(date +%s)
  previous=$(image_id "$tag")
  context=$(mktemp -d "${TMPDIR:-/tmp}/pare-base-$name.XXXXXX")
  build_in_context "$name" "$tag" "$key" "$context" || status=$?
  rm -rf "$context"
  [ "$status" -eq 0 ] || return "$status"
  log "$tag: built in $(($(date +%s) - started))s"
  # The image this one replaced is now untagged: remember it for remove_replaced,
  # if this script built it (a real node:20 pulled from Docker Hub is left alone).
  if [ -n "$previous" ] && [ "$previous" != "$(image_id "$tag")" ] && [ -n "$(image_key "$previous")" ]; then
    echo "$previous" >>"$REPLACED_LIST"
  fi
  tag_aliases "$name"
}

# Drops the images rebuilt ones replaced, so reprovisioning does not pile up GBs.
# Newest first: an old parent can only go once its old children are gone. An
# image still used (by a container, or a user's image built on it) stays.
remove_replaced() {
  [ -s "$REPLACED_LIST" ] || return 0
  local id
  tac "$REPLACED_LIST" | while read -r id; do
    "$DOCKER" image rm "$id" >/dev/null 2>&1 || log "kept replaced image $id (still in use)"
  done
  rm -f "$REPLACED_LIST"
}

build_in_context() {
  local name=$1 tag=$2 key=$3 context=$4 parent
  parent=$(base_field "$name" 2)
  [ -z "$parent" ] && make_debian_rootfs "$context"
  [ "$name" = hub-node20-slim ] && stage_host_node "$context"
  local args=(build --progress=plain --label "$KEY_LABEL=$key" -t "$tag" -f "$BASES_DIR/$name.Dockerfile")
  [ -n "$parent" ] && args+=(--build-arg "BASE=$(base_field "$parent" 1)")
  log "$tag: building (log: $LOG_DIR/build-$name.log)"
  if ! DOCKER_BUILDKIT=1 "$DOCKER" "${args[@]}" "$context" >"$LOG_DIR/build-$name.log" 2>&1; then
    tail -n 30 "$LOG_DIR/build-$name.log" >&2
    log "$tag: build FAILED"
    return 1
  fi
}

# Images on the same parent build concurrently, at most PARE_BUILD_JOBS at once:
# their time is mostly apt downloads and dpkg unpacking, which overlap well even
# on 2 cores.
build_concurrently() {
  local max=${PARE_BUILD_JOBS:-4} running=0 failed=0 name
  for name in "$@"; do
    if [ "$running" -ge "$max" ]; then
      wait -n || failed=1
      running=$((running - 1))
    fi
    build_base "$name" &
    running=$((running + 1))
  done
  while [ "$running" -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
  done
  return "$failed"
}

selected() { [ -z "${PARE_BASES:-}" ] || [[ " $PARE_BASES " == *" $1 "* ]]; }

# PARE_BASES=hub-node-slim alone still needs its parents when they are missing.
add_missing_parents() {
  local entry name parent
  [ -n "${PARE_BASES:-}" ] || return 0
  for entry in "${BASE_IMAGES[@]}"; do
    name=${entry%%|*}
    selected "$name" || continue
    parent=$(base_field "$name" 2)
    while [ -n "$parent" ] && ! selected "$parent" && [ -z "$(image_id "$(base_field "$parent" 1)")" ]; do
      PARE_BASES="$PARE_BASES $parent"
      parent=$(base_field "$parent" 2)
    done
  done
}

build_bases() {
  local children=() grandchildren=() great=() name
  add_missing_parents
  # Longest builds first (node: hundreds of small packages), so they start early.
  for name in node java rust python golang gcc jre python-slim hub-node20-slim; do selected "$name" && children+=("$name"); done
  # On pare-base/node:bookworm and pare-base/python:bookworm, then on node:20.
  for name in acme-python acme-node hub-node; do selected "$name" && grandchildren+=("$name"); done
  for name in hub-node-slim; do selected "$name" && great+=("$name"); done
  build_base debian || die "pare-base/debian:bookworm failed to build"
  build_base debian-slim || die "pare-base/debian:bookworm-slim failed to build"
  build_concurrently "${children[@]}" || die "some base images failed to build (logs in $LOG_DIR)"
  build_concurrently "${grandchildren[@]}" || die "some base images failed to build (logs in $LOG_DIR)"
  build_concurrently "${great[@]}" || die "some base images failed to build (logs in $LOG_DIR)"
}

print_sizes() {
  local entry tag aliases
  log "base images:"
  for entry in "${BASE_IMAGES[@]}"; do
    tag=$(base_field "${entry%%|*}" 1)
    aliases=$(base_field "${entry%%|*}" 3)
    "$DOCKER" image inspect -f "{{.Size}}" "$tag" 2>/dev/null |
      awk -v t="$tag" -v a="${aliases:+  also $aliases}" '{ printf "  %-32s %8.1f MB  (%d bytes)%s\n", t, $1 / 1e6, $1, a }' >&2 ||
      printf '  %-32s missing\n' "$tag" >&2
  done
}

# ---------------------------------------------------------------- podman
# pare's podman tests (PARE_PODMAN_TESTS=1) use rootful podman beside dockerd:
# daemonless, its own storage and bridge (podman0, 10.88.0.0/16), nothing of
# Docker's touched. Root here lacks CAP_SYS_RESOURCE, so podman's default
# ulimits (1048576 files) cannot be set, and crun refuses the hybrid cgroup
# layout; this drop-in makes podman ask for what the machine allows and use runc.
PODMAN_IMAGES=(pare-base/debian:bookworm pare-base/debian:bookworm-slim pare-base/gcc:bookworm)

ensure_podman() {
  command -v podman >/dev/null || die "podman missing after installing packages"
  local conf=/etc/containers/containers.conf.d/50-pare-ci.conf
  local files procs
  files=$(ulimit -Hn); [ "$files" = unlimited ] || [ "$files" -gt 1048576 ] && files=1048576
  procs=$(ulimit -Hu); [ "$procs" = unlimited ] || [ "$procs" -gt 32768 ] && procs=32768
  local wanted
  wanted=$(printf '# Written by pare/.ci/provision-engine.sh for the podman tests.\n[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n\n[engine]\nruntime = "runc"\n' "$files" "$files" "$procs" "$procs")
  if [ "$(cat "$conf" 2>/dev/null)" != "$wanted" ]; then
    mkdir -p "$(dirname "$conf")"
    printf '%s\n' "$wanted" >"$conf"
    log "podman: wrote $conf"
  fi
  local image docker_id podman_id
  for image in "${PODMAN_IMAGES[@]}"; do
    docker_id=$(image_id "$image")
    podman_id=$(podman image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
    if [ "$docker_id" != "sha256:$podman_id" ]; then
      log "podman: loading $image from docker"
      "$DOCKER" save "$image" | podman load -q >/dev/null || die "podman load of $image failed"
    fi
  done
  timeout 60 podman run --rm pare-base/debian:bookworm true || die "podman cannot run a container (see $conf)"
  log "podman: ready"
}

install_missing_packages
ensure_dockerd
ensure_registry
build_bases
remove_replaced
ensure_podman
print_sizes
log "done in $(($(date +%s) - START))s"
