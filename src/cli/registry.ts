// A registry, without an engine: manifest, digest, config, tags, referrers, cp, tag-remote,
// rm-remote, attach.
import { UsageError, all, has, one } from './args.js';
import { f, follow, need, platformOption, type Family } from './command.js';
import { bytes } from './view.js';

const platform = { platform: f(['--platform'], true) };

export const registry: Family = {
  title: 'Registries (no engine)',
  commands: {
    manifest: {
      usage: 'manifest REF [--platform P]',
      summary: 'Print an image’s manifest, as the registry has it',
      flags: platform,
      async run(docker, args, io) {
        const [ref] = need(args, 1, 'REF');
        const result = await docker.registry.manifest(ref!, platformOption(one(args, 'platform')));
        if (io.json)
          return io.out.write(`${JSON.stringify({ descriptor: result.descriptor, manifest: result.manifest })}\n`);
        // the registry's exact bytes (as crane manifest prints them), which hash to the digest
        await io.out.writeAll([result.bytes]);
      },
    },
    digest: {
      usage: 'digest REF [--platform P]',
      summary: 'Print the digest a reference resolves to in its registry',
      flags: platform,
      async run(docker, args, io) {
        const [ref] = need(args, 1, 'REF');
        const descriptor = await docker.registry.resolve(ref!, platformOption(one(args, 'platform')));
        io.out.write(io.json ? `${JSON.stringify(descriptor)}\n` : `${descriptor.digest}\n`);
      },
    },
    config: {
      usage: 'config REF [--platform P]',
      summary: 'Print an image’s configuration from its registry',
      flags: platform,
      async run(docker, args, io) {
        const [ref] = need(args, 1, 'REF');
        const config = await docker.registry.config(ref!, platformOption(one(args, 'platform')));
        io.out.write(`${io.json ? JSON.stringify(config) : JSON.stringify(config, null, 2)}\n`);
      },
    },
    tags: {
      usage: 'tags REPOSITORY',
      summary: 'List a repository’s tags in its registry',
      flags: {},
      async run(docker, args, io) {
        const [repository] = need(args, 1, 'REPOSITORY');
        const tags = await docker.registry.tags(repository!);
        io.out.write(io.json ? `${JSON.stringify(tags)}\n` : tags.map((t) => `${t}\n`).join(''));
      },
    },
    referrers: {
      usage: 'referrers REF [--artifact-type TYPE]',
      summary: 'List what refers to an image (signatures, SBOMs, attestations) in its registry',
      flags: { artifactType: f(['--artifact-type'], true) },
      async run(docker, args, io) {
        const [ref] = need(args, 1, 'REF');
        const artifactType = one(args, 'artifactType');
        const found = await docker.registry.referrers(ref!, artifactType ? { artifactType } : {});
        if (io.json) return io.out.write(`${JSON.stringify(found)}\n`);
        io.out.write(`${'DIGEST'.padEnd(72)} ${'ARTIFACT TYPE'.padEnd(48)} SIZE\n`);
        for (const d of found)
          io.out.write(`${d.digest.padEnd(72)} ${(d.artifactType ?? d.mediaType).padEnd(48)} ${bytes(d.size)}\n`);
      },
    },
    cp: {
      usage: 'cp SRC DST [--to-oci-layout | --from-oci-layout] [--platform P]... [--referrers]',
      summary:
        'Copy an image between registries or repositories, into an OCI layout folder or out of one (--referrers: with its signatures, SBOMs)',
      flags: {
        platform: f(['--platform'], true, true),
        referrers: f(['--referrers']),
        toOciLayout: f(['--to-oci-layout']),
        fromOciLayout: f(['--from-oci-layout']),
      },
      async run(docker, args, io) {
        const [src, dst] = need(args, 2, 'SRC and DST');
        const platforms = all(args, 'platform');
        const options = {
          ...(platforms.length ? { platforms } : {}),
          ...(has(args, 'referrers') ? { referrers: true } : {}),
        };
        if (has(args, 'toOciLayout') && has(args, 'fromOciLayout'))
          throw new UsageError('give --to-oci-layout or --from-oci-layout, not both');
        const job = has(args, 'toOciLayout')
          ? docker.registry.save(src!, dst!, options)
          : has(args, 'fromOciLayout')
            ? docker.registry.load(src!, dst!, options)
            : docker.registry.copy(src!, dst!, options);
        const descriptor = await follow(job, io);
        io.out.write(io.json ? `${JSON.stringify(descriptor)}\n` : `${dst}@${descriptor.digest}\n`);
      },
    },
    'tag-remote': {
      usage: 'tag-remote REF TAG',
      summary: 'Give an image in a registry another tag there',
      flags: {},
      async run(docker, args, io) {
        const [ref, tag] = need(args, 2, 'REF and TAG');
        const descriptor = await docker.registry.tag(ref!, tag!);
        io.out.write(io.json ? `${JSON.stringify(descriptor)}\n` : `${descriptor.digest}\n`);
      },
    },
    'rm-remote': {
      usage: 'rm-remote REF',
      summary: 'Delete a manifest from its registry, by digest',
      flags: {},
      async run(docker, args) {
        const [ref] = need(args, 1, 'REF');
        await docker.registry.delete(ref!);
      },
    },
    attach: {
      usage: 'attach REF --artifact-type TYPE [--media-type TYPE] FILE...',
      summary: 'Attach files to an image in its registry as an OCI 1.1 artifact',
      flags: { artifactType: f(['--artifact-type'], true), mediaType: f(['--media-type'], true) },
      async run(docker, args, io) {
        const [ref, ...files] = need(args, 2, 'REF and FILE');
        const artifactType = one(args, 'artifactType');
        if (!artifactType) throw new UsageError('attach needs --artifact-type');
        const mediaType = one(args, 'mediaType') ?? 'application/octet-stream';
        const descriptor = await docker.registry.attach(ref!, {
          artifactType,
          blobs: files.map((data) => ({ mediaType, data })),
        });
        io.out.write(io.json ? `${JSON.stringify(descriptor)}\n` : `${descriptor.digest}\n`);
      },
    },
  },
};
