import { encodeAuthHeader, type AuthConfig } from '../credentials/auth-config.js';
import { formatPath } from '../http/request.js';
import type { ApiClient } from './api-client.js';
import { parseReference, registryOf } from '../reference.js';
import type { DistributionInspect } from './types.js';
import { distributionInspect } from './shapes.js';

/** GET /distribution/{name}/json: the manifest descriptor and platforms, from the registry. */
export async function inspectDistribution(
  ctx: ApiClient,
  name: string,
  options: { authConfig?: AuthConfig; signal?: AbortSignal } = {},
): Promise<DistributionInspect> {
  const ref = parseReference(name, 'name');
  const auth = await ctx.credentials.resolve(registryOf(ref.repository), options.authConfig);
  return ctx.api.json<DistributionInspect>('GET', formatPath('/distribution/{}/json', name), {
    shape: distributionInspect,
    headers: { 'X-Registry-Auth': encodeAuthHeader(auth) },
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
