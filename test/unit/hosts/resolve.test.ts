// resolveHosts over real configuration folders: registries.conf (blocked, rewrite, mirrors,
// insecure), hosts.toml (mirrors, capabilities, ns, server, _default) and their precedence.
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { resolveHosts } from '../../../src/hosts/resolve.js';
import { Kept } from '../../../src/kept.js';
import type { HostEndpoint, HostsConfig } from '../../../src/hosts/types.js';
import { removeTempDirs } from '../../support/temp.js';
import { configError, writeTree } from './tree.js';

afterAll(removeTempDirs);

const none: HostsConfig = { certsDir: false, hostsDir: false, registriesConf: false };
const DIGEST = `sha256:${'a'.repeat(64)}`;
const where = (e: HostEndpoint) =>
  `${e.origin.secure ? 'https' : 'http'}://${e.origin.host}:${e.origin.port}${e.pathPrefix} ${e.repository}${e.ns ? ` ns=${e.ns}` : ''}${e.mirror ? ' mirror' : ''}`;

const HOSTS_TOML = `
server = "https://registry.example.com"

[host."https://pull-only.example.com"]
  capabilities = ["pull"]
[host."http://127.0.0.1:5001/cache"]
  capabilities = ["pull", "resolve"]
  [host."http://127.0.0.1:5001/cache".header]
    x-mirror = "yes"
[host."https://push-mirror.example.com:8443/api"]
  capabilities = ["pull", "resolve", "push"]
  override_path = true
`;

describe('resolveHosts: hosts.toml', () => {
  const hostsDir = writeTree({ 'registry.example.com/hosts.toml': HOSTS_TOML });

  it('puts mirrors first in the file order, for the operations their capabilities allow, then the server', async () => {
    const plan = async (operation: 'pull' | 'resolve' | 'push') =>
      (
        await resolveHosts({ registry: 'registry.example.com', repository: 'team/app', tag: '1' }, operation, {
          ...none,
          hostsDir,
        })
      ).endpoints.map(where);
    expect(await plan('pull')).toEqual([
      'https://pull-only.example.com:443/v2 team/app ns=registry.example.com mirror',
      'http://127.0.0.1:5001/cache/v2 team/app ns=registry.example.com mirror',
      'https://push-mirror.example.com:8443/api team/app ns=registry.example.com mirror',
      'https://registry.example.com:443/v2 team/app',
    ]);
    expect(await plan('resolve')).toEqual([
      'http://127.0.0.1:5001/cache/v2 team/app ns=registry.example.com mirror',
      'https://push-mirror.example.com:8443/api team/app ns=registry.example.com mirror',
      'https://registry.example.com:443/v2 team/app',
    ]);
    expect(await plan('push')).toEqual([
      'https://push-mirror.example.com:8443/api team/app ns=registry.example.com mirror',
      'https://registry.example.com:443/v2 team/app',
    ]);
  });

  it('gives each entry its headers and names where it comes from', async () => {
    const plan = await resolveHosts({ registry: 'registry.example.com', repository: 'a' }, 'resolve', {
      ...none,
      hostsDir,
    });
    expect(plan.endpoints[0]).toMatchObject({
      headers: { 'x-mirror': ['yes'] },
      source: `${hostsDir}/registry.example.com/hosts.toml [host."http://127.0.0.1:5001/cache"]`,
    });
    expect(plan.files).toEqual([`${hostsDir}/registry.example.com/hosts.toml`]);
  });

  it("adds ns for a server other than the registry (_default), and not for docker.io's own host", async () => {
    const dir = writeTree({
      '_default/hosts.toml': 'server = "https://everything.example.com"',
      'docker.io/hosts.toml': '[host."https://hub-mirror.example.com"]\ncapabilities = ["pull"]',
    });
    const other = await resolveHosts({ registry: 'r.example:5000', repository: 'x' }, 'pull', {
      ...none,
      hostsDir: dir,
    });
    expect(other.endpoints.map(where)).toEqual(['https://everything.example.com:443/v2 x ns=r.example:5000']);
    const hub = await resolveHosts({ registry: 'docker.io', repository: 'library/busybox', tag: 'latest' }, 'pull', {
      ...none,
      hostsDir: dir,
    });
    expect(hub.endpoints.map(where)).toEqual([
      'https://hub-mirror.example.com:443/v2 library/busybox ns=docker.io mirror',
      'https://registry-1.docker.io:443/v2 library/busybox',
    ]);
  });

  it('serves a name that resolves nowhere through its hosts.toml alone', async () => {
    const dir = writeTree({ 'app.invalid/hosts.toml': 'server = "http://127.0.0.1:5002"' });
    const plan = await resolveHosts({ registry: 'app.invalid', repository: 'x' }, 'push', { ...none, hostsDir: dir });
    expect(plan.endpoints.map(where)).toEqual(['http://127.0.0.1:5002/v2 x ns=app.invalid']);
  });

  it('refuses an operation no configured host may do', async () => {
    const dir = writeTree({ 'r.example/hosts.toml': 'capabilities = ["pull"]' });
    expect(
      await configError(resolveHosts({ registry: 'r.example', repository: 'x' }, 'push', { ...none, hostsDir: dir })),
    ).toMatchObject({ reason: 'no host it configures for r.example may push', file: `${dir}/r.example/hosts.toml` });
  });

  it('refuses a hosts.toml that does not parse rather than skipping it', async () => {
    const dir = writeTree({ 'r.example/hosts.toml': 'server = https://x' });
    expect(
      await configError(resolveHosts({ registry: 'r.example', repository: 'x' }, 'pull', { ...none, hostsDir: dir })),
    ).toMatchObject({ file: `${dir}/r.example/hosts.toml`, line: 1, column: 10 });
  });
});

const REGISTRIES_CONF = `
[[registry]]
prefix = "example.com/foo"
location = "127.0.0.1:5000/bar"

[[registry.mirror]]
location = "127.0.0.1:5001/mirror-for-foo"

[[registry.mirror]]
location = "mirror.example:5002/digests"
pull-from-mirror = "digest-only"

[[registry.mirror]]
location = "tags.example/foo"
pull-from-mirror = "tag-only"
insecure = true

[[registry]]
prefix = "example.com/blocked"
blocked = true

[[registry]]
prefix = "*.banned.example"
blocked = true

[[registry]]
location = "insecure.example"
insecure = true
`;

describe('resolveHosts: registries.conf', () => {
  const registriesConf = writeTree({ 'registries.conf': REGISTRIES_CONF }) + '/registries.conf';

  it('refuses a blocked registry for every operation, naming the file and the entry', async () => {
    for (const operation of ['pull', 'resolve', 'push'] as const) {
      const error = await configError(
        resolveHosts({ registry: 'example.com', repository: 'blocked/app', tag: '1' }, operation, {
          ...none,
          registriesConf,
        }),
      );
      expect(error.message).toBe(
        `${registriesConf}: example.com/blocked/app:1 is blocked by [[registry]] #2 (prefix "example.com/blocked")`,
      );
    }
    expect(
      (
        await configError(
          resolveHosts({ registry: 'a.banned.example', repository: 'x' }, 'pull', { ...none, registriesConf }),
        )
      ).reason,
    ).toBe('a.banned.example/x is blocked by [[registry]] #3 (prefix "*.banned.example")');
  });

  it('rewrites the location and tries the mirrors that pull-from-mirror allows, in order', async () => {
    const tagged = await resolveHosts({ registry: 'example.com', repository: 'foo/app', tag: '1' }, 'pull', {
      ...none,
      registriesConf,
    });
    expect([tagged.registry, tagged.repository]).toEqual(['127.0.0.1:5000', 'bar/app']);
    expect(tagged.endpoints.map(where)).toEqual([
      'http://127.0.0.1:5001/v2 mirror-for-foo/app mirror',
      'https://tags.example:443/v2 foo/app mirror',
      'http://127.0.0.1:5000/v2 bar/app',
    ]);
    const digested = await resolveHosts({ registry: 'example.com', repository: 'foo/app', digest: DIGEST }, 'pull', {
      ...none,
      registriesConf,
    });
    expect(digested.endpoints.map(where)).toEqual([
      'http://127.0.0.1:5001/v2 mirror-for-foo/app mirror',
      'https://mirror.example:5002/v2 digests/app mirror',
      'http://127.0.0.1:5000/v2 bar/app',
    ]);
    expect(digested.files).toEqual([registriesConf]);
  });

  it('allows unverified HTTPS (then plain HTTP) only where insecure = true', async () => {
    const tagged = await resolveHosts({ registry: 'example.com', repository: 'foo/app', tag: '1' }, 'pull', {
      ...none,
      registriesConf,
    });
    expect(tagged.endpoints[1]).toMatchObject({ insecure: true, tls: { rejectUnauthorized: false } });
    expect(tagged.endpoints[0]).toMatchObject({ insecure: false });
    const insecure = await resolveHosts({ registry: 'insecure.example', repository: 'x' }, 'push', {
      ...none,
      registriesConf,
    });
    expect(insecure.endpoints).toMatchObject([
      {
        origin: { secure: true, host: 'insecure.example', port: 443 },
        insecure: true,
        tls: { rejectUnauthorized: false },
      },
    ]);
  });

  it('pushes to the name as given: no rewrite and no mirror (rewrites and mirrors are for reading)', async () => {
    const plan = await resolveHosts({ registry: 'example.com', repository: 'foo/app', tag: '1' }, 'push', {
      ...none,
      registriesConf,
    });
    expect(plan.endpoints.map(where)).toEqual(['https://example.com:443/v2 foo/app']);
  });

  it('comes before hosts.toml: its mirrors first, and hosts.toml is read for the rewritten registry', async () => {
    const hostsDir = writeTree({
      '127.0.0.1_5000_/hosts.toml': '[host."http://127.0.0.1:5009"]\ncapabilities = ["pull"]',
    });
    const plan = await resolveHosts({ registry: 'example.com', repository: 'foo/app', digest: DIGEST }, 'pull', {
      ...none,
      registriesConf,
      hostsDir,
    });
    expect(plan.endpoints.map(where)).toEqual([
      'http://127.0.0.1:5001/v2 mirror-for-foo/app mirror',
      'https://mirror.example:5002/v2 digests/app mirror',
      'http://127.0.0.1:5009/v2 bar/app ns=127.0.0.1:5000 mirror',
      'http://127.0.0.1:5000/v2 bar/app',
    ]);
  });

  it('reads $XDG_CONFIG_HOME/containers/registries.conf by default', async () => {
    const home = writeTree({ 'containers/registries.conf': '[[registry]]\nprefix = "r.example"\nblocked = true' });
    const error = await configError(
      resolveHosts({ registry: 'r.example', repository: 'x' }, 'pull', {
        certsDir: false,
        hostsDir: false,
        env: { XDG_CONFIG_HOME: home },
      }),
    );
    expect(error.file).toBe(`${home}/containers/registries.conf`);
    const userHome = writeTree({
      '.config/containers/registries.conf': '[[registry]]\nprefix = "r.example"\nblocked = true',
    });
    expect(
      (
        await configError(
          resolveHosts({ registry: 'r.example', repository: 'x' }, 'pull', {
            certsDir: false,
            hostsDir: false,
            env: { HOME: userHome },
          }),
        )
      ).file,
    ).toBe(`${userHome}/.config/containers/registries.conf`);
  });

  it('refuses a registries.conf the caller names that does not exist', async () => {
    expect(
      await configError(
        resolveHosts({ registry: 'r.example', repository: 'x' }, 'pull', {
          ...none,
          registriesConf: '/nonexistent/registries.conf',
        }),
      ),
    ).toMatchObject({ file: '/nonexistent/registries.conf', reason: 'registries.conf does not exist' });
  });

  it('refuses a rewrite that makes no reference, naming the entry', async () => {
    const conf =
      writeTree({ 'r.conf': '[[registry]]\nprefix = "r.example/a"\nlocation = "R.EXAMPLE/Upper"' }) + '/r.conf';
    expect(
      (
        await configError(
          resolveHosts({ registry: 'r.example', repository: 'a/x' }, 'pull', { ...none, registriesConf: conf }),
        )
      ).reason,
    ).toBe('[[registry]] #1 rewrites the reference to "R.EXAMPLE/Upper/x", which is not one');
  });
});

describe('resolveHosts: resolutions that share what they read (a Registry)', () => {
  const BLOCKED = '[[registry]]\nprefix = "kept.example"\nblocked = true\n';
  const ALLOWED = '[[registry]]\nprefix = "kept.example"\nblocked = false\n';

  it('read each file once: a change reaches only resolutions that share nothing with them', async () => {
    const folder = writeTree({ 'registries.conf': ALLOWED });
    const registriesConf = `${folder}/registries.conf`;
    const kept = new Kept();
    const ref = { registry: 'kept.example', repository: 'app' };
    const first = await resolveHosts(ref, 'pull', { ...none, registriesConf }, kept);
    expect(first.files).toEqual([registriesConf]);
    writeFileSync(registriesConf, BLOCKED);
    expect((await resolveHosts(ref, 'push', { ...none, registriesConf }, kept)).registry).toBe('kept.example');
    await configError(resolveHosts(ref, 'pull', { ...none, registriesConf }, new Kept()));
    await configError(resolveHosts(ref, 'pull', { ...none, registriesConf }));
  });

  it('read again a file whose read failed', async () => {
    const registriesConf = `${writeTree({})}/registries.conf`;
    const kept = new Kept();
    const ref = { registry: 'kept.example', repository: 'app' };
    expect((await configError(resolveHosts(ref, 'pull', { ...none, registriesConf }, kept))).reason).toBe(
      'registries.conf does not exist',
    );
    writeFileSync(registriesConf, BLOCKED);
    expect((await configError(resolveHosts(ref, 'pull', { ...none, registriesConf }, kept))).reason).toMatch(
      /is blocked by/,
    );
  });
});
