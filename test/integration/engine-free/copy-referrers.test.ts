// registry.copy(src, dst, { referrers: true }) against registry 2.8 (no referrers API: the
// fallback tag) within one registry and between two: what cosign 3.1.1 signed and attested, and
// what oras attached, arrive, and the peers themselves verify and discover them at the destination.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, type Attestation } from '../../../src/index.js';
import { attestedImages, cosign, IN_TOTO, type AttestedImages } from '../../support/attested-images.js';
import { engine, uniqueName } from '../../support/engine.js';
import { oras, peerConfig } from '../../support/registry-peers.js';
import { main } from '../../../src/cli/main.js';
import { bufferIo } from '../../support/cli-io.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const registry = new Registry({ configDir: peerConfig() });
let made: AttestedImages;
let nested: string;
beforeAll(async () => {
  made = await attestedImages(registry);
  await cosign(
    'sign',
    '--key',
    join(made.keys, 'cosign.key'),
    '--use-signing-config=false',
    '--tlog-upload=false',
    '--allow-http-registry',
    '-y',
    `${made.repo}@${made.amd64}`,
  );
  // a referrer of a referrer: a note on the in-toto statement oras attached to the arm64 manifest
  const [statement] = await registry.referrers(`${made.repo}@${made.arm64}`, { artifactType: IN_TOTO });
  nested = statement!.digest;
  writeFileSync(join(made.dir, 'note.txt'), 'reviewed');
  await oras(
    'attach',
    '--disable-path-validation',
    '--artifact-type',
    'application/vnd.dockwire.test.note',
    `${made.repo}@${nested}`,
    join(made.dir, 'note.txt'),
  );
}, 300_000);
afterAll(() => registry.close());

const summary = (list: Attestation[]): string[] =>
  list
    .map((a) => `${a.platform?.architecture ?? 'index'} ${a.source} ${a.predicateType}${a.signed ? ' signed' : ''}`)
    .sort();
const discovered = async (ref: string): Promise<string[]> => {
  const tree = JSON.parse(await oras('discover', '--format', 'json', ref)) as {
    referrers?: Array<{ digest: string }>;
    manifests?: Array<{ digest: string }>;
  };
  return (tree.referrers ?? tree.manifests ?? []).map((d) => d.digest).sort();
};

describe.each([
  ['within one registry', () => engine.registry],
  ['between two registries', () => engine.authRegistry],
])('copy with referrers %s', (_name, host) => {
  it('copies every referrer, recursively, and the legacy .att tag; cosign verifies and oras discovers them there', async () => {
    const dst = `${host()}/dockwire-test/${uniqueName('copied')}`;
    const job = registry.copy(made.ref, `${dst}:1`, { referrers: true });
    const events: string[] = [];
    for await (const e of job) events.push(e.status ?? '');
    const descriptor = await job;
    expect(descriptor.digest).toBe(made.index);
    expect(events.length).toBeGreaterThan(0);

    expect(summary(await registry.attestations(`${dst}:1`))).toEqual(summary(await registry.attestations(made.ref)));
    for (const digest of [made.amd64, made.arm64])
      expect(await discovered(`${dst}@${digest}`)).toEqual(await discovered(`${made.repo}@${digest}`));
    expect(await oras('discover', '--format', 'json', `${dst}@${made.arm64}`)).toContain(IN_TOTO);
    // recursively: the note on the attached statement
    expect(await discovered(`${dst}@${nested}`)).toEqual(await discovered(`${made.repo}@${nested}`));
    expect(await discovered(`${dst}@${nested}`)).toHaveLength(1);

    const pub = join(made.keys, 'cosign.pub');
    const verified = await cosign(
      'verify',
      '--key',
      pub,
      '--insecure-ignore-tlog',
      '--allow-http-registry',
      `${dst}@${made.amd64}`,
    );
    expect(verified).toContain(made.amd64);
    await cosign(
      'verify-attestation',
      '--key',
      pub,
      '--type',
      'cyclonedx',
      '--insecure-ignore-tlog',
      '--allow-http-registry',
      `${dst}@${made.amd64}`,
    );
    await cosign(
      'verify-attestation',
      '--key',
      pub,
      '--type',
      'spdxjson',
      '--insecure-ignore-tlog',
      '--allow-http-registry',
      `${dst}@${made.arm64}`,
    );
    // the legacy .att tag of the index went too
    expect(await registry.tags(dst)).toContain(`${made.index.replace(':', '-')}.att`);
  }, 240_000);
});

it('keeps the destination\u2019s earlier fallback-tag entries', async () => {
  const dst = `${engine.registry}/dockwire-test/${uniqueName('kept')}`;
  await registry.copy(`${made.repo}@${made.amd64}`, `${dst}:1`);
  await registry.attach(`${dst}@${made.amd64}`, {
    artifactType: 'application/vnd.dockwire.test.note',
    blobs: [{ mediaType: 'text/plain', data: new TextEncoder().encode('note') }],
  });
  const before = await discovered(`${dst}@${made.amd64}`);
  expect(before).toHaveLength(1);
  await registry.copy(`${made.repo}@${made.amd64}`, `${dst}:1`, { referrers: true });
  const after = await discovered(`${dst}@${made.amd64}`);
  expect(after).toEqual([...before, ...(await discovered(`${made.repo}@${made.amd64}`))].sort());
}, 120_000);

it('the CLI: cp --referrers', async () => {
  const dst = `${engine.registry}/dockwire-test/${uniqueName('cli')}:1`;
  const buffers = bufferIo({ env: process.env });
  expect(await main(['--json', 'cp', '--referrers', made.ref, dst], buffers.io), buffers.err()).toBe(0);
  expect(await discovered(`${dst.slice(0, dst.lastIndexOf(':'))}@${made.amd64}`)).toEqual(
    await discovered(`${made.repo}@${made.amd64}`),
  );
}, 120_000);
