/**
 * The curve operations on a session's critical path, X25519 and Ed25519 verification, from
 * WebCrypto where the platform has them and noble otherwise. WebCrypto runs them in native code:
 * in Node 20 a DH takes about 0.1 ms against noble's 1.2 ms, a verification 0.2 ms against
 * 1.5 ms, and a connection does about ten DHs and two verifications one after another
 * (bench/crypto-throughput.ts). Both give the same answers: tests run every Noise vector and the
 * Wycheproof files through each.
 *
 * Which one runs is decided once, on first use, by known answers (RFC 7748 §6.1, RFC 8032 §7.1),
 * separately for X25519 and Ed25519: a platform without the algorithm, or with one that answers
 * wrongly, gets noble for it.
 */
import { fromHex as hex, toHex } from '../bytes';
import { checkBytes, DH_BYTES, ed25519, x25519 } from './primitives';
import { type CurveSubtle, webCryptoCurve25519 } from './webcrypto-curve25519';

export type CurveImplementation = 'webcrypto' | 'noble';

/** An X25519 secret key made ready for use (for WebCrypto: imported once). */
export interface X25519Secret {
  /** One curve operation: the secret key times the base point. */
  publicKey(): Promise<Uint8Array>;
  /** DH with a peer's key; rejects with `NoiseError('bad-key')` for a low-order one (RFC 7748 §6.1). */
  sharedSecret(publicKey: Uint8Array): Promise<Uint8Array>;
}

export interface Curve25519 {
  readonly x25519: CurveImplementation;
  readonly ed25519: CurveImplementation;
  importX25519Secret(secretKey: Uint8Array): Promise<X25519Secret>;
  /** Strict verification, as `ed25519.verify` in primitives.ts; false for malformed input, never throws. */
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export const nobleCurve25519: Curve25519 = {
  x25519: 'noble',
  ed25519: 'noble',
  async importX25519Secret(secretKey) {
    const secret = checkBytes(secretKey, 'x25519 secret key', DH_BYTES).slice();
    return {
      publicKey: async () => x25519.keyPairFromSecret(secret).publicKey,
      sharedSecret: async (publicKey) => x25519.sharedSecret(secret, publicKey),
    };
  },
  async verifyEd25519(publicKey, message, signature) {
    return ed25519.verify(publicKey, message, signature);
  },
};

let platform: Promise<Curve25519> | undefined;

/** WebCrypto for each of X25519 and Ed25519 that passes its known answers here, noble for the rest. */
export function platformCurve25519(): Promise<Curve25519> {
  platform ??= chooseCurve25519(globalThis.crypto?.subtle);
  return platform;
}

/** Exported so tests can see the choice made for a given WebCrypto (or none). */
export async function chooseCurve25519(subtle: CurveSubtle | undefined): Promise<Curve25519> {
  if (!subtle) return nobleCurve25519;
  const native = webCryptoCurve25519(subtle);
  const [nativeX25519, nativeEd25519] = await Promise.all([answersX25519(native), answersEd25519(native)]);
  const x = nativeX25519 ? native : nobleCurve25519;
  const e = nativeEd25519 ? native : nobleCurve25519;
  return {
    x25519: x.x25519,
    ed25519: e.ed25519,
    importX25519Secret: x.importX25519Secret,
    verifyEd25519: e.verifyEd25519,
  };
}

/** RFC 7748 §6.1: Alice's secret key gives her public key, and with Bob's public key the shared secret. */
async function answersX25519(curve: Curve25519): Promise<boolean> {
  try {
    const alice = await curve.importX25519Secret(
      hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
    );
    const [publicKey, shared] = await Promise.all([
      alice.publicKey(),
      alice.sharedSecret(hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')),
    ]);
    return (
      toHex(publicKey) === '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a' &&
      toHex(shared) === '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'
    );
  } catch {
    return false;
  }
}

/** RFC 8032 §7.1 TEST 2 verifies; the same signature with one bit flipped does not. */
async function answersEd25519(curve: Curve25519): Promise<boolean> {
  const publicKey = hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
  const message = hex('72');
  const signature = hex(
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
      '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  );
  const forged = signature.slice();
  forged[0] = (forged[0] ?? 0) ^ 1;
  const [good, bad] = await Promise.all([
    curve.verifyEd25519(publicKey, message, signature),
    curve.verifyEd25519(publicKey, message, forged),
  ]);
  return good && !bad;
}
