// RFC 6962 / RFC 9162 Merkle trees: leaf and node hashes, and inclusion proofs checked against a
// root (RFC 9162 section 2.1.3.2).
import { equalBytes, refuse } from './refuse.js';

/** leafHash: SHA-256(0x00 || leaf). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  return new Uint8Array(
    process.getBuiltinModule('node:crypto').createHash('sha256').update(Uint8Array.of(0)).update(leaf).digest(),
  );
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(
    process
      .getBuiltinModule('node:crypto')
      .createHash('sha256')
      .update(Uint8Array.of(1))
      .update(left)
      .update(right)
      .digest(),
  );
}

/** rootFromProof: the root an inclusion proof gives for a leaf hash at `index` in a tree of `size`. */
export function rootFromProof(index: bigint, size: bigint, leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  if (index < 0n || index >= size) refuse(`inclusion proof: index ${index} is outside a tree of size ${size}`);
  if (proof.some((h) => h.length !== 32)) refuse('inclusion proof: a hash is not 32 bytes');
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) refuse('inclusion proof: more hashes than the tree has levels');
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else r = nodeHash(r, p);
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) refuse('inclusion proof: fewer hashes than the tree has levels');
  return r;
}

/** checkInclusion: refuses unless the proof leads from `leaf` (an entry's bytes) to `root`. */
export function checkInclusion(
  index: bigint,
  size: bigint,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  if (!equalBytes(rootFromProof(index, size, leafHash(leaf), proof), root))
    refuse('inclusion proof does not lead to the root hash');
}
