// The metadata a client trusts, updated one role at a time in the order of the specification's
// detailed client workflow (§5.3–5.6), as python-tuf's TrustedMetadataSet does: each new file is
// checked against what is already trusted (signatures by a threshold of its delegator's keys,
// versions never going back, expiry, lengths and hashes) before it replaces it. Pure: no I/O.
import { publicKey, verifySignature } from './keys.js';
import { parseMetadata, refused, type MetaFile, type Metadata, type RoleName, type Root } from './metadata.js';

const HASHES = new Set(['sha256', 'sha384', 'sha512']);

/** TrustedSet: the trusted root, then timestamp, snapshot and targets as they are loaded. */
export class TrustedSet {
  root: Metadata<'root'>;
  timestamp: Metadata<'timestamp'> | undefined;
  snapshot: Metadata<'snapshot'> | undefined;
  targets: Metadata<'targets'> | undefined;
  /** The clock expiry is checked against (ms since the epoch). */
  readonly now: number;

  /** `rootBytes` is trusted as it is: it needs only to be signed by a threshold of its own root keys. */
  constructor(rootBytes: Uint8Array, now: number) {
    this.now = now;
    const root = parseMetadata('root', rootBytes);
    checkThreshold(root.signed, 'root', root);
    this.root = root;
  }

  /** §5.3.4–5.3.9: the next root, signed by a threshold of the trusted root's keys and of its own. */
  updateRoot(bytes: Uint8Array): void {
    if (this.timestamp) throw new Error('the root cannot change once a timestamp is loaded');
    const next = parseMetadata('root', bytes);
    checkThreshold(this.root.signed, 'root', next, `version ${this.root.signed.version}'s root keys`);
    const want = this.root.signed.version + 1;
    if (next.signed.version !== want) throw refused('root', `expected version ${want}, got ${next.signed.version}`);
    checkThreshold(next.signed, 'root', next, 'its own root keys');
    this.root = next;
  }

  /**
   * §5.4: a timestamp signed by the root's timestamp keys, its version and its snapshot's version
   * not below the trusted timestamp's. Returns false, keeping the trusted one, when the versions
   * are equal. An expired timestamp is kept (for the rollback check of the next) and refused.
   */
  updateTimestamp(bytes: Uint8Array): boolean {
    if (this.snapshot) throw new Error('the timestamp cannot change once a snapshot is loaded');
    // §5.3.10: the final root must not have expired
    this.#checkExpiry('root', this.root.signed);
    const next = parseMetadata('timestamp', bytes);
    checkThreshold(this.root.signed, 'timestamp', next);
    const old = this.timestamp?.signed;
    if (old) {
      if (next.signed.version < old.version)
        throw refused('timestamp', `rollback from version ${old.version} to ${next.signed.version}`);
      if (next.signed.version === old.version) return false;
      const [was, is] = [old.meta['snapshot.json'].version, next.signed.meta['snapshot.json'].version];
      if (is < was) throw refused('timestamp', `rollback of snapshot.json from version ${was} to ${is}`);
    }
    this.timestamp = next;
    this.#checkExpiry('timestamp', next.signed);
    return true;
  }

  /**
   * §5.5: a snapshot that matches the timestamp's length and hashes (unless `cached`: a file this
   * client wrote after checking it), signed by the root's snapshot keys, with no file's version
   * below the trusted snapshot's, of the version the timestamp names, not expired.
   */
  updateSnapshot(bytes: Uint8Array, cached: boolean): void {
    const timestamp = this.#finalTimestamp();
    if (this.targets) throw new Error('the snapshot cannot change once targets are loaded');
    if (!cached) checkFile('snapshot', bytes, timestamp.meta['snapshot.json']);
    const next = parseMetadata('snapshot', bytes);
    checkThreshold(this.root.signed, 'snapshot', next);
    const old = this.snapshot?.signed;
    if (old) {
      for (const [name, file] of Object.entries(old.meta)) {
        const now = own(next.signed.meta, name);
        if (now === undefined)
          throw refused('snapshot', `${name} is no longer listed (it was at version ${file.version})`);
        if (now.version < file.version)
          throw refused('snapshot', `rollback of ${name} from version ${file.version} to ${now.version}`);
      }
    }
    this.snapshot = next;
    this.#finalSnapshot();
  }

  /** §5.6: targets that match the snapshot's length, hashes and version, signed by the root's targets keys, not expired. */
  updateTargets(bytes: Uint8Array): void {
    const snapshot = this.#finalSnapshot();
    const meta = own(snapshot.meta, 'targets.json');
    if (meta === undefined) throw refused('snapshot', 'targets.json is not listed');
    checkFile('targets', bytes, meta);
    const next = parseMetadata('targets', bytes);
    checkThreshold(this.root.signed, 'targets', next);
    if (next.signed.version !== meta.version)
      throw refused(
        'targets',
        `version ${next.signed.version}, but the snapshot says ${meta.version} (a rollback or a mix)`,
      );
    this.#checkExpiry('targets', next.signed);
    this.targets = next;
  }

  #finalTimestamp(): Metadata<'timestamp'>['signed'] {
    if (!this.timestamp) throw new Error('no timestamp is loaded');
    this.#checkExpiry('timestamp', this.timestamp.signed);
    return this.timestamp.signed;
  }

  #finalSnapshot(): Metadata<'snapshot'>['signed'] {
    const want = this.#finalTimestamp().meta['snapshot.json'].version;
    if (!this.snapshot) throw new Error('no snapshot is loaded');
    const snapshot = this.snapshot.signed;
    this.#checkExpiry('snapshot', snapshot);
    if (snapshot.version !== want)
      throw refused('snapshot', `version ${snapshot.version}, but the timestamp says ${want} (a rollback or a mix)`);
    return snapshot;
  }

  #checkExpiry(role: RoleName, signed: { expires: string; expiresAt: number; version: number }): void {
    if (this.now >= signed.expiresAt) throw refused(role, `version ${signed.version} expired at ${signed.expires}`);
  }
}

/** checkThreshold: `md` (of `role`) carries valid signatures by at least `delegator`'s threshold of that role's keys. */
export function checkThreshold(
  delegator: Root,
  role: RoleName,
  md: Metadata<RoleName>,
  whose = `the root's ${role} keys`,
): void {
  const { keyids, threshold } = delegator.roles[role];
  let valid = 0;
  for (const id of keyids) {
    const key = own(delegator.keys, id);
    const signature = md.signatures.find((s) => s.keyid === id);
    if (key === undefined || signature === undefined) continue;
    const usable = publicKey(key);
    if (usable && verifySignature(usable, md.signedBytes, signature.sig)) valid++;
  }
  if (valid < threshold) {
    throw refused(
      role,
      `version ${md.signed.version} has ${valid} valid signature${valid === 1 ? '' : 's'} by ${whose}, below the threshold of ${threshold}`,
    );
  }
}

/** own: `record`'s own `key` (never one it inherits, such as `__proto__`). */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** checkFile: `bytes` have the length and every hash `meta` gives (a length or hash mismatch names `role`). */
export function checkFile(role: string, bytes: Uint8Array, meta: Pick<MetaFile, 'length' | 'hashes'>): void {
  if (meta.length !== undefined && bytes.length !== meta.length)
    throw refused(role, `length ${bytes.length} bytes, but ${meta.length} was signed for`);
  for (const [algorithm, digest] of Object.entries(meta.hashes ?? {})) {
    if (!HASHES.has(algorithm)) throw refused(role, `unsupported hash algorithm ${JSON.stringify(algorithm)}`);
    const actual = process.getBuiltinModule('node:crypto').createHash(algorithm).update(bytes).digest('hex');
    if (actual !== digest.toLowerCase())
      throw refused(role, `${algorithm} hash ${actual}, but ${digest} was signed for`);
  }
}
