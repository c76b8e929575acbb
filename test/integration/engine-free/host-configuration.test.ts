// The host configuration users already have (certs.d, hosts.toml, registries.conf; issue 39),
// followed by `new Registry` against distribution 2.8 registries the test starts
// (test/support/host-registries.ts): a private CA, client certificates, mirrors tried in order
// (a dead one passed over, the live one answering with its own image: digests say who answered),
// pushes to the server only, a rewritten prefix, a registry name that resolves nowhere served
// through hosts.toml, and a blocked registry that costs no connection. No engine.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, ConnectionError, Docker, ManifestNotFound, Registry } from '../../../src/index.js';
import type { RegistryOptions } from '../../../src/registry/options.js';
import { countConnections, startHostRegistries, type HostRegistries } from '../../support/host-registries.js';
import { freePort } from '../../support/ports.js';
import { removeTempDirs } from '../../support/temp.js';
import { writeTree } from '../../unit/hosts/tree.js';

let r: HostRegistries;
let deadProxy: string;
const clients: Registry[] = [];
beforeAll(async () => {
  r = await startHostRegistries();
  deadProxy = `http://127.0.0.1:${await freePort()}`;
}, 180_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await r?.stop();
  removeTempDirs();
});

/** A Registry reading only the configuration given (nothing of this machine's); HTTPS to anywhere unlisted goes to a dead proxy. */
function registry(options: RegistryOptions): Registry {
  const client = new Registry({
    certsDir: false,
    hostsDir: false,
    registriesConf: false,
    env: { HTTPS_PROXY: deadProxy, NO_PROXY: '127.0.0.1' },
    retry: { retries: 0, transient: () => false, delay: () => 0 },
    ...options,
  });
  clients.push(client);
  return client;
}

const pem = (name: string): string => readFileSync(join(r.certs.dir, name), 'utf8');
const ref = (registryName: string, which = `:${r.tag}`): string => `${registryName}/${r.repository}${which}`;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('host configuration, followed by the registry client', () => {
  it('the registries serve one image on plain, TLS and mTLS, and another under the same name on the mirror', () => {
    expect(r.serverDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.mirrorDigest).not.toBe(r.serverDigest);
  });

  it('private CA: a certs.d entry for a loopback registry means HTTPS verified with its CA; without one, the error names the host and the certs.d path', async () => {
    const certsDir = writeTree({ [`${r.tls}/ca.crt`]: pem('ca.pem') });
    expect((await registry({ certsDir }).resolve(ref(r.tls))).digest).toBe(r.serverDigest);
    expect((await registry({ certsDir }).manifest(ref(r.tls))).descriptor.digest).toBe(r.serverDigest);
    // a certs.d folder for another host says nothing about this one: loopback is plain HTTP, which a TLS port refuses
    const other = writeTree({ [`127.0.0.1:1/ca.crt`]: pem('ca.pem') });
    expect(await rejection(registry({ certsDir: other }).resolve(ref(r.tls)))).not.toBeInstanceOf(ManifestNotFound);
    // the registry is told to use HTTPS (insecure lists nothing; a certs.d folder without its CA)
    const empty = writeTree({ [`${r.tls}/README`]: 'no CA here' });
    const error = await rejection(registry({ certsDir: empty }).resolve(ref(r.tls)));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain(r.tls);
    expect(error.message).toMatch(/certificate/);
    const bare = writeTree({});
    const unconfigured = await rejection(
      registry({
        certsDir: bare,
        hostsDir: writeTree({ [`${r.tls.replace(':', '_')}_/hosts.toml`]: `server = "https://${r.tls}"\n` }),
      }).resolve(ref(r.tls)),
    );
    expect(unconfigured.message).toContain(join(bare, r.tls, 'ca.crt'));
  });

  it('client certificates: the mTLS registry answers only when certs.d gives a client certificate', async () => {
    const withClient = writeTree({
      [`${r.mtls}/ca.crt`]: pem('ca.pem'),
      [`${r.mtls}/client.cert`]: pem('client.pem'),
      [`${r.mtls}/client.key`]: pem('client-key.pem'),
    });
    expect((await registry({ certsDir: withClient }).resolve(ref(r.mtls))).digest).toBe(r.serverDigest);
    const caOnly = writeTree({ [`${r.mtls}/ca.crt`]: pem('ca.pem') });
    expect(await rejection(registry({ certsDir: caOnly }).resolve(ref(r.mtls)))).toBeInstanceOf(ConnectionError);
  });

  it('hosts.toml ca and client, for a name that resolves nowhere (*.invalid): served through its server entry', async () => {
    const hostsDir = writeTree({
      'registry.invalid/hosts.toml': `server = "https://${r.mtls}"\nca = "${r.certs.ca}"\nclient = [["${join(r.certs.dir, 'client.pem')}", "${join(r.certs.dir, 'client-key.pem')}"]]\n`,
    });
    const client = registry({ hostsDir });
    expect((await client.resolve(`registry.invalid/${r.repository}:${r.tag}`)).digest).toBe(r.serverDigest);
    const config = await client.config(`registry.invalid/${r.repository}:${r.tag}`);
    expect(config.os).toBe('linux');
    expect(new TextDecoder().decode(await client.readFile(`registry.invalid/${r.repository}:${r.tag}`, 'which'))).toBe(
      'server\n',
    );
  });

  it('mirror order: a dead mirror is passed over, the live one answers with its own image (ns= sent); what it lacks falls to the server', async () => {
    const hostsDir = writeTree({
      [`${r.plain.replace(':', '_')}_/hosts.toml`]: `[host."http://${r.dead}"]\ncapabilities = ["pull", "resolve"]\ndial_timeout = "2s"\n[host."http://${r.mirror}"]\ncapabilities = ["pull", "resolve"]\n`,
    });
    const client = registry({ hostsDir });
    expect((await client.resolve(ref(r.plain))).digest).toBe(r.mirrorDigest);
    expect(new TextDecoder().decode(await client.readFile(ref(r.plain), 'which'))).toBe('mirror\n');
    expect(readFileSync(r.logs.mirror, 'utf8')).toContain(`ns=${encodeURIComponent(r.plain)}`);
    // the server's image by digest: the mirror has no such manifest (404), the server answers, checked against the digest
    const byDigest = await client.manifest(ref(r.plain, `@${r.serverDigest}`));
    expect(byDigest.descriptor.digest).toBe(r.serverDigest);
    expect(new TextDecoder().decode(await client.readFile(ref(r.plain, `@${r.serverDigest}`), 'which'))).toBe(
      'server\n',
    );
    // a mirror for resolving only: pulls by digest skip it
    const resolveOnly = writeTree({
      [`${r.plain.replace(':', '_')}_/hosts.toml`]: `[host."http://${r.dead}"]\ncapabilities = ["resolve"]\n`,
    });
    expect((await registry({ hostsDir: resolveOnly }).resolve(ref(r.plain))).digest).toBe(r.serverDigest);
  });

  it('push to the server only: a tag made through a pull-only mirror reaches the server, not the mirror', async () => {
    const hostsDir = writeTree({
      [`${r.plain.replace(':', '_')}_/hosts.toml`]: `[host."http://${r.mirror}"]\ncapabilities = ["pull", "resolve"]\n`,
    });
    const client = registry({ hostsDir });
    const writes = (): number =>
      readFileSync(r.logs.mirror, 'utf8')
        .split('\n')
        .filter((l) => /"(?:PUT|POST|PATCH) /.test(l)).length;
    const before = writes();
    await client.tag(ref(r.plain, `@${r.serverDigest}`), 'pushed');
    await client.pushBlob(`${r.plain}/${r.repository}`, new TextEncoder().encode('pushed through the plan\n'));
    const plain = registry({});
    expect((await plain.resolve(ref(r.plain, ':pushed'))).digest).toBe(r.serverDigest);
    expect(await rejection(plain.resolve(ref(r.mirror, ':pushed')))).toBeInstanceOf(ManifestNotFound);
    expect(writes()).toBe(before);
    // the same mirror allowed to push (hosts.toml says so) is where a push goes
    const pushable = writeTree({
      [`${r.plain.replace(':', '_')}_/hosts.toml`]: `[host."http://${r.mirror}"]\ncapabilities = ["pull", "resolve", "push"]\n`,
    });
    await registry({ hostsDir: pushable }).pushBlob(
      `${r.plain}/${r.repository}`,
      new TextEncoder().encode('pushed to the mirror that may push\n'),
    );
    expect(writes()).toBeGreaterThan(before);
  });

  it('prefix rewrite: registries.conf location sends a name that resolves nowhere to the registry that has it; mirrors of the entry come first', async () => {
    const registriesConf = join(
      writeTree({
        'registries.conf': `[[registry]]\nprefix = "example.invalid/team"\nlocation = "${r.plain}/hosts"\n`,
      }),
      'registries.conf',
    );
    expect((await registry({ registriesConf }).resolve('example.invalid/team/app:1')).digest).toBe(r.serverDigest);
    const mirrored = join(
      writeTree({
        'registries.conf': `[[registry]]\nprefix = "example.invalid/team"\nlocation = "${r.plain}/hosts"\n[[registry.mirror]]\nlocation = "${r.dead}/x"\n[[registry.mirror]]\nlocation = "${r.mirror}/hosts"\n`,
      }),
      'registries.conf',
    );
    expect((await registry({ registriesConf: mirrored }).resolve('example.invalid/team/app:1')).digest).toBe(
      r.mirrorDigest,
    );
  });

  it('registries.conf insecure = true: HTTPS without verification first, then plain HTTP (a loopback plain registry still answers, pushes too)', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const registriesConf = join(
        writeTree({ 'registries.conf': `[[registry]]\nlocation = "${r.plain}"\ninsecure = true\n` }),
        'registries.conf',
      );
      const client = registry({ registriesConf });
      expect((await client.resolve(ref(r.plain))).digest).toBe(r.serverDigest);
      await client.tag(ref(r.plain, `@${r.serverDigest}`), 'insecure');
      expect((await registry({}).resolve(ref(r.plain, ':insecure'))).digest).toBe(r.serverDigest);
    } finally {
      warn.mockRestore();
    }
  });

  it('a blocked registry is refused before any connection: the counter in front of it sees none', async () => {
    const counter = await countConnections(r.plain);
    try {
      expect((await registry({}).resolve(ref(counter.host))).digest).toBe(r.serverDigest);
      const seen = counter.count();
      expect(seen).toBeGreaterThan(0);
      const registriesConf = join(
        writeTree({ 'registries.conf': `[[registry]]\nprefix = "${counter.host}"\nblocked = true\n` }),
        'registries.conf',
      );
      const error = await rejection(registry({ registriesConf }).resolve(ref(counter.host)));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(/is blocked by \[\[registry\]\] #1/);
      expect(error.message).toContain(registriesConf);
      await expect(
        registry({ registriesConf }).pushBlob(`${counter.host}/${r.repository}`, new Uint8Array(1)),
      ).rejects.toThrow(/blocked/);
      expect(counter.count()).toBe(seen);
    } finally {
      await counter.close();
    }
  });

  it('skip_verify works only where the file says so, with one warning per host', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const hostsDir = writeTree({
        [`${r.tls.replace(':', '_')}_/hosts.toml`]: `server = "https://${r.tls}"\nskip_verify = true\n`,
      });
      expect((await registry({ hostsDir }).resolve(ref(r.tls))).digest).toBe(r.serverDigest);
      expect((await registry({ hostsDir }).resolve(ref(r.tls))).digest).toBe(r.serverDigest);
      const skips = warn.mock.calls.filter(([message]) => String(message).includes(r.tls));
      expect(skips).toHaveLength(1);
      expect(String(skips[0]![0])).toMatch(/not verified/);
    } finally {
      warn.mockRestore();
    }
  });

  it('Docker Hub mirrors given (the engine\u2019s, with engineMirrors) answer docker.io names before Docker Hub is asked', async () => {
    const client = registry({ hubMirrors: async () => [`http://${r.mirror}`] });
    expect((await client.resolve(`docker.io/${r.repository}:${r.tag}`)).digest).toBe(r.mirrorDigest);
  });

  it('new Docker({ engineMirrors: true }): docker.registry takes the engine\u2019s RegistryConfig.Mirrors from GET /info, once', async () => {
    // anything meant for Docker Hub itself goes to a dead proxy
    vi.stubEnv('HTTPS_PROXY', deadProxy);
    // an engine whose daemon.json lists the mirror (the test's engine cannot be restarted with one: this answers GET /info only)
    const asked: string[] = [];
    const engine = createServer((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ RegistryConfig: { Mirrors: [`http://${r.mirror}/`] } }));
    });
    await new Promise<void>((resolve) => engine.listen(0, '127.0.0.1', resolve));
    const host = `tcp://127.0.0.1:${(engine.address() as { port: number }).port}`;
    const withMirrors = new Docker({ host, version: '1.41', engineMirrors: true });
    try {
      expect((await withMirrors.registry.resolve(`docker.io/${r.repository}:${r.tag}`)).digest).toBe(r.mirrorDigest);
      expect(asked.filter((a) => a.endsWith('/info'))).toHaveLength(1);
      expect(() => new Docker({ host, engineMirrors: 'yes' as unknown as boolean })).toThrow(/engineMirrors/);
    } finally {
      await withMirrors.close();
      await new Promise<void>((resolve) => engine.close(() => resolve()));
      vi.unstubAllEnvs();
    }
    expect(asked.every((a) => !a.includes('/v2/'))).toBe(true);
  });
});
