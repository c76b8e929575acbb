// The published JavaScript is CommonJS, one file for the library and one for the build's modules
// (scripts/bundle.mjs): its entry points export exactly what the sources export, to require() and
// to import alike, and the same classes behave the same (npm test builds dist/ first). dist/ is
// read through Node's own require() and, in a child process, Node's own import: vitest's module
// runner would load its own copies.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { unindented } from '../../scripts/lib/unindent.mjs';
import * as sourceClient from '../../src/index-client.js';
import * as source from '../../src/index.js';

const require = createRequire(import.meta.url);
const distPath = require.resolve('../../dist/index.js');
const dist = require(distPath) as typeof source;
const bundle = require('../../dist/bundle.js') as { load(name: string): Record<string, unknown> };
const node = (...args: string[]): string => execFileSync(process.execPath, args, { encoding: 'utf8' });
// a program's folder with dockwire installed (linked): there, 'dockwire' resolves as it does for users
const program = mkdtempSync(join(tmpdir(), 'dockwire-program-'));
mkdirSync(join(program, 'node_modules'));
symlinkSync(fileURLToPath(new URL('../..', import.meta.url)), join(program, 'node_modules', 'dockwire'), 'dir');
afterAll(() => rmSync(program, { recursive: true, force: true }));
const nodeInProgram = (...args: string[]): string => execFileSync(process.execPath, args, { encoding: 'utf8', cwd: program });

describe('dist/index.js, from the bundle', () => {
  it('exports every name src/index.ts exports, and no other', () => {
    expect(Object.keys(dist).sort()).toEqual(Object.keys(source).sort());
  });

  it('gives import the same names and the same single copy of each class as require', () => {
    // (Node's ES module loader finds the names of the CommonJS file with its lexer; it adds
    // `default`, the whole exports object, as it does for every CommonJS module)
    const script = `import * as esm from 'dockwire'; import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)('dockwire');
      console.log(JSON.stringify({ names: Object.keys(esm), same: Object.keys(cjs).every((n) => esm[n] === cjs[n]), whole: esm.default === cjs }));`;
    const seen = JSON.parse(nodeInProgram('--input-type=module', '-e', script)) as { names: string[]; same: boolean; whole: boolean };
    expect(seen.names.filter((n) => n !== 'default' && n !== 'module.exports').sort()).toEqual(Object.keys(source).sort());
    expect(seen.same).toBe(true);
    expect(seen.whole).toBe(true);
  });

  it('dockwire/client gives the client and the errors, the same classes as dockwire, to import and require', () => {
    const script = `import * as esm from 'dockwire/client'; import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url); const cjs = require('dockwire/client'); const main = require('dockwire');
      console.log(JSON.stringify({ names: Object.keys(esm), imported: Object.keys(cjs).every((n) => esm[n] === main[n]), required: Object.keys(cjs).every((n) => cjs[n] === main[n]) }));`;
    const seen = JSON.parse(nodeInProgram('--input-type=module', '-e', script)) as { names: string[]; imported: boolean; required: boolean };
    expect(seen.names.filter((n) => n !== 'default' && n !== 'module.exports').sort()).toEqual(Object.keys(sourceClient).sort());
    expect(Object.keys(sourceClient)).toEqual(expect.arrayContaining(['Docker', 'APIError', 'ImageNotFound', 'ConnectionError']));
    expect(seen.imported).toBe(true);
    expect(seen.required).toBe(true);
  });

  it('an importer of dockwire/client reads only the client\'s files; one of dockwire, every file', () => {
    // (an importer is given every name's value: dist/<entry>.mjs reads each getter of its entry)
    const read = (entry: string): string[] => {
      const script = `import { Docker, ConnectionError } from '${entry}'; import { createRequire } from 'node:module';
        const d = new Docker({ host: 'unix:///nowhere.sock', version: '1.41' });
        await d.ping().catch((e) => { if (!(e instanceof ConnectionError)) throw e; }); await d.close();
        console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
      return (JSON.parse(nodeInProgram('--input-type=module', '-e', script)) as string[]).map((f) => f.replace(/.*\/dist\//, '')).sort();
    };
    expect(read('dockwire/client')).toEqual(['bundle.js', 'index-client.js']);
    expect(read('dockwire')).toEqual(['build.js', 'bundle.js', 'images.js', 'index.js']);
  });

  it('an importer gets an ES module for each entry: Node does not run its CommonJS lexer over the library', () => {
    // (the lexer's first run and the CommonJS translator cost 2–4 ms and ~35 KB of V8's young
    // generation; dist/<entry>.mjs requires dist/<entry>.js and exports its names)
    for (const entry of ['dockwire', 'dockwire/client']) {
      const script = `import * as dw from '${entry}'; console.log(JSON.stringify({ url: import.meta.resolve('${entry}'), loaded: process.moduleLoadList.filter((m) => m.includes('lexer')), docker: typeof dw.Docker }));`;
      const seen = JSON.parse(nodeInProgram('--input-type=module', '-e', script)) as { url: string; loaded: string[]; docker: string };
      expect(seen).toEqual({ url: expect.stringMatching(/\/dist\/index(-client)?\.mjs$/), loaded: [], docker: 'function' });
    }
  });

  it('reads each of its files only when a module in it is first used', () => {
    // dist/bundle.js: the client and what a ping stands on; dist/images.js: the image operations;
    // dist/build.js: the build's modules (each a few ms of a cold start when read)
    const read = (code: string): string[] =>
      (JSON.parse(node('-e', `const dw = require(${JSON.stringify(distPath)}); (async () => { ${code}; })().then(() => console.log(JSON.stringify(Object.keys(require.cache))))`)) as string[]).map((f) => f.replace(/.*\/dist\//, '')).sort();
    const client = "const d = new dw.Docker({ host: 'unix:///nowhere.sock', version: '1.41' })";
    expect(read(`${client}; await d.ping().catch((e) => { if (!(e instanceof dw.ConnectionError)) throw e; }); d.api; await d.close()`)).toEqual(['bundle.js', 'index.js']);
    expect(read("const d = dw.Docker.fromEnv({ DOCKER_HOST: 'unix:///nowhere.sock' }); d.api; await d.close()")).toEqual(['bundle.js', 'index.js']);
    expect(read(`${client}; d.images; d.credentials`)).toEqual(['bundle.js', 'images.js', 'index.js']);
    expect(read('dw.listImages; dw.JsonLinesDecoder')).toEqual(['bundle.js', 'images.js', 'index.js']);
    expect(read('new dw.PatternMatcher([])')).toEqual(['build.js', 'bundle.js', 'index.js']);
    expect(read('dw.pack')).toEqual(['build.js', 'bundle.js', 'index.js']); // (its requires into images.js wait for their first use)
  });

  it('gives a TypeScript program its types: nodenext, to import and to require; node10, to require', () => {
    // (with nodenext, TypeScript finds each entry's declarations through package.json's
    // `exports`; with node10, which reads no `exports`, through `types` and `typesVersions`. A
    // name dockwire does not export is the one error, so the package did resolve)
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const typecheck = (folder: string, compilerOptions: Record<string, unknown>, files: Record<string, string>): string[] => {
      const dir = join(program, folder);
      mkdirSync(dir);
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      const options = { ...compilerOptions, strict: true, noEmit: true, typeRoots: [join(root, 'node_modules', '@types')], types: ['node'] };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: Object.keys(files) }));
      try {
        return nodeInProgram(join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', folder).trim().split('\n');
      } catch (error) {
        return String((error as { stdout?: string }).stdout).trim().split('\n');
      }
    };
    const nodenext = {
      'a.mts': "import { Docker, ImageNotFound, type Image } from 'dockwire';\nexport const p: Promise<boolean> = new Docker().ping();\nexport const i: Promise<Image> = new Docker().images.get('x');\nexport const c: string = new ImageNotFound(404, 'x').code;\n",
      'b.cts': "import dw = require('dockwire');\nexport const d: dw.Docker = new dw.Docker();\n",
      'c.mts': "import { NoSuchExport } from 'dockwire';\nexport const x = NoSuchExport;\n",
      'd.mts': "import { Docker, APIError } from 'dockwire/client';\nimport type { Image } from 'dockwire';\nexport const i: Promise<Image> = new Docker().images.get('x');\nexport const e: boolean = new Error() instanceof APIError;\n",
      'e.cts': "import client = require('dockwire/client');\nexport const d: client.Docker = new client.Docker();\n",
    };
    expect(typecheck('nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, nodenext)).toEqual([expect.stringContaining("c.mts(1,10): error TS2305: Module '\"dockwire\"' has no exported member 'NoSuchExport'.")]);
    const node10 = {
      'a.ts': "import { Docker, APIError } from 'dockwire/client';\nimport type { Image } from 'dockwire';\nexport const i: Promise<Image> = new Docker().images.get('x');\nexport const e: boolean = new Error() instanceof APIError;\n",
      'b.ts': "import { NoSuchExport } from 'dockwire/client';\nexport const x = NoSuchExport;\n",
    };
    expect(typecheck('node10', { module: 'commonjs', moduleResolution: 'node10', target: 'es2022' }, node10)).toEqual([expect.stringContaining("b.ts(1,10): error TS2305: Module '\"dockwire/client\"' has no exported member 'NoSuchExport'.")]);
  }, 60_000);

  it('require() of the package loads no part of Node beyond what node:net and resolving a package load', () => {
    // (what keeps a cold start short: no ES module loader, no node:fs/promises, no node:os...; the
    // baseline is a package that does nothing, with "exports" as dockwire has: to resolve those,
    // require() loads the ES module loader's resolver, whichever package it is)
    const empty = join(program, 'node_modules', 'empty-with-exports');
    mkdirSync(empty, { recursive: true });
    writeFileSync(join(empty, 'package.json'), '{ "name": "empty-with-exports", "exports": { ".": "./index.js" } }\n');
    writeFileSync(join(empty, 'index.js'), 'module.exports = {};\n');
    const loaded = (code: string): string[] => JSON.parse(nodeInProgram('-e', `${code}; console.log(JSON.stringify(process.moduleLoadList))`)) as string[];
    const baseline = new Set(loaded("require('node:net'); require('empty-with-exports')"));
    expect(loaded("require('dockwire').Docker").filter((m) => !baseline.has(m))).toEqual([]);
    expect(loaded("require('dockwire/client').Docker").filter((m) => !baseline.has(m))).toEqual([]);
    expect(loaded("require('dockwire').Docker")).toEqual(expect.arrayContaining(['NativeModule net']));
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
