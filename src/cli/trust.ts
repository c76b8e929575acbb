// The trust commands of the dockwire CLI, with cosign's flag names: verify, verify-attestation,
// sign, attest (images in their registry, no engine; verify and verify-attestation also in an OCI
// layout, `--local-image`) and verify-blob (any Sigstore bundle).
// A verification that fails exits 1 with its reasons, one a line.
import { readFileSync } from 'node:fs';
import {
  VerificationError,
  fetchTrustedRoot,
  openImageArchive,
  parseTrustedRoot,
  verifyBundle,
  type Docker,
  type ImageArchive,
  type SignatureVerification,
} from '../api.js';
import { UsageError, all, has, one, pairs, type FlagSpec, type Parsed } from './args.js';
import { f, need, type Command, type Family, type Io } from './command.js';

/** cosign's `--type` names for predicate types (cmd/cosign/cli/options/predicate.go); anything else is taken as a URI. */
export const PREDICATE_TYPES: Record<string, string> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

const VERIFY_FLAGS = {
  key: f(['--key'], true),
  identity: f(['--certificate-identity'], true),
  identityRegexp: f(['--certificate-identity-regexp'], true),
  issuer: f(['--certificate-oidc-issuer'], true),
  issuerRegexp: f(['--certificate-oidc-issuer-regexp'], true),
  trustedRoot: f(['--trusted-root'], true),
  localImage: f(['--local-image']),
};
const VERIFY_USAGE =
  '(--key FILE | --certificate-identity[-regexp] I --certificate-oidc-issuer[-regexp] O [--trusted-root FILE])';
const SIGN_FLAGS = { key: f(['--key'], true), newBundleFormat: f(['--new-bundle-format'], true) };

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** The key, or the trusted root, identity and issuer, the verify flags give. */
function verifyOptions(
  args: Parsed,
): { key: string } | { trustedRoot?: string; identity: string | RegExp; issuer: string | RegExp } {
  const key = one(args, 'key');
  const identity = one(args, 'identity') ?? regexp(one(args, 'identityRegexp'), '--certificate-identity-regexp');
  const issuer = one(args, 'issuer') ?? regexp(one(args, 'issuerRegexp'), '--certificate-oidc-issuer-regexp');
  const trustedRoot = one(args, 'trustedRoot');
  if (key !== undefined) {
    if (identity !== undefined || issuer !== undefined)
      throw new UsageError('give --key, or the certificate identity and issuer: not both');
    return { key: readText(key, 'the key') };
  }
  if (identity === undefined || issuer === undefined) throw new UsageError(`give ${VERIFY_USAGE}`);
  // no --trusted-root: Sigstore's public-good root, kept current through TUF
  return { ...(trustedRoot !== undefined ? { trustedRoot } : {}), identity, issuer };
}

function regexp(source: string | undefined, flag: string): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch {
    throw new UsageError(`${flag} is not a regular expression`);
  }
}

/** `--new-bundle-format=false` (cosign's flag) writes the legacy tags. */
function formatOf(args: Parsed): 'bundle' | 'simplesigning' {
  const value = one(args, 'newBundleFormat') ?? 'true';
  if (value !== 'true' && value !== 'false') throw new UsageError('--new-bundle-format must be true or false');
  return value === 'true' ? 'bundle' : 'simplesigning';
}

function privateKey(args: Parsed, io: Io): { key: string; passphrase?: string } {
  const path = one(args, 'key');
  if (path === undefined) throw new UsageError('give --key FILE (cosign.key, or a PKCS#8 PEM private key)');
  const passphrase = io.env['COSIGN_PASSWORD'];
  return { key: readText(path, 'the key'), ...(passphrase ? { passphrase } : {}) };
}

/** One line per signature that verified: its format and who signed (key ID, or identity and issuer). */
function signatureLine(s: SignatureVerification): string {
  const who = s.keyId !== undefined ? `key ${s.keyId}` : `${s.identity ?? '?'} (${s.issuer ?? '?'})`;
  return `Verified OK: ${s.format} signed by ${who}${s.integratedTime ? ` at ${s.integratedTime.toISOString()}` : ''}\n`;
}

/** Runs a verification: a VerificationError prints its reasons, one a line, and exits 1. */
async function verifying<T>(io: Io, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof VerificationError) for (const reason of error.reasons) io.err.write(`  ${reason}\n`);
    throw error;
  }
}

/** `work` over the OCI layout at `path` (a folder or its tar: cosign save's, oras's), closed after. */
async function inLayout<T>(path: string, work: (archive: ImageArchive) => Promise<T>): Promise<T> {
  const archive = await openImageArchive(path);
  try {
    return await work(archive);
  } finally {
    await archive.close();
  }
}

/** trustCommands: verify, verify-attestation, sign, attest, verify-blob. */
const trustCommands: Record<string, Command> = {
  verify: {
    usage: `verify (REF | --local-image PATH) ${VERIFY_USAGE}`,
    summary: 'Verify an image\u2019s cosign signatures in its registry, or in an OCI layout (no engine)',
    flags: VERIFY_FLAGS,
    async run(docker, args, io) {
      const [ref] = need(args, 1, 'REF');
      const options = verifyOptions(args);
      const result = await verifying(io, () =>
        has(args, 'localImage')
          ? inLayout(ref!, (archive) => archive.verify(options))
          : docker.registry.verify(ref!, options),
      );
      if (io.json) return void io.out.write(`${JSON.stringify(result)}\n`);
      io.out.write(`${ref} (${result.digest})\n`);
      for (const s of result.signatures) io.out.write(signatureLine(s));
    },
  },
  'verify-attestation': {
    usage: `verify-attestation (REF | --local-image PATH) [--type TYPE] ${VERIFY_USAGE}`,
    summary:
      'Verify an image\u2019s attestations in its registry, or in an OCI layout, and print their statements (no engine)',
    flags: { ...VERIFY_FLAGS, type: f(['--type'], true) },
    async run(docker, args, io) {
      const [ref] = need(args, 1, 'REF');
      const type = one(args, 'type');
      const predicateType = type === undefined ? undefined : (PREDICATE_TYPES[type] ?? type);
      const options = { ...verifyOptions(args), ...(predicateType ? { predicateType } : {}) };
      const found = await verifying(io, () =>
        has(args, 'localImage')
          ? inLayout(ref!, (archive) => archive.verifyAttestations(options))
          : docker.registry.verifyAttestations(ref!, options),
      );
      for (const a of found) io.out.write(`${JSON.stringify(io.json ? a : a.statement)}\n`);
    },
  },
  sign: {
    usage: 'sign REF --key FILE [-a KEY=VALUE]... [--new-bundle-format=false]',
    summary: 'Sign an image in its registry with a key, as cosign does (no engine)',
    flags: { ...SIGN_FLAGS, annotations: f(['-a', '--annotations'], true, true) },
    async run(docker, args, io) {
      const [ref] = need(args, 1, 'REF');
      const annotations = pairs(all(args, 'annotations'), '-a');
      const result = await docker.registry.sign(ref!, { ...privateKey(args, io), format: formatOf(args), annotations });
      io.out.write(io.json ? `${JSON.stringify(result)}\n` : `${result.descriptor.digest}\n`);
    },
  },
  attest: {
    usage: 'attest REF --key FILE --predicate FILE [--type TYPE] [--new-bundle-format=false]',
    summary: 'Attest an image in its registry with a signed in-toto statement, as cosign does (no engine)',
    flags: { ...SIGN_FLAGS, predicate: f(['--predicate'], true), type: f(['--type'], true) },
    async run(docker, args, io) {
      const [ref] = need(args, 1, 'REF');
      const path = one(args, 'predicate');
      if (path === undefined) throw new UsageError('give --predicate FILE');
      let predicate: unknown;
      try {
        predicate = JSON.parse(readText(path, 'the predicate'));
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError(`the predicate ${path} is not JSON`);
      }
      const type = one(args, 'type') ?? 'custom';
      const result = await docker.registry.attest(ref!, {
        ...privateKey(args, io),
        format: formatOf(args),
        predicateType: PREDICATE_TYPES[type] ?? type,
        predicate,
      });
      io.out.write(io.json ? `${JSON.stringify(result)}\n` : `${result.descriptor.digest}\n`);
    },
  },
  'verify-blob': {
    usage: `verify-blob --bundle FILE ARTIFACT ${VERIFY_USAGE}`,
    summary: 'Verify a Sigstore bundle over a file (offline)',
    flags: { ...VERIFY_FLAGS, bundle: f(['--bundle'], true) },
    async run(_docker, args, io) {
      const [artifact] = need(args, 1, 'ARTIFACT');
      const bundle = one(args, 'bundle');
      if (bundle === undefined) throw new UsageError('give --bundle FILE');
      const options = verifyOptions(args);
      const trust =
        'key' in options || options.trustedRoot !== undefined
          ? options
          : { ...options, trustedRoot: parseTrustedRoot(await fetchTrustedRoot()) };
      const result = await verifying(io, async () => verifyBundle(readText(bundle, 'the bundle'), artifact!, trust));
      io.out.write(io.json ? `${JSON.stringify(result)}\n` : signatureLine(result));
    },
  },
};

/** trust: the signature and attestation commands (cosign's formats). */
export const trust: Family = { title: 'Signatures and attestations (cosign formats)', commands: trustCommands };
