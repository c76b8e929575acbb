import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../../src/errors.js';
import { Registry } from '../../../src/registry/registry.js';
import {
  isLoopbackRegistry,
  parseRegistryReference,
  parseRegistryRepository,
  registryOrigin,
} from '../../../src/registry/name.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseRegistryReference (as the docker CLI reads references)', () => {
  const rows: Array<[string, object]> = [
    ['busybox', { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'library/busybox', tag: 'latest' }],
    [
      'busybox:1.36',
      { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'library/busybox', tag: '1.36' },
    ],
    [
      'docker.io/busybox',
      { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'library/busybox', tag: 'latest' },
    ],
    [
      'index.docker.io/library/busybox',
      { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'library/busybox', tag: 'latest' },
    ],
    ['team/app', { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'team/app', tag: 'latest' }],
    [`busybox@${D}`, { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'library/busybox', digest: D }],
    [
      `busybox:1@${D}`,
      { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'library/busybox', tag: '1', digest: D },
    ],
    ['127.0.0.1:5000/x', { registry: '127.0.0.1:5000', host: '127.0.0.1:5000', repository: 'x', tag: 'latest' }],
    ['127.0.0.1:5000/a/b:v2', { registry: '127.0.0.1:5000', host: '127.0.0.1:5000', repository: 'a/b', tag: 'v2' }],
    ['localhost/x', { registry: 'localhost', host: 'localhost', repository: 'x', tag: 'latest' }],
    ['ghcr.io/o/r:t', { registry: 'ghcr.io', host: 'ghcr.io', repository: 'o/r', tag: 't' }],
    ['[::1]:5000/x', { registry: '[::1]:5000', host: '[::1]:5000', repository: 'x', tag: 'latest' }],
  ];
  for (const [ref, expected] of rows) it(ref, () => expect(parseRegistryReference(ref)).toEqual(expected));

  it('refuses what is not a reference', () => {
    for (const bad of ['', 'UPPER/x', 'a b', 'x@sha256:zz', '127.0.0.1:5000/', 42])
      expect(() => parseRegistryReference(bad), String(bad)).toThrow(InvalidArgument);
  });

  it('a repository has no tag or digest', () => {
    expect(parseRegistryRepository('127.0.0.1:5000/a/b')).toEqual({
      registry: '127.0.0.1:5000',
      host: '127.0.0.1:5000',
      repository: 'a/b',
    });
    expect(parseRegistryRepository('busybox')).toEqual({
      registry: 'docker.io',
      host: 'registry-1.docker.io',
      repository: 'library/busybox',
    });
    for (const bad of ['127.0.0.1:5000/a:v1', `a@${D}`])
      expect(() => parseRegistryRepository(bad), bad).toThrow(InvalidArgument);
  });

  it('loopback registries are the ones dockerd reaches over plain HTTP', () => {
    for (const yes of ['127.0.0.1:5000', '127.1.2.3', 'localhost:5000', '[::1]:5000', '::1'])
      expect(isLoopbackRegistry(yes), yes).toBe(true);
    for (const no of ['10.0.0.1:5000', 'docker.io', 'registry-1.docker.io', '127.0.0.1.example.com', '128.0.0.1'])
      expect(isLoopbackRegistry(no), no).toBe(false);
  });

  it('HTTPS by default; plain HTTP for loopback and for registries listed insecure', () => {
    const origin = (ref: string, insecure: string[] = []) =>
      registryOrigin(parseRegistryReference(ref), new Set(insecure));
    expect(origin('busybox')).toEqual({ secure: true, host: 'registry-1.docker.io', port: 443 });
    expect(origin('ghcr.io:8443/a')).toEqual({ secure: true, host: 'ghcr.io', port: 8443 });
    expect(origin('10.0.0.5:5000/a')).toEqual({ secure: true, host: '10.0.0.5', port: 5000 });
    expect(origin('10.0.0.5:5000/a', ['10.0.0.5:5000'])).toEqual({ secure: false, host: '10.0.0.5', port: 5000 });
    expect(origin('my.registry/a', ['my.registry'])).toEqual({ secure: false, host: 'my.registry', port: 80 });
    expect(origin('127.0.0.1:5000/a')).toEqual({ secure: false, host: '127.0.0.1', port: 5000 });
    expect(origin('[::1]:5000/a')).toEqual({ secure: false, host: '::1', port: 5000 });
    expect(origin('localhost/a')).toEqual({ secure: false, host: 'localhost', port: 80 });
  });

  it('a digest of an algorithm this client cannot verify is InvalidArgument at parse time', () => {
    for (const bad of [`x@md5:${'a'.repeat(32)}`, `x@sha999:${'a'.repeat(64)}`, `x@sha256:${'A'.repeat(64)}`])
      expect(() => parseRegistryReference(bad), bad).toThrow(/the digest in reference "\S+" is not/);
    expect(parseRegistryReference(`x@sha512:${'a'.repeat(128)}`).digest).toBe(`sha512:${'a'.repeat(128)}`);
  });
});

describe('a reference with an unknown digest algorithm', () => {
  it('is refused before any connection: the registry never hears of it', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const registry = new Registry({ env: {}, configDir: '/nonexistent' });
    try {
      for (const digest of [`md5:${'0'.repeat(32)}`, `sha999:${'0'.repeat(64)}`]) {
        const ref = `${host}/x@${digest}`;
        for (const call of [
          () => registry.resolve(ref),
          () => registry.manifest(ref),
          () => registry.config(ref),
          () => registry.referrers(ref),
          () => registry.delete(ref),
          () => registry.attestations(ref),
        ])
          await expect(call(), `${String(call)} ${digest}`).rejects.toBeInstanceOf(InvalidArgument);
      }
      expect(connections).toBe(0);
    } finally {
      await registry.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
