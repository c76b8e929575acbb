import { encodeAuthHeader, type AuthConfig } from '../credentials/auth-config.js';
import { formatPath } from '../http/request.js';
import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { parseReference, registryOf } from '../reference.js';
import type { DistributionInspect } from './types.js';
import { distributionInspect } from './shapes.js';

/** DistributionOptions: the options of `images.getRegistryData` and `inspectDistribution`. */
export interface DistributionOptions extends Cancellable {
  /** Credentials for the registry (default: the client's). */
  authConfig?: AuthConfig;
}

/** The option names of DistributionOptions. */
export const DISTRIBUTION_OPTIONS = optionNames<DistributionOptions>({ authConfig: true, signal: true });

/** inspectDistribution: GET /distribution/{name}/json, the manifest descriptor and platforms, from the registry. */
export async function inspectDistribution(
  client: Client,
  name: string,
  options: DistributionOptions = {},
): Promise<DistributionInspect> {
  checkOptions('inspectDistribution', options, DISTRIBUTION_OPTIONS);
  const ref = parseReference(name, 'name');
  const auth = await client.credentials.resolve(registryOf(ref.repository), options.authConfig);
  return client.api.json<DistributionInspect>('GET', formatPath('/distribution/{}/json', name), {
    shape: distributionInspect,
    headers: { 'X-Registry-Auth': encodeAuthHeader(auth) },
    signal: options.signal,
  });
}
