import { encodeAuthHeader, type AuthConfig } from '../auth/auth-config.js';
import { InvalidArgument } from '../errors.js';
import type { ImageContext } from './context.js';
import { registryOf } from './reference.js';
import type { SearchResult } from './types.js';

export interface SearchOptions {
  limit?: number;
  authConfig?: AuthConfig;
  signal?: AbortSignal;
}

/**
 * GET /images/search. The engine asks the registry named by the term's prefix
 * (`127.0.0.1:5000/term`), or Docker Hub for a bare term.
 */
export async function searchImages(ctx: ImageContext, term: string, options: SearchOptions = {}): Promise<SearchResult[]> {
  if (typeof term !== 'string' || term.trim() === '') throw new InvalidArgument('term must be a non-empty string');
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 100)) {
    throw new InvalidArgument('limit must be an integer from 1 to 100');
  }
  const registry = registryOf(term);
  const auth = await ctx.credentials.resolve(registry, options.authConfig);
  return ctx.api.json<SearchResult[]>('GET', '/images/search', {
    query: { term, limit: options.limit },
    headers: { 'X-Registry-Auth': encodeAuthHeader(auth) },
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
