/**
 * What strict Ed25519 verification refuses before any curve arithmetic, as byte comparisons.
 *
 * Our verification is noble's strict kind (`zip215: false`, see primitives.ts): canonical point
 * encodings, S < L, and no small-order public key. A native verifier need not be as strict: Node's
 * (OpenSSL) WebCrypto accepts a small-order public key with R = identity and S = 0, a "signature"
 * anyone can make for any message, and a non-canonical public key (y >= p). Running these checks
 * first makes a native verifier accept only what noble accepts. Noble checks the cofactored
 * equation and native verifiers the cofactorless one, which accepts a subset of it (signatures
 * whose R carries a small-order component pass noble alone); an honest signer never makes those.
 */

/** 2^255 - 19, little-endian: the field prime (RFC 8032 §5.1). */
const P = littleEndian('7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed');
/** 2^252 + 27742317777372353535851937790883648493: the group order (RFC 8032 §5.1). */
const L = littleEndian('1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed');

/**
 * The y coordinates of the eight points of small order: 0 and p-1 (orders 4 and 2), 1 (the
 * identity), and the two of the order-8 points. Points share a y coordinate only with their
 * negation, which has the same order, so a canonical y outside this list is never small order.
 */
const Y_ONE = littleEndian('0000000000000000000000000000000000000000000000000000000000000001');
const Y_MINUS_ONE = littleEndian('7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec');
const SMALL_ORDER_Y = [
  littleEndian('0000000000000000000000000000000000000000000000000000000000000000'),
  Y_ONE,
  Y_MINUS_ONE,
  littleEndian('05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826'),
  littleEndian('7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7'),
];

function littleEndian(bigEndianHex: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[31 - i] = Number.parseInt(bigEndianHex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** a < b for 32-byte little-endian numbers. Not constant-time: everything here is public. */
function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference < 0;
  }
  return false;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The y coordinate (the encoding without its sign bit) and the sign bit of x (RFC 8032 §5.1.2). */
function splitPoint(encoded: Uint8Array): { y: Uint8Array; xIsOdd: boolean } {
  const y = encoded.slice();
  y[31] = (y[31] ?? 0) & 0x7f;
  return { y, xIsOdd: ((encoded[31] ?? 0) & 0x80) !== 0 };
}

/**
 * RFC 8032 §5.1.3 decoding rules a byte check can apply: y < p, and x = 0 (y = 1 or y = p - 1)
 * never with the sign bit set. Whether y is on the curve is left to the verifier.
 */
function isCanonicalPoint(encoded: Uint8Array): boolean {
  const { y, xIsOdd } = splitPoint(encoded);
  if (!lessThan(y, P)) return false;
  const xIsZero = sameBytes(y, Y_ONE) || sameBytes(y, Y_MINUS_ONE);
  return !(xIsZero && xIsOdd);
}

/** A canonical encoding whose point, if it is one, is not of small order. */
export function isStrictPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32 || !isCanonicalPoint(publicKey)) return false;
  const { y } = splitPoint(publicKey);
  return !SMALL_ORDER_Y.some((small) => sameBytes(y, small));
}

/** R canonical and S < L (RFC 8032 §5.1.7 step 1); the rest is the verifier's. */
export function isStrictSignature(signature: Uint8Array): boolean {
  return signature.length === 64 && isCanonicalPoint(signature.subarray(0, 32)) && lessThan(signature.subarray(32), L);
}
