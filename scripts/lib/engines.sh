# What the set-up scripts share about engines (sourced by engine.sh and buildkitd.sh, after $here
# is set): the folder they keep state in, and the pinned binaries they take from ../shared/engines.

# $dir: DOCKWIRE_ENGINE_DIR, else .engine in the checkout; a unix socket path must fit in 108
# bytes, so a deep checkout gets a short folder under /tmp
dir=${DOCKWIRE_ENGINE_DIR:-$here/.engine}
if [ -z "${DOCKWIRE_ENGINE_DIR:-}" ] && [ "${#dir}" -ge 70 ]; then
  dir=/tmp/dockwire-engine-$(printf '%s' "$here" | md5sum | cut -c1-12)
fi
engines=${DOCKWIRE_ENGINES:-$here/../shared/engines}

# unpack_pinned NAME OUT: $engines/NAME.xz decompressed to the executable OUT and checked against
# $engines/SHA256SUMS (the decompressed file's sum); an OUT that already matches is kept. Fails
# naming the file that is missing or does not match.
unpack_pinned() {
  local name=$1 out=$2
  local xz=$engines/$name.xz sums=$engines/SHA256SUMS want got
  [ -f "$xz" ] || die "$xz is missing"
  [ -f "$sums" ] || die "$sums is missing"
  want=$(awk -v n="$name" '$2 == n { print $1 }' "$sums")
  [ -n "$want" ] || die "$sums has no line for $name"
  if [ -x "$out" ] && [ "$(sha256sum <"$out" | cut -d' ' -f1)" = "$want" ]; then return 0; fi
  log "unpacking $xz"
  mkdir -p "$(dirname "$out")"
  xz -dc "$xz" >"$out.part" || die "cannot decompress $xz"
  got=$(sha256sum <"$out.part" | cut -d' ' -f1)
  [ "$got" = "$want" ] || { rm -f "$out.part"; die "$xz decompresses to sha256 $got, SHA256SUMS says $want"; }
  chmod +x "$out.part" && mv "$out.part" "$out"
}
