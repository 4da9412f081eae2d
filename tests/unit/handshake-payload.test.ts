import { describe, expect, it } from 'vitest';
import { MAX_NAME_BYTES } from '../../lib/protocol/frame';
import {
  CERTIFICATE_BYTES,
  decodeIdentityProof,
  encodeIdentityProof,
  IDENTITY_KEY_BYTES,
} from '../../lib/protocol/handshake-payload';

const proof = (name = 'Alice') => ({
  identityKey: new Uint8Array(IDENTITY_KEY_BYTES).fill(1),
  certificate: new Uint8Array(CERTIFICATE_BYTES).fill(2),
  name,
});

describe('the identity proof carried in the handshake', () => {
  it('round-trips key, certificate and name', () => {
    const decoded = decodeIdentityProof(encodeIdentityProof(proof('Zoë 🦊')));
    expect(decoded).toEqual({ ok: true, proof: proof('Zoë 🦊') });
  });

  it.each([
    ['a line break', 'Eve\n(key abcd efgh) wants', 'Eve(key abcd efgh) wants'],
    ['a right-to-left override', 'Eve\u202Egnp.exe', 'Evegnp.exe'],
    ['an isolate and a NUL', '\u2066Eve\u0000\u2069', 'Eve'],
  ])('a name with %s arrives without it', (_, sent, shown) => {
    const decoded = decodeIdentityProof(encodeIdentityProof(proof(sent)));
    expect(decoded).toMatchObject({ ok: true, proof: { name: shown } });
  });

  it('a long name is cut at a character boundary, never refused', () => {
    const long = '🦊'.repeat(100);
    const decoded = decodeIdentityProof(encodeIdentityProof(proof(long)));
    if (!decoded.ok) throw new Error(decoded.detail);
    expect(new TextEncoder().encode(decoded.proof.name).length).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(long.startsWith(decoded.proof.name)).toBe(true);
  });

  it.each<[string, (bytes: Uint8Array) => Uint8Array]>([
    ['empty', () => new Uint8Array(0)],
    ['cut short', (b) => b.subarray(0, 50)],
    ['another version', (b) => Uint8Array.from(b, (x, i) => (i === 0 ? 9 : x))],
    ['a name longer than its length byte', (b) => Uint8Array.of(...b, 0x41)],
    ['a name shorter than its length byte', (b) => b.subarray(0, b.length - 1)],
    ['a name that is not UTF-8', (b) => Uint8Array.from(b, (x, i) => (i === b.length - 1 ? 0xff : x))],
  ])('%s is refused', (_, mangle) => {
    expect(decodeIdentityProof(mangle(encodeIdentityProof(proof()))).ok).toBe(false);
  });
});
