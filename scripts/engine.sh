#!/usr/bin/env bash
# A real Docker engine and two registries for dockwire's tests, on a private socket and loopback.
#
#   scripts/engine.sh up     reuse or start everything; prints KEY=VALUE lines (also kept in .engine/env)
#   scripts/engine.sh down   stops exactly the processes `up` started (by pid), nothing else
#   scripts/engine.sh env    prints .engine/env
#
# DOCKWIRE_ENGINE says which engine `up` starts (the registries are the same for all):
#   docker     Debian 12's dockerd (Docker 20.10, API 1.41, the graph-driver image store); default
#   docker28   Docker 28.5 (API 1.51) with the containerd image store, what Docker 29 and Docker
#              Desktop use by default: dockerd and containerd from Debian's next release (forky),
#              fetched with apt-get download into .engine/docker28 without touching the system's
#              apt configuration, run with Debian 12's own runc (forky's needs a newer glibc)
#   docker29   Docker 29.7 (API 1.55, the containerd image store by default): dockerd from
#              ../shared/engines (checked against its SHA256SUMS) with docker28's forky containerd
#              and Debian 12's runc, containers without a time namespace (runc 1.1 has none)
#   podman     Podman's Docker-compatible API service (its own storage under .engine/podman,
#              containers without a network by default, the loopback registries marked insecure)
#
# `up` reuses the engine DOCKER_HOST points at when it answers; otherwise it installs what is
# missing from Debian's packages (when run as root with apt), starts dockerd with its data root
# inside the project and no bridge network (traffic must stay on loopback), starts an open
# registry and an htpasswd-protected one on free loopback ports, and imports a small base image
# made from busybox-static, so no test ever pulls from a public registry.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/processes.sh
. "$here/scripts/lib/processes.sh"
# shellcheck source=lib/engines.sh
. "$here/scripts/lib/engines.sh"
kind=${DOCKWIRE_ENGINE:-docker}
base_image=dockwire-test/busybox:latest
# Podman names local images localhost/...: tests use the fully qualified name there
[ "$kind" = podman ] && base_image=localhost/dockwire-test/busybox:latest
auth_user=dockwire

log() { printf 'engine: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }


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
  # python-tuf (fetched from forky by fetch_tuf_peers) runs on Debian 12's python3 and its cryptography
  command -v python3 >/dev/null || need+=(python3)
  python3 -c 'import cryptography' >/dev/null 2>&1 || need+=(python3-cryptography)
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

# start_dockerd NAME FOLDER [DOCKERD ARGS...]: dockerd (the first on PATH) with its data, exec root,
# socket and pid file under FOLDER; $dir/NAME.pid holds its pid
start_dockerd() {
  local name=$1 home=$2
  shift 2
  local sock=$home/docker.sock
  mkdir -p "$home/root" "$home/exec"
  if alive "$dir/$name.pid" && ping_engine "unix://$sock"; then
    log "reusing $name (pid $(cat "$dir/$name.pid"))"
    return 0
  fi
  log "starting $name on unix://$sock"
  # setsid: the engine outlives this script; it is stopped by `down`, by pid.
  setsid dockerd "$@" \
    --data-root "$home/root" --exec-root "$home/exec" --pidfile "$home/docker.pid" \
    -H "unix://$sock" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --log-level=warn >"$home/dockerd.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
  wait_for_engine "$name" "unix://$sock" "$home/dockerd.log"
}

# debian_mirror: where the system's apt takes Debian 12's (bookworm's) packages from
debian_mirror() {
  node -e '
    const fs = require("fs");
    const dir = "/etc/apt/sources.list.d";
    const files = ["/etc/apt/sources.list", ...(fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => `${dir}/${f}`) : [])];
    for (const file of files) {
      let text;
      try { text = fs.readFileSync(file, "utf8"); } catch { continue; }
      if (file.endsWith(".sources")) {
        for (const stanza of text.split(/\n\s*\n/)) {
          const field = (k) => (new RegExp(`^${k}:\\s*(.*)$`, "mi").exec(stanza) ?? [])[1] ?? "";
          if (/^deb\b/.test(field("Types")) && field("Suites").split(/\s+/).includes("bookworm")) { console.log(field("URIs").split(/\s+/)[0]); process.exit(0); }
        }
      } else if (/(\.list|sources\.list)$/.test(file)) {
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
        if (m) { console.log(m[1]); process.exit(0); }
      }
    }
    process.exit(1);'
}

# fetch_docker28: dockerd and containerd from forky, unpacked into $dir/docker28/pkg (once); says
# which versions it has, and fails saying so if they do not run here
fetch_docker28() {
  local home=$dir/docker28 pkg=$dir/docker28/pkg
  if [ ! -x "$pkg/usr/sbin/dockerd" ] || [ ! -x "$pkg/usr/bin/containerd" ]; then
    forky_unpack "$home" docker28 docker.io containerd
    # forky's runc needs a newer glibc than Debian 12's: Debian 12's own (package runc) runs the containers
    rm -f "$pkg/usr/bin/runc" "$pkg/usr/sbin/runc"
  fi
  command -v runc >/dev/null || die "docker28 needs Debian 12's runc (apt-get install runc)"
  local versions
  versions=$(cd "$home/debs" && ls -- *.deb | sed 's/_amd64\.deb$//; s/_/ /' | paste -sd, - | sed 's/,/, /g')
  if ! "$pkg/usr/sbin/dockerd" --version >/dev/null 2>&1 || ! "$pkg/usr/bin/containerd" --version >/dev/null 2>&1; then
    die "docker28: forky's packages ($versions) no longer run on this machine: $("$pkg/usr/sbin/dockerd" --version 2>&1 | head -1)"
  fi
  log "docker28: $versions from forky; runc $(runc --version | head -1 | awk '{print $3}') from Debian 12"
  echo '{ "features": { "containerd-snapshotter": true } }' >"$home/daemon.json"
}

# forky_unpack HOME WHAT PACKAGE...: Debian forky's PACKAGEs downloaded into HOME/debs (with an apt
# configuration of their own, the system's untouched) and unpacked into HOME/pkg; WHAT names them
# in messages
forky_unpack() {
  local home=$1 what=$2
  shift 2
  { command -v apt-get && command -v dpkg; } >/dev/null || die "$what: needs apt-get and dpkg (Debian)"
  local mirror
  mirror=$(debian_mirror) || die "$what: the system's apt configuration names no Debian 12 (bookworm) source to take forky's packages from"
  mkdir -p "$home/apt/lists/partial" "$home/apt/cache/archives/partial" "$home/debs"
  echo "deb $mirror forky main" >"$home/apt/sources.list"
  local apt=(-o "Dir::Etc::sourcelist=$home/apt/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$home/apt/lists" -o "Dir::Cache=$home/apt/cache")
  log "$what: fetching $* from forky"
  apt-get "${apt[@]}" update -qq >&2 || die "$what: apt-get update of forky failed"
  rm -f "$home"/debs/*.deb
  (cd "$home/debs" && apt-get "${apt[@]}" download "$@" >&2 2>/dev/null) || die "$what: apt-get download $* from forky failed"
  rm -rf "$home/pkg"
  for deb in "$home"/debs/*.deb; do dpkg -x "$deb" "$home/pkg"; done
}

# fetch_registry_peers: crane, oras and cosign from forky, unpacked into $dir/peers/pkg (once),
# the registry client's and the signatures' differential references; says which versions it has,
# and fails naming them
fetch_registry_peers() {
  local home=$dir/peers pkg=$dir/peers/pkg
  if [ ! -x "$pkg/usr/bin/crane" ] || [ ! -x "$pkg/usr/bin/oras" ] || [ ! -x "$pkg/usr/bin/cosign" ]; then
    forky_unpack "$home" "crane, oras, cosign" crane oras cosign
  fi
  local versions
  versions=$(cd "$home/debs" && ls -- *.deb | sed 's/_amd64\.deb$//; s/_/ /' | paste -sd, - | sed 's/,/, /g')
  "$pkg/usr/bin/crane" version >/dev/null 2>&1 || die "crane from forky ($versions) does not run on this machine"
  "$pkg/usr/bin/oras" version >/dev/null 2>&1 || die "oras from forky ($versions) does not run on this machine"
  "$pkg/usr/bin/cosign" version >/dev/null 2>&1 || die "cosign from forky ($versions) does not run on this machine"
  log "registry peers: $versions from forky"
}

# fetch_tuf_peers: python-tuf and securesystemslib from forky (pure Python), unpacked into
# $dir/tuf/pkg (once), the TUF client's reference and the maker of its test repositories; run with
# Debian 12's python3 and python3-cryptography through PYTHONPATH (DOCKWIRE_TUF_PYTHONPATH)
fetch_tuf_peers() {
  local home=$dir/tuf tuf_pythonpath
  tuf_pythonpath=$home/pkg/usr/lib/python3/dist-packages
  if [ ! -f "$tuf_pythonpath/tuf/ngclient/updater.py" ]; then
    forky_unpack "$home" python-tuf python3-tuf python3-securesystemslib
  fi
  local versions
  versions=$(cd "$home/debs" && ls -- *.deb | sed 's/_all\.deb$//; s/_/ /' | paste -sd, - | sed 's/,/, /g')
  PYTHONPATH=$tuf_pythonpath python3 -c 'import tuf.ngclient, tuf.api.metadata, securesystemslib.signer' >/dev/null 2>&1 \
    || die "python-tuf from forky ($versions) does not import with this machine's python3: $(PYTHONPATH=$tuf_pythonpath python3 -c 'import tuf.ngclient' 2>&1 | tail -1)"
  log "tuf peers: $versions from forky"
}

# fetch_umoci: umoci from forky, unpacked into $dir/umoci/pkg (once), the reader of OCI layouts the
# image-making tests check their output against; says which version it has, and fails naming it
fetch_umoci() {
  local home=$dir/umoci pkg=$dir/umoci/pkg
  [ -x "$pkg/usr/bin/umoci" ] || forky_unpack "$home" umoci umoci
  local version
  version=$(cd "$home/debs" && ls -- umoci_*.deb | sed 's/_amd64\.deb$//; s/_/ /')
  "$pkg/usr/bin/umoci" --version >/dev/null 2>&1 || die "umoci from forky ($version) does not run on this machine"
  log "umoci: $version from forky"
}

# token_registry: a registry 2.8 with `auth.token` (Bearer tokens, as Docker Hub, GHCR and Quay do),
# and the token server that signs its JWTs (scripts/token-server.mjs) with a key and certificate
# made here; the server counts the tokens it gives per scope (GET /counts)
token_registry() {
  if alive "$dir/registry-token.pid" && alive "$dir/token-server.pid" && [ -f "$dir/token-registry" ]; then
    # shellcheck disable=SC1091
    . "$dir/token-registry"
    log "reusing the token registry on $TOKEN_REGISTRY (tokens from $TOKEN_REALM)"
    return 0
  fi
  down_pid registry-token
  down_pid token-server
  local home=$dir/token reg_port tok_port password
  mkdir -p "$home"
  reg_port=$(free_port)
  tok_port=$(free_port)
  while [ "$tok_port" = "$reg_port" ]; do tok_port=$(free_port); done
  password="dw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=dockwire-token -keyout "$home/token.key" -out "$home/token.crt" >/dev/null 2>&1 \
    || die "openssl could not make the token server's certificate"
  setsid node "$here/scripts/token-server.mjs" --port "$tok_port" --key "$home/token.key" --cert "$home/token.crt" \
    --service dockwire-token --issuer dockwire-token-server --user "$auth_user" --password "$password" \
    >"$home/token-server.log" 2>&1 </dev/null &
  echo $! >"$dir/token-server.pid"
  for _ in $(seq 1 100); do
    curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$tok_port/counts" && break
    alive "$dir/token-server.pid" || { cat "$home/token-server.log" >&2; die "the token server exited"; }
    sleep 0.1
  done
  local realm=http://127.0.0.1:$tok_port/token
  start_registry registry-token "$reg_port" "" \
    "$(printf 'auth:\n  token:\n    realm: %s\n    service: dockwire-token\n    issuer: dockwire-token-server\n    rootcertbundle: %s\n ' "$realm" "$home/token.crt")"
  TOKEN_REGISTRY=127.0.0.1:$reg_port
  TOKEN_REALM=$realm
  TOKEN_PASSWORD=$password
  printf 'TOKEN_REGISTRY=%s\nTOKEN_REALM=%s\nTOKEN_PASSWORD=%s\n' "$TOKEN_REGISTRY" "$TOKEN_REALM" "$TOKEN_PASSWORD" >"$dir/token-registry"
  log "token registry on $TOKEN_REGISTRY (tokens from $realm)"
}

# token_env: the token registry's and the peers' lines for .engine/env
token_env() {
  cat <<EOF
DOCKWIRE_TOKEN_REGISTRY=$TOKEN_REGISTRY
DOCKWIRE_TOKEN_REALM=$TOKEN_REALM
DOCKWIRE_TOKEN_USER=$auth_user
DOCKWIRE_TOKEN_PASSWORD=$TOKEN_PASSWORD
DOCKWIRE_CRANE=$dir/peers/pkg/usr/bin/crane
DOCKWIRE_ORAS=$dir/peers/pkg/usr/bin/oras
DOCKWIRE_TUF_PYTHONPATH=$dir/tuf/pkg/usr/lib/python3/dist-packages
DOCKWIRE_UMOCI=$dir/umoci/pkg/usr/bin/umoci
DOCKWIRE_COSIGN=$dir/peers/pkg/usr/bin/cosign
EOF
}

# fetch_docker29: dockerd 29.7 unpacked from ../shared/engines into $dir/docker29/bin, checked
# against SHA256SUMS each time (unpack_pinned); containerd is forky's, fetched as docker28 does
fetch_docker29() {
  local home=$dir/docker29
  unpack_pinned dockerd-29.7.2 "$home/bin/dockerd"
  fetch_docker28
  "$home/bin/dockerd" --version >/dev/null 2>&1 || die "docker29: $home/bin/dockerd does not run here"
  log "docker29: $("$home/bin/dockerd" --version) with forky's containerd"
  # runc 1.1 (Debian 12) knows no time namespace; no docker-proxy: ports are never published here
  echo '{ "features": { "time-namespaces": false }, "userland-proxy": false }' >"$home/daemon.json"
}

# dockerd_path KIND: the folders to put before PATH for KIND's dockerd and containerd (none: the system's)
dockerd_path() {
  case "$1" in
    docker28) echo "$dir/docker28/pkg/usr/sbin:$dir/docker28/pkg/usr/bin" ;;
    docker29) echo "$dir/docker29/bin:$dir/docker28/pkg/usr/bin" ;;
  esac
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

# start_registry NAME PORT [HTPASSWD_FILE] [AUTH_YAML]
start_registry() {
  local name=$1 port=$2 htpasswd=${3:-} auth=${4:-}
  mkdir -p "$dir/$name"
  {
    # the access log (one line per request, on stdout) lets the tests see what a client sent
    printf 'version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$dir/$name/data"
    printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
    [ -n "$htpasswd" ] && printf 'auth:\n  htpasswd:\n    realm: dockwire\n    path: %s\n' "$htpasswd"
    [ -n "$auth" ] && printf '%s' "$auth"
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
  fetch_registry_peers
  fetch_tuf_peers
  fetch_umoci
  token_registry
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

# write_env HOST OWNED [ENGINE_PID_FILE]
write_env() {
  local host=$1 owned=$2 pidfile=${3:-}
  cat >"$dir/env" <<EOF
DOCKER_HOST=$host
DOCKWIRE_ENGINE_OWNED=$owned
DOCKWIRE_ENGINE_PID=$( [ "$owned" = 1 ] && [ -n "$pidfile" ] && cat "$pidfile" 2>/dev/null || true)
DOCKWIRE_REGISTRY=$REGISTRY
DOCKWIRE_REGISTRY_LOG=$dir/registry/registry.log
DOCKWIRE_AUTH_REGISTRY=$(auth_registry_name)
DOCKWIRE_AUTH_USER=$auth_user
DOCKWIRE_AUTH_PASSWORD=$AUTH_PASSWORD
DOCKWIRE_BASE_IMAGE=$base_image
DOCKWIRE_ENGINE=$kind
DOCKWIRE_DOCKERD_PATH=$(dockerd_path "$kind")
DOCKWIRE_DOCKERD_CONFIG=$(case "$kind" in docker28 | docker29) echo "$dir/$kind/daemon.json" ;; esac)
EOF
  token_env >>"$dir/env"
}

down_pid() { stop_pid_file "$dir/$1.pid"; }

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
  if [ "$kind" = docker28 ] || [ "$kind" = docker29 ]; then
    # (the containerd socket under the exec root is the longest path: keep room for it)
    [ "${#dir}" -lt 70 ] || die "engine dir path too long for a unix socket: $dir (set a shorter DOCKWIRE_ENGINE_DIR)"
    "fetch_$kind"
    PATH=$(dockerd_path "$kind"):$PATH start_dockerd "$kind" "$dir/$kind" --config-file "$dir/$kind/daemon.json"
    host=unix://$dir/$kind/docker.sock
    registries
    base_image "$host"
    write_env "$host" 1 "$dir/$kind/docker.pid"
    cat "$dir/env"
    return 0
  fi
  if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST}" != "unix://$dir/docker.sock" ] && [ "${DOCKER_HOST}" != "unix://$dir/podman/podman.sock" ] && [ "${DOCKER_HOST}" != "unix://$dir/docker28/docker.sock" ] && [ "${DOCKER_HOST}" != "unix://$dir/docker29/docker.sock" ] && ping_engine "$DOCKER_HOST"; then
    host=$DOCKER_HOST
    log "reusing the engine at $host"
  else
    [ "${#dir}" -lt 90 ] || die "engine dir path too long for a unix socket: $dir (set a shorter DOCKWIRE_ENGINE_DIR)"
    start_dockerd dockerd "$dir"
    host=unix://$dir/docker.sock
    owned=1
  fi
  registries
  base_image "$host"
  write_env "$host" "$owned" "$dir/docker.pid"
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
  down_pid registry-token
  down_pid token-server
  rm -f "$dir/token-registry"
  down_pid dockerd
  down_pid docker28
  unmount_below "$dir/docker28/root"
  down_pid docker29
  unmount_below "$dir/docker29/root"
  rm -f "$dir/registries" "$dir/env"
  log "stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) cat "$dir/env" ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
