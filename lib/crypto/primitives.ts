/**
 * The primitives every other file in `lib/crypto` builds on, each a thin, labelled wrapper:
 * bytes in, bytes out, every input checked. Hashing, HMAC, HKDF and the curves come from the
 * audited noble libraries (curve25519.ts runs the curves in WebCrypto where the platform can);
 * AES-256-GCM comes from WebCrypto, which runs it in native code (bench/crypto-throughput.ts
 * measures the difference against pure-JS ChaCha20-Poly1305, and for small frames against
 * noble's AES-GCM, which is faster in Node but slower in Chromium).
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 as nobleEd25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { NoiseError } from './noise-error';

export type KeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };
export type RandomBytes = (length: number) => Uint8Array;

export const HASH_BYTES = 32;
export const DH_BYTES = 32;
export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;
export const SIGNATURE_BYTES = 64;
/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const HKDF_MAX_BYTES = 255 * HASH_BYTES;

/** Throws a labelled error unless `value` is a Uint8Array (of `length` bytes, when given). */
export function checkBytes(value: Uint8Array, label: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${label} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${label} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** Fresh random bytes from the caller's source, checked: a short read must never become a key. */
export function takeRandom(randomBytes: RandomBytes, length: number, label: string): Uint8Array {
  return checkBytes(randomBytes(length), label, length).slice();
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Constant-time in the contents (not the lengths), for comparing tags and keys. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(checkBytes(data, 'sha256 data'));
}

/** RFC 2104 HMAC with SHA-256; keys longer than a block are hashed first, as the RFC says. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(nobleSha256, checkBytes(key, 'hmac key'), checkBytes(data, 'hmac data'));
}

/** RFC 5869 HKDF-SHA256 (extract, then expand). An empty salt means HashLen zero bytes (§2.2). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  checkBytes(ikm, 'hkdf ikm');
  checkBytes(salt, 'hkdf salt');
  checkBytes(info, 'hkdf info');
  if (!Number.isSafeInteger(length) || length < 1 || length > HKDF_MAX_BYTES) {
    throw new RangeError(`hkdf length must be 1..${HKDF_MAX_BYTES}, got ${length}`);
  }
  return hkdf(nobleSha256, ikm, salt, info, length);
}

/** X25519 (RFC 7748) key agreement. */
export const x25519 = {
  keyPairFromSecret(secretKey: Uint8Array): KeyPair {
    const secret = checkBytes(secretKey, 'x25519 secret key', DH_BYTES).slice();
    return { publicKey: nobleX25519.getPublicKey(secret), secretKey: secret };
  },

  generateKeyPair(randomBytes: RandomBytes): KeyPair {
    return x25519.keyPairFromSecret(takeRandom(randomBytes, DH_BYTES, 'x25519 secret key'));
  },

  /**
   * DH(secret, public). Throws `NoiseError('bad-key')` for the low-order public keys whose result
   * is all zeros (RFC 7748 §6.1 lets us check): such a "shared" secret is known to everyone, so
   * a peer sending one is attacking, never merely unlucky. Noble refuses them before the ladder.
   */
  sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
    checkBytes(secretKey, 'x25519 secret key', DH_BYTES);
    checkBytes(publicKey, 'x25519 public key', DH_BYTES);
    let shared: Uint8Array;
    try {
      shared = nobleX25519.getSharedSecret(secretKey, publicKey);
    } catch {
      throw new NoiseError('bad-key', 'the X25519 public key has low order (all-zero shared secret)');
    }
    if (equalBytes(shared, new Uint8Array(DH_BYTES))) {
      throw new NoiseError('bad-key', 'the X25519 shared secret is all zeros');
    }
    return shared;
  },
};

/**
 * Ed25519 (RFC 8032). Verification is the strict RFC 8032 / NIST 186-5 kind (noble's
 * `zip215: false`): canonical encodings only, S < L, small-order public keys refused. ZIP-215's
 * laxer rules exist for consensus between blockchain nodes; we only need "did this key sign
 * this", and Wycheproof marks a non-canonical R (tcId 151) invalid that ZIP-215 accepts.
 */
export const ed25519 = {
  publicKeyFromSeed(seed: Uint8Array): Uint8Array {
    return nobleEd25519.getPublicKey(checkBytes(seed, 'ed25519 seed', 32));
  },

  sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
    return nobleEd25519.sign(checkBytes(message, 'ed25519 message'), checkBytes(seed, 'ed25519 seed', 32));
  },

  /** False for anything that is not a valid signature, malformed input included: never throws. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
    if (!(message instanceof Uint8Array)) return false;
    try {
      return nobleEd25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },

  /** A canonical encoding of a curve point outside the small-order subgroup. */
  isValidPublicKey(publicKey: Uint8Array): boolean {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
    try {
      return !nobleEd25519.Point.fromBytes(publicKey, false).isSmallOrder();
    } catch {
      return false;
    }
  },
};

export type AeadAlgorithm = 'AES-256-GCM' | 'ChaCha20-Poly1305';

/**
 * One AEAD key. `seal` returns ciphertext || 16-byte tag; `open` rejects with
 * `NoiseError('decrypt-failed')` when the tag does not verify. The key bytes are copied, and for
 * AES-GCM imported into WebCrypto once, on first use, then reused for every message.
 */
export interface AeadKey {
  readonly algorithm: AeadAlgorithm;
  seal(nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  open(nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array>;
}

export function aeadKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
  const raw = checkBytes(key, `${algorithm} key`, AEAD_KEY_BYTES).slice();
  return algorithm === 'AES-256-GCM' ? aesGcmKey(raw) : chachaPolyKey(raw);
}

function checkAeadInputs(algorithm: AeadAlgorithm, nonce: Uint8Array, ad: Uint8Array, text: Uint8Array): void {
  checkBytes(nonce, `${algorithm} nonce`, AEAD_NONCE_BYTES);
  checkBytes(ad, `${algorithm} associated data`);
  checkBytes(text, `${algorithm} input`);
}

const decryptFailed = (algorithm: AeadAlgorithm) =>
  new NoiseError('decrypt-failed', `${algorithm}: the message failed authentication`);

function chachaPolyKey(raw: Uint8Array): AeadKey {
  const algorithm = 'ChaCha20-Poly1305';
  return {
    algorithm,
    async seal(nonce, ad, plaintext) {
      checkAeadInputs(algorithm, nonce, ad, plaintext);
      return chacha20poly1305(raw, nonce, ad).encrypt(plaintext);
    },
    async open(nonce, ad, ciphertext) {
      checkAeadInputs(algorithm, nonce, ad, ciphertext);
      if (ciphertext.length < AEAD_TAG_BYTES) throw decryptFailed(algorithm);
      try {
        return chacha20poly1305(raw, nonce, ad).decrypt(ciphertext);
      } catch {
        throw decryptFailed(algorithm);
      }
    },
  };
}

/** WebCrypto wants bytes backed by a plain ArrayBuffer; copy only the rare views that are not. */
function onArrayBuffer(bytes: Uint8Array): bytes is Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer;
}
export const bufferSource = (bytes: Uint8Array): Uint8Array<ArrayBuffer> =>
  onArrayBuffer(bytes) ? bytes : new Uint8Array(bytes);

/**
 * WebCrypto copies its inputs when `encrypt`/`decrypt` is called, so once the key is imported the
 * call happens before any `await`: a caller may reuse its buffer as soon as `seal` returns. Only
 * the very first use, which must wait for the import, copies the input first.
 */
function aesGcmKey(raw: Uint8Array): AeadKey {
  const algorithm = 'AES-256-GCM';
  const subtle = globalThis.crypto.subtle;
  let ready: CryptoKey | undefined;
  let importing: Promise<CryptoKey> | undefined;
  const cryptoKey = (): Promise<CryptoKey> => {
    importing ??= subtle.importKey('raw', bufferSource(raw), 'AES-GCM', false, ['encrypt', 'decrypt']).then((key) => {
      ready = key;
      return key;
    });
    return importing;
  };
  const params = (nonce: Uint8Array, ad: Uint8Array): AesGcmParams => ({
    name: 'AES-GCM',
    iv: bufferSource(nonce),
    additionalData: bufferSource(ad),
    tagLength: AEAD_TAG_BYTES * 8,
  });
  const withKey = async (run: (key: CryptoKey) => Promise<ArrayBuffer>): Promise<Uint8Array> => {
    // No `await` when the key is ready, so `run` starts before this returns.
    const key = ready ?? (await cryptoKey());
    return new Uint8Array(await run(key));
  };
  return {
    algorithm,
    async seal(nonce, ad, plaintext) {
      checkAeadInputs(algorithm, nonce, ad, plaintext);
      const p = params(nonce.slice(), ad.slice());
      const data = ready ? bufferSource(plaintext) : plaintext.slice();
      return withKey((key) => subtle.encrypt(p, key, data));
    },
    async open(nonce, ad, ciphertext) {
      checkAeadInputs(algorithm, nonce, ad, ciphertext);
      if (ciphertext.length < AEAD_TAG_BYTES) throw decryptFailed(algorithm);
      const p = params(nonce.slice(), ad.slice());
      const data = ready ? bufferSource(ciphertext) : ciphertext.slice();
      try {
        return await withKey((key) => subtle.decrypt(p, key, data));
      } catch {
        throw decryptFailed(algorithm);
      }
    },
  };
}
