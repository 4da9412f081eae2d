/**
 * Noise's SymmetricState with its CipherState inside (spec §5.1, §5.2), for the handshake only:
 * the chaining key `ck`, the handshake hash `h`, and the current key with its counter. After the
 * handshake, `split` hands two keys to the transport ciphers and this object is done.
 */
import { type NoiseCipher, NoiseKey } from './noise-cipher';
import { concatBytes, HASH_BYTES, hkdfSha256, sha256 } from './primitives';

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();

export class SymmetricState {
  private ck: Uint8Array;
  private h: Uint8Array;
  private key: NoiseKey | undefined;
  private n = 0n;

  /** §5.2 InitializeSymmetric: a name of at most HASHLEN bytes is zero-padded, a longer one hashed. */
  constructor(
    private readonly cipher: NoiseCipher,
    protocolName: string,
  ) {
    const name = utf8.encode(protocolName);
    if (name.length <= HASH_BYTES) {
      this.h = new Uint8Array(HASH_BYTES);
      this.h.set(name);
    } else {
      this.h = sha256(name);
    }
    this.ck = this.h.slice();
  }

  get hasKey(): boolean {
    return this.key !== undefined;
  }

  handshakeHash(): Uint8Array {
    return this.h.slice();
  }

  mixHash(data: Uint8Array): void {
    this.h = sha256(concatBytes(this.h, data));
  }

  /** HKDF(ck, ikm, n) of §4.3 is RFC 5869 HKDF with salt = ck and empty info; output `i` is `part(okm, i)`. */
  private hkdf(ikm: Uint8Array, outputs: 2 | 3): Uint8Array {
    return hkdfSha256(ikm, this.ck, EMPTY, outputs * HASH_BYTES);
  }

  private initializeKey(key: Uint8Array): void {
    this.key = new NoiseKey(this.cipher, key);
    this.n = 0n;
  }

  mixKey(ikm: Uint8Array): void {
    const okm = this.hkdf(ikm, 2);
    this.ck = part(okm, 0);
    this.initializeKey(part(okm, 1));
  }

  mixKeyAndHash(ikm: Uint8Array): void {
    const okm = this.hkdf(ikm, 3);
    this.ck = part(okm, 0);
    this.mixHash(part(okm, 1));
    this.initializeKey(part(okm, 2));
  }

  /** Before any key is mixed in, the "ciphertext" is the plaintext (§5.1 EncryptWithAd). */
  async encryptAndHash(plaintext: Uint8Array): Promise<Uint8Array> {
    const ciphertext = this.key ? await this.key.encrypt(this.n, this.h, plaintext) : plaintext.slice();
    if (this.key) this.n += 1n;
    this.mixHash(ciphertext);
    return ciphertext;
  }

  async decryptAndHash(ciphertext: Uint8Array): Promise<Uint8Array> {
    const plaintext = this.key ? await this.key.decrypt(this.n, this.h, ciphertext) : ciphertext.slice();
    if (this.key) this.n += 1n;
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** §5.2 Split: the initiator sends with the first key and receives with the second. */
  split(): { initiatorToResponder: Uint8Array; responderToInitiator: Uint8Array } {
    const okm = this.hkdf(EMPTY, 2);
    this.ck = new Uint8Array(HASH_BYTES);
    this.key = undefined;
    return { initiatorToResponder: part(okm, 0), responderToInitiator: part(okm, 1) };
  }
}

const part = (okm: Uint8Array, index: number): Uint8Array => okm.slice(index * HASH_BYTES, (index + 1) * HASH_BYTES);
