/**
 * Noise's cipher functions (spec §4.2, §12): ENCRYPT(k, n, ad, plaintext), DECRYPT and REKEY over
 * a 64-bit counter nonce. The counter sits in the last 8 bytes of the 96-bit AEAD nonce, after
 * 4 zero bytes: big-endian for AESGCM (§12.4), little-endian for ChaChaPoly (§12.3).
 */

import { NoiseError } from './noise-error';
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES, type AeadKey, aeadKey } from './primitives';

export type NoiseCipher = 'AESGCM' | 'ChaChaPoly';

/** 2^64 - 1: never used for a message; reserved for REKEY (§5.1, §11.3). */
export const MAX_NONCE = 2n ** 64n - 1n;

const EMPTY = new Uint8Array(0);
const ZEROS = new Uint8Array(AEAD_KEY_BYTES);

export function isNoiseCipher(value: unknown): value is NoiseCipher {
  return value === 'AESGCM' || value === 'ChaChaPoly';
}

function nonceBytes(cipher: NoiseCipher, n: bigint): Uint8Array {
  if (n < 0n || n > MAX_NONCE) throw new RangeError(`nonce ${n} is outside 0..2^64-1`);
  const nonce = new Uint8Array(AEAD_NONCE_BYTES);
  new DataView(nonce.buffer).setBigUint64(4, n, cipher === 'ChaChaPoly');
  return nonce;
}

/** One cipher key `k`. The caller keeps the nonce counter; this only refuses the reserved one. */
export class NoiseKey {
  private readonly aead: AeadKey;

  constructor(
    readonly cipher: NoiseCipher,
    key: Uint8Array,
  ) {
    this.aead = aeadKey(cipher === 'AESGCM' ? 'AES-256-GCM' : 'ChaCha20-Poly1305', key);
  }

  encrypt(n: bigint, ad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
    if (n >= MAX_NONCE) return Promise.reject(new NoiseError('bad-state', 'nonce 2^64-1 is reserved'));
    return this.aead.seal(nonceBytes(this.cipher, n), ad, plaintext);
  }

  decrypt(n: bigint, ad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
    if (n >= MAX_NONCE) return Promise.reject(new NoiseError('bad-state', 'nonce 2^64-1 is reserved'));
    return this.aead.open(nonceBytes(this.cipher, n), ad, ciphertext);
  }

  /** §11.3 REKEY(k) = ENCRYPT(k, maxnonce, zerolen, zeros), first 32 bytes (the tag is dropped). */
  async rekey(): Promise<NoiseKey> {
    const sealed = await this.aead.seal(nonceBytes(this.cipher, MAX_NONCE), EMPTY, ZEROS);
    return new NoiseKey(this.cipher, sealed.subarray(0, AEAD_KEY_BYTES));
  }
}
