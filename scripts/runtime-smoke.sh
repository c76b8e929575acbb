#!/usr/bin/env bash
# The runtime smoke suite (test/runtimes/smoke.mjs) on the built dist/, unchanged, under this
# machine's Node and the Node, Bun and Deno pinned in test/runtimes/package.json (npm packages
# with their binaries inside). Needs `npm run build` first; starts or reuses the engine.
set -euo pipefail
set -o pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
[ -d dist ] || npm run build
npm ci --prefix test/runtimes --no-audit --no-fund >&2
set -a
# shellcheck disable=SC1090
. <(bash scripts/engine.sh up)
set +a
bin=test/runtimes/node_modules/.bin
log=$(mktemp)
status=0
node test/runtimes/smoke.mjs | tee -a "$log" || status=1
"$bin/node" test/runtimes/smoke.mjs | tee -a "$log" || status=1
"$bin/bun" test/runtimes/smoke.mjs | tee -a "$log" || status=1
"$bin/deno" run -A test/runtimes/smoke.mjs | tee -a "$log" || status=1
if [ "${CI:-}" = true ]; then bash scripts/engine.sh down; fi
passed=$(grep -c '^ok ' "$log" || true)
failed=$(grep -c '^FAIL ' "$log" || true)
rm -f "$log"
echo "runtimes: $passed passed, $failed failed"
exit $status
