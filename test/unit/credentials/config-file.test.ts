// Registry credentials from the docker CLI's configuration files and the environment, and the
// order they are tried in (credential helpers, which are programs, are in test/interop).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INDEX_SERVER, encodeAuthHeader, registryHostname } from '../../../src/credentials/auth-config.js';
import { credentialsFromConfig } from '../../../src/credentials/config-file.js';
import { Credentials } from '../../../src/credentials/credentials.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const dir = (): string => tempDir('dockwire-cred-');
afterAll(removeTempDirs);

describe('encodeAuthHeader', () => {
  it('is URL-safe base64 of the JSON, with padding, as Go decodes it', () => {
    const auth = { username: 'u?>', password: 'p~~~>>>', serveraddress: 'r' };
    const header = encodeAuthHeader(auth);
    expect(header).not.toMatch(/[+/]/);
    expect(header.length % 4).toBe(0);
    const decoded = Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    expect(JSON.parse(decoded)).toEqual(auth);
    expect(encodeAuthHeader(undefined)).toBe(Buffer.from('{}').toString('base64'));
  });
});

describe('registryHostname', () => {
  it('normalises config keys', () => {
    expect(registryHostname(INDEX_SERVER)).toBe('docker.io');
    expect(registryHostname('http://127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(registryHostname('https://reg.example/v2/')).toBe('reg.example');
    expect(registryHostname('reg.example:443')).toBe('reg.example:443');
  });
});

describe('credentials from the docker configuration', () => {
  it('reads auths entries: auth, username/password, identitytoken', async () => {
    const d = dir();
    writeFileSync(
      join(d, 'config.json'),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:pa:ss').toString('base64') },
          'http://reg.one:5000': { identitytoken: 'tok' },
          'reg.two': { username: 'u2', password: 'p2' },
        },
      }),
    );
    expect(await credentialsFromConfig('docker.io', { configDir: d, env: {} })).toMatchObject({
      username: 'hub',
      password: 'pa:ss',
    });
    expect(await credentialsFromConfig('reg.one:5000', { configDir: d, env: {} })).toMatchObject({
      identitytoken: 'tok',
    });
    expect(await credentialsFromConfig('reg.two', { configDir: d, env: {} })).toMatchObject({
      username: 'u2',
      password: 'p2',
    });
    expect(await credentialsFromConfig('reg.three', { configDir: d, env: {} })).toBeUndefined();
  });

  it('reads DOCKER_AUTH_CONFIG before the file, and DOCKER_CONFIG for the folder', async () => {
    const d = dir();
    writeFileSync(join(d, 'config.json'), JSON.stringify({ auths: { 'reg.x': { username: 'file', password: 'f' } } }));
    const env = {
      DOCKER_CONFIG: d,
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'reg.x': { username: 'env', password: 'e' } } }),
    };
    expect(await credentialsFromConfig('reg.x', { env })).toMatchObject({ username: 'env' });
    expect(await credentialsFromConfig('reg.x', { env: { DOCKER_CONFIG: d } })).toMatchObject({ username: 'file' });
    expect(
      await credentialsFromConfig('reg.x', { env: { DOCKER_CONFIG: d, DOCKER_AUTH_CONFIG: 'not json' } }),
    ).toMatchObject({ username: 'file' });
  });

  it('resolves in order: explicit, then login, then configuration', async () => {
    const d = dir();
    writeFileSync(
      join(d, 'config.json'),
      JSON.stringify({ auths: { 'reg.y': { username: 'config', password: 'c' } } }),
    );
    const credentials = new Credentials({ configDir: d, env: {} });
    expect(await credentials.resolve('reg.y')).toMatchObject({ username: 'config' });
    credentials.remember('http://reg.y', { username: 'login', password: 'l' });
    expect(await credentials.resolve('reg.y')).toMatchObject({ username: 'login' });
    expect(await credentials.resolve('reg.y', { username: 'explicit' })).toEqual({ username: 'explicit' });
  });
});
