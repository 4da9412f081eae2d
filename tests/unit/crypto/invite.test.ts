import { ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { toBase32 } from '../../../lib/bytes';
import { createIdentity } from '../../../lib/crypto/identity';
import { decodeInvite, encodeInvite, looksLikeInvite } from '../../../lib/crypto/invite';

const key = createIdentity((length) => new Uint8Array(length).fill(7)).signingPublic;
const address = 'tincan-t-Abc_12';
const invite = encodeInvite({ address, identityKey: key });
const keyText = toBase32(key);

const errorOf = (text: string) => {
  const parsed = decodeInvite(text);
  return parsed.ok ? 'ok' : parsed.error;
};

/** A 32-byte y with no x on the curve, found by asking noble's point decoder directly. */
function notAPoint(): Uint8Array {
  for (let y = 2; y < 256; y++) {
    const candidate = new Uint8Array(32);
    candidate[0] = y;
    try {
      nobleEd25519.Point.fromBytes(candidate);
    } catch {
      return candidate;
    }
  }
  throw new Error('no invalid point found');
}

describe('invites', () => {
  it('round trip: the address (case kept) and the key come back', () => {
    const parsed = decodeInvite(invite);
    expect(parsed).toEqual({ ok: true, invite: { address, identityKey: key } });
  });

  it('are one compact, URL-safe line: prefix, address, 52 base32 characters', () => {
    expect(invite).toBe(`tincan1.${address}.${keyText}`);
    expect(invite).toMatch(/^tincan1\.[A-Za-z0-9_-]+\.[a-z2-7]{52}$/);
    expect(encodeURIComponent(invite)).toBe(invite);
  });

  it('survive pasting: surrounding whitespace, an upper-case prefix and key', () => {
    expect(errorOf(`  \n${invite}\t `)).toBe('ok');
    const shouted = `TINCAN1.${address}.${keyText.toUpperCase()}`;
    expect(decodeInvite(shouted)).toEqual({ ok: true, invite: { address, identityKey: key } });
  });

  it('are recognised before parsing, and plain addresses are not invites', () => {
    expect(looksLikeInvite(` ${invite}`)).toBe(true);
    expect(looksLikeInvite('Tincan1.x')).toBe(true);
    expect(looksLikeInvite('tincan-t-abc')).toBe(false);
    expect(looksLikeInvite('')).toBe(false);
  });

  it('anything without the prefix is not an invite', () => {
    for (const text of ['', '   ', 'hello', 'tincan1', 'tincan2.a.b', `xtincan1.${address}.${keyText}`]) {
      expect(errorOf(text), text).toBe('not-an-invite');
    }
  });

  it('an address with characters PeerJS refuses is a bad address', () => {
    for (const bad of ['', 'a b', 'a.b', 'ali$e', '-alice', 'alice-', 'a--b', 'é', 'a'.repeat(101)]) {
      expect(errorOf(`tincan1.${bad}.${keyText}`), bad).toBe('bad-address');
    }
  });

  it('a missing, short, long or non-base32 key is a bad key', () => {
    const cases = [
      `tincan1.${address}`,
      `tincan1.${address}.`,
      `tincan1.${address}.${keyText.slice(0, 51)}`,
      `tincan1.${address}.${keyText}a`,
      `tincan1.${address}.${keyText.slice(0, 50)}18`,
      `tincan1.${address}.${keyText.slice(0, 51)}=`,
      `tincan1.${address}.${keyText.slice(0, 51)}\u212a`, // Kelvin sign lower-cases to 'k'
    ];
    for (const text of cases) expect(errorOf(text), text).toBe('bad-key');
  });

  it('a key whose unused trailing bits are set is refused (one spelling per key)', () => {
    // The 52nd character holds the key's last bit and four zero bits: 'a' or 'q', never odd.
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const last = alphabet.indexOf(keyText.at(-1) ?? '');
    expect([0, 16]).toContain(last);
    const sloppy = `tincan1.${address}.${keyText.slice(0, 51)}${alphabet[last | 1]}`;
    expect(errorOf(sloppy)).toBe('bad-key');
  });

  it('a key that is not a valid Ed25519 point is a bad key', () => {
    const smallOrder = new Uint8Array(32);
    smallOrder[0] = 1; // the identity point
    const yIsP = Uint8Array.from([0xed, ...new Array(30).fill(0xff), 0x7f]);
    for (const bytes of [notAPoint(), smallOrder, yIsP]) {
      expect(errorOf(`tincan1.${address}.${toBase32(bytes)}`), toBase32(bytes)).toBe('bad-key');
    }
  });

  it('huge input is refused without being parsed', () => {
    const huge = `tincan1.${'a'.repeat(1_000_000)}.${keyText}`;
    const started = performance.now();
    expect(errorOf(huge)).toBe('not-an-invite');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('encoding refuses what decoding would refuse', () => {
    expect(() => encodeInvite({ address: 'a b', identityKey: key })).toThrow(RangeError);
    expect(() => encodeInvite({ address, identityKey: new Uint8Array(32) })).toThrow(RangeError);
  });
});
