/**
 * The two ciphers a finished handshake leaves behind (Noise spec §5.1 CipherState, §11.3 rekey).
 *
 * The nonce is a counter taken synchronously when `seal`/`open` is called, so a caller may start
 * several without awaiting and each still gets its own nonce, in call order; the promises also
 * settle in call order. Nonces live in memory only: a cipher is never restored from storage, so
 * a nonce is never used twice under one key.
 *
 * Noise limits a transport message to 65535 bytes because its reference framing is a 16-bit
 * length. Our messages ride on WebRTC data channel messages, which frame themselves, so this file
 * does not impose that limit: the frame layer bounds sizes (MAX_FRAME_BYTES plus the tag).
 */
import { MAX_NONCE, type NoiseCipher, NoiseKey } from './noise-cipher';
import { NoiseError } from './noise-error';

export interface TransportCipher {
  /** Ciphertext = plaintext + 16-byte tag, AD empty. */
  seal(plaintext: Uint8Array): Promise<Uint8Array>;
  /** Rejects with `NoiseError('decrypt-failed')`; after that every call rejects. */
  open(ciphertext: Uint8Array): Promise<Uint8Array>;
  /** Nonces taken so far (calls made), including ones still in flight. */
  readonly messages: number;
}

export type TransportCiphers = { send: TransportCipher; receive: TransportCipher };

/**
 * Both ends apply REKEY after this many messages in each direction, with no signalling, so the
 * value is part of the wire protocol: changing it needs a new protocol version in the prologue.
 *
 * Why 2^16: AES-256-GCM and ChaChaPoly with counter nonces need no rekeying for safety at any
 * volume we reach (a session is one connection), so this only bounds what one key read out of
 * a running process opens of traffic recorded earlier: 2^16 frames, at most 4 GiB of a file
 * transfer. A tighter bound buys little here, since chat history is kept at rest anyway. The
 * cost is no reason either way: one rekey takes about 0.2 ms (bench/crypto-throughput.ts), under
 * 0.01% of the time to move 2^16 frames.
 */
export const DEFAULT_REKEY_INTERVAL = 2 ** 16;

const EMPTY = new Uint8Array(0);

export type TransportCipherOptions = {
  cipher: NoiseCipher;
  key: Uint8Array;
  rekeyInterval?: number;
  /** Tests only: start the counter near 2^64 - 1 to see exhaustion refused. */
  firstNonce?: bigint;
};

export function createTransportCipher(options: TransportCipherOptions): TransportCipher {
  return new CounterCipher(options);
}

class CounterCipher implements TransportCipher {
  private nextNonce: bigint;
  private readonly interval: bigint;
  private generation: bigint;
  /** The key for `generation`, once known; until then `pending` resolves to it. */
  private key: NoiseKey | undefined;
  private pending: Promise<NoiseKey>;
  /** Settles when the previous call has; rejects once any call has failed. */
  private tail: Promise<void> = Promise.resolve();
  private failure: NoiseError | undefined;
  private count = 0;

  constructor(options: TransportCipherOptions) {
    const interval = options.rekeyInterval ?? DEFAULT_REKEY_INTERVAL;
    if (!Number.isSafeInteger(interval) || interval < 1) {
      throw new RangeError(`rekey interval must be a positive integer, got ${interval}`);
    }
    this.interval = BigInt(interval);
    this.nextNonce = options.firstNonce ?? 0n;
    if (this.nextNonce < 0n || this.nextNonce > MAX_NONCE) throw new RangeError('first nonce is out of range');
    const key = new NoiseKey(options.cipher, options.key);
    this.key = key;
    this.pending = Promise.resolve(key);
    this.generation = this.nextNonce / this.interval;
  }

  get messages(): number {
    return this.count;
  }

  seal(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.run(plaintext, (key, n, input) => key.encrypt(n, EMPTY, input), 'seal');
  }

  open(ciphertext: Uint8Array): Promise<Uint8Array> {
    return this.run(ciphertext, (key, n, input) => key.decrypt(n, EMPTY, input), 'open');
  }

  private run(
    input: Uint8Array,
    operate: (key: NoiseKey, n: bigint, input: Uint8Array) => Promise<Uint8Array>,
    what: 'seal' | 'open',
  ): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    if (!(input instanceof Uint8Array)) return Promise.reject(new TypeError(`${what} input must be a Uint8Array`));
    if (this.nextNonce >= MAX_NONCE) {
      // §5.1: the counter must not wrap; the session has to end (and a new handshake start).
      return Promise.reject(new NoiseError('bad-state', 'this cipher has used every nonce'));
    }
    const n = this.nextNonce;
    this.nextNonce += 1n;
    this.count += 1;
    this.advanceTo(n / this.interval);

    // With the key at hand the AEAD runs now and copies the input itself; otherwise copy it
    // before waiting, so the caller may reuse its buffer as soon as this returns.
    const key = this.key;
    const waiting = key ? undefined : input.slice();
    const attempt = key ? operate(key, n, input) : this.pending.then((k) => operate(k, n, waiting ?? input));
    attempt.catch(() => {});
    // An earlier failure rejects this call too: nothing after a bad frame is delivered.
    const settled = this.tail
      .then(() => attempt)
      .catch((error: unknown) => {
        const failure =
          what === 'open'
            ? new NoiseError('decrypt-failed', 'a transport message failed to decrypt; the session is over')
            : error instanceof NoiseError
              ? error
              : new NoiseError('bad-state', `seal failed: ${String(error)}`);
        this.failure ??= failure;
        throw this.failure;
      });
    this.tail = settled.then(() => undefined);
    this.tail.catch(() => {});
    return settled;
  }

  /** REKEY once per interval crossed; both ends cross at the same message count. */
  private advanceTo(generation: bigint): void {
    while (this.generation < generation) {
      const previous = this.pending;
      this.pending = previous.then((key) => key.rekey());
      this.key = undefined;
      const next = this.pending;
      next.then(
        (key) => {
          if (this.pending === next) this.key = key;
        },
        () => {},
      );
      this.generation += 1n;
    }
  }
}
