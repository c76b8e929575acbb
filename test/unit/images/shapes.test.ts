// Every JSON answer an image operation reads, in every wrong shape (through a fake transport: a
// real engine cannot be made to send them): null, a number, a string, an object where a list
// belongs, a list where an object belongs, each field missing, each field of the wrong type. Each
// is a ProtocolError naming the endpoint, or, where the engine may leave the field out (the
// `optional` column), the operation's documented value.
import { describe, expect, it } from 'vitest';
import {
  Docker,
  ProtocolError,
  imageHistory,
  inspectDistribution,
  inspectImage,
  listImages,
  login,
  pruneBuilds,
  pruneImages,
  pullImage,
  removeImage,
  searchImages,
  type Transport,
} from '../../../src/api.js';
import { textBody } from '../../support/text-body.js';

/** A client whose every request is answered 200 with `text`. */
function answering(text: string): Docker {
  const transport: Transport = {
    request: async () => ({ statusCode: 200, statusMessage: 'OK', headers: {}, body: textBody(text) }),
    close: async () => {},
  };
  return new Docker({ transport, version: '1.41', configDir: '/nonexistent' });
}

interface Row {
  endpoint: RegExp;
  valid: unknown;
  /** Fields (of the object, or of a list's first item) the engine may leave out. */
  optional: string[];
  call: (d: Docker) => Promise<unknown>;
}

const rows: Record<string, Row> = {
  inspect: {
    endpoint: /^GET \/images\/a:1\/json: /,
    valid: {
      Id: 'sha256:1',
      RepoTags: ['a:1'],
      RepoDigests: [],
      Created: '2020-01-01T00:00:00Z',
      Os: 'linux',
      Architecture: 'amd64',
      Size: 1,
      Config: { Labels: { a: 'b' } },
    },
    optional: ['RepoTags', 'RepoDigests', 'Created', 'Os', 'Architecture', 'Size', 'Config'],
    call: (d) => inspectImage(d, 'a:1'),
  },
  list: {
    endpoint: /^GET \/images\/json: /,
    valid: [{ Id: 'sha256:1', RepoTags: ['a:1'] }],
    optional: ['RepoTags'],
    call: (d) => listImages(d),
  },
  history: {
    endpoint: /^GET \/images\/a:1\/history: /,
    valid: [{ Id: 'sha256:1', Created: 1, CreatedBy: 'x', Tags: ['a:1'], Size: 1 }],
    optional: ['Tags'],
    call: (d) => imageHistory(d, 'a:1'),
  },
  remove: {
    endpoint: /^DELETE \/images\/a:1: /,
    valid: [{ Untagged: 'a:1', Deleted: 'sha256:1' }],
    optional: ['Untagged', 'Deleted'],
    call: (d) => removeImage(d, 'a:1'),
  },
  prune: {
    endpoint: /^POST \/images\/prune: /,
    valid: { ImagesDeleted: [{ Deleted: 'sha256:1' }], SpaceReclaimed: 5 },
    optional: ['ImagesDeleted', 'SpaceReclaimed'],
    call: (d) => pruneImages(d),
  },
  pruneBuilds: {
    endpoint: /^POST \/build\/prune: /,
    valid: { CachesDeleted: ['x'], SpaceReclaimed: 5 },
    optional: ['CachesDeleted', 'SpaceReclaimed'],
    call: (d) => pruneBuilds(d),
  },
  search: {
    endpoint: /^GET \/images\/search: /,
    valid: [{ name: 'a', description: '', star_count: 1, is_official: false, is_automated: false }],
    optional: ['description', 'star_count', 'is_official', 'is_automated'],
    call: (d) => searchImages(d, 'a'),
  },
  distribution: {
    endpoint: /^GET \/distribution\/a:1\/json: /,
    valid: {
      Descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:1', size: 1 },
      Platforms: [{ os: 'linux', architecture: 'amd64' }],
    },
    optional: ['Platforms'],
    call: (d) => inspectDistribution(d, 'a:1'),
  },
  login: {
    endpoint: /^POST \/auth: /,
    valid: { Status: 'Login Succeeded' },
    optional: [],
    call: (d) => login(d, { username: 'u', password: 'p', registry: '127.0.0.1:1' }),
  },
  version: {
    endpoint: /^GET \/version: /,
    valid: { Version: '28.5.2', ApiVersion: '1.51', Os: 'linux', Arch: 'amd64' },
    optional: [],
    call: (d) => d.version(),
  },
};

/** A value of another JSON type than `value`'s. */
function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number' || typeof value === 'boolean') return 'text';
  if (Array.isArray(value)) return { not: 'a list' };
  return ['not an object'];
}

/** [name, answer, accepted?] for every wrong shape of `row`. */
function mutations(row: Row): Array<[string, unknown, boolean]> {
  const out: Array<[string, unknown, boolean]> = [
    ['null', null, false],
    ['a number', 42, false],
    ['a string', 'text', false],
    [
      Array.isArray(row.valid) ? 'an object for the list' : 'a list for the object',
      Array.isArray(row.valid) ? {} : [],
      false,
    ],
  ];
  const list = Array.isArray(row.valid);
  const item = (list ? (row.valid as unknown[])[0] : row.valid) as Record<string, unknown>;
  const wrap = (changed: Record<string, unknown>): unknown => (list ? [changed] : changed);
  if (list) out.push(['null in the list', [null], false], ['a number in the list', [42], false]);
  for (const key of Object.keys(item)) {
    const { [key]: _, ...without } = item;
    out.push([`${key} missing`, wrap(without), row.optional.includes(key)]);
    out.push([`${key} of the wrong type`, wrap({ ...item, [key]: wrongType(item[key]) }), false]);
  }
  return out;
}

describe('every JSON answer of the image API, in every wrong shape', () => {
  for (const [operation, row] of Object.entries(rows)) {
    it(`${operation}: the valid answer is read`, async () => {
      await expect(row.call(answering(JSON.stringify(row.valid)))).resolves.toBeDefined();
    });
    it.each(mutations(row))(`${operation}: %s`, async (_name, answer, accepted) => {
      const result = row.call(answering(JSON.stringify(answer)));
      if (accepted) {
        await expect(result).resolves.toBeDefined();
      } else {
        const error = await result.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ProtocolError);
        expect((error as Error).message).toMatch(row.endpoint);
      }
    });
  }

  it('documented values: prune and pruneBuilds with nothing deleted (null lists, missing totals)', async () => {
    expect(await pruneImages(answering('{"ImagesDeleted":null}'))).toEqual({ imagesDeleted: [], spaceReclaimed: 0 });
    expect(await pruneBuilds(answering('{"CachesDeleted":null,"SpaceReclaimed":0}'))).toEqual({
      cachesDeleted: [],
      spaceReclaimed: 0,
    });
    expect(
      (
        await inspectDistribution(
          answering('{"Descriptor":{"mediaType":"m","digest":"sha256:1","size":1},"Platforms":null}'),
          'a:1',
        )
      ).Platforms,
    ).toBeNull();
  });

  it.each([['42\n'], ['null\n'], ['[1]\n'], ['"text"\n']])(
    'a progress stream line %j that is not an object is a ProtocolError',
    async (line) => {
      const error = await pullImage(answering(line), 'a:1').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toMatch(/^progress stream: a line that is not a JSON object/);
    },
  );
});
