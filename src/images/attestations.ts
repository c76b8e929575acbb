import { APIError, ImageNotFound, InvalidArgument, NotImplemented } from '../errors.js';
import { Repeated, formatPath } from '../http/request.js';
import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { platformJson, type PlatformSpec } from '../platform.js';
import { checkImageName } from '../reference.js';
import type { AttestationStatement } from './types.js';
import { attestationStatements } from './shapes.js';

/** AttestationsOptions: the options of `image.attestations` and `imageAttestations`. */
export interface AttestationsOptions extends Cancellable {
  /** The image of this platform of a multi-platform image (default: the engine's own platform). */
  platform?: PlatformSpec;
  /** Only statements of this in-toto predicate type, or of any of these (default: every type). */
  type?: string | readonly string[];
  /** Include each statement itself, decoded (default: only its descriptor and predicate type). */
  statement?: boolean;
}

/** The option names of AttestationsOptions. */
export const ATTESTATIONS_OPTIONS = optionNames<AttestationsOptions>({
  platform: true,
  type: true,
  statement: true,
  signal: true,
});

/**
 * imageAttestations: GET /images/{name}/attestations (API 1.55): the in-toto statements attached to an image's
 * platform manifest by an attestation manifest in its index. An engine whose image store keeps
 * no indexes (a graph driver) answers 501, which is NotImplemented; a missing image, or platform
 * of it, is ImageNotFound.
 */
export async function imageAttestations(
  client: Client,
  name: string,
  options: AttestationsOptions = {},
): Promise<AttestationStatement[]> {
  checkOptions('imageAttestations', options, ATTESTATIONS_OPTIONS);
  checkImageName(name, 'name');
  const platform = options.platform === undefined ? undefined : platformJson(options.platform);
  const types =
    options.type === undefined ? undefined : typeof options.type === 'string' ? [options.type] : options.type;
  if (
    types !== undefined &&
    (!Array.isArray(types) || types.length === 0 || types.some((t) => typeof t !== 'string' || t === ''))
  ) {
    throw new InvalidArgument('attestations: type must be a predicate type URI or a non-empty array of them');
  }
  await client.api.requireVersion('1.55', 'attestations');
  const statements = await client.api
    .json<AttestationStatement[] | null>('GET', formatPath('/images/{}/attestations', name), {
      shape: attestationStatements,
      query: { platform, type: types && new Repeated(types), statement: options.statement },
      signal: options.signal,
      notFound: (explanation) => new ImageNotFound(404, explanation),
    })
    .catch((error: unknown) => {
      if (error instanceof APIError && error.statusCode === 501) {
        throw new NotImplemented(
          501,
          error.explanation,
          'attestations need the containerd image store, and this engine has another',
        );
      }
      throw error;
    });
  // (the engine encodes "none" as null)
  return statements ?? [];
}
