// fetchTrustedRoot: Sigstore's trusted_root.json (Fulcio's CAs, Rekor's, the CT logs' and the
// timestamp authorities' keys), kept current through TUF from a root.json dockwire embeds.
import { InvalidArgument } from '../errors.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { defaultCacheDir, mirrorFolder } from './cache.js';
import { httpMirror } from './download.js';
import { SIGSTORE_MIRROR, SIGSTORE_ROOT } from './sigstore-root.js';
import { DEFAULT_LIMITS, fetchTarget, parseTargetJson } from './updater.js';

/** FetchTrustedRootOptions: where the TUF repository is, what to trust first, where to cache. */
export interface FetchTrustedRootOptions extends Cancellable {
  /** The TUF repository's URL (metadata at its root, targets under `targets/`); Sigstore's public-good one by default. */
  mirror?: string;
  /** The root.json to trust first (its bytes or text); for Sigstore's repository the one dockwire embeds. A newer cached root is used instead. */
  root?: string | Uint8Array;
  /** The cache's folder, one folder per mirror below it; by default (XDG_CACHE_HOME or ~/.cache)/dockwire/tuf. */
  cacheDir?: string;
  /** Use only the cache (checked again, but not for expiry unless `now` is given), never the network. */
  offline?: boolean;
  /** Milliseconds for the whole call (0 for none); 60 s by default. */
  timeout?: number;
  /** The time expiry is checked against; the clock by default. */
  now?: Date | number;
}

/** TrustedRootDocument: the parsed `trusted_root.json` (Sigstore's `TrustedRoot`, protobuf-specs' JSON form), fields as sent. */
export type TrustedRootDocument = Record<string, unknown>;

const OPTIONS = optionNames<FetchTrustedRootOptions>({
  mirror: true,
  root: true,
  cacheDir: true,
  offline: true,
  timeout: true,
  now: true,
  signal: true,
});

/**
 * fetchTrustedRoot updates the TUF metadata of `mirror` (Sigstore's public-good repository by
 * default) as the TUF specification's client workflow does, and returns its `trusted_root.json`.
 * A refusal (expired, rolled back, too few signatures, a wrong length or hash, too many root
 * rotations) is VerificationError naming the role; a mirror that cannot be reached is
 * ConnectionError or TimeoutError. Nothing is written to the cache unless the update passes.
 */
export async function fetchTrustedRoot(options: FetchTrustedRootOptions = {}): Promise<TrustedRootDocument> {
  checkOptions('fetchTrustedRoot', options, OPTIONS);
  const url = (options.mirror ?? SIGSTORE_MIRROR).replace(/\/+$/, '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // refused below
  }
  if (
    !parsed ||
    (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
    parsed.username ||
    parsed.password ||
    parsed.search ||
    parsed.hash
  ) {
    throw new InvalidArgument('fetchTrustedRoot: mirror must be an http(s) URL without credentials, query or fragment');
  }
  if (options.root !== undefined && typeof options.root !== 'string' && !(options.root instanceof Uint8Array))
    throw new InvalidArgument('fetchTrustedRoot: root must be the bytes or text of a root.json');
  if (options.cacheDir !== undefined && (typeof options.cacheDir !== 'string' || options.cacheDir === ''))
    throw new InvalidArgument('fetchTrustedRoot: cacheDir must be a folder path');
  if (options.offline !== undefined && typeof options.offline !== 'boolean')
    throw new InvalidArgument('fetchTrustedRoot: offline must be a boolean');
  if (options.timeout !== undefined && !(Number.isFinite(options.timeout) && options.timeout >= 0))
    throw new InvalidArgument('fetchTrustedRoot: timeout must be a number of ms (0 for none)');
  const now = options.now instanceof Date ? options.now.getTime() : options.now;
  if (now !== undefined && !Number.isFinite(now))
    throw new InvalidArgument('fetchTrustedRoot: now must be a valid Date or a number of ms since the epoch');
  const root = options.root ?? (url === SIGSTORE_MIRROR ? SIGSTORE_ROOT : undefined);
  const mirror = httpMirror();
  try {
    const bytes = await fetchTarget('trusted_root.json', {
      url,
      mirror,
      folder: mirrorFolder(options.cacheDir ?? defaultCacheDir(), url),
      root: typeof root === 'string' ? new TextEncoder().encode(root) : root,
      offline: options.offline ?? false,
      now,
      timeout: options.timeout ?? 60_000,
      signal: options.signal,
      limits: DEFAULT_LIMITS,
    });
    return parseTargetJson('trusted_root.json', bytes);
  } finally {
    await mirror.close();
  }
}
