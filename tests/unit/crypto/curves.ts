/** Both curve implementations, for tests that must pass through each: the platform's and the fallback. */
import { type Curve25519, nobleCurve25519 } from '../../../lib/crypto/curve25519';
import { webCryptoCurve25519 } from '../../../lib/crypto/webcrypto-curve25519';

export const CURVES: readonly (readonly [string, Curve25519])[] = [
  ['WebCrypto', webCryptoCurve25519(globalThis.crypto.subtle)],
  ['noble', nobleCurve25519],
];
