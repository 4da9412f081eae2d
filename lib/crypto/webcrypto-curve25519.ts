/**
 * X25519 (RFC 7748) and Ed25519 verification (RFC 8032) through WebCrypto's `X25519` and
 * `Ed25519` algorithms, which run in native code. Same inputs, same answers as the noble ones in
 * primitives.ts: tests run every Noise vector and the Wycheproof files through both.
 *
 * Secret keys come from our own random source (the vectors fix them), so they are imported as
 * PKCS#8 rather than made by `generateKey`; a public key is then one DH with the base point.
 */
import { fromHex } from '../bytes';
import type { Curve25519, X25519Secret } from './curve25519';
import { isStrictPublicKey, isStrictSignature } from './ed25519-encoding';
import { NoiseError } from './noise-error';
import { bufferSource, checkBytes, DH_BYTES, equalBytes, SIGNATURE_BYTES } from './primitives';

const X25519: Algorithm = { name: 'X25519' };
const ED25519: Algorithm = { name: 'Ed25519' };

/**
 * RFC 8410 §7: a PrivateKeyInfo (RFC 5208) with algorithm id-X25519 (1.3.101.110) and the 32-byte
 * key as an OCTET STRING inside the privateKey OCTET STRING. Only the last 32 bytes vary.
 */
const PKCS8_X25519_PREFIX = fromHex('302e020100300506032b656e04220420');

/** RFC 7748 §4.1: u = 9. */
const BASE_POINT = new Uint8Array(DH_BYTES);
BASE_POINT[0] = 9;
const ZEROS = new Uint8Array(DH_BYTES);

/** What this file needs of `SubtleCrypto`: tests hand in one that fails or answers wrongly. */
export interface CurveSubtle {
  importKey(
    format: 'raw' | 'pkcs8',
    keyData: Uint8Array<ArrayBuffer>,
    algorithm: Algorithm,
    extractable: boolean,
    keyUsages: KeyUsage[],
  ): Promise<CryptoKey>;
  deriveBits(algorithm: EcdhKeyDeriveParams, baseKey: CryptoKey, length: number): Promise<ArrayBuffer>;
  verify(
    algorithm: Algorithm,
    key: CryptoKey,
    signature: Uint8Array<ArrayBuffer>,
    data: Uint8Array<ArrayBuffer>,
  ): Promise<boolean>;
}

const lowOrder = () => new NoiseError('bad-key', 'the X25519 public key has low order (all-zero shared secret)');

export function webCryptoCurve25519(subtle: CurveSubtle): Curve25519 {
  let basePoint: Promise<CryptoKey> | undefined;
  const importPublic = (publicKey: Uint8Array): Promise<CryptoKey> =>
    subtle.importKey('raw', bufferSource(publicKey), X25519, true, []);
  const derive = async (privateKey: CryptoKey, publicKey: CryptoKey): Promise<Uint8Array> =>
    new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: publicKey }, privateKey, DH_BYTES * 8));

  const importX25519Secret = async (secretKey: Uint8Array): Promise<X25519Secret> => {
    checkBytes(secretKey, 'x25519 secret key', DH_BYTES);
    const der = new Uint8Array(PKCS8_X25519_PREFIX.length + DH_BYTES);
    der.set(PKCS8_X25519_PREFIX);
    der.set(secretKey, PKCS8_X25519_PREFIX.length);
    const importing = subtle.importKey('pkcs8', der, X25519, false, ['deriveBits']);
    // importKey copied the bytes when called.
    der.fill(0);
    const privateKey = await importing;
    return {
      async publicKey() {
        basePoint ??= importPublic(BASE_POINT);
        return derive(privateKey, await basePoint);
      },
      async sharedSecret(publicKey) {
        const theirs = checkBytes(publicKey, 'x25519 public key', DH_BYTES).slice();
        let shared: Uint8Array;
        try {
          // WebCrypto refuses a low-order key itself (deriveBits throws on an all-zero result);
          // the check below is for one that would not. Firefox's also refuses two keys RFC 7748
          // computes (Wycheproof tcId 94 and 95: top bit set, u = p - 19 and p - 18 once it is
          // masked); no implementation sends a key with that bit set, so no peer is lost.
          shared = await derive(privateKey, await importPublic(theirs));
        } catch {
          throw lowOrder();
        }
        if (equalBytes(shared, ZEROS)) throw lowOrder();
        return shared;
      },
    };
  };

  const verifyEd25519 = async (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => {
    if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array)) return false;
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
    if (!isStrictPublicKey(publicKey) || !isStrictSignature(signature)) return false;
    const [key, signed, sig] = [publicKey.slice(), message.slice(), signature.slice()];
    try {
      const imported = await subtle.importKey('raw', key, ED25519, true, ['verify']);
      return await subtle.verify(ED25519, imported, sig, signed);
    } catch {
      return false;
    }
  };

  return { x25519: 'webcrypto', ed25519: 'webcrypto', importX25519Secret, verifyEd25519 };
}
