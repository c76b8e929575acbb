// Where the engine is, as the docker CLI decides it: DOCKER_HOST, its TLS variables, DOCKER_CONTEXT
// and config.json's currentContext through the CLI's context store, else the local socket.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveEndpoint } from '../../src/endpoint.js';
import { InvalidArgument } from '../../src/errors.js';
import { removeTempDirs, tempDir } from '../support/temp.js';

afterAll(removeTempDirs);

/** A DOCKER_CONFIG folder holding the given contexts (name → host), TLS files for some. */
function configDir(
  contexts: Record<string, { host?: string; tls?: boolean; skipVerify?: boolean }>,
  config?: object,
): string {
  const dir = tempDir('dockwire-endpoint-');
  if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  for (const [name, { host, tls, skipVerify }] of Object.entries(contexts)) {
    const id = createHash('sha256').update(name).digest('hex');
    mkdirSync(join(dir, 'contexts', 'meta', id), { recursive: true });
    const endpoints = host === undefined ? {} : { docker: { Host: host, SkipTLSVerify: skipVerify ?? false } };
    writeFileSync(join(dir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: name, Endpoints: endpoints }));
    if (tls) {
      mkdirSync(join(dir, 'contexts', 'tls', id, 'docker'), { recursive: true });
      writeFileSync(join(dir, 'contexts', 'tls', id, 'docker', 'ca.pem'), 'CA');
    }
  }
  return dir;
}

describe('resolveEndpoint', () => {
  it('is the local socket when nothing is set', () => {
    expect(resolveEndpoint({ DOCKER_CONFIG: '/nonexistent' })).toEqual({ host: 'unix:///var/run/docker.sock' });
  });

  it('takes DOCKER_HOST over any context; TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', () => {
    const certs = tempDir('dockwire-certs-');
    writeFileSync(join(certs, 'ca.pem'), 'CA');
    const config = configDir({ other: { host: 'tcp://10.9.9.9:2376' } });
    expect(
      resolveEndpoint({ DOCKER_CONFIG: config, DOCKER_HOST: 'tcp://127.0.0.1:2375', DOCKER_CONTEXT: 'other' }),
    ).toEqual({ host: 'tcp://127.0.0.1:2375' });
    const tls = resolveEndpoint({
      DOCKER_HOST: 'tcp://127.0.0.1:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs,
    });
    expect(tls.tls?.verify).toBe(true);
    expect(Buffer.from(tls.tls?.ca as Uint8Array).toString()).toBe('CA');
  });

  it('reads DOCKER_CONTEXT, else currentContext, from the context store, with its TLS folder', () => {
    const config = configDir(
      { a: { host: 'unix:///a.sock' }, b: { host: 'tcp://127.0.0.1:2376', tls: true, skipVerify: true } },
      { currentContext: 'a' },
    );
    expect(resolveEndpoint({ DOCKER_CONFIG: config })).toEqual({ host: 'unix:///a.sock', context: 'a' });
    const b = resolveEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'b' });
    expect(b).toMatchObject({ host: 'tcp://127.0.0.1:2376', context: 'b', tls: { verify: false } });
  });

  it('the default context is the local socket; an unknown context or one without a docker endpoint is InvalidArgument', () => {
    const config = configDir({ empty: {} });
    expect(resolveEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'default' })).toEqual({
      host: 'unix:///var/run/docker.sock',
    });
    expect(() => resolveEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'nope' })).toThrow(InvalidArgument);
    expect(() => resolveEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'empty' })).toThrow(/has no docker endpoint/);
  });
});
