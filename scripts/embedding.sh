#!/usr/bin/env bash
# The embedding suite: the published package as users get it. Packs the library (npm pack),
# installs the tarball into a scratch app, and runs that app (test/embedding/app.mjs: list the
# images, build a one-line Dockerfile) every way a program that embeds dockwire is shipped:
# installed (import and require, Node 20 and the newest Node), bundled (esbuild ESM and CommonJS,
# bun build), compiled (bun build --compile, a Node single executable application) and under
# Deno; then the runtime smoke suite (test/embedding/smoke.mjs) under Node 20, the newest Node,
# Bun and Deno; a TypeScript program against the package's types; and the static-import check of
# the published files. Tools come from test/embedding/package.json; starts or reuses the engine.
# Prints one `ok`/`FAIL` line per check and a closing "embedding: N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
tools=$here/test/embedding
bin=$tools/node_modules/.bin
npm ci --prefix "$tools" --no-audit --no-fund >&2
set -a
# shellcheck disable=SC1090
. <(bash scripts/engine.sh up)
# the standalone buildkitd for the smoke suite's Control API build (its base image pushed to the registry)
. <(bash scripts/buildkitd.sh up)
set +a
docker tag "$DOCKWIRE_BASE_IMAGE" "$DOCKWIRE_REGISTRY/dockwire-test/busybox:latest" >/dev/null
docker push "$DOCKWIRE_REGISTRY/dockwire-test/busybox:latest" >/dev/null
docker rmi "$DOCKWIRE_REGISTRY/dockwire-test/busybox:latest" >/dev/null

app=$(mktemp -d /tmp/dockwire-embedding-XXXXXX)
trap 'rm -rf "$app"' EXIT
npm pack --pack-destination "$app" --silent >/dev/null
cp "$tools"/app.mjs "$tools"/app.cjs "$tools"/scenario.mjs "$tools"/smoke.mjs "$tools"/static-imports.mjs "$app"/
(cd "$app" && echo '{ "name": "scratch-app", "private": true }' >package.json &&
  npm install --no-audit --no-fund --no-package-lock ./dockwire-*.tgz >&2)
mkdir -p "$app/out"

passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# way NAME COMMAND...: runs the app; it must list the base image and print the id of an image
# the engine holds with the label way=NAME (so the build was this way's own).
way() {
  local name=$1 out id labels
  shift
  if ! out=$(cd "$app" && EMBEDDING_WAY=$name "$@" 2>&1); then fail "$name" "exited non-zero: $(tail -5 <<<"$out")"; return; fi
  grep -qxF "image $DOCKWIRE_BASE_IMAGE" <<<"$out" || { fail "$name" "no 'image $DOCKWIRE_BASE_IMAGE' line: $(tail -5 <<<"$out")"; return; }
  id=$(sed -n 's/^built \(sha256:[0-9a-f]\{64\}\)$/\1/p' <<<"$out")
  [ -n "$id" ] || { fail "$name" "no 'built sha256:…' line: $(tail -5 <<<"$out")"; return; }
  labels=$(curl -fsS --unix-socket "${DOCKER_HOST#unix://}" "http://docker/images/$id/json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Config.Labels?.way))')
  [ "$labels" = "$name" ] || { fail "$name" "the engine's $id has label way=$labels"; return; }
  docker_rm "$id"
  ok "$name: listed the images, built $id"
}
docker_rm() { curl -fsS -X DELETE --unix-socket "${DOCKER_HOST#unix://}" "http://docker/images/$1" >/dev/null || true; }
# built COMMAND...: a bundler or compiler step; its failure fails the way it builds
built() { (cd "$app" && "$@") >"$app/out/step.log" 2>&1 || { cat "$app/out/step.log"; return 1; }; }

way 'installed, import (node 20)' node app.mjs
way 'installed, require (node 20)' node app.cjs
way "installed, import (node $("$bin/node" --version))" "$bin/node" app.mjs
way "installed, require (node $("$bin/node" --version))" "$bin/node" app.cjs
way 'installed, deno run' "$bin/deno" run -A app.mjs

if built "$bin/esbuild" app.mjs --bundle --platform=node --format=esm --outfile=out/esbuild.mjs --log-level=warning; then
  way 'esbuild bundle, ES module' node out/esbuild.mjs
else fail 'esbuild bundle, ES module' 'esbuild failed'; fi
if built "$bin/esbuild" app.cjs --bundle --platform=node --format=cjs --outfile=out/esbuild.cjs --log-level=warning; then
  way 'esbuild bundle, CommonJS' node out/esbuild.cjs
else fail 'esbuild bundle, CommonJS' 'esbuild failed'; fi
if built "$bin/bun" build app.mjs --target=node --outfile=out/bun.mjs; then
  way 'bun build, run by node' node out/bun.mjs
else fail 'bun build, run by node' 'bun build failed'; fi
if built "$bin/bun" build app.mjs --compile --outfile=out/bun-binary; then
  way 'bun build --compile, one binary' out/bun-binary
else fail 'bun build --compile, one binary' 'bun build --compile failed'; fi
# Node's single executable application: the esbuild CommonJS bundle, as a blob injected into a
# copy of this node binary (https://nodejs.org/api/single-executable-applications.html)
echo '{ "main": "out/esbuild.cjs", "output": "out/sea.blob", "disableExperimentalSEAWarning": true }' >"$app/sea.json"
if [ -f "$app/out/esbuild.cjs" ] && built node --experimental-sea-config sea.json && cp "$(command -v node)" "$app/out/sea-binary" &&
  built "$bin/postject" out/sea-binary NODE_SEA_BLOB out/sea.blob --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2; then
  way 'node single executable application' out/sea-binary
else fail 'node single executable application' 'making the binary failed'; fi

# the runtime smoke suite, imported by name from the installed package
for runtime in node "$bin/node" "$bin/bun" "$bin/deno run -A"; do
  while IFS= read -r line; do
    case "$line" in
      'ok   '*) ok "${line#ok   }" ;;
      'FAIL '*) fail "${line#FAIL }" 'see above' ;;
      *) echo "$line" ;;
    esac
  done < <(cd "$app" && $runtime smoke.mjs 2>&1 || echo "FAIL $runtime smoke.mjs: exited non-zero")
done

# import and require give the same module (Node's require of an ES module): one copy of each class
same='import("dockwire").then((m) => { if (m !== require("dockwire") || m.Docker !== require("dockwire/api").Docker) process.exit(1); })'
for node in node "$bin/node"; do
  if (cd "$app" && $node -e "$same"); then ok "$($node --version): import and require of dockwire give the same module"
  else fail "$($node --version): import and require of dockwire give the same module" 'they differ'; fi
done
# "sideEffects": false: loading the package changes nothing outside it (no global, no listener)
quiet='const before = [Object.keys(globalThis).join(), process.eventNames().join(), process.listenerCount("warning")];
import("dockwire").then(() => { const after = [Object.keys(globalThis).join(), process.eventNames().join(), process.listenerCount("warning")];
  if (after.join("|") !== before.join("|")) { console.error(before, after); process.exit(1); } });'
if out=$(cd "$app" && node -e "$quiet" 2>&1); then ok 'loading dockwire changes no global and adds no listener'
else fail 'loading dockwire changes no global and adds no listener' "$out"; fi

# a TypeScript program type-checks against the package's declarations (nodenext: exports, as an
# .mts and a .cts; node10: typesVersions for dockwire/api)
cat >"$app/uses.mts" <<'EOF'
import { Docker, ImageNotFound, type BuildOptions } from 'dockwire';
import { Docker as ApiDocker, inspectImage } from 'dockwire/api';
const options: BuildOptions = { path: '.', tag: 'x' };
const docker: Docker = new ApiDocker();
export const inspected: Promise<string> = inspectImage(docker, 'x').then((attrs) => attrs.Id);
export const built: Promise<string> = docker.images.build(options).then(({ image }) => image.id);
export const code: 'ERR_DOCKER_IMAGE_NOT_FOUND' = new ImageNotFound(404, 'x').code;
EOF
cp "$app/uses.mts" "$app/uses.cts"
cp "$app/uses.mts" "$app/uses.ts"
tsc=$here/node_modules/typescript/bin/tsc
if out=$(cd "$app" && node "$tsc" --noEmit --strict --skipLibCheck false --module nodenext --moduleResolution nodenext --target es2022 --types node --typeRoots "$here/node_modules/@types" uses.mts uses.cts 2>&1); then
  ok 'TypeScript (nodenext, .mts and .cts) finds the declarations'
else fail 'TypeScript (nodenext, .mts and .cts) finds the declarations' "$out"; fi
if out=$(cd "$app" && node "$tsc" --noEmit --strict --module commonjs --moduleResolution node10 --target es2022 --types node --typeRoots "$here/node_modules/@types" uses.ts 2>&1); then
  ok 'TypeScript (node10: main, typesVersions) finds the declarations'
else fail 'TypeScript (node10: main, typesVersions) finds the declarations' "$out"; fi

if out=$(node "$app/static-imports.mjs" --self-test "$app/node_modules/dockwire/dist" 2>&1); then
  ok "published files: every require()/import() a string literal, no file loads another package's"
else fail "published files: every require()/import() a string literal, no file loads another package's" "$out"; fi

if [ "${CI:-}" = true ]; then bash scripts/buildkitd.sh down; bash scripts/engine.sh down; fi
echo "embedding: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
