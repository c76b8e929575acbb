// The library's internals the benchmarks measure (bench/internals.ts), built by rolldown as the
// package is, into bench/.internals/internals.js, and imported from there.
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('../..', import.meta.url));
const file = `${root}bench/.internals/internals.js`;
await build({
  input: `${root}bench/internals.ts`,
  platform: 'node',
  external: [/^node:/],
  logLevel: 'warn',
  output: { file, format: 'esm', codeSplitting: false },
});
export const { contextFromPath, walkContext, PatternMatcher, pack, JsonLinesDecoder } = await import(file);
