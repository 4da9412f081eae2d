import { describe, expect, it } from 'vitest';
import { toBase32, toHex } from '../../lib/bytes';

const ascii = (text: string) => new TextEncoder().encode(text);

/** Base32 the slow, obvious way: write out every bit, read it back five at a time. */
function referenceBase32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  const padded = bits.padEnd(Math.ceil(bits.length / 5) * 5, '0');
  let out = '';
  for (let i = 0; i < padded.length; i += 5) out += alphabet[Number.parseInt(padded.slice(i, i + 5), 2)];
  return out;
}

describe('message ids shown as hex', () => {
  it('every byte is two lowercase digits, leading zeros kept', () => {
    expect(toHex(Uint8Array.from([0x00, 0x0f, 0x10, 0xab, 0xff]))).toBe('000f10abff');
  });

  it('no bytes is an empty string', () => {
    expect(toHex(new Uint8Array())).toBe('');
  });

  it('a 128-bit id is 32 digits', () => {
    expect(toHex(new Uint8Array(16).fill(0xa5))).toBe('a5'.repeat(16));
  });
});

describe('addresses use base32 (RFC 4648 §6), lowercase and unpadded', () => {
  // RFC 4648 §10 test vectors, lowercased, padding removed.
  it.each([
    ['', ''],
    ['f', 'my'],
    ['fo', 'mzxq'],
    ['foo', 'mzxw6'],
    ['foob', 'mzxw6yq'],
    ['fooba', 'mzxw6ytb'],
    ['foobar', 'mzxw6ytboi'],
  ])('"%s" encodes as "%s"', (input, expected) => {
    expect(toBase32(ascii(input))).toBe(expected);
  });

  it('ten random bytes (an address suffix) are sixteen characters valid in a PeerJS id', () => {
    const suffix = toBase32(Uint8Array.from([0xff, 0x00, 0x80, 0x7f, 0x01, 0xfe, 0x55, 0xaa, 0x12, 0xed]));
    expect(suffix).toHaveLength(16);
    expect(suffix).toMatch(/^[a-z2-7]+$/);
  });

  it('long inputs stay correct (the bit buffer must not overflow)', () => {
    for (let length = 0; length <= 64; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 151 + length * 17 + 0xc3) & 0xff);
      expect(toBase32(bytes), `length ${length}`).toBe(referenceBase32(bytes));
    }
    expect(toBase32(new Uint8Array(40).fill(0xff))).toBe('7'.repeat(64));
  });
});
