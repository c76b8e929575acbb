#!/usr/bin/env bash
# What the benchmarks need beyond the library: the peers (bench/package.json) and docker-py.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund >&2
if ! /usr/bin/python3 -c 'import docker' 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-docker >&2
fi
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >&2
