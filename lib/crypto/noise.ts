/**
 * The Noise Protocol Framework handshake (revision 34) over X25519, SHA-256 and AESGCM or
 * ChaChaPoly: `Noise_<pattern>_25519_<cipher>_SHA256`. Sessions use XX; the engine runs every
 * one-way, interactive and deferred pattern and the psk modifier so published vectors check it.
 *
 * A handshake is strictly one message at a time, in turn. Any failure (a short message, a tag
 * that does not verify, a low-order key) ends it: every later call throws `bad-state`, and the
 * caller starts over with a fresh Handshake on a fresh connection.
 */
import type { Curve25519 } from './curve25519';
import { checkKeyPairShape, type LocalKey, type PendingKeys, prepareKeys } from './local-keys';
import { isNoiseCipher, type NoiseCipher } from './noise-cipher';
import { NoiseError } from './noise-error';
import { type DhToken, type HandshakePattern, ownMessages, parsePattern, type Token } from './noise-patterns';
import { SymmetricState } from './noise-symmetric';
import { AEAD_TAG_BYTES, concatBytes, DH_BYTES, type KeyPair } from './primitives';
import { createTransportCipher, type TransportCiphers } from './transport-cipher';

export type { NoiseCipher } from './noise-cipher';
export { NoiseError, type NoiseErrorKind } from './noise-error';
export type { KeyPair } from './primitives';
export type { TransportCiphers } from './transport-cipher';

/** §3: every handshake message fits in 65535 bytes, payload and keys included. */
export const MAX_NOISE_MESSAGE = 65535;
const PSK_BYTES = 32;

export interface HandshakeOptions {
  /** `XX` for sessions; any pattern from noise-patterns.ts, with psk modifiers, for vectors. */
  pattern: string;
  initiator: boolean;
  cipher: NoiseCipher;
  prologue: Uint8Array;
  /** Local static key pair (X25519). */
  s?: KeyPair;
  /** Remote static public key, only for patterns where it is known beforehand (pre-message). */
  rs?: Uint8Array;
  /** Fixed ephemeral key pair: test vectors only. */
  e?: KeyPair;
  /** Which X25519 runs: the platform's choice (curve25519.ts) unless a test picks one. */
  curve?: Curve25519;
  /** One 32-byte pre-shared key per psk token, in the order the tokens occur. */
  psks?: Uint8Array[];
  randomBytes: (n: number) => Uint8Array;
}

const asNoiseError = (error: unknown): NoiseError =>
  error instanceof NoiseError
    ? error
    : new NoiseError('bad-state', error instanceof Error ? error.message : String(error));

function writesStatic(pattern: HandshakePattern, initiator: boolean): boolean {
  const pre = initiator ? pattern.initiatorPreMessage : pattern.responderPreMessage;
  return pre.length > 0 || ownMessages(pattern, initiator).some((tokens) => tokens.includes('s'));
}

export class Handshake {
  private index = 0;
  private busy = false;
  private failure: NoiseError | undefined;
  private didSplit = false;
  private sentE = false;
  /** This side's keys, each once ready (see PendingKeys). */
  private readonly local: { s?: LocalKey; e?: LocalKey } = {};
  /** Each DH token occurs at most once in a pattern; its result is started as soon as both keys are known. */
  private readonly dhResults = new Map<DhToken, Promise<Uint8Array>>();
  private re: Uint8Array | undefined;
  private rs: Uint8Array | undefined;
  private psksLeft: Uint8Array[];

  private constructor(
    private readonly pattern: HandshakePattern,
    private readonly initiator: boolean,
    private readonly cipher: NoiseCipher,
    private readonly symmetric: SymmetricState,
    private readonly s: KeyPair | undefined,
    rs: Uint8Array | undefined,
    private readonly pending: PendingKeys,
    psks: Uint8Array[],
  ) {
    this.rs = rs;
    this.psksLeft = psks;
    pending.s.then(
      (key) => this.keyReady('s', key),
      () => {},
    );
    pending.e.then(
      (key) => this.keyReady('e', key),
      () => {},
    );
  }

  /** Throws `NoiseError` (`bad-state` or `bad-key`) when the options do not fit the pattern. */
  static create(options: HandshakeOptions): Handshake {
    const pattern = parsePattern(options.pattern);
    if (!pattern) throw new NoiseError('bad-state', `unknown handshake pattern "${options.pattern}"`);
    if (!isNoiseCipher(options.cipher)) throw new NoiseError('bad-state', `unknown cipher "${options.cipher}"`);
    if (!(options.prologue instanceof Uint8Array)) throw new NoiseError('bad-state', 'prologue must be bytes');
    if (typeof options.randomBytes !== 'function') throw new NoiseError('bad-state', 'randomBytes is required');
    const initiator = options.initiator === true;

    const s = options.s ? checkKeyPairShape(options.s, 'local static key') : undefined;
    if (!s && writesStatic(pattern, initiator)) {
      throw new NoiseError('bad-key', `pattern ${pattern.name} needs a local static key`);
    }
    const remotePre = initiator ? pattern.responderPreMessage : pattern.initiatorPreMessage;
    if (remotePre.length > 0 && !options.rs) {
      throw new NoiseError('bad-key', `pattern ${pattern.name} needs the remote static key beforehand`);
    }
    if (remotePre.length === 0 && options.rs) {
      throw new NoiseError('bad-state', `pattern ${pattern.name} learns the remote static key in the handshake`);
    }
    if (options.rs && (!(options.rs instanceof Uint8Array) || options.rs.length !== DH_BYTES)) {
      throw new NoiseError('bad-key', 'remote static key must be 32 bytes');
    }
    const e = options.e ? checkKeyPairShape(options.e, 'fixed ephemeral key') : undefined;
    const psks = options.psks ?? [];
    const pskTokens = pattern.messages.flat().filter((token) => token === 'psk').length;
    if (psks.length !== pskTokens) {
      throw new NoiseError('bad-key', `pattern ${pattern.name} takes ${pskTokens} psks, got ${psks.length}`);
    }
    if (psks.some((psk) => !(psk instanceof Uint8Array) || psk.length !== PSK_BYTES)) {
      throw new NoiseError('bad-key', 'every psk must be 32 bytes');
    }

    const symmetric = new SymmetricState(options.cipher, `Noise_${pattern.name}_25519_${options.cipher}_SHA256`);
    symmetric.mixHash(options.prologue);
    const rs = options.rs?.slice();
    // §5.3: the initiator's pre-message is hashed first, then the responder's.
    for (const _ of pattern.initiatorPreMessage) symmetric.mixHash(initiator ? keyOf(s) : keyOf(rs));
    for (const _ of pattern.responderPreMessage) symmetric.mixHash(initiator ? keyOf(rs) : keyOf(s));
    const copies = psks.map((psk) => psk.slice());
    const keys = prepareKeys({ pattern, initiator, s, e, curve: options.curve, randomBytes: options.randomBytes });
    return new Handshake(pattern, initiator, options.cipher, symmetric, s, rs, keys, copies);
  }

  get isComplete(): boolean {
    return this.index >= this.pattern.messages.length;
  }

  get isMyTurn(): boolean {
    return !this.failure && !this.isComplete && (this.index % 2 === 0) === this.initiator;
  }

  remoteStatic(): Uint8Array | undefined {
    return this.rs?.slice();
  }

  handshakeHash(): Uint8Array {
    if (!this.isComplete || this.failure) throw new NoiseError('bad-state', 'the handshake is not complete');
    return this.symmetric.handshakeHash();
  }

  /**
   * The transport ciphers, oriented for this side. Only once: a second pair would reuse every
   * nonce. One-way patterns only ever send from initiator to responder.
   */
  split(rekeyInterval?: number): TransportCiphers {
    if (!this.isComplete || this.failure) throw new NoiseError('bad-state', 'the handshake is not complete');
    if (this.didSplit) throw new NoiseError('bad-state', 'the handshake was already split');
    this.didSplit = true;
    // The DH results are key material; nothing needs them once the keys are derived.
    this.dhResults.clear();
    const keys = this.symmetric.split();
    const cipher = this.cipher;
    const [send, receive] = this.initiator
      ? [keys.initiatorToResponder, keys.responderToInitiator]
      : [keys.responderToInitiator, keys.initiatorToResponder];
    return {
      send: createTransportCipher({ cipher, key: send, rekeyInterval }),
      receive: createTransportCipher({ cipher, key: receive, rekeyInterval }),
    };
  }

  async writeMessage(payload: Uint8Array): Promise<Uint8Array> {
    const tokens = this.begin('write');
    try {
      if (!(payload instanceof Uint8Array)) throw new NoiseError('bad-state', 'payload must be bytes');
      const length = this.messageLength(tokens, payload.length);
      if (length > MAX_NOISE_MESSAGE) {
        throw new NoiseError('bad-message', `a ${length}-byte handshake message is over ${MAX_NOISE_MESSAGE}`);
      }
    } catch (error) {
      this.busy = false;
      throw asNoiseError(error);
    }
    return this.step(tokens, 'write', async () => {
      const parts: Uint8Array[] = [];
      for (const token of tokens) {
        if (token === 'e') {
          const e = this.local.e;
          if (!e || this.sentE) throw new NoiseError('bad-state', 'no ephemeral key for this message');
          this.sentE = true;
          parts.push(e.publicKey);
          this.mixEphemeral(e.publicKey);
        } else if (token === 's') {
          parts.push(await this.symmetric.encryptAndHash(keyOf(this.s)));
        } else {
          await this.mixToken(token);
        }
      }
      parts.push(await this.symmetric.encryptAndHash(payload));
      return concatBytes(...parts);
    });
  }

  /** The payload; throws `NoiseError` for a message that is malformed, forged or out of turn. */
  async readMessage(message: Uint8Array): Promise<Uint8Array> {
    const tokens = this.begin('read');
    return this.step(tokens, 'read', async () => {
      if (!(message instanceof Uint8Array)) throw new NoiseError('bad-message', 'a handshake message must be bytes');
      if (message.length > MAX_NOISE_MESSAGE) throw new NoiseError('bad-message', 'handshake message too long');
      const bytes = message.slice();
      let at = 0;
      const take = (length: number): Uint8Array => {
        if (at + length > bytes.length) throw new NoiseError('bad-message', 'handshake message too short');
        at += length;
        return bytes.subarray(at - length, at);
      };
      for (const token of tokens) {
        if (token === 'e') {
          this.re = take(DH_BYTES).slice();
          this.mixEphemeral(this.re);
          this.startKnownDhs();
        } else if (token === 's') {
          const sealed = take(DH_BYTES + (this.symmetric.hasKey ? AEAD_TAG_BYTES : 0));
          this.rs = await this.symmetric.decryptAndHash(sealed);
          this.startKnownDhs();
        } else {
          await this.mixToken(token);
        }
      }
      const rest = bytes.subarray(at);
      if (this.symmetric.hasKey && rest.length < AEAD_TAG_BYTES) {
        throw new NoiseError('bad-message', 'handshake message too short for its tag');
      }
      return this.symmetric.decryptAndHash(rest);
    });
  }

  /** Checks the turn and takes the lock; the tokens of the message about to be handled. */
  private begin(direction: 'write' | 'read'): readonly Token[] {
    if (this.failure) throw new NoiseError('bad-state', `the handshake already failed (${this.failure.message})`);
    if (this.busy) throw new NoiseError('bad-state', 'a handshake message is still being processed');
    const tokens = this.pattern.messages[this.index];
    if (!tokens) throw new NoiseError('bad-state', 'the handshake is complete');
    if (this.isMyTurn !== (direction === 'write')) {
      throw new NoiseError('bad-state', `it is not this side's turn to ${direction}`);
    }
    this.busy = true;
    return tokens;
  }

  private async step(
    tokens: readonly Token[],
    direction: 'write' | 'read',
    run: () => Promise<Uint8Array>,
  ): Promise<Uint8Array> {
    try {
      // Sending a key counts as using it: a static key is checked before it goes out.
      const uses = (key: 's' | 'e') =>
        (direction === 'write' && tokens.includes(key)) ||
        tokens.some((token) => isDh(token) && this.localLetter(token) === key);
      if (uses('e')) this.keyReady('e', await this.pending.e);
      if (uses('s')) this.keyReady('s', await this.pending.s);
      this.startKnownDhs();
      const result = await run();
      this.startKnownDhs();
      this.index += 1;
      return result;
    } catch (error) {
      this.failure = asNoiseError(error);
      throw this.failure;
    } finally {
      this.busy = false;
    }
  }

  /** The exact length `writeMessage` will produce, worked out before any state changes. */
  private messageLength(tokens: readonly Token[], payloadLength: number): number {
    let keyed = this.symmetric.hasKey;
    let length = 0;
    for (const token of tokens) {
      if (token === 'e') {
        length += DH_BYTES;
        keyed ||= this.pattern.psk;
      } else if (token === 's') {
        length += DH_BYTES + (keyed ? AEAD_TAG_BYTES : 0);
      } else {
        keyed = true;
      }
    }
    return length + payloadLength + (keyed ? AEAD_TAG_BYTES : 0);
  }

  /** §9.2: in a psk handshake every ephemeral key is also mixed into the key. */
  private mixEphemeral(publicKey: Uint8Array): void {
    this.symmetric.mixHash(publicKey);
    if (this.pattern.psk) this.symmetric.mixKey(publicKey);
  }

  private async mixToken(token: DhToken | 'psk'): Promise<void> {
    if (token === 'psk') {
      const psk = this.psksLeft.shift();
      if (!psk) throw new NoiseError('bad-state', 'ran out of psks');
      this.symmetric.mixKeyAndHash(psk);
      return;
    }
    const result = this.dhResults.get(token) ?? this.startDh(token);
    if (!result) throw new NoiseError('bad-state', `no key for ${token}`);
    this.symmetric.mixKey(await result);
  }

  /**
   * A DH's result depends only on the two keys, not on the handshake state, so each is started as
   * soon as both are known: those of one message run side by side, and one the next message needs
   * runs while the caller checks this one's payload. A failure shows when the token is mixed.
   */
  private startKnownDhs(): void {
    for (const tokens of this.pattern.messages.slice(this.index)) {
      for (const token of tokens) {
        if (isDh(token) && !this.dhResults.has(token)) this.startDh(token)?.catch(() => {});
      }
    }
  }

  private keyReady(which: 's' | 'e', key: LocalKey | undefined): void {
    this.local[which] ??= key;
    if (!this.failure && !this.didSplit) this.startKnownDhs();
  }

  /** Token names are from the initiator's side: `es` is the initiator's e with the responder's s. */
  private localLetter(token: DhToken): 'e' | 's' {
    return (this.initiator ? token[0] : token[1]) === 'e' ? 'e' : 's';
  }

  private startDh(token: DhToken): Promise<Uint8Array> | undefined {
    const remoteLetter = this.initiator ? token[1] : token[0];
    const mine = this.local[this.localLetter(token)];
    const theirs = remoteLetter === 'e' ? this.re : this.rs;
    if (!mine || !theirs) return undefined;
    const result = mine.secret.sharedSecret(theirs);
    this.dhResults.set(token, result);
    return result;
  }
}

const isDh = (token: Token): token is DhToken => token !== 'e' && token !== 's' && token !== 'psk';

function keyOf(key: KeyPair | Uint8Array | undefined): Uint8Array {
  if (!key) throw new NoiseError('bad-state', 'a static key the pattern needs is missing');
  return key instanceof Uint8Array ? key : key.publicKey;
}
