// Remote engines: a second dockerd listening on a loopback TCP port with --tlsverify, reached
// with the right certificates, a wrong CA, and no client certificate; and endpoints chosen from
// DOCKER_HOST/DOCKER_TLS_VERIFY/DOCKER_CERT_PATH and from docker contexts, as the CLI does.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIError, ConnectionError, Docker, InvalidArgument, resolveEndpoint } from '../../src/api.js';
import { makeCerts, type Certs } from '../support/certs.js';
import { engine } from '../support/engine.js';
import { startScratchEngine, type ScratchEngine } from '../support/scratch-engine.js';
import { freePort } from '../support/ports.js';

let certs: Certs;
let tlsEngine: ScratchEngine;
let port = 0;

beforeAll(async () => {
  certs = makeCerts();
  port = await freePort();
  tlsEngine = await startScratchEngine(
    [
      '-H',
      `tcp://127.0.0.1:${port}`,
      '--tlsverify',
      '--tlscacert',
      certs.ca,
      '--tlscert',
      certs.serverCert,
      '--tlskey',
      certs.serverKey,
    ],
    'docker',
  );
}, 60_000);

afterAll(() => {
  tlsEngine?.dispose();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

const pem = (dir: string, name: string) => readFileSync(join(dir, name));

describe('tcp:// with TLS', () => {
  it('with the right CA and a client certificate: ping, version, images', async () => {
    const docker = new Docker({
      host: `tcp://127.0.0.1:${port}`,
      tls: {
        ca: pem(certs.clientDir, 'ca.pem'),
        cert: pem(certs.clientDir, 'cert.pem'),
        key: pem(certs.clientDir, 'key.pem'),
      },
    });
    expect(await docker.ping()).toBe(true);
    expect((await docker.version()).Os).toBe('linux');
    expect(Array.isArray(await docker.images.list())).toBe(true);
    await docker.close();
  });

  it('from DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', async () => {
    const docker = Docker.fromEnv({
      DOCKER_HOST: `tcp://127.0.0.1:${port}`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs.clientDir,
    });
    expect(await docker.ping()).toBe(true);
    await docker.close();
  });

  it('a wrong CA is a ConnectionError that says the certificate is not signed by it', async () => {
    const docker = Docker.fromEnv({
      DOCKER_HOST: `tcp://127.0.0.1:${port}`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs.wrongCaDir,
    });
    const error = await docker.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/not signed by a trusted CA \(the given one/);
    await docker.close();
  });

  it('no client certificate is a ConnectionError that says the engine wants one', async () => {
    const docker = new Docker({ host: `tcp://127.0.0.1:${port}`, tls: { ca: pem(certs.clientDir, 'ca.pem') } });
    const error = await docker.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/client certificate/);
    await docker.close();
  });

  it("plain HTTP to the TLS port: the engine's own answer says so", async () => {
    const docker = new Docker({ host: `tcp://127.0.0.1:${port}`, timeout: 5000 });
    const error = await docker.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).statusCode).toBe(400);
    expect((error as APIError).explanation).toMatch(/HTTP request to an HTTPS server/);
    await docker.close();
  });
});

describe('docker contexts', () => {
  function contextStore(name: string, host: string, tlsFrom?: string): string {
    const config = mkdtempSync(join(tmpdir(), 'dockwire-ctx-config-'));
    const id = createHash('sha256').update(name).digest('hex');
    mkdirSync(join(config, 'contexts', 'meta', id), { recursive: true });
    writeFileSync(
      join(config, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
    );
    if (tlsFrom) cpSync(tlsFrom, join(config, 'contexts', 'tls', id, 'docker'), { recursive: true });
    return config;
  }

  it('DOCKER_CONTEXT names a context whose endpoint is the TLS engine', async () => {
    const config = contextStore('remote-tls', `tcp://127.0.0.1:${port}`, certs.clientDir);
    const docker = Docker.fromEnv({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'remote-tls' });
    expect(await docker.ping()).toBe(true);
    await docker.close();
    rmSync(config, { recursive: true, force: true });
  });

  it("config.json's currentContext is used when nothing else says", async () => {
    const config = contextStore('local', engine.host);
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'local' }));
    expect(resolveEndpoint({ DOCKER_CONFIG: config })).toMatchObject({ host: engine.host, context: 'local' });
    const docker = Docker.fromEnv({ DOCKER_CONFIG: config });
    expect(await docker.ping()).toBe(true);
    await docker.close();
    // DOCKER_HOST wins over any context, as in the CLI
    expect(
      resolveEndpoint({ DOCKER_CONFIG: config, DOCKER_HOST: 'unix:///elsewhere.sock', DOCKER_CONTEXT: 'local' }).host,
    ).toBe('unix:///elsewhere.sock');
    rmSync(config, { recursive: true, force: true });
  });

  it('the default context is the local socket; an unknown context is InvalidArgument', () => {
    expect(resolveEndpoint({ DOCKER_CONFIG: '/nonexistent', DOCKER_CONTEXT: 'default' }).host).toBe(
      'unix:///var/run/docker.sock',
    );
    expect(() => resolveEndpoint({ DOCKER_CONFIG: '/nonexistent', DOCKER_CONTEXT: 'nope' })).toThrow(InvalidArgument);
  });
});
