import { createHash, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toBase32 } from '../../../lib/bytes';
import {
  certifyStaticKey,
  createIdentity,
  FINGERPRINT_LABEL,
  fingerprint,
  SAFETY_NUMBER_LABEL,
  STATIC_KEY_LABEL,
  safetyNumber,
  verifyStaticKeyAsync,
} from '../../../lib/crypto/identity';
import { ed25519, x25519 } from '../../../lib/crypto/primitives';
import { CURVES } from './curves';

/** Deterministic "randomness" so identities (and so the pinned values below) are reproducible. */
function seededRandom(seed: number) {
  let counter = seed;
  return (length: number) => createHash('sha256').update(`seed-${counter++}`).digest().subarray(0, length);
}

const alice = createIdentity(seededRandom(1));
const bob = createIdentity(seededRandom(1000));

describe('an identity certifies its own Noise static key', () => {
  it('a new identity has consistent keys and a certificate that verifies', async () => {
    expect(alice.signingPublic).toEqual(ed25519.publicKeyFromSeed(alice.signingSeed));
    expect(alice.staticPublic).toEqual(x25519.keyPairFromSecret(alice.staticSecret).publicKey);
    expect(alice.certificate).toHaveLength(64);
    // Without a curve given, the platform's.
    expect(await verifyStaticKeyAsync(alice.signingPublic, alice.staticPublic, alice.certificate)).toBe(true);
  });

  it('the certificate is an Ed25519 signature over the label, a zero byte and the static key', () => {
    const signed = Buffer.concat([Buffer.from(STATIC_KEY_LABEL), Buffer.of(0), alice.staticPublic]);
    expect(ed25519.verify(alice.signingPublic, signed, alice.certificate)).toBe(true);
  });

  it('a random source that returns too few bytes is refused, not stretched', () => {
    expect(() => createIdentity((length) => new Uint8Array(length - 1))).toThrow(RangeError);
  });
});

describe.each(CURVES)('a certificate, checked with Ed25519 in %s', (_, curve) => {
  const verify = (signingPublic: Uint8Array, staticPublic: Uint8Array, certificate: Uint8Array) =>
    verifyStaticKeyAsync(signingPublic, staticPublic, certificate, curve);

  it('vouches for its own static key under its own identity, and nothing else', async () => {
    expect(await verify(alice.signingPublic, alice.staticPublic, alice.certificate)).toBe(true);
    expect(await verify(alice.signingPublic, bob.staticPublic, alice.certificate)).toBe(false);
    const forged = certifyStaticKey(bob.signingSeed, alice.staticPublic);
    expect(await verify(alice.signingPublic, alice.staticPublic, forged)).toBe(false);
    expect(await verify(bob.signingPublic, alice.staticPublic, forged)).toBe(true);
  });

  it('fails with any bit flipped', async () => {
    for (let bit = 0; bit < 512; bit += 7) {
      const flipped = alice.certificate.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(await verify(alice.signingPublic, alice.staticPublic, flipped)).toBe(false);
    }
  });

  it('from a peer, malformed or with a small-order identity, is refused without a rejection', async () => {
    const { signingPublic, staticPublic, certificate } = alice;
    expect(await verify(signingPublic.subarray(1), staticPublic, certificate)).toBe(false);
    expect(await verify(signingPublic, staticPublic.subarray(1), certificate)).toBe(false);
    expect(await verify(signingPublic, staticPublic, certificate.subarray(1))).toBe(false);
    expect(await verify(signingPublic, staticPublic, new Uint8Array(64))).toBe(false);
    // The identity point (small order), also as a non-canonical y = p + 1, with R = identity
    // and S = 0: a "signature" that holds for any message under a verifier that allows them.
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1;
    const universal = new Uint8Array(64);
    universal[0] = 1;
    expect(await verify(identityPoint, staticPublic, universal)).toBe(false);
    const yIsPPlusOne = Uint8Array.from([0xee, ...new Array(30).fill(0xff), 0x7f]);
    expect(await verify(yIsPPlusOne, staticPublic, universal)).toBe(false);
  });
});

describe('fingerprints', () => {
  it('are four groups of four lowercase base32 characters', () => {
    expect(fingerprint(alice.signingPublic)).toMatch(/^[a-z2-7]{4}( [a-z2-7]{4}){3}$/);
  });

  it('are the first 80 bits of SHA-256(label || key), computed independently', () => {
    const digest = createHash('sha256').update(FINGERPRINT_LABEL).update(alice.signingPublic).digest();
    const expected = toBase32(digest).slice(0, 16);
    expect(fingerprint(alice.signingPublic).replaceAll(' ', '')).toBe(expected);
  });

  it('stay the same from release to release (pinned)', () => {
    expect(fingerprint(new Uint8Array(32).fill(0x42))).toBe(PINNED_FINGERPRINT);
  });

  it('differ for different keys', () => {
    expect(fingerprint(alice.signingPublic)).not.toBe(fingerprint(bob.signingPublic));
  });
});

describe('safety numbers', () => {
  it('are 60 digits in 12 groups of 5', () => {
    expect(safetyNumber(alice.signingPublic, bob.signingPublic)).toMatch(/^(\d{5} ){11}\d{5}$/);
  });

  it('are the same whichever side computes them', () => {
    expect(safetyNumber(alice.signingPublic, bob.signingPublic)).toBe(
      safetyNumber(bob.signingPublic, alice.signingPublic),
    );
  });

  it('change when either key changes, even by one bit', () => {
    const base = safetyNumber(alice.signingPublic, bob.signingPublic);
    const carol = createIdentity(seededRandom(2000));
    expect(safetyNumber(alice.signingPublic, carol.signingPublic)).not.toBe(base);
    const tweaked = bob.signingPublic.slice();
    tweaked[31] = (tweaked[31] ?? 0) ^ 1;
    expect(safetyNumber(alice.signingPublic, tweaked)).not.toBe(base);
  });

  it('follow the documented derivation (HKDF-SHA256 over the sorted keys, 40-bit chunks mod 100000)', () => {
    const [low, high] = [alice.signingPublic, bob.signingPublic].sort((a, b) => Buffer.compare(a, b));
    const okm = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.concat([low, high].filter((key) => key !== undefined)),
        Buffer.alloc(0),
        SAFETY_NUMBER_LABEL,
        60,
      ),
    );
    const groups = Array.from({ length: 12 }, (_, i) => String(okm.readUIntBE(i * 5, 5) % 100_000).padStart(5, '0'));
    expect(safetyNumber(alice.signingPublic, bob.signingPublic)).toBe(groups.join(' '));
  });

  it('stay the same from release to release (pinned)', () => {
    expect(safetyNumber(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2))).toBe(PINNED_SAFETY_NUMBER);
  });

  it('refuse keys of the wrong size', () => {
    expect(() => safetyNumber(alice.signingPublic, new Uint8Array(31))).toThrow(RangeError);
  });
});

// Cross-checked with Python's hashlib/hmac when first pinned.
const PINNED_FINGERPRINT = '2zqo sjhn wprx lnlb';
const PINNED_SAFETY_NUMBER = '92906 67092 27020 89682 54085 42177 26887 79194 73712 52937 54254 77542';
