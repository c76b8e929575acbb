#!/usr/bin/env bash
# A real Docker engine and two registries for dockwire's tests, on a private socket and loopback.
#
#   scripts/engine.sh up     reuse or start everything; prints KEY=VALUE lines (also kept in .engine/env)
#   scripts/engine.sh down   stops exactly the processes `up` started (by pid), nothing else
#   scripts/engine.sh env    prints .engine/env
#
# With DOCKWIRE_ENGINE=podman, `up` starts Podman's Docker-compatible API service instead of
# dockerd (its own storage under .engine/podman, containers without a network by default, the
# loopback registries marked insecure), for running the same tests against a second engine.
#
# `up` reuses the engine DOCKER_HOST points at when it answers; otherwise it installs what is
# missing from Debian's packages (when run as root with apt), starts dockerd with its data root
# inside the project and no bridge network (traffic must stay on loopback), starts an open
# registry and an htpasswd-protected one on free loopback ports, and imports a small base image
# made from busybox-static, so no test ever pulls from a public registry.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
dir=${DOCKWIRE_ENGINE_DIR:-$here/.engine}
# a unix socket path must fit in 108 bytes; a deep checkout gets a short folder under /tmp
if [ -z "${DOCKWIRE_ENGINE_DIR:-}" ] && [ "${#dir}" -ge 90 ]; then
  dir=/tmp/dockwire-engine-$(printf '%s' "$here" | md5sum | cut -c1-12)
fi
kind=${DOCKWIRE_ENGINE:-docker}
base_image=dockwire-test/busybox:latest
# Podman names local images localhost/...: tests use the fully qualified name there
[ "$kind" = podman ] && base_image=localhost/dockwire-test/busybox:latest
auth_user=dockwire

log() { printf 'engine: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ping SOCKET_OR_TCP_URL -> exit 0 when GET /_ping answers OK
ping_engine() {
  local host=$1
  case "$host" in
    unix://*) curl -fsS --max-time 2 --unix-socket "${host#unix://}" http://docker/_ping >/dev/null 2>&1 ;;
    /*) curl -fsS --max-time 2 --unix-socket "$host" http://docker/_ping >/dev/null 2>&1 ;;
    tcp://*) curl -fsS --max-time 2 "http://${host#tcp://}/_ping" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

install_missing() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  command -v docker-registry >/dev/null || need+=(docker-registry)
  [ -x /bin/busybox ] || need+=(busybox-static)
  command -v htpasswd >/dev/null || need+=(apache2-utils)
  command -v curl >/dev/null || need+=(curl)
  command -v openssl >/dev/null || need+=(openssl)
  # ssh:// tests: a client, and a server the tests start on a loopback port
  command -v ssh >/dev/null || need+=(openssh-client)
  [ -x /usr/sbin/sshd ] || need+=(openssh-server)
  [ "$kind" = podman ] && ! command -v podman >/dev/null && need+=(podman)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    die "missing ${need[*]}: install them (Debian: apt-get install ${need[*]}) or point DOCKER_HOST at an engine"
  fi
  log "installing ${need[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  # the packages must not start system services (there is no init system here anyway)
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 || die "apt-get install ${need[*]} failed"
}

start_dockerd() {
  local sock=$dir/docker.sock
  mkdir -p "$dir/root" "$dir/exec"
  if alive "$dir/dockerd.pid" && ping_engine "unix://$sock"; then
    log "reusing dockerd (pid $(cat "$dir/dockerd.pid"))"
    return 0
  fi
  log "starting dockerd on unix://$sock"
  # setsid: the engine outlives this script; it is stopped by `down`, by pid.
  setsid dockerd \
    --data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
    -H "unix://$sock" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --log-level=warn >"$dir/dockerd.log" 2>&1 </dev/null &
  echo $! >"$dir/dockerd.pid"
  wait_for_engine dockerd "unix://$sock" "$dir/dockerd.log"
}

# wait_for_engine NAME HOST LOG: until /_ping answers (30 s), failing early if NAME's process exits
wait_for_engine() {
  local name=$1 host=$2 logfile=$3
  for _ in $(seq 1 150); do
    ping_engine "$host" && return 0
    alive "$dir/$name.pid" || { tail -20 "$logfile" >&2; die "$name exited"; }
    sleep 0.2
  done
  tail -20 "$logfile" >&2
  die "$name did not answer /_ping within 30 s"
}

start_podman() {
  local pd=$dir/podman sock=$dir/podman/podman.sock
  mkdir -p "$pd"
  if alive "$dir/podman.pid" && ping_engine "unix://$sock"; then
    log "reusing podman (pid $(cat "$dir/podman.pid"))"
    return 0
  fi
  # no network for containers (nothing may reach a private-range address), cgroupfs (no systemd)
  printf '[containers]\nnetns = "none"\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$pd/containers.conf"
  {
    echo 'unqualified-search-registries = []'
    for r in "$REGISTRY" "$AUTH_REGISTRY" "$(auth_registry_name)"; do printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$r"; done
  } >"$pd/registries.conf"
  log "starting podman on unix://$sock"
  CONTAINERS_CONF=$pd/containers.conf CONTAINERS_REGISTRIES_CONF=$pd/registries.conf \
    setsid podman --root "$pd/root" --runroot "$pd/run" system service --time=0 "unix://$sock" \
    >"$pd/podman.log" 2>&1 </dev/null &
  echo $! >"$dir/podman.pid"
  wait_for_engine podman "unix://$sock" "$pd/podman.log"
}

# start_registry NAME PORT [HTPASSWD_FILE]
start_registry() {
  local name=$1 port=$2 htpasswd=${3:-}
  mkdir -p "$dir/$name"
  {
    printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$dir/$name/data"
    printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
    [ -n "$htpasswd" ] && printf 'auth:\n  htpasswd:\n    realm: dockwire\n    path: %s\n' "$htpasswd"
  } >"$dir/$name/config.yml"
  setsid docker-registry serve "$dir/$name/config.yml" >"$dir/$name/registry.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
  for _ in $(seq 1 100); do
    curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$port/v2/" && return 0
    alive "$dir/$name.pid" || { cat "$dir/$name/registry.log" >&2; die "registry $name exited"; }
    sleep 0.1
  done
  die "registry $name did not answer on 127.0.0.1:$port"
}

registries() {
  if alive "$dir/registry.pid" && alive "$dir/registry-auth.pid" && [ -f "$dir/registries" ]; then
    # shellcheck disable=SC1091
    . "$dir/registries"
    log "reusing registries on $REGISTRY and $AUTH_REGISTRY"
    return 0
  fi
  down_pid registry
  down_pid registry-auth
  local open_port auth_port password
  open_port=$(free_port)
  auth_port=$(free_port)
  while [ "$auth_port" = "$open_port" ]; do auth_port=$(free_port); done
  password="dw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  htpasswd -Bbn "$auth_user" "$password" >"$dir/htpasswd"
  start_registry registry "$open_port"
  start_registry registry-auth "$auth_port" "$dir/htpasswd"
  REGISTRY=127.0.0.1:$open_port
  AUTH_REGISTRY=127.0.0.1:$auth_port
  AUTH_PASSWORD=$password
  printf 'REGISTRY=%s\nAUTH_REGISTRY=%s\nAUTH_PASSWORD=%s\n' "$REGISTRY" "$AUTH_REGISTRY" "$AUTH_PASSWORD" >"$dir/registries"
  log "registries on $REGISTRY (open) and $AUTH_REGISTRY (htpasswd)"
}

base_image() {
  local host=$1
  if DOCKER_HOST=$host docker image inspect "$base_image" >/dev/null 2>&1; then return 0; fi
  log "importing $base_image from busybox-static"
  local rootfs=$dir/rootfs
  rm -rf "$rootfs" && mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  tar -C "$rootfs" -cf "$dir/rootfs.tar" .
  DOCKER_HOST=$host docker import --change 'CMD ["/bin/sh"]' "$dir/rootfs.tar" "$base_image" >/dev/null
  rm -rf "$rootfs" "$dir/rootfs.tar"
}

# The name the tests use for the htpasswd registry. Podman's /auth ignores registries.conf and
# speaks plain HTTP only to a server address starting "localhost:", so under Podman it is that.
auth_registry_name() {
  if [ "$kind" = podman ]; then echo "localhost:${AUTH_REGISTRY##*:}"; else echo "$AUTH_REGISTRY"; fi
}

write_env() {
  local host=$1 owned=$2
  cat >"$dir/env" <<EOF
DOCKER_HOST=$host
DOCKWIRE_ENGINE_OWNED=$owned
DOCKWIRE_ENGINE_PID=$( [ "$owned" = 1 ] && cat "$dir/docker.pid" 2>/dev/null || true)
DOCKWIRE_REGISTRY=$REGISTRY
DOCKWIRE_AUTH_REGISTRY=$(auth_registry_name)
DOCKWIRE_AUTH_USER=$auth_user
DOCKWIRE_AUTH_PASSWORD=$AUTH_PASSWORD
DOCKWIRE_BASE_IMAGE=$base_image
DOCKWIRE_ENGINE=$kind
EOF
}

down_pid() {
  local f=$dir/$1.pid
  if alive "$f"; then
    local pid
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

up() {
  mkdir -p "$dir"
  install_missing
  local host owned=0
  if [ "$kind" = podman ]; then
    registries
    start_podman
    host=unix://$dir/podman/podman.sock
    base_image "$host"
    write_env "$host" 0
    cat "$dir/env"
    return 0
  fi
  if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST}" != "unix://$dir/docker.sock" ] && [ "${DOCKER_HOST}" != "unix://$dir/podman/podman.sock" ] && ping_engine "$DOCKER_HOST"; then
    host=$DOCKER_HOST
    log "reusing the engine at $host"
  else
    [ "${#dir}" -lt 90 ] || die "engine dir path too long for a unix socket: $dir (set a shorter DOCKWIRE_ENGINE_DIR)"
    start_dockerd
    host=unix://$dir/docker.sock
    owned=1
  fi
  registries
  base_image "$host"
  write_env "$host" "$owned"
  cat "$dir/env"
}

# unmount_below DIR: lazily unmounts what an engine left mounted under DIR (deepest first)
unmount_below() {
  local target=$1
  awk -v d="$target" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

down() {
  down_pid podman
  # Podman's service leaves its containers' overlays (and its storage's own mount) mounted
  unmount_below "$dir/podman"
  down_pid registry
  down_pid registry-auth
  down_pid dockerd
  rm -f "$dir/registries" "$dir/env"
  log "stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) cat "$dir/env" ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
