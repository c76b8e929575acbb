#!/usr/bin/env bash
# Standalone BuildKit daemons for dockwire's tests, from the project's pinned binaries.
#
#   scripts/buildkitd.sh up     reuse or start them; prints KEY=VALUE lines (also kept in DIR/buildkit.env)
#   scripts/buildkitd.sh down   stops exactly the daemons `up` started (by pid)
#
# `up` unpacks buildkitd and buildctl from ../shared/engines (xz, checked against SHA256SUMS), makes
# a CA, a server and a client certificate with openssl, and starts two daemons with the OCI worker
# (Debian 12's runc): one on a unix socket and a plain tcp port, one on a tcp port with TLS and
# client certificates. Both treat the loopback registries (engine.sh's, in DIR/env) as plain HTTP.
# Two daemons with separate roots also give the tests a "fresh" BuildKit for cache imports.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/processes.sh
. "$here/scripts/lib/processes.sh"
# shellcheck source=lib/engines.sh
. "$here/scripts/lib/engines.sh"
version=0.32.2
bk=$dir/buildkit

log() { printf 'buildkitd: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

certs() {
  local c=$bk/certs
  [ -f "$c/client/key.pem" ] && return 0
  rm -rf "$c" && mkdir -p "$c/client"
  ( cd "$c"
    openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=dockwire-ca -keyout ca-key.pem -out ca.pem 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    for n in server client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$n" -keyout "$n-key.pem" -out "$n.csr" 2>/dev/null
      openssl x509 -req -in "$n.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 7 -extfile "$n.ext" -out "$n.pem" 2>/dev/null
    done
    cp ca.pem client/ca.pem && cp client.pem client/cert.pem && cp client-key.pem client/key.pem ) || die "openssl failed"
}

# start NAME ADDR... [-- EXTRA ARGS]: a daemon with its root, config and log under $bk/NAME
start() {
  local name=$1 home=$bk/$1
  shift
  mkdir -p "$home"
  {
    printf '[worker.oci]\n  enabled = true\n[worker.containerd]\n  enabled = false\n'
    for r in $registries; do printf '[registry."%s"]\n  http = true\n' "$r"; done
  } >"$home/buildkitd.toml"
  log "starting $name: $*"
  setsid "$bk/bin/buildkitd" --config "$home/buildkitd.toml" --root "$home/root" "$@" >"$home/buildkitd.log" 2>&1 </dev/null &
  echo $! >"$bk/$name.pid"
}

# ready NAME BUILDCTL-ARGS...: until buildctl lists the daemon's workers (60 s)
ready() {
  local name=$1
  shift
  for _ in $(seq 1 300); do
    "$bk/bin/buildctl" "$@" debug workers >/dev/null 2>&1 && return 0
    alive "$bk/$name.pid" || { tail -20 "$bk/$name/buildkitd.log" >&2; die "$name exited"; }
    sleep 0.2
  done
  tail -20 "$bk/$name/buildkitd.log" >&2
  die "$name did not answer within 60 s"
}

up() {
  [ -f "$dir/env" ] || die "no $dir/env: run scripts/engine.sh up first (the daemons need its registries)"
  registries=$(sed -n 's/^DOCKWIRE_\(AUTH_\)\{0,1\}REGISTRY=//p' "$dir/env" | paste -sd' ' -)
  local need=()
  command -v runc >/dev/null || need+=(runc)
  command -v xz >/dev/null || need+=(xz-utils)
  command -v openssl >/dev/null || need+=(openssl)
  if [ ${#need[@]} -gt 0 ]; then
    { [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; } || die "missing ${need[*]} (Debian: apt-get install ${need[*]})"
    log "installing ${need[*]} from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 || die "apt-get install ${need[*]} failed"
  fi
  mkdir -p "$bk"
  unpack_pinned "buildkitd-$version" "$bk/bin/buildkitd"
  unpack_pinned "buildctl-$version" "$bk/bin/buildctl"
  certs
  if alive "$bk/plain.pid" && alive "$bk/tls.pid" && [ -f "$bk/ports" ] && [ "$(sed -n 1p "$bk/ports")" = "$registries" ]; then
    log "reusing the daemons (pids $(cat "$bk/plain.pid") $(cat "$bk/tls.pid"))"
  else
    down_daemons
    local tcp tls
    tcp=$(free_port)
    tls=$(free_port)
    while [ "$tls" = "$tcp" ]; do tls=$(free_port); done
    start plain --addr "unix://$bk/plain/buildkitd.sock" --addr "tcp://127.0.0.1:$tcp"
    start tls --addr "tcp://127.0.0.1:$tls" --tlscacert "$bk/certs/ca.pem" --tlscert "$bk/certs/server.pem" --tlskey "$bk/certs/server-key.pem"
    printf '%s\n%s\n%s\n' "$registries" "$tcp" "$tls" >"$bk/ports"
  fi
  local tcp tls c=$bk/certs/client
  tcp=$(sed -n 2p "$bk/ports")
  tls=$(sed -n 3p "$bk/ports")
  ready plain --addr "unix://$bk/plain/buildkitd.sock"
  ready tls --addr "tcp://127.0.0.1:$tls" --tlscacert "$c/ca.pem" --tlscert "$c/cert.pem" --tlskey "$c/key.pem" --tlsservername 127.0.0.1
  cat >"$bk/buildkit.env" <<ENV
DOCKWIRE_BUILDKIT_UNIX=unix://$bk/plain/buildkitd.sock
DOCKWIRE_BUILDKIT_TCP=tcp://127.0.0.1:$tcp
DOCKWIRE_BUILDKIT_TLS=tcp://127.0.0.1:$tls
DOCKWIRE_BUILDKIT_CERTS=$c
DOCKWIRE_BUILDCTL=$bk/bin/buildctl
ENV
  log "buildkitd $version on unix://$bk/plain/buildkitd.sock, tcp://127.0.0.1:$tcp and tcp://127.0.0.1:$tls (TLS)"
  cat "$bk/buildkit.env"
}

down_pid() { stop_pid_file "$bk/$1.pid"; }

down_daemons() {
  down_pid plain
  down_pid tls
  # the OCI worker's overlay mounts, deepest first
  awk -v d="$bk" 'index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -f "$bk/ports" "$bk/buildkit.env"
}

case "${1:-}" in
  up) up ;;
  down) down_daemons; log "stopped" ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
