// The registries the host-configuration wiring will be tested against (test/support/
// host-registries.ts), checked here with node:https alone, and resolveHosts' plans followed by
// hand over them: the plan's TLS options reach a private-CA registry and an mTLS one, mirrors
// come first, a dead mirror refuses, and the mirror answers with its own image.
import { request } from 'node:https';
import { request as plainRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveHosts } from '../../../src/hosts/resolve.js';
import type { HostEndpoint } from '../../../src/hosts/types.js';
import { countConnections, startHostRegistries, type HostRegistries } from '../../support/host-registries.js';
import { removeTempDirs } from '../../support/temp.js';
import { writeTree } from '../../unit/hosts/tree.js';

let r: HostRegistries;
beforeAll(async () => {
  r = await startHostRegistries();
}, 180_000);
afterAll(async () => {
  await r?.stop();
  removeTempDirs();
});

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

/** The manifest digest one endpoint of a plan answers for `tag`, or the error code of the try. */
function manifestDigest(endpoint: HostEndpoint, tag: string): Promise<string> {
  const path = `${endpoint.pathPrefix}/${endpoint.repository}/manifests/${tag}${endpoint.ns ? `?ns=${encodeURIComponent(endpoint.ns)}` : ''}`;
  const options = { host: endpoint.origin.host, port: endpoint.origin.port, path, method: 'HEAD', headers: { accept: ACCEPT, ...endpoint.headers }, ...(endpoint.tls ?? {}) };
  return new Promise((resolve) => {
    const req = (endpoint.origin.secure ? request : plainRequest)(options, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? String(res.headers['docker-content-digest']) : `HTTP ${res.statusCode}`);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

describe('host-configuration registries', () => {
  it('serve one image on plain, TLS and mTLS, and another under the same name on the mirror', () => {
    expect(r.serverDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.mirrorDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.mirrorDigest).not.toBe(r.serverDigest);
  });

  it('a private CA in certs.d gives a plan that reaches the TLS registry; without it, the certificate is refused', async () => {
    const certsDir = writeTree({ [`${r.tls}/ca.crt`]: readFileSync(r.certs.ca, 'utf8') });
    const plan = await resolveHosts({ registry: r.tls, repository: r.repository, tag: r.tag }, 'resolve', { certsDir, hostsDir: false, registriesConf: false });
    expect(plan.endpoints.map((e) => e.origin.secure)).toEqual([true]);
    expect(await manifestDigest(plan.endpoints[0]!, r.tag)).toBe(r.serverDigest);
    const { tls: _tls, ...bare } = plan.endpoints[0]!;
    expect(await manifestDigest(bare, r.tag)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('the mTLS registry answers only with the client certificate certs.d gives', async () => {
    const pem = (name: string) => readFileSync(join(r.certs.dir, name), 'utf8');
    const withClient = writeTree({ [`${r.mtls}/ca.crt`]: pem('ca.pem'), [`${r.mtls}/client.cert`]: pem('client.pem'), [`${r.mtls}/client.key`]: pem('client-key.pem') });
    const caOnly = writeTree({ [`${r.mtls}/ca.crt`]: pem('ca.pem') });
    const ref = { registry: r.mtls, repository: r.repository, tag: r.tag };
    const planned = await resolveHosts(ref, 'resolve', { certsDir: withClient, hostsDir: false, registriesConf: false });
    expect(await manifestDigest(planned.endpoints[0]!, r.tag)).toBe(r.serverDigest);
    const refused = await resolveHosts(ref, 'resolve', { certsDir: caOnly, hostsDir: false, registriesConf: false });
    expect(await manifestDigest(refused.endpoints[0]!, r.tag)).not.toBe(r.serverDigest);
  });

  it('a hosts.toml puts the dead mirror, then the live one, before the server; each answers as it should', async () => {
    const hostsDir = writeTree({
      [`${r.plain.replace(':', '_')}_/hosts.toml`]: `[host."http://${r.dead}"]\ncapabilities = ["pull", "resolve"]\n[host."http://${r.mirror}"]\ncapabilities = ["pull", "resolve"]\n`,
    });
    const ref = { registry: r.plain, repository: r.repository, tag: r.tag };
    const plan = await resolveHosts(ref, 'resolve', { hostsDir, certsDir: false, registriesConf: false });
    expect(plan.endpoints.map((e) => `${e.origin.host}:${e.origin.port}`)).toEqual([r.dead, r.mirror, r.plain]);
    expect(await Promise.all(plan.endpoints.map((e) => manifestDigest(e, r.tag)))).toEqual(['ECONNREFUSED', r.mirrorDigest, r.serverDigest]);
    expect(plan.endpoints.map((e) => e.ns)).toEqual([r.plain, r.plain, undefined]);
    const push = await resolveHosts(ref, 'push', { hostsDir, certsDir: false, registriesConf: false });
    expect(push.endpoints.map((e) => `${e.origin.host}:${e.origin.port}`)).toEqual([r.plain]);
    expect(readFileSync(r.logs.mirror, 'utf8')).toContain(`ns=${encodeURIComponent(r.plain)}`);
  });

  it('a blocked registry costs no connection: the counter in front of it sees none', async () => {
    const counter = await countConnections(r.plain);
    try {
      const registriesConf = writeTree({ 'registries.conf': `[[registry]]\nprefix = "${counter.host}"\nblocked = true\n` }) + '/registries.conf';
      const open = await resolveHosts({ registry: counter.host, repository: r.repository, tag: r.tag }, 'resolve', { registriesConf: false, hostsDir: false, certsDir: false });
      expect(await manifestDigest(open.endpoints[0]!, r.tag)).toBe(r.serverDigest);
      expect(counter.count()).toBe(1);
      await expect(resolveHosts({ registry: counter.host, repository: r.repository, tag: r.tag }, 'resolve', { registriesConf, hostsDir: false, certsDir: false })).rejects.toThrow(/is blocked by \[\[registry\]\] #1/);
      expect(counter.count()).toBe(1);
    } finally {
      await counter.close();
    }
  });
});
