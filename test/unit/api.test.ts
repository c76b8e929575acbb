// The public API's rules (docs/api.md), held on every public call of `dockwire` and `dockwire/api`:
// a misspelled option is InvalidArgument naming it and the nearest known name, and bad input is
// a rejection (a Job or a promise) or, from a constructor, a throw; in both cases no request is
// sent. The client's transport records every request it is asked for, and answers none.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeRegistryData } from '../../src/models/registry-data.js';
import {
  BuildKit,
  Docker,
  EngineApi,
  Image,
  InvalidArgument,
  Job,
  ProgressJob,
  Registry,
  RegistryData,
  SocketTransport,
  buildImage,
  imageAttestations,
  imageHistory,
  inspectDistribution,
  inspectImage,
  listImages,
  loadImages,
  openImageArchive,
  fetchTrustedRoot,
  login,
  parseAddress,
  pruneBuilds,
  pruneImages,
  pullImage,
  pushImage,
  removeImage,
  saveImages,
  searchImages,
  tagImage,
  verifyBundle,
  type Transport,
  type TransportRequest,
} from '../../src/api.js';

type Sent = Pick<TransportRequest, 'method' | 'path'>;

/** A transport that records what it is asked to send, and sends nothing. */
function recorder(): Transport & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    request: async (request) => {
      sent.push(request);
      throw new Error(`sent ${request.method} ${request.path}`);
    },
    upgrade: async (request) => {
      sent.push(request);
      throw new Error(`sent ${request.method} ${request.path}`);
    },
    close: async () => {},
  };
}

const ID = `sha256:${'a'.repeat(64)}`;
const DIGEST = `sha256:${'b'.repeat(64)}`;
const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

/** A client whose every request is recorded, and an Image and a RegistryData of it. */
function client(): { docker: Docker; sent: Sent[]; image: Image; data: RegistryData } {
  const transport = recorder();
  const docker = new Docker({ transport });
  const image = new Image(docker, { Id: ID, RepoTags: ['me/app:1'] });
  const data = makeRegistryData({
    client: docker,
    imageName: 'me/app:1',
    attrs: { Descriptor: { mediaType: 'x', digest: DIGEST, size: 1 }, Platforms: [] },
    engine: { os: 'linux', architecture: 'amd64' },
    pull: () => {
      throw new Error('not pulled here');
    },
  });
  return { docker, sent: transport.sent, image, data };
}

type Call = (c: ReturnType<typeof client>) => unknown;

/**
 * What a call reports: its error, seen as a user sees it (awaiting a promise or a Job, or
 * iterating an async iterable); `thrown` when the call itself threw before returning.
 */
async function outcome(call: () => unknown): Promise<{ thrown: boolean; error: unknown }> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return { thrown: true, error };
  }
  try {
    if (result !== null && typeof result === 'object' && 'then' in result) await result;
    else if (result !== null && typeof result === 'object' && Symbol.asyncIterator in result) {
      for await (const _ of result as AsyncIterable<unknown>) break;
    }
  } catch (error) {
    return { thrown: false, error };
  }
  return { thrown: false, error: undefined };
}

// [call, misspelled key, the known name it must suggest, the call's misspelled options]
const misspelled: Array<[string, string, string, Call]> = [
  ['docker.login', 'pasword', 'password', ({ docker }) => docker.login({ username: 'u', pasword: 'p' } as never)],
  ['docker.ping', 'signl', 'signal', ({ docker }) => docker.ping({ signl: undefined } as never)],
  ['docker.version', 'signl', 'signal', ({ docker }) => docker.version({ signl: undefined } as never)],
  [
    'images.get',
    'platfrom',
    'platform',
    ({ docker }) => docker.images.get('me/app', { platfrom: 'linux/amd64' } as never),
  ],
  ['images.list', 'filter', 'filters', ({ docker }) => docker.images.list({ filter: { dangling: true } } as never)],
  ['images.pull', 'tga', 'tag', ({ docker }) => docker.images.pull('me/app', { tga: '1' } as never)],
  ['images.push', 'tga', 'tag', ({ docker }) => docker.images.push('me/app', { tga: '1' } as never)],
  ['images.remove', 'noprune', 'noPrune', ({ docker }) => docker.images.remove('me/app', { noprune: true } as never)],
  ['images.prune', 'filter', 'filters', ({ docker }) => docker.images.prune({ filter: { dangling: false } } as never)],
  ['images.search', 'limt', 'limit', ({ docker }) => docker.images.search('me', { limt: 1 } as never)],
  [
    'images.load',
    'platfrom',
    'platform',
    ({ docker }) => docker.images.load(new Uint8Array(1), { platfrom: 'linux/amd64' } as never),
  ],
  ['images.build', 'nocache', 'noCache', ({ docker }) => docker.images.build({ path: '.', nocache: true } as never)],
  ['images.pruneBuilds', 'al', 'all', ({ docker }) => docker.images.pruneBuilds({ al: true } as never)],
  ['images.ensure', 'pul', 'pull', ({ docker }) => docker.images.ensure('me/app', { pul: 'always' } as never)],
  [
    'images.getRegistryData',
    'authconfig',
    'authConfig',
    ({ docker }) => docker.images.getRegistryData('me/app', { authconfig: {} } as never),
  ],
  ['image.history', 'platfrom', 'platform', ({ image }) => image.history({ platfrom: 'linux/amd64' } as never)],
  ['image.reload', 'signl', 'signal', ({ image }) => image.reload({ signl: undefined } as never)],
  ['image.tag', 'signl', 'signal', ({ image }) => image.tag('me/other', '2', { signl: undefined } as never)],
  ['image.save', 'chunksize', 'chunkSize', ({ image }) => image.save({ chunksize: 1 } as never)],
  ['registryData.reload', 'signl', 'signal', ({ data }) => data.reload({ signl: undefined } as never)],
  [
    'inspectImage',
    'manifest',
    'manifests',
    ({ docker }) => inspectImage(docker, 'me/app', { manifest: true } as never),
  ],
  ['listImages', 'sharedsize', 'sharedSize', ({ docker }) => listImages(docker, { sharedsize: true } as never)],
  [
    'imageHistory',
    'platfrom',
    'platform',
    ({ docker }) => imageHistory(docker, 'me/app', { platfrom: 'linux/amd64' } as never),
  ],
  [
    'tagImage',
    'signl',
    'signal',
    ({ docker }) => tagImage(docker, 'me/app', 'me/other', undefined, { signl: undefined } as never),
  ],
  ['removeImage', 'forse', 'force', ({ docker }) => removeImage(docker, 'me/app', { forse: true } as never)],
  ['pruneImages', 'filter', 'filters', ({ docker }) => pruneImages(docker, { filter: {} } as never)],
  ['searchImages', 'limt', 'limit', ({ docker }) => searchImages(docker, 'me', { limt: 1 } as never)],
  [
    'inspectDistribution',
    'authconfig',
    'authConfig',
    ({ docker }) => inspectDistribution(docker, 'me/app', { authconfig: {} } as never),
  ],
  ['pullImage', 'alltags', 'allTags', ({ docker }) => pullImage(docker, 'me/app', { alltags: true } as never)],
  ['pushImage', 'authconfig', 'authConfig', ({ docker }) => pushImage(docker, 'me/app', { authconfig: {} } as never)],
  ['loadImages', 'timout', 'timeout', ({ docker }) => loadImages(docker, new Uint8Array(1), { timout: 1 } as never)],
  [
    'saveImages',
    'borrowchunks',
    'borrowChunks',
    ({ docker }) => saveImages(docker, 'me/app', { borrowchunks: true } as never),
  ],
  ['login', 'reuath', 'reauth', ({ docker }) => login(docker, { username: 'u', reuath: true } as never)],
  ['buildImage', 'buildargs', 'buildArgs', ({ docker }) => buildImage(docker, { path: '.', buildargs: {} } as never)],
  ['pruneBuilds', 'keepstorage', 'keepStorage', ({ docker }) => pruneBuilds(docker, { keepstorage: 1 } as never)],
  [
    'images.load (platforms)',
    'platfroms',
    'platforms',
    ({ docker }) => docker.images.load(new Uint8Array(1), { platfroms: ['linux/amd64'] } as never),
  ],
  ['image.attestations', 'statment', 'statement', ({ image }) => image.attestations({ statment: true } as never)],
  ['image.files', 'platfrom', 'platform', ({ image }) => image.files({ platfrom: 'linux/amd64' } as never)],
  ['imageAttestations', 'tpye', 'type', ({ docker }) => imageAttestations(docker, 'me/app', { tpye: 'x' } as never)],
  [
    'registry.resolve',
    'platfrom',
    'platform',
    ({ docker }) => docker.registry.resolve('127.0.0.1:9/me/app:1', { platfrom: 'linux/amd64' } as never),
  ],
  [
    'registry.manifest',
    'platfrom',
    'platform',
    ({ docker }) => docker.registry.manifest('127.0.0.1:9/me/app:1', { platfrom: 'linux/amd64' } as never),
  ],
  [
    'registry.config',
    'platfrom',
    'platform',
    ({ docker }) => docker.registry.config('127.0.0.1:9/me/app:1', { platfrom: 'linux/amd64' } as never),
  ],
  [
    'registry.platforms',
    'signl',
    'signal',
    ({ docker }) => docker.registry.platforms('127.0.0.1:9/me/app:1', { signl: undefined } as never),
  ],
  [
    'registry.blob',
    'signl',
    'signal',
    ({ docker }) => docker.registry.blob('127.0.0.1:9/me/app:1', DIGEST, { signl: undefined } as never),
  ],
  [
    'registry.tags',
    'pagesize',
    'pageSize',
    ({ docker }) => docker.registry.tags('127.0.0.1:9/me/app', { pagesize: 10 } as never),
  ],
  [
    'registry.referrers',
    'artifacttype',
    'artifactType',
    ({ docker }) => docker.registry.referrers('127.0.0.1:9/me/app:1', { artifacttype: 'x' } as never),
  ],
  [
    'registry.pushBlob',
    'digets',
    'digest',
    ({ docker }) => docker.registry.pushBlob('127.0.0.1:9/me/app', new Uint8Array(1), { digets: DIGEST } as never),
  ],
  [
    'registry.pushManifest',
    'mediatype',
    'mediaType',
    ({ docker }) =>
      docker.registry.pushManifest('127.0.0.1:9/me/app:1', new Uint8Array(1), { mediatype: 'x' } as never),
  ],
  [
    'registry.tag',
    'signl',
    'signal',
    ({ docker }) => docker.registry.tag('127.0.0.1:9/me/app:1', '2', { signl: undefined } as never),
  ],
  [
    'registry.delete',
    'signl',
    'signal',
    ({ docker }) => docker.registry.delete('127.0.0.1:9/me/app:1', { signl: undefined } as never),
  ],
  [
    'registry.attach',
    'artifacttype',
    'artifactType',
    ({ docker }) => docker.registry.attach('127.0.0.1:9/me/app:1', { artifacttype: 'x', blobs: [] } as never),
  ],
  [
    'registry.copy',
    'platfroms',
    'platforms',
    ({ docker }) => docker.registry.copy('127.0.0.1:9/me/app:1', '127.0.0.1:9/me/other:1', { platfroms: [] } as never),
  ],
  [
    'registry.append',
    'annotation',
    'annotations',
    ({ docker }) =>
      docker.registry.append('127.0.0.1:9/me/app:1', { to: '127.0.0.1:9/me/app:2', annotation: {} } as never),
  ],
  [
    'registry.mutate',
    'platfroms',
    'platforms',
    ({ docker }) => docker.registry.mutate('127.0.0.1:9/me/app:1', { platfroms: [] } as never),
  ],
  [
    'registry.copy (referrers)',
    'referers',
    'referrers',
    ({ docker }) => docker.registry.copy('127.0.0.1:9/me/app:1', '127.0.0.1:9/me/other:1', { referers: true } as never),
  ],
  [
    'registry.attestations',
    'predicatetype',
    'predicateType',
    ({ docker }) => docker.registry.attestations('127.0.0.1:9/me/app:1', { predicatetype: 'x' } as never),
  ],
  [
    'registry.files',
    'platfrom',
    'platform',
    ({ docker }) => docker.registry.files('127.0.0.1:9/me/app:1', { platfrom: 'linux/amd64' } as never),
  ],
  [
    'registry.verify',
    'identiy',
    'identity',
    ({ docker }) => docker.registry.verify('127.0.0.1:9/me/app:1', { identiy: 'x' } as never),
  ],
  [
    'registry.verifyAttestations',
    'predicatetype',
    'predicateType',
    ({ docker }) => docker.registry.verifyAttestations('127.0.0.1:9/me/app:1', { predicatetype: 'x' } as never),
  ],
  [
    'registry.sign',
    'annotation',
    'annotations',
    ({ docker }) => docker.registry.sign('127.0.0.1:9/me/app:1', { annotation: {} } as never),
  ],
  [
    'registry.attest',
    'predicatetype',
    'predicateType',
    ({ docker }) => docker.registry.attest('127.0.0.1:9/me/app:1', { predicatetype: 'x' } as never),
  ],
  [
    'registry.extract',
    'device',
    'devices',
    ({ docker }) => docker.registry.extract('127.0.0.1:9/me/app:1', '/tmp/never', { device: true } as never),
  ],
  [
    'buildkit.build',
    'platfroms',
    'platforms',
    ({ docker }) => docker.buildkit.build({ path: '.', platfroms: [] } as never),
  ],
  ['buildkit.prune', 'al', 'all', ({ docker }) => docker.buildkit.prune({ al: true } as never)],
  ['buildkit.diskUsage', 'filter', 'filters', ({ docker }) => docker.buildkit.diskUsage({ filter: [] } as never)],
  ['buildkit.workers', 'filter', 'filters', ({ docker }) => docker.buildkit.workers({ filter: [] } as never)],
  ['buildkit.info', 'signl', 'signal', ({ docker }) => docker.buildkit.info({ signl: undefined } as never)],
  [
    'openImageArchive',
    'memorylimit',
    'memoryLimit',
    () => openImageArchive(new Uint8Array(1024), { memorylimit: 1 } as never),
  ],
  [
    'fetchTrustedRoot',
    'ofline',
    'offline',
    () => fetchTrustedRoot({ mirror: 'http://127.0.0.1:9', ofline: true } as never),
  ],
  ['verifyBundle', 'kye', 'key', () => verifyBundle({}, new Uint8Array(), { kye: 'x' } as never)],
  [
    'EngineApi.request',
    'qurey',
    'query',
    ({ docker }) => docker.api.request('GET', '/images/json', { qurey: {} } as never),
  ],
  [
    'EngineApi.json',
    'shpe',
    'shape',
    ({ docker }) => docker.api.json('GET', '/images/json', { shpe: undefined } as never),
  ],
  ['EngineApi.call', 'heders', 'headers', ({ docker }) => docker.api.call('POST', '/x', { heders: {} } as never)],
  ['EngineApi.upgrade', 'heders', 'headers', ({ docker }) => docker.api.upgrade('/session', { heders: {} } as never)],
];

describe('a misspelled option', () => {
  it.each(misspelled)(
    '%s: InvalidArgument naming %s and %s, rejected, nothing sent',
    async (_name, key, near, call) => {
      const c = client();
      const { thrown, error } = await outcome(() => call(c));
      expect(thrown).toBe(false);
      expect(error).toBeInstanceOf(InvalidArgument);
      expect((error as Error).message).toContain(`unknown option "${key}"; did you mean "${near}"?`);
      expect(c.sent).toEqual([]);
    },
  );

  it.each([
    ['new Docker', 'hots', 'host', () => new Docker({ hots: 'unix:///x' } as never)],
    ['Docker.fromEnv', 'tiemout', 'timeout', () => Docker.fromEnv({}, { tiemout: 1 } as never)],
    ['new EngineApi', 'verison', 'version', () => new EngineApi(recorder(), { verison: '1.41' } as never)],
    [
      'new SocketTransport',
      'maxSocket',
      'maxSockets',
      () => new SocketTransport(parseAddress('unix:///x'), { maxSocket: 1 } as never),
    ],
    ['parseAddress', 'tsl', 'tls', () => parseAddress('tcp://127.0.0.1:2375', { tsl: true } as never)],
    ['new Job', 'oncancel', 'onCancel', () => new Job(async () => 0, undefined, { oncancel: () => {} } as never)],
    ['new Registry', 'insecrue', 'insecure', () => new Registry({ insecrue: [] } as never)],
    ['new BuildKit', 'hots', 'host', () => new BuildKit({ hots: 'unix:///x' } as never)],
    [
      'new ProgressJob',
      'oncancel',
      'onCancel',
      () => new ProgressJob(async () => 0, undefined, { oncancel: () => {} } as never),
    ],
  ])('%s (a constructor, or synchronous): throws InvalidArgument naming %s and %s', (_name, key, near, call) => {
    expect(call).toThrow(InvalidArgument);
    expect(call).toThrow(`unknown option "${key}"; did you mean "${near}"?`);
  });

  it('Docker.fromEnv refuses host and tls, which the environment decides', () => {
    expect(() => Docker.fromEnv({}, { host: 'unix:///x' } as never)).toThrow(/Docker\.fromEnv: unknown option "host"/);
  });

  it('options that are not an object are InvalidArgument too', async () => {
    const c = client();
    for (const call of [
      () => c.docker.images.list(null as never),
      () => c.docker.images.pull('me/app', 'latest' as never),
      () => c.docker.images.build([] as never),
    ]) {
      const { thrown, error } = await outcome(call);
      expect(thrown).toBe(false);
      expect((error as Error).message).toMatch(/options must be an object/);
    }
    expect(c.sent).toEqual([]);
  });
});

// [call, what the error says, the call with bad input (not a bad option)]
const badInput: Array<[string, RegExp, Call]> = [
  ['images.pull: a bad name', /repository/, ({ docker }) => docker.images.pull('Bad Name')],
  [
    'images.pull: allTags with a tag',
    /allTags cannot be combined/,
    ({ docker }) => docker.images.pull('me/app:1', { allTags: true }),
  ],
  [
    'images.pull: retries',
    /retries must be a non-negative integer/,
    ({ docker }) => docker.images.pull('me/app', { retries: -1 }),
  ],
  ['images.push: a digest', /a push names a tag, not a digest/, ({ docker }) => docker.images.push(`me/app@${DIGEST}`)],
  ['images.build: neither path nor fileobj', /either path or fileobj/, ({ docker }) => docker.images.build({})],
  ['images.build: a bad tag', /tag/, ({ docker }) => docker.images.build({ path: '.', tag: 'Bad Tag' })],
  [
    'images.build: secrets without BuildKit',
    /secrets and ssh need a BuildKit build/,
    ({ docker }) => docker.images.build({ path: '.', secrets: { a: { value: 'x' } } }),
  ],
  [
    'images.ensure: a bad policy',
    /pull must be/,
    ({ docker }) => docker.images.ensure('me/app', { pull: 'sometimes' as never }),
  ],
  [
    'images.ensure: retries',
    /retries must be a non-negative integer/,
    ({ docker }) => docker.images.ensure('me/app', { retries: 1.5 }),
  ],
  ['images.load: not bytes', /data/, ({ docker }) => docker.images.load(42 as never)],
  ['images.get: an empty name', /name/, ({ docker }) => docker.images.get('')],
  ['images.list: a bad name', /name/, ({ docker }) => docker.images.list({ name: 'Bad Name' })],
  ['images.remove: an empty name', /image/, ({ docker }) => docker.images.remove('')],
  ['images.search: an empty term', /term must be a non-empty string/, ({ docker }) => docker.images.search(' ')],
  [
    'images.pruneBuilds: negative bytes',
    /keepStorage must be a non-negative integer/,
    ({ docker }) => docker.images.pruneBuilds({ keepStorage: -1 }),
  ],
  ['images.getRegistryData: a bad name', /name/, ({ docker }) => docker.images.getRegistryData('Bad Name')],
  ['docker.login: no username', /username must be a non-empty string/, ({ docker }) => docker.login({ username: '' })],
  ['image.save: a tag it lacks', /is not one of this image's tags/, ({ image }) => image.save({ named: 'me/other:9' })],
  ['image.save: chunkSize 0', /chunkSize must be a positive integer/, ({ image }) => image.save({ chunkSize: 0 })],
  ['image.tag: a bad repository', /repository/, ({ image }) => image.tag('Bad Repo')],
  ['image.history: a bad platform', /platform/, ({ image }) => image.history({ platform: 'linux/amd64/v8/extra' })],
  ['saveImages: no names', /names must name at least one image/, ({ docker }) => saveImages(docker, [])],
  ['pullImage: a bad tag', /tag/, ({ docker }) => pullImage(docker, 'me/app', { tag: 'bad tag' })],
  ['pushImage: two tags', /already names a tag/, ({ docker }) => pushImage(docker, 'me/app:1', { tag: '2' })],
  [
    'buildImage: a bad encoding',
    /encoding must be/,
    ({ docker }) => buildImage(docker, { path: '.', encoding: 'br' as never }),
  ],
  ['registry.copy: a bad destination', /dst/, ({ docker }) => docker.registry.copy('127.0.0.1:9/me/app:1', 'Bad Name')],
  [
    'registry.append: a relative file path',
    /layers\[0\]\.files/,
    ({ docker }) =>
      docker.registry.append('127.0.0.1:9/me/app:1', {
        layers: [{ files: { 'etc/x': 'x' } }],
        to: '127.0.0.1:9/me/app:2',
      }),
  ],
  [
    'registry.append: no destination',
    /to is required/,
    ({ docker }) => docker.registry.append('127.0.0.1:9/me/app:1', {} as never),
  ],
  ['registry.manifest: a bad reference', /ref/, ({ docker }) => docker.registry.manifest('Bad Name')],
  [
    'registry.verify: neither key nor identity',
    /give key, or identity and issuer/,
    ({ docker }) => docker.registry.verify('127.0.0.1:9/me/app:1', {}),
  ],
  [
    'registry.verify: keyless without an issuer',
    /give key, or identity and issuer/,
    ({ docker }) => docker.registry.verify('127.0.0.1:9/me/app:1', { trustedRoot: '/nowhere', identity: 'me' }),
  ],
  [
    'registry.verify: not a key',
    /registry.verify: key/,
    ({ docker }) => docker.registry.verify('127.0.0.1:9/me/app:1', { key: 'not a key' }),
  ],
  ['registry.sign: no key', /needs a key/, ({ docker }) => docker.registry.sign('127.0.0.1:9/me/app:1', {} as never)],
  [
    'registry.sign: not a private key',
    /not a PEM private key/,
    ({ docker }) => docker.registry.sign('127.0.0.1:9/me/app:1', { key: 'not a key' }),
  ],
  [
    'registry.sign: a bad format',
    /format must be/,
    ({ docker }) => docker.registry.sign('127.0.0.1:9/me/app:1', { key: 'x', format: 'gpg' as never }),
  ],
  [
    'registry.attest: no predicateType',
    /needs a predicateType/,
    ({ docker }) => docker.registry.attest('127.0.0.1:9/me/app:1', { key: KEY, predicate: {} } as never),
  ],
  [
    'buildkit.build: an unknown output type',
    /output/,
    ({ docker }) => docker.buildkit.build({ path: '.', outputs: [{ type: 'floppy' } as never] }),
  ],
  ['openImageArchive: not an archive', /archive|source/, () => openImageArchive(42 as never)],
  [
    'fetchTrustedRoot: a mirror that is not a URL',
    /mirror must be an http\(s\) URL/,
    () => fetchTrustedRoot({ mirror: 'tuf.example.invalid' }),
  ],
  [
    'fetchTrustedRoot: a negative timeout',
    /timeout must be/,
    () => fetchTrustedRoot({ mirror: 'http://127.0.0.1:9', timeout: -1 }),
  ],
  [
    'fetchTrustedRoot: an invalid date',
    /now must be/,
    () => fetchTrustedRoot({ mirror: 'http://127.0.0.1:9', now: new Date('x') }),
  ],
  ['verifyBundle: neither a key nor a trusted root', /give key/, () => verifyBundle({}, new Uint8Array(), {})],
  ['loadImages: not bytes', /data/, ({ docker }) => loadImages(docker, {} as never)],
];

describe('bad input', () => {
  it.each(badInput)('%s: rejected with InvalidArgument (never thrown), nothing sent', async (_name, message, call) => {
    const c = client();
    const { thrown, error } = await outcome(() => call(c));
    expect(thrown).toBe(false);
    expect(error).toBeInstanceOf(InvalidArgument);
    expect((error as Error).message).toMatch(message);
    expect(c.sent).toEqual([]);
  });

  it('registryData.hasPlatform, a synchronous method, throws it', () => {
    const { data } = client();
    expect(() => data.hasPlatform('linux/amd64/v8/extra')).toThrow(InvalidArgument);
  });
});
