import { randomBytes } from 'node:crypto';
import { ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../lib/bytes';
import { chooseCurve25519, nobleCurve25519, platformCurve25519 } from '../../../lib/crypto/curve25519';
import { isStrictPublicKey, isStrictSignature } from '../../../lib/crypto/ed25519-encoding';
import { concatBytes, ed25519 } from '../../../lib/crypto/primitives';
import type { CurveSubtle } from '../../../lib/crypto/webcrypto-curve25519';
import { CURVES } from './curves';

/** The real one, as own properties, so a fake can override one method and keep the rest. */
const subtle: CurveSubtle = {
  importKey: (format, data, algorithm, extractable, usages) =>
    globalThis.crypto.subtle.importKey(format, data, algorithm, extractable, usages),
  deriveBits: (algorithm, key, length) => globalThis.crypto.subtle.deriveBits(algorithm, key, length),
  verify: (algorithm, key, signature, data) => globalThis.crypto.subtle.verify(algorithm, key, signature, data),
};
const { Point } = nobleEd25519;
const ORDER = Point.Fn.ORDER;
const P = 2n ** 255n - 19n;

const littleEndian = (value: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0, rest = value; i < 32; i++, rest >>= 8n) out[i] = Number(rest & 0xffn);
  return out;
};
const fromLittleEndian = (bytes: Uint8Array): bigint =>
  bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
/** The encoding of a point with y and the sign bit of x given, whether or not it is canonical. */
const encode = (y: bigint, xIsOdd = false): Uint8Array => {
  const out = littleEndian(y);
  if (xIsOdd) out[31] = (out[31] ?? 0) | 0x80;
  return out;
};
/** Strict decoding and not small order: what noble-backed `ed25519.verify` requires of a key. */
const nobleAcceptsKey = (key: Uint8Array): boolean => ed25519.isValidPublicKey(key);

/** Every encoding, canonical or not, of the eight points of small order. */
function smallOrderEncodings(): Uint8Array[] {
  const order8 = Point.fromBytes(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'));
  const points = Array.from({ length: 8 }, (_, i) => (i === 0 ? Point.ZERO : order8.multiply(BigInt(i))));
  return points.flatMap((point) => {
    const y = fromLittleEndian(point.toBytes()) & ((1n << 255n) - 1n);
    const ys = y + P < 2n ** 255n ? [y, y + P] : [y];
    return ys.flatMap((value) => [encode(value, false), encode(value, true)]);
  });
}

describe('which implementation runs each curve operation', () => {
  it('in Node, WebCrypto for both X25519 and Ed25519', async () => {
    const curve = await platformCurve25519();
    expect([curve.x25519, curve.ed25519]).toEqual(['webcrypto', 'webcrypto']);
  });

  it('noble for both where there is no WebCrypto', async () => {
    const curve = await chooseCurve25519(undefined);
    expect([curve.x25519, curve.ed25519]).toEqual(['noble', 'noble']);
  });

  it('noble for X25519 alone on a platform without it', async () => {
    const withoutX25519: CurveSubtle = {
      ...subtle,
      importKey: (format, data, algorithm, extractable, usages) =>
        algorithm.name === 'X25519'
          ? Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError'))
          : subtle.importKey(format, data, algorithm, extractable, usages),
    };
    const curve = await chooseCurve25519(withoutX25519);
    expect([curve.x25519, curve.ed25519]).toEqual(['noble', 'webcrypto']);
  });

  it('noble for whichever answers a known-answer test wrongly', async () => {
    const wrong: CurveSubtle = {
      ...subtle,
      deriveBits: async (algorithm, key, length) => {
        const bits = new Uint8Array(await subtle.deriveBits(algorithm, key, length));
        bits[0] = (bits[0] ?? 0) ^ 1;
        return bits.buffer;
      },
      verify: async () => true,
    };
    const curve = await chooseCurve25519(wrong);
    expect([curve.x25519, curve.ed25519]).toEqual(['noble', 'noble']);
  });
});

describe('the strict Ed25519 encoding checks agree with noble', () => {
  it('every encoding of a small-order point is refused as a public key', () => {
    const encodings = smallOrderEncodings();
    expect(encodings.length).toBeGreaterThanOrEqual(16);
    for (const encoding of encodings) {
      expect(isStrictPublicKey(encoding), toHex(encoding)).toBe(false);
      expect(nobleAcceptsKey(encoding), toHex(encoding)).toBe(false);
    }
  });

  it('real keys pass; on random bytes it refuses nothing noble accepts, and accepts nothing else noble decodes', () => {
    for (let i = 0; i < 200; i++) {
      const key = nobleEd25519.getPublicKey(new Uint8Array(randomBytes(32)));
      expect(isStrictPublicKey(key)).toBe(true);
    }
    for (let i = 0; i < 2000; i++) {
      const candidate = new Uint8Array(randomBytes(32));
      const decodes = (() => {
        try {
          Point.fromBytes(candidate, false);
          return true;
        } catch {
          return false;
        }
      })();
      // Bytes off the curve are left to the verifier, which cannot use them.
      if (decodes) expect(isStrictPublicKey(candidate), toHex(candidate)).toBe(nobleAcceptsKey(candidate));
      else if (nobleAcceptsKey(candidate)) throw new Error('noble accepted a key it cannot decode');
    }
  });

  it('y >= p is refused in a key and in R; S must be below the group order', () => {
    const key = nobleEd25519.getPublicKey(new Uint8Array(32).fill(7));
    const y = fromLittleEndian(key) & ((1n << 255n) - 1n);
    if (y + P < 2n ** 255n) expect(isStrictPublicKey(encode(y + P))).toBe(false);
    expect(isStrictPublicKey(encode(P))).toBe(false);
    const signature = nobleEd25519.sign(new Uint8Array([1]), new Uint8Array(32).fill(7));
    const [r, s] = [signature.subarray(0, 32), signature.subarray(32)];
    expect(isStrictSignature(signature)).toBe(true);
    expect(isStrictSignature(concatBytes(r, littleEndian(ORDER - 1n)))).toBe(true);
    expect(isStrictSignature(concatBytes(r, littleEndian(ORDER)))).toBe(false);
    expect(isStrictSignature(concatBytes(r, littleEndian(fromLittleEndian(s) + ORDER)))).toBe(false);
    expect(isStrictSignature(concatBytes(encode(P + 1n), s))).toBe(false);
    // x = 0 with the sign bit set (RFC 8032 §5.1.3 step 4).
    expect(isStrictSignature(concatBytes(encode(1n, true), s))).toBe(false);
  });
});

/** A signature made honestly, except that R carries a point of order 8: only a cofactored verifier accepts it. */
function torsionSignature(seed: Uint8Array, message: Uint8Array): Uint8Array {
  const { scalar, point } = nobleEd25519.utils.getExtendedPublicKey(seed);
  const order8 = Point.fromBytes(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'));
  const r = 1234567890123456789n;
  const R = Point.BASE.multiply(r).add(order8).toBytes();
  const k = fromLittleEndian(sha512(concatBytes(R, point.toBytes(), message))) % ORDER;
  return concatBytes(R, littleEndian((r + k * scalar) % ORDER));
}

describe.each(CURVES)('Ed25519 verification in %s refuses what strict verification refuses', (_, curve) => {
  const message = new TextEncoder().encode('tincan/static-key/v1');
  const identity = encode(1n);
  const universal = concatBytes(identity, new Uint8Array(32));

  it('a small-order key with R = identity and S = 0, which "verifies" any message', async () => {
    expect(await curve.verifyEd25519(identity, message, universal)).toBe(false);
    // Also in its non-canonical encoding (y = p + 1).
    expect(await curve.verifyEd25519(encode(P + 1n), message, universal)).toBe(false);
  });

  it('S + L, and an R with y >= p', async () => {
    const seed = new Uint8Array(32).fill(3);
    const key = nobleEd25519.getPublicKey(seed);
    const signature = nobleEd25519.sign(message, seed);
    const [r, s] = [signature.subarray(0, 32), signature.subarray(32)];
    expect(await curve.verifyEd25519(key, message, signature)).toBe(true);
    const malleated = concatBytes(r, littleEndian(fromLittleEndian(s) + ORDER));
    expect(await curve.verifyEd25519(key, message, malleated)).toBe(false);
    expect(await curve.verifyEd25519(key, message, concatBytes(encode(P + 1n), s))).toBe(false);
  });

  it('never accepts what noble refuses (torsion in R: noble accepts, a cofactorless verifier may not)', async () => {
    const seed = new Uint8Array(32).fill(5);
    const key = nobleEd25519.getPublicKey(seed);
    const odd = torsionSignature(seed, message);
    expect(ed25519.verify(key, message, odd)).toBe(true);
    const verdict = await curve.verifyEd25519(key, message, odd);
    if (curve.ed25519 === 'noble') expect(verdict).toBe(true);
    for (const [candidateKey, signature] of [
      [identity, universal],
      [encode(P + 1n), universal],
      [key, odd],
    ] as const) {
      if (await curve.verifyEd25519(candidateKey, message, signature)) {
        expect(ed25519.verify(candidateKey, message, signature)).toBe(true);
      }
    }
  });

  it('malformed input is false, never a rejection', async () => {
    const seed = new Uint8Array(32).fill(3);
    const key = nobleEd25519.getPublicKey(seed);
    const signature = nobleEd25519.sign(message, seed);
    expect(await curve.verifyEd25519(key.subarray(1), message, signature)).toBe(false);
    expect(await curve.verifyEd25519(key, message, signature.subarray(1))).toBe(false);
    expect(await curve.verifyEd25519(new Uint8Array(32).fill(0xff), message, signature)).toBe(false);
  });
});

describe.each(CURVES)('X25519 in %s', (_, curve) => {
  it('agrees with noble on random keys, both ways round', async () => {
    for (let i = 0; i < 20; i++) {
      const [a, b] = [new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(32))];
      const [alice, bob] = [await curve.importX25519Secret(a), await nobleCurve25519.importX25519Secret(b)];
      const [alicePublic, bobPublic] = [await alice.publicKey(), await bob.publicKey()];
      expect(toHex(await alice.sharedSecret(bobPublic))).toBe(toHex(await bob.sharedSecret(alicePublic)));
    }
  });

  it('refuses a secret or public key of the wrong size', async () => {
    await expect(curve.importX25519Secret(new Uint8Array(31))).rejects.toThrow(RangeError);
    const secret = await curve.importX25519Secret(new Uint8Array(32).fill(1));
    await expect(secret.sharedSecret(new Uint8Array(33))).rejects.toThrow(RangeError);
  });
});
