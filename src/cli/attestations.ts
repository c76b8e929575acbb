// `dockwire attestations`, `sbom` and `provenance`: the in-toto statements about an image in its
// registry (no engine). `sbom` and `provenance` print JSON as `docker buildx imagetools inspect
// --format '{{json .SBOM}}'` and `.Provenance` do: `{ "SPDX": ... }` and `{ "SLSA": ... }` for one
// platform, an object keyed by platform for several.
import type { Attestation, Docker, Platform } from '../api.js';
import { UsageError, all, one, type Parsed } from './args.js';
import { f, type Family, type Io } from './command.js';

const platformFlag = f(['--platform'], true);

const platformName = (p: Platform | undefined): string =>
  p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'index';

function refOf(args: Parsed): string {
  const [ref] = args.positionals;
  if (ref === undefined) throw new UsageError('missing REF');
  return ref;
}

/**
 * The attestations of `ref` per platform (each with the index's, which cover every platform),
 * `pick` choosing what to print of them: one platform's object when `--platform` names one or the
 * image has one, else an object keyed by platform.
 */
async function perPlatform(
  docker: Docker,
  args: Parsed,
  io: Io,
  pick: (list: Attestation[]) => Record<string, unknown>,
): Promise<void> {
  const ref = refOf(args);
  const platform = one(args, 'platform');
  const platforms = platform !== undefined ? [platform] : (await docker.registry.platforms(ref)).map(platformName);
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of platforms.length ? platforms : [undefined]) {
    out[p ?? 'image'] = pick(await docker.registry.attestations(ref, p === undefined ? {} : { platform: p }));
  }
  const values = Object.values(out);
  io.out.write(`${JSON.stringify(values.length === 1 ? values[0] : out, null, io.json ? undefined : 2)}\n`);
}

/** First predicate of each kind, under imagetools' names: a platform's own before the index's. */
function predicates(list: Attestation[], names: Partial<Record<Attestation['kind'], string>>): Record<string, unknown> {
  const chosen: Record<string, unknown> = {};
  for (const a of [...list.filter((x) => x.platform !== undefined), ...list.filter((x) => x.platform === undefined)]) {
    const name = names[a.kind];
    if (name !== undefined && !(name in chosen)) chosen[name] = a.predicate;
  }
  return chosen;
}

/** attestations: the family of `attestations`, `sbom` and `provenance`. */
export const attestations: Family = {
  title: 'Supply chain',
  commands: {
    attestations: {
      usage: 'attestations REF [--platform P] [--type PREDICATE_TYPE]...',
      summary: 'List the in-toto statements about an image (provenance, SBOMs) from its index and its referrers',
      flags: { platform: platformFlag, type: f(['--type'], true, true) },
      async run(docker, args, io) {
        const ref = refOf(args);
        const platform = one(args, 'platform');
        const types = all(args, 'type');
        const list = await docker.registry.attestations(ref, {
          ...(platform !== undefined ? { platform } : {}),
          ...(types.length ? { predicateType: types } : {}),
        });
        if (io.json)
          return void io.out.write(`${JSON.stringify({ attestations: [...list], skipped: list.skipped })}\n`);
        io.out.write(
          `${'PLATFORM'.padEnd(16)} ${'SOURCE'.padEnd(9)} ${'SIGNED'.padEnd(6)} ${'KIND'.padEnd(21)} PREDICATE TYPE\n`,
        );
        for (const a of list)
          io.out.write(
            `${platformName(a.platform).padEnd(16)} ${a.source.padEnd(9)} ${(a.signed ? 'yes' : 'no').padEnd(6)} ${a.kind.padEnd(21)} ${a.predicateType}\n`,
          );
        if (list.skipped.length)
          io.err.write(
            `${list.skipped.length} statement(s) skipped: they name another image or are no statement (see --json)\n`,
          );
      },
    },
    sbom: {
      usage: 'sbom REF [--platform P]',
      summary: 'Print an image\u2019s SBOMs (SPDX, CycloneDX) as imagetools\u2019 .SBOM does',
      flags: { platform: platformFlag },
      run: (docker, args, io) =>
        perPlatform(docker, args, io, (list) => predicates(list, { spdx: 'SPDX', cyclonedx: 'CycloneDX' })),
    },
    provenance: {
      usage: 'provenance REF [--platform P]',
      summary: 'Print an image\u2019s SLSA provenance as imagetools\u2019 .Provenance does',
      flags: { platform: platformFlag },
      run: (docker, args, io) =>
        perPlatform(docker, args, io, (list) =>
          predicates(list, { 'slsa-provenance-v0.2': 'SLSA', 'slsa-provenance-v1': 'SLSA' }),
        ),
    },
  },
};
