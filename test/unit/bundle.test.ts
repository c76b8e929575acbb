// The published build's module graph (scripts/bundle.mjs, built in memory): what an importer of
// `dockwire` or `dockwire/api` evaluates at import. The units a call loads on first use must stay
// out of it, and the built-ins it imports at once must stay the few a first request needs.
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown, type OutputChunk } from 'rolldown';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../scripts/bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Modules that only a call's first use loads (each behind an `import()` of a literal). */
const LOADED_ON_FIRST_USE = [
  'src/grpc/client.ts', // BuildKit, a build's session
  'src/session/session.ts',
  'src/build-context/archive.ts', // a build's context
  'src/ignore/matcher.ts',
  'src/buildkit-client/solve.ts', // buildkit.build
  'src/buildkit/status.ts',
  'src/buildkit/control.ts', // BuildKit's Control API messages
  'src/image-archive/layout.ts', // openImageArchive, an image's files (archive or registry)
  'src/image-archive/merge.ts',
  'src/image-archive/extract.ts',
  'src/registry/image-files.ts',
  'src/tar/reader.ts',
  'src/registry/calls.ts', // a registry's first call: its requests, tokens, reads and writes
  'src/registry/repository.ts',
  'src/registry/requester.ts',
  'src/hosts/resolve.ts', // a registry's first request: the host configuration's readers
  'src/toml/parse.ts',
  'src/trust/verify.ts', // verifyBundle
  'src/tuf/trusted-root.ts', // fetchTrustedRoot
  'src/append/layer.ts', // registry.append and mutate
  'src/registry/append.ts',
  'src/registry/signatures.ts', // registry.verify
  'src/registry/sign.ts', // registry.sign
  'src/registry/copy.ts', // registry.copy
  'src/registry/copy-referrers.ts',
  'src/registry/attestations.ts', // registry.attestations
  'src/attestations/collect.ts', // in-toto statements, as registry.attestations and the archive's read them
  'src/trust/bundle.ts', // Sigstore bundles and DSSE envelopes, as the verifiers and attestations read them
];
/** What a first engine or registry request needs of Node at once (tls, zlib, http2, crypto: where first used). */
const BUILT_INS_AT_IMPORT = ['node:fs', 'node:net', 'node:path', 'node:stream'];

let chunks: Map<string, OutputChunk>;

beforeAll(async () => {
  const { output, ...input } = bundleOptions;
  const bundle = await rolldown({ ...input, cwd: root, logLevel: 'silent' });
  const generated = await bundle.generate(output);
  await bundle.close();
  chunks = new Map(generated.output.flatMap((c) => (c.type === 'chunk' ? [[c.fileName, c] as const] : [])));
}, 60_000);

/** The chunks an importer of `entry` evaluates: it and what it imports statically, transitively. */
function loadedAtImport(entry: string): OutputChunk[] {
  const seen = new Map<string, OutputChunk>();
  const stack = [entry];
  while (stack.length > 0) {
    const name = stack.pop()!;
    const chunk = chunks.get(name);
    if (chunk === undefined || seen.has(name)) continue;
    seen.set(name, chunk);
    stack.push(...chunk.imports);
  }
  return [...seen.values()];
}

const modulesOf = (list: OutputChunk[]): string[] =>
  list.flatMap((c) => c.moduleIds).map((id) => relative(root, id).replaceAll('\\', '/'));

describe('the build', () => {
  it('has every module named here in some chunk (so the checks below name real files)', () => {
    const all = modulesOf([...chunks.values()]);
    for (const file of LOADED_ON_FIRST_USE) expect(all).toContain(file);
  });

  for (const entry of ['index.js', 'api.js']) {
    describe(`importing dist/${entry}`, () => {
      it('evaluates none of the modules a call loads on first use', () => {
        const loaded = modulesOf(loadedAtImport(entry));
        expect(loaded).toContain('src/client.ts');
        expect(loaded).toContain('src/registry/registry.ts');
        expect(LOADED_ON_FIRST_USE.filter((file) => loaded.includes(file))).toEqual([]);
      });

      it('imports only the built-ins a first request needs', () => {
        const builtIns = new Set(loadedAtImport(entry).flatMap((c) => c.imports.filter((i) => i.startsWith('node:'))));
        expect([...builtIns].filter((b) => !BUILT_INS_AT_IMPORT.includes(b))).toEqual([]);
      });
    });
  }

  it('loads each lazy chunk by an import() of a string literal', () => {
    const computed = [...chunks.values()].flatMap((c) =>
      [...c.code.matchAll(/\bimport\(([^)]*)\)/g)]
        .map((m) => m[1]!)
        .filter((arg) => !/^"[^"]+"$/.test(arg))
        .map((arg) => `${c.fileName}: import(${arg})`),
    );
    expect(computed).toEqual([]);
    const dynamic = new Set([...chunks.values()].flatMap((c) => c.dynamicImports));
    for (const name of ['build', 'archive', 'registry'])
      expect([...dynamic].some((d) => d.startsWith(`chunks/${name}-`))).toBe(true);
  });
});
