// Every operation's bad input: a typed error, no hang, no leaked connection.
import { describe, expect, it } from 'vitest';
import {
  Docker,
  DockerError,
  ImageNotFound,
  InvalidArgument,
  SocketTransport,
  parseAddress,
  saveImages,
} from '../../src/api.js';
import { engine, ns } from '../support/engine.js';

const transport = new SocketTransport(parseAddress(engine.host), { maxSockets: 2 });
const docker = new Docker({ transport });

async function drain(source: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of source);
}

const badNames = [
  '',
  ' ',
  'a b',
  'name\r\nX-Injected: 1',
  'nul\0byte',
  '../../containers/json',
  'a//b',
  'x'.repeat(600),
];
const badRepositories = [
  ...badNames,
  'UPPER/case',
  'Registry.example/Repo',
  'repo:bad tag',
  'repo@sha256:short',
  `a/${'b'.repeat(300)}`,
];
const badTags = ['', 'v1\r\nX: y', 'has space', '-leading-dash', 'x'.repeat(129)];

type Case = [string, () => Promise<unknown>];

const cases: Case[] = [
  ...badNames.map((n): Case => [`get ${JSON.stringify(n)}`, () => docker.images.get(n)]),
  ...badNames.map((n): Case => [`remove ${JSON.stringify(n)}`, () => docker.images.remove(n)]),
  ...badNames.map((n): Case => [`save ${JSON.stringify(n)}`, async () => drain(saveImages(docker, n))]),
  ...badNames.map((n): Case => [`list name ${JSON.stringify(n)}`, () => docker.images.list({ name: n })]),
  ...badRepositories.map((r): Case => [`pull ${JSON.stringify(r)}`, async () => docker.images.pull(r)]),
  ...badRepositories.map((r): Case => [`push ${JSON.stringify(r)}`, async () => docker.images.push(r)]),
  ...badRepositories.map((r): Case => [`registry data ${JSON.stringify(r)}`, () => docker.images.getRegistryData(r)]),
  ...badTags.map((t): Case => [`pull tag ${JSON.stringify(t)}`, async () => docker.images.pull('busybox', { tag: t })]),
  ...badTags.map((t): Case => [
    `push tag ${JSON.stringify(t)}`,
    async () => docker.images.push(`${engine.registry}/x`, { tag: t }),
  ]),
  ...badTags.map((t): Case => [
    `tag tag ${JSON.stringify(t)}`,
    async () => (await docker.images.get(engine.baseImage)).tag(`${ns}/x`, t),
  ]),
  ...badRepositories.map((r): Case => [
    `tag repository ${JSON.stringify(r)}`,
    async () => (await docker.images.get(engine.baseImage)).tag(r),
  ]),
  ['pull with tag and allTags', async () => docker.images.pull(`${engine.registry}/x`, { tag: 'v1', allTags: true })],
  ['pull with two different tags', async () => docker.images.pull(`${engine.registry}/x:a`, { tag: 'b' })],
  ['push a digest', async () => docker.images.push(`${engine.registry}/x@sha256:${'a'.repeat(64)}`)],
  ['search empty', () => docker.images.search('')],
  ['search limit', () => docker.images.search(`${engine.registry}/x`, { limit: 1.5 })],
  ['load a path that does not exist', async () => docker.images.load('/nonexistent/dockwire/image.tar')],
  ['load a number', async () => docker.images.load(7 as unknown as Uint8Array)],
  ['load null', async () => docker.images.load(null as unknown as Uint8Array)],
  ['save chunkSize 0', async () => drain((await docker.images.get(engine.baseImage)).save({ chunkSize: 0 }))],
  [
    'save named, not a tag',
    async () => drain((await docker.images.get(engine.baseImage)).save({ named: 'other:tag' })),
  ],
  ['login without username', () => docker.login({ username: '' })],
  ['pull platform empty', async () => docker.images.pull(`${engine.registry}/x:1`, { platform: '' })],
];

describe('bad input to every operation', () => {
  it.each(cases)('%s → InvalidArgument before any request', async (_label, run) => {
    const before = transport.stats.created;
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidArgument);
    expect((error as InvalidArgument).code).toBe('ERR_DOCKER_INVALID_ARGUMENT');
    expect((error as Error).message).not.toContain('\r\n');
    // nothing new was opened for it (get/inspect of the base image aside, reused from the pool),
    // and nothing is left in flight: every connection is back in the pool
    expect(transport.stats.created - before).toBeLessThanOrEqual(1);
    expect(transport.stats.open).toBe(transport.stats.idle);
  });

  it('names the argument in the message', async () => {
    await expect(docker.images.pull('UPPER/Case')).rejects.toThrow(/repository .*lowercase/);
    await expect(docker.images.pull('ok', { tag: 'v 1' })).rejects.toThrow(/^tag /);
    await expect(docker.images.get('')).rejects.toThrow(/name must not be empty/);
  });

  it('unknown images are ImageNotFound for every image operation', async () => {
    const name = `${ns}/absent:nope`;
    const image = await docker.images.get(engine.baseImage);
    for (const run of [
      () => docker.images.get(name),
      () => docker.images.remove(name),
      () => drain(saveImages(docker, name)),
      () => docker.api.json('GET', '/images/x/json', { notFound: (m) => new ImageNotFound(404, m) }),
    ]) {
      await expect(run()).rejects.toBeInstanceOf(ImageNotFound);
    }
    const { tagImage, imageHistory } = await import('../../src/api.js');
    await expect(tagImage(docker, name, `${ns}/y`)).rejects.toBeInstanceOf(ImageNotFound);
    await expect(imageHistory(docker, name)).rejects.toBeInstanceOf(ImageNotFound);
    await expect(
      docker.images.push(`${engine.registry}/dockwire/absent-${Date.now()}`, { tag: 'x' }),
    ).rejects.toBeInstanceOf(DockerError);
    expect(image.id).toMatch(/^sha256:/);
  });

  it('leaves the pool healthy: nothing leaked, nothing hung', async () => {
    expect(transport.stats.open).toBeLessThanOrEqual(2);
    expect(transport.stats.waiting).toBe(0);
    expect(await docker.ping()).toBe(true);
    await docker.close();
    expect(transport.stats.open).toBe(0);
  });
});
