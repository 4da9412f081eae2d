/** Known answers typed in from RFC 4231 §4 (HMAC-SHA256) and RFC 5869 appendix A.1–A.3 (HKDF-SHA256). */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../lib/bytes';
import { hkdfSha256, hmacSha256 } from '../../../lib/crypto/primitives';

const ascii = (text: string) => new TextEncoder().encode(text);
const fill = (length: number, byte: number) => new Uint8Array(length).fill(byte);
const range = (from: number, to: number) => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('HMAC-SHA256: RFC 4231 test cases 1–7', () => {
  const cases: [string, Uint8Array, Uint8Array, string][] = [
    ['1', fill(20, 0x0b), ascii('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    [
      '2 (key shorter than the output)',
      ascii('Jefe'),
      ascii('what do ya want for nothing?'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    ],
    ['3', fill(20, 0xaa), fill(50, 0xdd), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
    ['4', range(0x01, 0x19), fill(50, 0xcd), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
    // Case 5 publishes only the first 128 bits.
    ['5 (truncated to 128 bits)', fill(20, 0x0c), ascii('Test With Truncation'), 'a3b6167473100ee06e0c796c2955552b'],
    [
      '6 (key larger than a block)',
      fill(131, 0xaa),
      ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    ],
    [
      '7 (key and data larger than a block)',
      fill(131, 0xaa),
      ascii(
        'This is a test using a larger than block-size key and a larger than block-size data. ' +
          'The key needs to be hashed before being used by the HMAC algorithm.',
      ),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ];

  it.each(cases)('test case %s', (_, key, data, expected) => {
    expect(toHex(hmacSha256(key, data).subarray(0, expected.length / 2))).toBe(expected);
  });
});

describe('HKDF-SHA256: RFC 5869 A.1–A.3', () => {
  const cases: [string, Uint8Array, Uint8Array, Uint8Array, number, string, string][] = [
    [
      'A.1 basic',
      fill(22, 0x0b),
      range(0x00, 0x0c),
      range(0xf0, 0xf9),
      42,
      '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    ],
    [
      'A.2 longer inputs and outputs',
      range(0x00, 0x4f),
      range(0x60, 0xaf),
      range(0xb0, 0xff),
      82,
      '06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244',
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c' +
        '59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71' +
        'cc30c58179ec3e87c14c01d5c1f3434f1d87',
    ],
    [
      'A.3 zero-length salt and info',
      fill(22, 0x0b),
      new Uint8Array(0),
      new Uint8Array(0),
      42,
      '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    ],
  ];

  it.each(cases)('%s', (_, ikm, salt, info, length, prk, okm) => {
    // Extract is HMAC(salt, IKM), a salt of no bytes counting as HashLen zeros (§2.2).
    const extracted = hmacSha256(salt.length > 0 ? salt : new Uint8Array(32), ikm);
    expect(toHex(extracted)).toBe(prk);
    expect(toHex(hkdfSha256(ikm, salt, info, length))).toBe(okm);
  });

  it('refuses more than 255 blocks of output, and no output at all', () => {
    expect(() => hkdfSha256(fill(22, 0x0b), new Uint8Array(0), new Uint8Array(0), 255 * 32 + 1)).toThrow(RangeError);
    expect(() => hkdfSha256(fill(22, 0x0b), new Uint8Array(0), new Uint8Array(0), 0)).toThrow(RangeError);
    expect(hkdfSha256(fill(22, 0x0b), new Uint8Array(0), new Uint8Array(0), 255 * 32)).toHaveLength(8160);
  });

  it('labels what it refuses', () => {
    expect(() => hkdfSha256(fromHex('00'), fill(3, 1), new Uint8Array(0), 1.5)).toThrow(/hkdf length/);
  });
});
