// Each error class carries its own literal `code`, so a `switch (error.code)` on AnyDockerError
// narrows to the class (checked by the type checker: npm run typecheck covers test/), and at run
// time each class's code is the one the README lists.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  APIError,
  AbortError,
  BuildError,
  ArchiveError,
  ClientClosed,
  ConfigError,
  PlatformsUnknown,
  ConnectionError,
  ContextError,
  DigestMismatch,
  DockerError,
  FileNotFound,
  GrpcError,
  ImageLoadError,
  ImageNotFound,
  InvalidArgument,
  InvalidVersion,
  ManifestNotFound,
  NotFound,
  NotImplemented,
  ProtocolError,
  RegistryError,
  StreamError,
  TimeoutError,
  UnsupportedMediaType,
  VerificationError,
  isDockerError,
  type AnyDockerError,
} from '../../src/errors.js';

/** What a caller reads from each kind of error, by its code: the narrowing under test. */
function detail(error: AnyDockerError): string {
  switch (error.code) {
    case 'ERR_DOCKER_API':
      expectTypeOf(error).toMatchTypeOf<APIError>();
      expectTypeOf(error).not.toMatchTypeOf<NotFound>();
      return `${error.statusCode}`;
    case 'ERR_DOCKER_NOT_FOUND':
      expectTypeOf(error).toMatchTypeOf<NotFound>();
      expectTypeOf(error).not.toMatchTypeOf<ImageNotFound>();
      return `${error.statusCode}`;
    case 'ERR_DOCKER_IMAGE_NOT_FOUND':
      expectTypeOf(error).toEqualTypeOf<ImageNotFound>();
      return error.explanation;
    case 'ERR_DOCKER_REGISTRY':
      expectTypeOf(error).toMatchTypeOf<RegistryError>();
      expectTypeOf(error).not.toMatchTypeOf<ManifestNotFound>();
      return `${error.statusCode} ${error.registryCode}`;
    case 'ERR_DOCKER_MANIFEST_NOT_FOUND':
      expectTypeOf(error).toEqualTypeOf<ManifestNotFound>();
      return `${error.statusCode} ${error.registryCode}`;
    case 'ERR_DOCKER_BUILD':
      expectTypeOf(error).toEqualTypeOf<BuildError>();
      return `${error.reason} ${error.log.length}`;
    case 'ERR_DOCKER_STREAM':
      expectTypeOf(error).toEqualTypeOf<StreamError>();
      return `${error.daemonCode} ${error.log.length}`;
    case 'ERR_DOCKER_IMAGE_LOAD':
      expectTypeOf(error).toEqualTypeOf<ImageLoadError>();
      return `${error.log.length}`;
    case 'ERR_DOCKER_DIGEST_MISMATCH':
      expectTypeOf(error).toEqualTypeOf<DigestMismatch>();
      return `${error.expected} ${error.actual}`;
    case 'ERR_DOCKER_VERIFICATION':
      expectTypeOf(error).toEqualTypeOf<VerificationError>();
      return error.reasons.join('|');
    case 'ERR_DOCKER_CONFIG':
      expectTypeOf(error).toEqualTypeOf<ConfigError>();
      return `${error.file} ${error.line}:${error.column} ${error.reason}`;
    case 'ERR_DOCKER_PLATFORMS_UNKNOWN':
      expectTypeOf(error).toEqualTypeOf<PlatformsUnknown>();
      return error.imageName;
    case 'ERR_DOCKER_INVALID_ARGUMENT':
      expectTypeOf(error).toEqualTypeOf<InvalidArgument>();
      return error.message;
    default:
      expectTypeOf(error).toEqualTypeOf<
        | InvalidVersion
        | ConnectionError
        | TimeoutError
        | ProtocolError
        | AbortError
        | ContextError
        | ClientClosed
        | NotImplemented
        | GrpcError
        | ArchiveError
        | UnsupportedMediaType
        | FileNotFound
      >();
      return error.code;
  }
}

describe('error codes', () => {
  it.each([
    [new APIError(500, 'x'), 'ERR_DOCKER_API', '500'],
    [new NotFound(404, 'x'), 'ERR_DOCKER_NOT_FOUND', '404'],
    [new ImageNotFound(404, 'no such image'), 'ERR_DOCKER_IMAGE_NOT_FOUND', 'no such image'],
    [new RegistryError('blob x', 403, [{ code: 'DENIED' }]), 'ERR_DOCKER_REGISTRY', '403 DENIED'],
    [
      new ManifestNotFound('manifest x:v1', 404, [{ code: 'MANIFEST_UNKNOWN' }]),
      'ERR_DOCKER_MANIFEST_NOT_FOUND',
      '404 MANIFEST_UNKNOWN',
    ],
    [new BuildError('step failed', [{}, {}]), 'ERR_DOCKER_BUILD', 'step failed 2'],
    [new StreamError('x', 7, [{}]), 'ERR_DOCKER_STREAM', '7 1'],
    [new ImageLoadError('x', [{}]), 'ERR_DOCKER_IMAGE_LOAD', '1'],
    [new DigestMismatch('blob', 'sha256:a', 'sha256:b'), 'ERR_DOCKER_DIGEST_MISMATCH', 'sha256:a sha256:b'],
    [new InvalidArgument('bad'), 'ERR_DOCKER_INVALID_ARGUMENT', 'bad'],
    [new InvalidVersion('x'), 'ERR_DOCKER_INVALID_VERSION', 'ERR_DOCKER_INVALID_VERSION'],
    [new ConnectionError('x'), 'ERR_DOCKER_CONNECTION', 'ERR_DOCKER_CONNECTION'],
    [new TimeoutError('x'), 'ERR_DOCKER_TIMEOUT', 'ERR_DOCKER_TIMEOUT'],
    [new ProtocolError('x'), 'ERR_DOCKER_PROTOCOL', 'ERR_DOCKER_PROTOCOL'],
    [new AbortError(), 'ERR_DOCKER_ABORTED', 'ERR_DOCKER_ABORTED'],
    [new ContextError('x'), 'ERR_DOCKER_CONTEXT', 'ERR_DOCKER_CONTEXT'],
    [new ClientClosed(), 'ERR_DOCKER_CLIENT_CLOSED', 'ERR_DOCKER_CLIENT_CLOSED'],
    [
      new VerificationError('no signature verified', ['a: wrong key', 'b: no log entry']),
      'ERR_DOCKER_VERIFICATION',
      'a: wrong key|b: no log entry',
    ],
    [
      new ConfigError("expected '='", { file: '/etc/containers/registries.conf', line: 3, column: 5 }),
      'ERR_DOCKER_CONFIG',
      "/etc/containers/registries.conf 3:5 expected '='",
    ],
    [new PlatformsUnknown('me/app:1', 'the registry could not be asked'), 'ERR_DOCKER_PLATFORMS_UNKNOWN', 'me/app:1'],
  ] as const)('%s has code %s, and the switch on it reads its fields', (error, code, read) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
    expect(isDockerError(error)).toBe(true);
    expect(detail(error)).toBe(read);
  });

  it('ManifestNotFound is a RegistryError, not an APIError (the engine did not answer)', () => {
    const error = new ManifestNotFound('manifest x:v1', 404, [
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' },
    ]);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).not.toBeInstanceOf(APIError);
    expect(error.message).toBe('manifest x:v1: 404 MANIFEST_UNKNOWN: manifest unknown');
  });

  it('ConfigError names the file and the place in its message', () => {
    expect(new ConfigError('x', { file: '/a/hosts.toml', line: 2, column: 7 }).message).toBe(
      '/a/hosts.toml: line 2, column 7: x',
    );
    expect(new ConfigError('x', { line: 2, column: 7 }).message).toBe('line 2, column 7: x');
    expect(new ConfigError('x', { file: '/a/hosts.toml' }).message).toBe('/a/hosts.toml: x');
  });

  it('VerificationError names every reason in its message', () => {
    expect(new VerificationError('no signature verified', ['a: wrong key', 'b: expired']).message).toBe(
      'no signature verified: a: wrong key; b: expired',
    );
    expect(new VerificationError('root expired').reasons).toEqual(['root expired']);
    expect(new VerificationError('root expired').message).toBe('root expired');
  });

  it('isDockerError is false for other errors, and narrows to AnyDockerError', () => {
    const error: unknown = new InvalidArgument('x');
    expect(isDockerError(new Error('x'))).toBe(false);
    expect(isDockerError(new DockerError('x'))).toBe(true);
    if (isDockerError(error)) expectTypeOf(error).toEqualTypeOf<AnyDockerError>();
  });
});
