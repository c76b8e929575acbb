import { describe, expect, it } from 'vitest';
import {
  bundlePayload,
  envelopePayload,
  isBundleType,
  isEnvelopeType,
  layerPayload,
} from '../../../src/attestations/envelope.js';
import { ProtocolError, VerificationError } from '../../../src/errors.js';
import { parseBundle } from '../../../src/trust/bundle.js';
import { envelope } from './store.js';

const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

describe('envelopes and bundles', () => {
  it('knows the media types of DSSE envelopes and Sigstore bundles', () => {
    for (const t of [
      'application/vnd.dsse.envelope.v1+json',
      'application/vnd.in-toto.spdx+dsse',
      'application/vnd.in-toto.provenance+dsse',
    ])
      expect(isEnvelopeType(t)).toBe(true);
    for (const t of [
      'application/vnd.dev.sigstore.bundle.v0.3+json',
      'application/vnd.dev.sigstore.bundle+json;version=0.1',
    ])
      expect(isBundleType(t)).toBe(true);
    for (const t of ['application/vnd.in-toto+json', 'application/json', 'application/vnd.dev.sigstore.bundlex+json']) {
      expect(isEnvelopeType(t)).toBe(false);
      expect(isBundleType(t)).toBe(false);
    }
  });

  it('gives an envelope\u2019s in-toto payload and whether a signature came with it', () => {
    const a = envelopePayload(envelope({ hello: 1 }), 'e');
    expect(text(a?.payload)).toBe('{"hello":1}');
    expect(a?.signed).toBe(true);
    expect(envelopePayload(envelope({ hello: 1 }, false), 'e')?.signed).toBe(false);
    expect(envelopePayload({ ...envelope({}), signatures: [{ sig: '' }] }, 'e')?.signed).toBe(false);
    // another payload type is no statement
    expect(envelopePayload(envelope({}, true, 'application/vnd.cncf.notary.payload.v1+json'), 'e')).toBeUndefined();
  });

  it('reads a url-safe payload', () => {
    const payload = Buffer.from('{"a":"\u00ff\u00fe?>"}').toString('base64url');
    expect(
      text(envelopePayload({ payloadType: 'application/vnd.in-toto+json', payload, signatures: [] }, 'e')?.payload),
    ).toBe('{"a":"\u00ff\u00fe?>"}');
  });

  it('refuses what is no envelope, and bad base64, with ProtocolError', () => {
    for (const bad of [
      null,
      [],
      'x',
      { payload: 1, payloadType: 'application/vnd.in-toto+json' },
      { payload: 'AA' },
      { payloadType: 'application/vnd.in-toto+json', payload: 'not base64!' },
      { payloadType: 'application/vnd.in-toto+json', payload: 'AAA', signatures: 'x' },
      { payloadType: 'application/vnd.in-toto+json', payload: 'AAA', signatures: [{ sig: '***' }] },
      { payloadType: 'application/vnd.in-toto+json', payload: 'AAA', signatures: [{ sig: 'AA==', keyid: 7 }] },
    ]) {
      expect(() => envelopePayload(bad, 'e')).toThrow(ProtocolError);
    }
  });

  it('gives a bundle\u2019s DSSE payload; a message-signature bundle has none', () => {
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {},
      dsseEnvelope: envelope({ s: 1 }),
    };
    expect(text(bundlePayload(bundle, 'b')?.payload)).toBe('{"s":1}');
    expect(
      bundlePayload({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', messageSignature: {} }, 'b'),
    ).toBeUndefined();
    expect(() => bundlePayload({ mediaType: 'application/json', dsseEnvelope: envelope({}) }, 'b')).toThrow(
      ProtocolError,
    );
  });

  it('reads a bundle\u2019s envelope with the trust unit\u2019s rule: one signature, not empty; a bad one is a ProtocolError', () => {
    const mediaType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
    const env = envelope({ s: 1 });
    for (const bad of [
      { mediaType, dsseEnvelope: envelope({ s: 1 }, false) },
      { mediaType, dsseEnvelope: { ...env, signatures: [{ sig: 'AA==' }, { sig: 'AA==' }] } },
      { mediaType, dsseEnvelope: { ...env, signatures: [{ sig: '' }] } },
      { mediaType, dsseEnvelope: { ...env, payload: '' } },
      { mediaType, dsseEnvelope: env, messageSignature: {} },
      { mediaType },
    ]) {
      expect(() => bundlePayload(bad, 'b')).toThrow(ProtocolError);
      expect(() => parseBundle({ ...bad, verificationMaterial: { publicKey: {} } })).toThrow(VerificationError);
    }
  });

  it('layerPayload: in-toto layers as they are, envelopes and bundles opened, other layers not read', () => {
    expect(text(layerPayload('application/vnd.in-toto+json', bytes({ a: 1 }), 'l')?.payload)).toBe('{"a":1}');
    expect(layerPayload('application/vnd.in-toto.spdx+dsse', bytes(envelope({ b: 2 })), 'l')?.signed).toBe(true);
    expect(layerPayload('application/vnd.oci.image.layer.v1.tar', bytes({}), 'l')).toBeUndefined();
    expect(() => layerPayload('application/vnd.dsse.envelope.v1+json', new Uint8Array([0xff, 0xfe]), 'l')).toThrow(
      ProtocolError,
    );
  });
});
