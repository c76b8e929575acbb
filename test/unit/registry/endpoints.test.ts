// What a request becomes at one endpoint of a host-configuration plan (src/registry/endpoints.ts):
// its operation, its path under the endpoint's API root and repository with `ns=`, its scopes,
// and which failures pass it on to the next endpoint.
import { describe, expect, it } from 'vitest';
import { ConnectionError, InvalidArgument, RegistryError, TimeoutError } from '../../../src/errors.js';
import type { HostEndpoint } from '../../../src/hosts/types.js';
import {
  endpointAuthority,
  endpointHeaders,
  endpointPath,
  endpointScope,
  isPlainTwin,
  operationOf,
  passesOn,
  plainTwin,
} from '../../../src/registry/endpoints.js';

const mirror: HostEndpoint = {
  origin: { secure: true, host: 'mirror.example.com', port: 443 },
  pathPrefix: '/cache/v2',
  repository: 'mirrored/app',
  ns: 'registry.example.com:5000',
  mirror: true,
  capabilities: ['pull', 'resolve'],
  headers: { 'x-team': ['a', 'b'] },
  insecure: false,
  source: 'test',
};

describe('operationOf', () => {
  it('a write, or a request whose token must push or delete, is a push', () => {
    expect(operationOf('PUT', '/v2/team/app/manifests/1', ['repository:team/app:pull,push'], 'team/app')).toBe('push');
    expect(operationOf('POST', '/v2/team/app/blobs/uploads/', ['repository:team/app:pull'], 'team/app')).toBe('push');
    expect(operationOf('DELETE', '/v2/team/app/manifests/sha256:ab', ['repository:team/app:delete'], 'team/app')).toBe(
      'push',
    );
    expect(operationOf('HEAD', '/v2/team/app/blobs/sha256:ab', ['repository:team/app:pull,push'], 'team/app')).toBe(
      'push',
    );
  });

  it('a tag\u2019s manifest and the tag list resolve; by digest (manifests, blobs, referrers) is a pull', () => {
    const pull = ['repository:team/app:pull'];
    expect(operationOf('HEAD', '/v2/team/app/manifests/1', pull, 'team/app')).toBe('resolve');
    expect(operationOf('GET', '/v2/team/app/tags/list?n=10', pull, 'team/app')).toBe('resolve');
    expect(operationOf('GET', '/v2/team/app/manifests/sha256:ab', pull, 'team/app')).toBe('pull');
    expect(operationOf('GET', '/v2/team/app/blobs/sha256:ab', pull, 'team/app')).toBe('pull');
    expect(operationOf('GET', '/v2/team/app/referrers/sha256:ab', pull, 'team/app')).toBe('pull');
  });
});

describe('endpointPath, endpointScope, endpointHeaders, endpointAuthority', () => {
  it('puts the path under the endpoint\u2019s API root and repository, with ns= after any query', () => {
    expect(endpointPath(mirror, 'team/app', '/v2/team/app/manifests/1')).toBe(
      '/cache/v2/mirrored/app/manifests/1?ns=registry.example.com%3A5000',
    );
    expect(endpointPath(mirror, 'team/app', '/v2/team/app/tags/list?n=2')).toBe(
      '/cache/v2/mirrored/app/tags/list?n=2&ns=registry.example.com%3A5000',
    );
    // another repository's path (a mount's source) keeps its repository
    const { ns: _ns, ...server } = mirror;
    expect(endpointPath(server, 'team/app', '/v2/team/app2/blobs/x')).toBe('/cache/v2/team/app2/blobs/x');
  });

  it('renames the repository\u2019s own scope only', () => {
    expect(endpointScope(mirror, 'team/app', 'repository:team/app:pull')).toBe('repository:mirrored/app:pull');
    expect(endpointScope(mirror, 'team/app', 'repository:team/app/sub:pull')).toBe('repository:team/app/sub:pull');
  });

  it('joins a header\u2019s values and leaves the default port out of the authority', () => {
    expect(endpointHeaders(mirror)).toEqual({ 'x-team': 'a, b' });
    expect(endpointAuthority(mirror)).toBe('mirror.example.com');
    expect(endpointAuthority({ ...mirror, origin: { secure: false, host: '::1', port: 5000 } })).toBe('[::1]:5000');
  });
});

describe('passesOn', () => {
  it('passes on no connection, a timeout, a 5xx and a 404; not a 401, a 400 or a bad argument', () => {
    expect(passesOn(new ConnectionError('refused'))).toBe(true);
    expect(passesOn(new TimeoutError('late'))).toBe(true);
    expect(passesOn(new RegistryError('x', 503, []))).toBe(true);
    expect(passesOn(new RegistryError('x', 404, []))).toBe(true);
    expect(passesOn(new RegistryError('x', 401, []))).toBe(false);
    expect(passesOn(new RegistryError('x', 400, []))).toBe(false);
    expect(passesOn(new InvalidArgument('x'))).toBe(false);
  });
});

describe('plainTwin', () => {
  it('is the insecure endpoint over plain HTTP (port 80 for 443), recognised as its twin only', () => {
    const insecure = { ...mirror, insecure: true };
    const twin = plainTwin(insecure);
    expect(twin.origin).toEqual({ secure: false, host: 'mirror.example.com', port: 80 });
    expect(twin.tls).toBeUndefined();
    expect(isPlainTwin(insecure, twin)).toBe(true);
    expect(isPlainTwin(mirror, plainTwin(mirror))).toBe(false);
    expect(isPlainTwin(insecure, { ...twin, source: 'another' })).toBe(false);
    expect(plainTwin({ ...insecure, origin: { ...insecure.origin, port: 5000 } }).origin.port).toBe(5000);
  });
});
