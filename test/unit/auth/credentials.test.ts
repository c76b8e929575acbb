import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INDEX_SERVER, encodeAuthHeader, registryHostname } from '../../../src/auth/auth-config.js';
import { credentialsFromConfig } from '../../../src/auth/config-file.js';
import { Credentials } from '../../../src/auth/credentials.js';

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dockwire-cred-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function helper(bin: string, name: string, script: string): void {
  const file = join(bin, `docker-credential-${name}`);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
}

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
    expect(await credentialsFromConfig('docker.io', { configDir: d, env: {} })).toMatchObject({ username: 'hub', password: 'pa:ss' });
    expect(await credentialsFromConfig('reg.one:5000', { configDir: d, env: {} })).toMatchObject({ identitytoken: 'tok' });
    expect(await credentialsFromConfig('reg.two', { configDir: d, env: {} })).toMatchObject({ username: 'u2', password: 'p2' });
    expect(await credentialsFromConfig('reg.three', { configDir: d, env: {} })).toBeUndefined();
  });

  it('reads DOCKER_AUTH_CONFIG before the file, and DOCKER_CONFIG for the folder', async () => {
    const d = dir();
    writeFileSync(join(d, 'config.json'), JSON.stringify({ auths: { 'reg.x': { username: 'file', password: 'f' } } }));
    const env = { DOCKER_CONFIG: d, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'reg.x': { username: 'env', password: 'e' } } }) };
    expect(await credentialsFromConfig('reg.x', { env })).toMatchObject({ username: 'env' });
    expect(await credentialsFromConfig('reg.x', { env: { DOCKER_CONFIG: d } })).toMatchObject({ username: 'file' });
    expect(await credentialsFromConfig('reg.x', { env: { DOCKER_CONFIG: d, DOCKER_AUTH_CONFIG: 'not json' } })).toMatchObject({ username: 'file' });
  });

  it('runs credHelpers and credsStore; <token> usernames become identity tokens; broken helpers mean none', async () => {
    const bin = dir();
    helper(bin, 'store', 'read s; printf \'{"ServerURL":"%s","Username":"from-store","Secret":"s1"}\' "$s"');
    helper(bin, 'tok', 'read s; printf \'{"ServerURL":"%s","Username":"<token>","Secret":"refresh"}\' "$s"');
    helper(bin, 'broken', 'exit 1');
    helper(bin, 'garbage', 'echo not-json');
    const d = dir();
    writeFileSync(
      join(d, 'config.json'),
      JSON.stringify({ credsStore: 'store', credHelpers: { 'reg.tok': 'tok', 'reg.broken': 'broken', 'reg.garbage': 'garbage', 'reg.absent': 'nosuchhelper' } }),
    );
    const saved = process.env['PATH'];
    process.env['PATH'] = `${bin}:${saved}`;
    try {
      const source = { configDir: d, env: {} };
      expect(await credentialsFromConfig('docker.io', source)).toEqual({ username: 'from-store', password: 's1', serveraddress: INDEX_SERVER });
      expect(await credentialsFromConfig('reg.tok', source)).toEqual({ identitytoken: 'refresh', serveraddress: 'reg.tok' });
      expect(await credentialsFromConfig('reg.broken', source)).toBeUndefined();
      expect(await credentialsFromConfig('reg.garbage', source)).toBeUndefined();
      expect(await credentialsFromConfig('reg.absent', source)).toBeUndefined();
      expect(await credentialsFromConfig('reg.other', source)).toMatchObject({ username: 'from-store' });
    } finally {
      process.env['PATH'] = saved;
    }
  });

  it('resolves in order: explicit, then login, then configuration', async () => {
    const d = dir();
    writeFileSync(join(d, 'config.json'), JSON.stringify({ auths: { 'reg.y': { username: 'config', password: 'c' } } }));
    const credentials = new Credentials({ configDir: d, env: {} });
    expect(await credentials.resolve('reg.y')).toMatchObject({ username: 'config' });
    credentials.remember('http://reg.y', { username: 'login', password: 'l' });
    expect(await credentials.resolve('reg.y')).toMatchObject({ username: 'login' });
    expect(await credentials.resolve('reg.y', { username: 'explicit' })).toEqual({ username: 'explicit' });
  });
});
