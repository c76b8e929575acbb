// rolldown's options for the published files (scripts/build.mjs writes them; the unit test
// test/unit/bundle.test.ts builds them in memory to check which modules an entry loads at import).
const own = (id) => /[\\/]src[\\/](?!cli[\\/])/.test(id);
// loaded by a call's first use (each behind an `import('./...')` of a literal in the module that calls it)
const lazy =
  /[\\/]src[\\/](?:trust|tuf|append|signatures)[\\/]|[\\/]src[\\/]registry[\\/](?:append|append-base|signatures|sign|copy|copy-referrers|attestations|save|load)\.ts$|[\\/]src[\\/]image-archive[\\/]signatures\.ts$/;
const build =
  /[\\/]src[\\/](?:grpc|session|build-context|ignore)[\\/]|[\\/]src[\\/]buildkit-client[\\/](?:solve|outputs)\.ts$|[\\/]src[\\/]buildkit[\\/](?:status|fsutil|control|protobuf)\.ts$/;
// an image's files (openImageArchive's reading, registry.files and extract): layouts, merging, tar
const archive =
  /[\\/]src[\\/]tar[\\/]|[\\/]src[\\/]image-archive[\\/](?!archive\.ts$|access\.ts$|spool\.ts$|source\.ts$|signatures\.ts$)|[\\/]src[\\/]registry[\\/]image-files\.ts$/;
// the calls of a Registry as its first call loads them (registry/calls.ts: repositories, tokens,
// requests and their retries, reads and writes), with the host configuration's readers below;
// what a Registry is made of stays in the shared chunk
const registry =
  /[\\/]src[\\/]registry[\\/](?!(?:registry|options|bounds|name|credential-lookup|host-plans|endpoints|append-job)\.ts$)[a-z-]+\.ts$/;
// in-toto statements and what carries them (DSSE envelopes, Sigstore bundles), as
// registry.attestations, imageArchive.attestations and the verifiers read them
const statements =
  /[\\/]src[\\/]attestations[\\/](?:collect|envelope|statement)\.ts$|[\\/]src[\\/]trust[\\/](?:bundle|dsse)\.ts$/;
// a registry's host configuration as its first request reads it (hosts.toml, registries.conf, certs.d;
// TOML): in the chunk of a Registry's calls, which every first request loads too
const hosts =
  /[\\/]src[\\/]toml[\\/]|[\\/]src[\\/]hosts[\\/](?:resolve|registries-conf|hosts-toml|toml-file|certs-dir|tls-files)\.ts$/;

export const bundleOptions = {
  input: { index: 'src/index.ts', api: 'src/api.ts', cli: 'src/cli/bin.ts' },
  platform: 'node',
  external: [/^node:/],
  // what rolldown sets when a group leaves out its dependencies (the entries are files of
  // re-exports, so nothing is added to them)
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: 'dist',
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    // no comments (the doc comments ship in dist/types/*.d.ts) and ASCII only: a cold start reads
    // and compiles every byte of the chunks an entry imports, and one non-ASCII character makes
    // Node decode the whole file as a two-byte string
    comments: false,
    charset: 'ascii',
    // the few modules loaded on first use (node:tls, ...) stay `import('...')` of a literal. Our own
    // modules go into one shared chunk, except the units the entries load on first call, which
    // rolldown gives chunks of their own: verifyBundle's verifier, fetchTrustedRoot's TUF client,
    // registry.append's machinery, registry.verify's and imageArchive.verify's, registry.sign's, registry.copy's and
    // registry.attestations'; in one chunk what a build
    // loads (the build context's packer, the session, gRPC, the solver), in another what reading an
    // image's files loads (an archive's layout, the merging, tar), in another a Registry's calls and
    // the host configuration's readers (its first call loads them), in another the in-toto
    // statements' readers (and the DSSE and bundle parsers they share with the verifiers). What the
    // entries need of those at once (parseTrustedRoot's modules) gets a chunk that the shared
    // one's importers load beside it
    codeSplitting: {
      groups: [
        {
          name: 'dockwire',
          test: (id) => own(id) && ![lazy, build, archive, hosts, statements, registry].some((unit) => unit.test(id)),
        },
        { name: 'build', test: (id) => own(id) && build.test(id) },
        {
          name: 'archive',
          test: (id) => own(id) && archive.test(id),
          priority: 1,
          includeDependenciesRecursively: false,
        },
        {
          name: 'registry',
          test: (id) => own(id) && (registry.test(id) || hosts.test(id)) && !lazy.test(id) && !archive.test(id),
          includeDependenciesRecursively: false,
        },
        {
          name: 'statements',
          test: (id) => own(id) && statements.test(id),
          priority: 1,
          includeDependenciesRecursively: false,
        },
      ],
    },
  },
};
