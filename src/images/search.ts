import { encodeAuthHeader, type AuthConfig } from '../credentials/auth-config.js';
import { InvalidArgument } from '../errors.js';
import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { registryOf } from '../reference.js';
import type { SearchResult } from './types.js';
import { isPodmanSearchResult, searchResults, type PodmanSearchResult } from './shapes.js';

/** SearchOptions: the options of `images.search` and `searchImages`. */
export interface SearchOptions extends Cancellable {
  /** At most this many results, 1 to 100. */
  limit?: number;
  /** Credentials for the registry searched (default: the client's). */
  authConfig?: AuthConfig;
}

/** The option names of SearchOptions. */
export const SEARCH_OPTIONS = optionNames<SearchOptions>({ limit: true, authConfig: true, signal: true });

/**
 * searchImages: GET /images/search. The engine asks the registry named by the term's prefix
 * (`127.0.0.1:5000/term`), or Docker Hub for a bare term. Results have Docker's field names
 * under both engines (Podman's capitalised ones are mapped).
 */
export async function searchImages(client: Client, term: string, options: SearchOptions = {}): Promise<SearchResult[]> {
  checkOptions('searchImages', options, SEARCH_OPTIONS);
  if (typeof term !== 'string' || term.trim() === '') throw new InvalidArgument('term must be a non-empty string');
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 100)) {
    throw new InvalidArgument('limit must be an integer from 1 to 100');
  }
  const registry = registryOf(term);
  const auth = await client.credentials.resolve(registry, options.authConfig);
  const results = await client.api.json('GET', '/images/search', {
    shape: searchResults,
    query: { term, limit: options.limit },
    headers: { 'X-Registry-Auth': encodeAuthHeader(auth) },
    signal: options.signal,
  });
  return results.map(dockerShaped);
}

/** Docker's field names for a Podman result (its own fields kept too); a Docker result as it is. */
function dockerShaped(result: SearchResult | PodmanSearchResult): SearchResult {
  if (!isPodmanSearchResult(result)) return result;
  return {
    ...result,
    name: result.Name,
    description: result.Description ?? '',
    star_count: result.Stars ?? 0,
    is_official: result.Official === '[OK]',
    is_automated: result.Automated === '[OK]',
  };
}
