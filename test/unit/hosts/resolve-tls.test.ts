// resolveHosts' TLS: certs.d folders (Docker's scheme), hosts.toml's ca/client/skip_verify, with
// certificates made by openssl; CAs added to Node's roots; files that cannot be used refused.
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../../src/errors.js';
import { resolveHosts } from '../../../src/hosts/resolve.js';
import type { HostsConfig } from '../../../src/hosts/types.js';
import { removeTempDirs } from '../../support/temp.js';
import { configError, pems, writeTree } from './tree.js';

// (openssl makes the keys once, before the tests: slow on a busy machine)
beforeAll(() => void pems(), 120_000);
afterAll(removeTempDirs);

const none: HostsConfig = { certsDir: false, hostsDir: false, registriesConf: false };
const ref = (registry: string, repository = 'team/app') => ({ registry, repository, tag: '1' });

describe('resolveHosts: the default origins', () => {
  it('gives HTTPS for a registry, plain HTTP for loopback, registry-1.docker.io for docker.io', async () => {
    const origin = async (registry: string) =>
      (await resolveHosts(ref(registry), 'pull', none)).endpoints.map((e) => e.origin);
    expect(await origin('registry.example.com')).toEqual([{ secure: true, host: 'registry.example.com', port: 443 }]);
    expect(await origin('127.0.0.1:5000')).toEqual([{ secure: false, host: '127.0.0.1', port: 5000 }]);
    expect(await origin('localhost')).toEqual([{ secure: false, host: 'localhost', port: 80 }]);
    expect(await origin('docker.io')).toEqual([{ secure: true, host: 'registry-1.docker.io', port: 443 }]);
    const plan = await resolveHosts(ref('registry.example.com'), 'push', none);
    expect(plan.endpoints).toEqual([
      {
        origin: { secure: true, host: 'registry.example.com', port: 443 },
        pathPrefix: '/v2',
        repository: 'team/app',
        mirror: false,
        capabilities: ['pull', 'resolve', 'push'],
        headers: {},
        insecure: false,
        source: 'default',
      },
    ]);
  });

  it('gives plain HTTP for a registry the caller lists as insecure', async () => {
    const plan = await resolveHosts(ref('r.example:5000'), 'pull', { ...none, insecure: ['r.example:5000'] });
    expect(plan.endpoints[0]?.origin).toEqual({ secure: false, host: 'r.example', port: 5000 });
  });

  it('refuses misspelled options and operations before reading anything', async () => {
    await expect(resolveHosts(ref('r.example'), 'pull', { certsDirs: false } as HostsConfig)).rejects.toThrow(
      new InvalidArgument('resolveHosts: unknown option "certsDirs"; did you mean "certsDir"?'),
    );
    await expect(resolveHosts(ref('r.example'), 'fetch' as 'pull', none)).rejects.toThrow(InvalidArgument);
    await expect(resolveHosts(ref('r.example'), 'pull', { hostsDir: 1 } as unknown as HostsConfig)).rejects.toThrow(
      'hostsDir must be a path, or false for none',
    );
  });
});

describe('resolveHosts: certs.d', () => {
  it('makes a loopback registry HTTPS verified with its CA, added to Node roots, and presents the client certificate', async () => {
    const { ca, clientCert, clientKey } = pems();
    const certsDir = writeTree({
      '127.0.0.1:5443/ca.crt': ca,
      '127.0.0.1:5443/client.cert': clientCert,
      '127.0.0.1:5443/client.key': clientKey,
      '127.0.0.1:5443/README': 'ignored',
    });
    const plan = await resolveHosts(ref('127.0.0.1:5443'), 'pull', { ...none, certsDir });
    const [server] = plan.endpoints;
    expect(server?.origin).toEqual({ secure: true, host: '127.0.0.1', port: 5443 });
    expect(server?.tls?.ca.slice(0, rootCertificates.length)).toEqual([...rootCertificates]);
    expect(server?.tls?.ca.slice(rootCertificates.length)).toEqual([ca.trim()]);
    expect(server?.tls).toMatchObject({ cert: clientCert.trim(), key: clientKey, rejectUnauthorized: true });
    expect(plan.files).toEqual([
      `${certsDir}/127.0.0.1:5443/ca.crt`,
      `${certsDir}/127.0.0.1:5443/client.cert`,
      `${certsDir}/127.0.0.1:5443/client.key`,
    ]);
  });

  it('uses the first certs.d folder that has a folder for the host', async () => {
    const { ca, otherCa } = pems();
    const first = writeTree({ 'other.example/ca.crt': otherCa });
    const second = writeTree({ 'r.example/ca.crt': ca });
    const third = writeTree({ 'r.example/ca.crt': otherCa });
    const plan = await resolveHosts(ref('r.example'), 'pull', { ...none, certsDir: [first, second, third] });
    expect(plan.endpoints[0]?.tls?.ca.at(-1)).toBe(ca.trim());
    expect(plan.endpoints[0]?.tls?.files).toEqual([`${second}/r.example/ca.crt`]);
  });

  it.each([
    [{ 'r.example/me.cert': 'C' }, 'me.cert', 'has no key me.key for the client certificate'],
    [{ 'r.example/me.key': 'K' }, 'me.key', 'has no client certificate me.cert for the key'],
    [{ 'r.example/ca.crt': 'not a certificate' }, 'ca.crt', 'holds no PEM certificate'],
    [
      { 'r.example/ca.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' },
      'ca.crt',
      'holds a certificate that does not parse',
    ],
  ])('refuses a certs.d folder with %j, naming the file', async (files, name, reason) => {
    const certsDir = writeTree(files);
    expect(await configError(resolveHosts(ref('r.example'), 'pull', { ...none, certsDir }))).toMatchObject({
      file: `${certsDir}/r.example/${name}`,
      reason,
    });
  });

  it("refuses a key that is not the certificate's, and a key that is no key, never quoting it", async () => {
    const { ca, clientCert, clientKey } = pems();
    const otherKey = writeTree({ 'r.example/me.cert': ca, 'r.example/me.key': clientKey });
    const mismatch = await configError(resolveHosts(ref('r.example'), 'pull', { ...none, certsDir: otherKey }));
    expect(mismatch.reason).toBe(`is not the key of the certificate ${otherKey}/r.example/me.cert`);
    const notKey = writeTree({
      'r.example/me.cert': clientCert,
      'r.example/me.key': `-----BEGIN PRIVATE KEY-----\nsecretsecret\n-----END PRIVATE KEY-----\n`,
    });
    const error = await configError(resolveHosts(ref('r.example'), 'pull', { ...none, certsDir: notKey }));
    expect(error).toMatchObject({ reason: 'is not a PEM private key', file: `${notKey}/r.example/me.key` });
    expect(error.message).not.toContain('secret');
  });
});

describe('resolveHosts: hosts.toml TLS', () => {
  it('reads ca and client (relative to the file) for the server, before certs.d', async () => {
    const { ca, clientCert, clientKey, otherCa } = pems();
    const hostsDir = writeTree({
      'r.example/hosts.toml': 'ca = "ca.pem"\nclient = [["c.pem", "k.pem"]]\n',
      'r.example/ca.pem': ca,
      'r.example/c.pem': clientCert,
      'r.example/k.pem': clientKey,
    });
    const certsDir = writeTree({ 'r.example/ca.crt': otherCa });
    const plan = await resolveHosts(ref('r.example'), 'pull', { ...none, hostsDir, certsDir });
    expect(plan.endpoints[0]?.tls).toMatchObject({
      ca: [...rootCertificates, ca.trim()],
      cert: clientCert.trim(),
      rejectUnauthorized: true,
    });
  });

  it('skips verification only where the file says skip_verify = true', async () => {
    const hostsDir = writeTree({
      'r.example/hosts.toml':
        '[host."https://m1.example"]\nskip_verify = true\n[host."https://m2.example"]\nskip_verify = false\n',
    });
    const [m1, m2, server] = (await resolveHosts(ref('r.example'), 'pull', { ...none, hostsDir })).endpoints;
    expect(m1?.tls).toEqual({ ca: [...rootCertificates], rejectUnauthorized: false, files: [] });
    expect(m2?.tls).toBeUndefined();
    expect(server?.tls).toBeUndefined();
  });

  it("takes a mirror's TLS from certs.d when its entry gives none", async () => {
    const { ca } = pems();
    const hostsDir = writeTree({ 'r.example/hosts.toml': '[host."https://127.0.0.1:6000"]\n' });
    const certsDir = writeTree({ '127.0.0.1:6000/ca.crt': ca });
    const [mirror] = (await resolveHosts(ref('r.example'), 'pull', { ...none, hostsDir, certsDir })).endpoints;
    expect(mirror?.tls?.ca.at(-1)).toBe(ca.trim());
  });

  it('refuses a CA file hosts.toml names that does not exist, naming it', async () => {
    const hostsDir = writeTree({ 'r.example/hosts.toml': 'ca = "/nonexistent/ca.pem"' });
    expect(await configError(resolveHosts(ref('r.example'), 'pull', { ...none, hostsDir }))).toMatchObject({
      file: '/nonexistent/ca.pem',
      reason: 'the CA file does not exist',
    });
  });
});
