// What the benchmarks measure below the public API (the tar packer, the build context's walker
// and .dockerignore matcher, the progress decoder), built by bench/lib/internals.mjs into
// bench/.internals/ (the package does not export them).
export { contextFromPath } from '../src/build-context/archive.js';
export { walkContext } from '../src/build-context/walk.js';
export { PatternMatcher } from '../src/ignore/matcher.js';
export { pack } from '../src/tar/packer.js';
export { JsonLinesDecoder } from '../src/progress/json-lines.js';
