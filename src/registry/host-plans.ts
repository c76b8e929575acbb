// The user's host configuration (hosts/: certs.d, hosts.toml, registries.conf) as a Registry
// follows it, each file read once for the Registry's life: the plan per reference and operation, the TLS settings and connect timeout of each
// origin a plan names (handed to the transport when it opens a pool), Docker Hub mirrors given by the caller (the
// engine's `registry-mirrors`, composed in client.ts), and one warning per host that skips
// verifying certificates.
import { InvalidArgument } from '../errors.js';
import { Kept } from '../kept.js';
import { locations, type Locations } from '../hosts/locations.js';
import type { HostEndpoint, HostOperation, HostsConfig, HostsPlan } from '../hosts/types.js';
import { originKey, splitUrl, type Origin, type OriginSettings } from '../transport/origin.js';
import { endpointAuthority, plainTwin } from './endpoints.js';
import type { RegistryReference } from './name.js';

/** Docker Hub mirrors: URLs as dockerd's `registry-mirrors` writes them, or a function that gives them when first needed. */
export type HubMirrors = readonly string[] | (() => Promise<readonly string[]>);

/** Hosts (origins) already warned about, once per process. */
const warned = new Set<string>();

export class HostPlans {
  readonly #config: HostsConfig;
  readonly #where: Locations;
  readonly #settings = new Map<string, OriginSettings>();
  readonly #hubMirrors: HubMirrors | undefined;
  #hub: Promise<HostEndpoint[]> | undefined;
  /** The files the plans have read: each once, for this Registry's life. */
  readonly #kept = new Kept();

  /** `config` checked now (InvalidArgument naming what is wrong, as `new Registry`'s option). */
  constructor(config: HostsConfig, hubMirrors: HubMirrors | undefined) {
    this.#where = locations(config, 'new Registry');
    this.#config = config;
    if (
      hubMirrors !== undefined &&
      typeof hubMirrors !== 'function' &&
      (!Array.isArray(hubMirrors) || hubMirrors.some((m) => typeof m !== 'string'))
    ) {
      throw new InvalidArgument('new Registry: hubMirrors must be a list of URLs, or a function that gives them');
    }
    this.#hubMirrors = hubMirrors;
  }

  /** The endpoints for `operation` on `reference`; a blocked registry or a bad file is a ConfigError before any connection. */
  async plan(
    reference: Pick<RegistryReference, 'registry' | 'repository' | 'tag' | 'digest'>,
    operation: HostOperation,
  ): Promise<HostsPlan> {
    const asked = {
      registry: reference.registry,
      repository: reference.repository,
      ...(reference.tag !== undefined ? { tag: reference.tag } : {}),
      ...(reference.digest !== undefined ? { digest: reference.digest } : {}),
    };
    // hosts.toml's, registries.conf's and certs.d's readers (and TOML) are loaded by the first plan
    const { resolveHosts } = await import('../hosts/resolve.js');
    const plan = await resolveHosts(asked, operation, this.#config, this.#kept);
    const hub =
      plan.registry === 'docker.io' && operation !== 'push'
        ? (await this.#hubEndpoints()).map((e) => ({ ...e, repository: plan.repository }))
        : [];
    // registries.conf `insecure = true`: HTTPS unverified first, then plain HTTP (as containers/image does)
    const endpoints = [...hub, ...plan.endpoints].flatMap((e) =>
      e.insecure && e.origin.secure ? [e, plainTwin(e)] : [e],
    );
    for (const endpoint of endpoints) this.#remember(endpoint);
    return { ...plan, endpoints };
  }

  /** What `origin` has of its own (for the transport): a plan's TLS files and `dial_timeout`, else a hint where its CA would go. */
  settings(origin: Origin): OriginSettings | undefined {
    const known = this.#settings.get(originKey(origin));
    if (known?.tls !== undefined || !origin.secure) return known;
    const folder = this.#where.certsDirs[0];
    if (folder === undefined) return known;
    const at = origin.port === 443 ? origin.host : `${origin.host}:${origin.port}`;
    return { ...known, tls: { hint: `to trust a private CA, put it in ${folder.replace(/\/+$/, '')}/${at}/ca.crt` } };
  }

  #remember(endpoint: HostEndpoint): void {
    const { tls, origin, connectTimeout } = endpoint;
    const key = originKey(origin);
    if (tls !== undefined && !tls.rejectUnauthorized && !warned.has(key)) {
      warned.add(key);
      process.emitWarning(`TLS certificates of ${endpointAuthority(endpoint)} are not verified (${endpoint.source})`, {
        code: 'DOCKWIRE_SKIP_VERIFY',
      });
    }
    const files = tls === undefined ? '' : tls.files.length > 0 ? tls.files.join(', ') : endpoint.source;
    const own: OriginSettings = {
      ...(origin.secure && tls !== undefined
        ? {
            tls: {
              ca: tls.ca,
              ...(tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : {}),
              rejectUnauthorized: tls.rejectUnauthorized,
              hint: `the host configuration for it is ${files}`,
            },
          }
        : {}),
      ...(connectTimeout !== undefined ? { connectTimeout } : {}),
    };
    if (own.tls !== undefined || own.connectTimeout !== undefined) this.#settings.set(key, own);
  }

  /** The Docker Hub mirrors given, as endpoints (pull and resolve only), read once (a failed read is the call's error). */
  #hubEndpoints(): Promise<HostEndpoint[]> {
    const given = this.#hubMirrors;
    if (given === undefined) return Promise.resolve([]);
    this.#hub ??= (async () => {
      const urls = typeof given === 'function' ? await given() : given;
      return urls.map((url) => {
        const { origin, path } = splitUrl(url);
        const prefix = path.replace(/\?.*$/, '').replace(/\/+$/, '');
        return {
          origin,
          pathPrefix: prefix.endsWith('/v2') ? prefix : `${prefix}/v2`,
          repository: '',
          mirror: true,
          capabilities: ['pull', 'resolve'],
          headers: {},
          insecure: false,
          source: `Docker Hub mirror ${url}`,
        } satisfies HostEndpoint;
      });
    })();
    // a failed read (the engine unreachable) is tried again by the next call, not remembered
    this.#hub.catch(() => {
      this.#hub = undefined;
    });
    return this.#hub;
  }
}
