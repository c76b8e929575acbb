// The published JavaScript is CommonJS, one file for the library and one for the build's modules
// (scripts/bundle.mjs): its entry points export exactly what the sources export, to require() and
// to import alike, and the same classes behave the same (npm test builds dist/ first). dist/ is
// read through Node's own require() and, in a child process, Node's own import: vitest's module
// runner would load its own copies.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { unindented } from '../../scripts/lib/unindent.mjs';
import * as source from '../../src/index.js';

const require = createRequire(import.meta.url);
const distPath = require.resolve('../../dist/index.js');
const dist = require(distPath) as typeof source;
const bundle = require('../../dist/bundle.js') as { load(name: string): Record<string, unknown> };
const node = (...args: string[]): string => execFileSync(process.execPath, args, { encoding: 'utf8' });

describe('dist/index.js, from the bundle', () => {
  it('exports every name src/index.ts exports, and no other', () => {
    expect(Object.keys(dist).sort()).toEqual(Object.keys(source).sort());
  });

  it('gives import the same names and the same single copy of each class as require', () => {
    // (run from the package folder, so that 'dockwire' resolves through package.json's exports)
    const script = `import * as esm from 'dockwire'; import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)('dockwire');
      console.log(JSON.stringify({ names: Object.keys(esm), same: Object.keys(cjs).every((n) => esm[n] === cjs[n]) }));`;
    const seen = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: new URL('../..', import.meta.url) })) as { names: string[]; same: boolean };
    expect(seen.names.sort()).toEqual(Object.keys(source).sort());
    expect(seen.same).toBe(true);
  });

  it('a program that only uses the client never reads the build\'s modules (dist/build.js)', () => {
    const read = (code: string): string[] =>
      (JSON.parse(node('-e', `const dw = require(${JSON.stringify(distPath)}); ${code}; console.log(JSON.stringify(Object.keys(require.cache)))`)) as string[]).map((f) => f.replace(/.*\/dist\//, ''));
    expect(read("new dw.Docker({ host: 'unix:///nowhere.sock' }); dw.listImages; dw.JsonLinesDecoder").sort()).toEqual(['bundle.js', 'index.js']);
    expect(read('new dw.PatternMatcher([])').sort()).toEqual(['build.js', 'bundle.js', 'index.js']);
  });

  it('require() of the package loads no part of Node beyond what node:net loads', () => {
    // (what keeps a cold start short: no ES module loader, no node:fs/promises, no node:os...)
    const loaded = (code: string): string[] => JSON.parse(node('-e', `${code}; console.log(JSON.stringify(process.moduleLoadList))`)) as string[];
    const net = new Set(loaded("require('node:net')"));
    expect(loaded(`require(${JSON.stringify(distPath)})`).filter((m) => !net.has(m))).toEqual([]);
  });

  it('works: errors, references, the ignore matcher and the JSON-lines decoder', () => {
    expect(new dist.ImageNotFound(404, 'x')).toBeInstanceOf(dist.APIError);
    expect(new dist.ImageNotFound(404, 'x').code).toBe('ERR_DOCKER_IMAGE_NOT_FOUND');
    expect(dist.parseReference('127.0.0.1:5000/a/b:v1@sha256:' + 'a'.repeat(64))).toEqual(source.parseReference('127.0.0.1:5000/a/b:v1@sha256:' + 'a'.repeat(64)));
    expect(new dist.PatternMatcher(['**/*.log', '!keep.log']).excludes('a/b.log')).toBe(true);
    const decoder = new dist.JsonLinesDecoder();
    expect(decoder.push(new TextEncoder().encode('{"a":1}\n{"b"'))).toEqual([{ a: 1 }]);
  });

  it('is ASCII, and the characters written as escapes still read the same', () => {
    // (one non-ASCII character makes V8 hold and scan the whole file as two-byte text)
    const text = readFileSync(new URL('../../dist/bundle.js', import.meta.url), 'latin1');
    expect(text.match(/[^\0-\x7f]/g)).toBeNull();
    const long = 'x'.repeat(100);
    expect(() => dist.parseReference(long.toUpperCase())).toThrow(/X{80}…/);
    expect(new dist.JsonLinesDecoder().push.bind(new dist.JsonLinesDecoder(), new TextEncoder().encode(`{${long}\n`))).toThrow(/x{79}…/);
  });

  it('has a source map: under --enable-source-maps a stack points into src/', () => {
    const source = readFileSync(new URL('../../src/images/reference.ts', import.meta.url), 'utf8').split('\n');
    const line = source.findIndex((l) => l.includes('throw new InvalidArgument(`${what}')) + 1;
    expect(line).toBeGreaterThan(0);
    const column = source[line - 1]!.indexOf('new InvalidArgument') + 1; // (the bundle's lines lost their indentation)
    const stack = node('--enable-source-maps', '-e', `try { require(${JSON.stringify(distPath)}).parseReference('A:'); } catch (error) { console.log(error.stack); }`);
    expect(stack).toContain(`${fileURLToPath(new URL('../../src/images/reference.ts', import.meta.url))}:${line}:${column}`);
  });

  it('its lines have no indentation, except inside a template literal', () => {
    const lines = ['function f(x) {', '    const a = `one', '    two ${x}', '    three ${x} four', '  five`;', '    return a + `six`;', '}'];
    const { text, shifts } = unindented(lines, 'f.js');
    expect(text).toEqual(['function f(x) {', 'const a = `one', '    two ${x}', '    three ${x} four', '  five`;', 'return a + `six`;', '}']);
    expect(shifts).toEqual([0, 4, 0, 0, 0, 4, 0]);
  });

  it('the loader gives internal modules by name, each evaluated once', () => {
    const walk = bundle.load('context/walk');
    expect(typeof walk['walkContext']).toBe('function');
    expect(bundle.load('context/walk')).toBe(walk);
    expect(bundle.load('errors')['APIError']).toBe(dist.APIError);
    expect(() => bundle.load('no/such/module')).toThrow(/no module no\/such\/module/);
  });
});
