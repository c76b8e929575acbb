// containerd's hosts.toml as docs/hosts.md describes it, read from real files.
import { afterAll, describe, expect, it } from 'vitest';
import { goDuration, hostsFolders, readHostsFolder } from '../../../src/hosts/hosts-toml.js';
import { removeTempDirs } from '../../support/temp.js';
import { configError, writeTree } from './tree.js';

afterAll(removeTempDirs);

const EXAMPLE = `
server = "https://registry-1.docker.io"    # Exclude this to not use upstream

[host."https://public-mirror.example.com"]
  capabilities = ["pull"]                  # Requires less trust, won't resolve tag to digest from this host
[host."https://docker-mirror.internal"]
  capabilities = ["pull", "resolve"]
  ca = "docker-mirror.crt"
  client = [["/etc/certs/client.cert", "/etc/certs/client.key"], ["client.pem", ""]]
  dial_timeout = "1.5s"
  [host."https://docker-mirror.internal".header]
    x-custom-1 = "custom header"
    x-custom-2 = ["part a", "part b"]
[host."http://192.168.31.250:5000/base"]
  skip_verify = true
  override_path = true
`;

describe('hosts.toml', () => {
  it('reads the documented example: hosts in the file order, then the server', async () => {
    const root = writeTree({ 'docker.io/hosts.toml': EXAMPLE });
    const folder = await readHostsFolder(root, 'docker.io');
    expect(folder?.file).toBe(`${root}/docker.io/hosts.toml`);
    const [pub, internal, plain] = folder!.hosts;
    expect(folder!.hosts.map((h) => h.entry)).toEqual([
      '[host."https://public-mirror.example.com"]',
      '[host."https://docker-mirror.internal"]',
      '[host."http://192.168.31.250:5000/base"]',
    ]);
    expect(pub).toMatchObject({
      url: { secure: true, authority: { host: 'public-mirror.example.com' }, path: '/v2' },
      capabilities: ['pull'],
      tls: { ca: [], clients: [] },
    });
    expect(internal).toMatchObject({
      capabilities: ['pull', 'resolve'],
      tls: {
        ca: [`${root}/docker.io/docker-mirror.crt`],
        clients: [
          { cert: '/etc/certs/client.cert', key: '/etc/certs/client.key' },
          { cert: `${root}/docker.io/client.pem`, key: `${root}/docker.io/client.pem` },
        ],
      },
      headers: { 'x-custom-1': ['custom header'], 'x-custom-2': ['part a', 'part b'] },
      connectTimeout: 1500,
    });
    expect(plain).toMatchObject({
      url: { secure: false, authority: { host: '192.168.31.250', port: 5000 }, path: '/base' },
      capabilities: ['pull', 'resolve', 'push'],
      tls: { skipVerify: true },
      overridePath: true,
    });
    expect(folder!.server).toMatchObject({
      url: { secure: true, authority: { host: 'registry-1.docker.io' }, path: '/v2' },
      capabilities: ['pull', 'resolve', 'push'],
      entry: 'server',
    });
  });

  it('looks the folder up as host_port_, then host:port, then _default', async () => {
    expect(hostsFolders('/h', 'r.example:5000')).toEqual(['/h/r.example_5000_', '/h/r.example:5000', '/h/_default']);
    expect(hostsFolders('/h', 'r.example')).toEqual(['/h/r.example', '/h/_default']);
    const all = writeTree({
      'r.example_5000_/hosts.toml': 'server = "https://a"',
      'r.example:5000/hosts.toml': 'server = "https://b"',
      '_default/hosts.toml': 'server = "https://c"',
    });
    expect((await readHostsFolder(all, 'r.example:5000'))?.server.url?.authority.host).toBe('a');
    const two = writeTree({
      'r.example:5000/hosts.toml': 'server = "https://b"',
      '_default/hosts.toml': 'server = "https://c"',
    });
    expect((await readHostsFolder(two, 'r.example:5000'))?.server.url?.authority.host).toBe('b');
    expect((await readHostsFolder(two, 'other.example'))?.server.url?.authority.host).toBe('c');
    expect(await readHostsFolder(writeTree({ 'x/hosts.toml': '' }), 'other.example')).toBeUndefined();
  });

  it('reads a folder without hosts.toml as certs.d-style files for the registry itself', async () => {
    const root = writeTree({ 'r.example/ca.crt': 'x', 'r.example/me.cert': 'x', 'r.example/me.key': 'x' });
    const folder = await readHostsFolder(root, 'r.example');
    expect(folder?.file).toBeUndefined();
    expect(folder?.hosts).toEqual([]);
    expect(folder?.server.tls).toEqual({
      ca: [`${root}/r.example/ca.crt`],
      clients: [{ cert: `${root}/r.example/me.cert`, key: `${root}/r.example/me.key` }],
    });
  });

  it('refuses a file it cannot parse, naming it with the line and column', async () => {
    const root = writeTree({ 'r.example/hosts.toml': 'server = "https://a"\n[host."https://m"\n' });
    const error = await configError(readHostsFolder(root, 'r.example'));
    expect(error).toMatchObject({ file: `${root}/r.example/hosts.toml`, line: 2, column: 18 });
  });

  it.each([
    ['capabilities = ["pull", "fly"]', 'server capabilities must be pull, resolve or push, not "fly"'],
    ['[host."https://m"]\nca = 1', '[host."https://m"] ca must be a string or a list of strings'],
    [
      '[host."https://m"]\nclient = [["a"]]',
      '[host."https://m"] client must be a path, or a list of paths or [cert, key] pairs',
    ],
    ['skip_verify = "yes"', 'server skip_verify must be true or false'],
    ['dial_timeout = "soon"', 'server dial_timeout must be a duration ("1s", "500ms")'],
    ['server = 5', 'server must be a string'],
    ['[host.""]', '[host.""] must be a table named by a host URL'],
    ['host."https://m" = 1', '[host."https://m"] must be a table named by a host URL'],
    [
      '[host."https://user:pw@m"]',
      '[host."https://user:pw@m"]: "https://user:pw@m" is not a host URL (scheme://host[:port][/path])',
    ],
  ])('refuses %j, naming the entry', async (text, reason) => {
    const root = writeTree({ 'r.example/hosts.toml': text });
    expect(await configError(readHostsFolder(root, 'r.example'))).toMatchObject({
      reason,
      file: `${root}/r.example/hosts.toml`,
    });
  });

  it('reads Go durations', () => {
    expect(goDuration('1s')).toBe(1000);
    expect(goDuration('1m30s')).toBe(90_000);
    expect(goDuration('250ms')).toBe(250);
    expect(goDuration('1')).toBeUndefined();
    expect(goDuration('')).toBeUndefined();
  });
});
