/**
 * An authenticated, encrypted session over one link: Noise XX, bound to the WebRTC connection
 * it runs on, and then every frame as a Noise transport message.
 *
 * The prologue binds the protocol version, both PeerJS ids and both DTLS fingerprints as each
 * side's SDP states them. A signaling server that swaps SDP (or relays between two separate
 * connections) leaves the two sides with different prologues, and the handshake fails at the
 * first encrypted message. Keys are per connection: a recorded handshake message replayed into
 * another connection meets a different prologue and fresh ephemeral keys.
 */

import { asBytes } from '../bytes';
import { verifyStaticKeyAsync } from '../crypto/identity';
import { Handshake, type NoiseCipher, NoiseError } from '../crypto/noise';
import type { TransportCiphers } from '../crypto/transport-cipher';
import { Listeners } from '../listeners';
import { MAX_FRAME_BYTES, SAFE_FRAME_BYTES } from '../protocol/frame';
import { decodeIdentityProof, encodeIdentityProof } from '../protocol/handshake-payload';
import type { Link, LinkClose } from '../transport/transport';

/** WebCrypto AES-GCM: measured many times faster than a pure-JS AEAD (bench/crypto-throughput.ts). */
export const SESSION_CIPHER: NoiseCipher = 'AESGCM';
export const PROLOGUE_LABEL = 'tincan/noise/v1';
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A Noise message 1 of XX with an empty payload is exactly one X25519 public key. */
const FIRST_MESSAGE_BYTES = 32;
const TAG_BYTES = 16;
/**
 * Messages a peer may send ahead of us during the handshake (its transport frames may follow its
 * last handshake message at once) before we stop listening.
 */
const MAX_QUEUED_HANDSHAKE_MESSAGES = 64;
/** How long a closing session waits for the peer to hang up after its last frame. */
export const CLOSE_LINGER_MS = 1_000;

export type SessionIdentity = {
  identityKey: Uint8Array;
  staticPublic: Uint8Array;
  staticSecret: Uint8Array;
  certificate: Uint8Array;
  name: string;
};

/** Who is at the other end, proven by the handshake. */
export type PeerProof = { identityKey: Uint8Array; name: string };

export type SessionFailure =
  | { kind: 'no-dtls-fingerprint'; detail: string }
  | { kind: 'handshake-timeout'; detail: string }
  /** Decryption or parsing failed: a man in the middle, a replay, or not a Tincan agent. */
  | { kind: 'handshake-failed'; detail: string }
  | { kind: 'bad-certificate'; detail: string }
  /** The initiator's check refused the responder's key; the initiator revealed nothing. */
  | { kind: 'refused-key'; detail: string }
  | { kind: 'link-closed'; detail: string };

export class SessionError extends Error {
  constructor(readonly failure: SessionFailure) {
    super(`${failure.kind}: ${failure.detail}`);
    this.name = 'SessionError';
  }
}

export interface SecureLink {
  readonly remoteAddress: string;
  readonly peer: PeerProof;
  /** Encrypts and sends one frame; frames leave in the order `send` was called. Ignored once closing. */
  send(frame: Uint8Array): void;
  /**
   * Bytes sent and not yet on the network: frames still being encrypted plus the link's buffer.
   * A bulk sender (a file) keeps this low, so a chat frame sent meanwhile waits behind little.
   */
  buffered(): number;
  /** Resolves once `buffered()` is at most `bytes` (or the session closed). */
  drained(bytes: number): Promise<void>;
  /** The largest frame (plaintext) the link carries: MAX_FRAME_BYTES, less if the peer's SCTP says so, SAFE_FRAME_BYTES if it says nothing. */
  maxFrameBytes(): number;
  /** Decrypted frames, in order; still the peer's bytes, for the frame layer to validate. */
  onFrame(listener: (frame: Uint8Array) => void): () => void;
  onClose(listener: (why: LinkClose) => void): () => void;
  close(): void;
}

export interface SessionOptions {
  role: 'initiator' | 'responder';
  identity: SessionIdentity;
  randomBytes(length: number): Uint8Array;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  timeoutMs?: number;
  /** Initiator only: decide on the responder's proven key before revealing our own. */
  checkPeer?: (peer: PeerProof) => SessionFailure | undefined;
  /** Transport messages per key before both sides rekey; tests make it small. */
  rekeyInterval?: number;
}

const utf8 = new TextEncoder();

export function sessionPrologue(parts: {
  initiatorAddress: string;
  responderAddress: string;
  initiatorFingerprints: string;
  responderFingerprints: string;
}): Uint8Array {
  const fields = [
    PROLOGUE_LABEL,
    parts.initiatorAddress,
    parts.responderAddress,
    parts.initiatorFingerprints,
    parts.responderFingerprints,
  ].map((field) => utf8.encode(field));
  const out = new Uint8Array(fields.reduce((sum, field) => sum + 2 + field.length, 0));
  let at = 0;
  for (const field of fields) {
    // Length-prefixed, so no two different tuples give the same bytes.
    new DataView(out.buffer).setUint16(at, field.length);
    out.set(field, at + 2);
    at += 2 + field.length;
  }
  return out;
}

/**
 * Runs the handshake on an open link and resolves with the session, or rejects with a
 * `SessionError` after closing the link. The dialler is the initiator.
 */
export function establishSession(link: Link, options: SessionOptions): Promise<SecureLink> {
  const initiator = options.role === 'initiator';
  // The link is closed once the handshake has settled (below): closing it here would settle the
  // race as 'link-closed' and hide the real reason.
  const fail = (failure: SessionFailure): never => {
    throw new SessionError(failure);
  };
  const fingerprints = link.dtlsFingerprints();
  if (!fingerprints) {
    link.close();
    return Promise.reject(
      new SessionError({ kind: 'no-dtls-fingerprint', detail: 'The connection has no DTLS fingerprint.' }),
    );
  }
  const prologue = sessionPrologue({
    initiatorAddress: initiator ? link.localAddress : link.remoteAddress,
    responderAddress: initiator ? link.remoteAddress : link.localAddress,
    initiatorFingerprints: initiator ? fingerprints.local : fingerprints.remote,
    responderFingerprints: initiator ? fingerprints.remote : fingerprints.local,
  });
  const handshake = Handshake.create({
    pattern: 'XX',
    initiator,
    cipher: SESSION_CIPHER,
    prologue,
    s: { publicKey: options.identity.staticPublic, secretKey: options.identity.staticSecret },
    randomBytes: options.randomBytes,
  });
  const inbox = handshakeInbox(link);
  const proof = encodeIdentityProof({
    identityKey: options.identity.identityKey,
    certificate: options.identity.certificate,
    name: options.identity.name,
  });

  const readPeerProof = async (payload: Uint8Array): Promise<PeerProof> => {
    const decoded = decodeIdentityProof(payload);
    if (!decoded.ok) return fail({ kind: 'handshake-failed', detail: decoded.detail });
    const staticKey = handshake.remoteStatic();
    const certified =
      staticKey !== undefined &&
      (await verifyStaticKeyAsync(decoded.proof.identityKey, staticKey, decoded.proof.certificate));
    if (!certified) {
      return fail({ kind: 'bad-certificate', detail: 'The peer’s key is not certified by its identity.' });
    }
    return { identityKey: decoded.proof.identityKey, name: decoded.proof.name };
  };

  const run = async (): Promise<{ peer: PeerProof; ciphers: TransportCiphers }> => {
    if (initiator) {
      link.send(await handshake.writeMessage(new Uint8Array(0)));
      const peer = await readPeerProof(await handshake.readMessage(await inbox.next()));
      const refused = options.checkPeer?.(peer);
      if (refused) return fail(refused);
      link.send(await handshake.writeMessage(proof));
      return { peer, ciphers: handshake.split(options.rekeyInterval) };
    }
    const first = await inbox.next();
    if (first.length !== FIRST_MESSAGE_BYTES) {
      return fail({ kind: 'handshake-failed', detail: 'The first message is not a Noise XX opening.' });
    }
    await handshake.readMessage(first);
    link.send(await handshake.writeMessage(proof));
    const peer = await readPeerProof(await handshake.readMessage(await inbox.next()));
    return { peer, ciphers: handshake.split(options.rekeyInterval) };
  };

  const timeoutMs = options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  let timer: unknown;
  const timedOut = new Promise<never>((_, reject) => {
    timer = options.setTimeout(
      () => reject(new SessionError({ kind: 'handshake-timeout', detail: `No handshake within ${timeoutMs} ms.` })),
      timeoutMs,
    );
  });
  return Promise.race([run(), timedOut, inbox.closed])
    .then(({ peer, ciphers }) => openSession(link, peer, ciphers, inbox.handOver(), options))
    .catch((error: unknown) => {
      link.close();
      if (error instanceof SessionError) throw error;
      const detail = error instanceof NoiseError ? `${error.kind}: ${error.message}` : String(error);
      throw new SessionError({ kind: 'handshake-failed', detail });
    })
    .finally(() => options.clearTimeout(timer));
}

/** Link messages during the handshake, one at a time, in order. */
function handshakeInbox(link: Link) {
  const queued: Uint8Array[] = [];
  let waiting: ((message: Uint8Array) => void) | undefined;
  let rejectClosed: (error: SessionError) => void = () => {};
  let handOff: ((message: Uint8Array) => void) | undefined;
  const closed = new Promise<never>((_, reject) => {
    rejectClosed = reject;
  });
  // Stops an unhandled rejection when the handshake ended another way.
  closed.catch(() => {});
  link.onClose(() =>
    rejectClosed(new SessionError({ kind: 'link-closed', detail: 'The connection closed during the handshake.' })),
  );
  const refuse = (detail: string) => {
    // Settles the handshake with the reason before the close would settle it as 'link-closed'.
    rejectClosed(new SessionError({ kind: 'handshake-failed', detail }));
    link.close();
  };
  link.onData((data) => {
    const bytes = asBytes(data);
    if (!bytes) {
      if (handOff) link.close();
      else refuse('the peer sent something other than bytes');
      return;
    }
    if (handOff) return handOff(bytes);
    if (waiting) {
      const take = waiting;
      waiting = undefined;
      return take(bytes);
    }
    queued.push(bytes);
    if (queued.length > MAX_QUEUED_HANDSHAKE_MESSAGES) refuse('the peer sent handshake messages out of turn');
  });
  return {
    closed,
    next(): Promise<Uint8Array> {
      const message = queued.shift();
      if (message) return Promise.resolve(message);
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    /** After the handshake: what is queued, then a hook for everything that follows. */
    handOver() {
      const rest = queued.splice(0);
      return (deliver: (message: Uint8Array) => void) => {
        handOff = deliver;
        for (const message of rest) deliver(message);
      };
    },
  };
}

function openSession(
  link: Link,
  peer: PeerProof,
  ciphers: TransportCiphers,
  takeMessages: (deliver: (message: Uint8Array) => void) => void,
  timers: Pick<SessionOptions, 'setTimeout' | 'clearTimeout'>,
): SecureLink {
  const frameListeners = new Listeners<[Uint8Array]>();
  let early: Uint8Array[] | undefined = [];
  let sending: Promise<void> = Promise.resolve();
  /** Bytes handed to `send` and not yet to the link (encryption is asynchronous). */
  let sealing = 0;
  /** Waiters for `sealing` to fall, woken as each frame reaches the link. */
  let sealWaiters: Array<() => void> = [];
  let receiving: Promise<void> = Promise.resolve();
  let closed = false;
  /** `close()` was called: nothing new is sent, what is queued still leaves. */
  let closing = false;
  let closeReason: LinkClose | undefined;
  let finished: LinkClose | undefined;
  const failClosed = (detail: string) => {
    if (closed) return;
    closed = true;
    // The reason reaches the listeners through the link's own close event.
    closeReason = { kind: 'failed', detail };
    link.close();
  };
  const closeListeners = new Listeners<[LinkClose]>();
  link.onClose((why) => {
    closed = true;
    finished = closeReason ?? why;
    closeListeners.emit(finished);
    closeListeners.clear();
    frameListeners.clear();
  });

  const deliver = (frame: Uint8Array) => {
    if (early) early.push(frame);
    else frameListeners.emit(frame);
  };

  takeMessages((message) => {
    if (closed) return;
    if (message.length > MAX_FRAME_BYTES + TAG_BYTES) return failClosed('an encrypted frame was too large');
    // The nonce is taken now, in arrival order; decryptions may finish in any order.
    const opened = ciphers.receive.open(message);
    receiving = receiving
      .then(() => opened)
      .then((frame) => {
        if (!closed) deliver(frame);
      })
      .catch(() => failClosed('a frame failed to decrypt'));
  });

  return {
    remoteAddress: link.remoteAddress,
    peer,
    send(frame) {
      // A session winding down takes nothing new; the reducer already knows the link is going.
      if (closed || closing) return;
      const sealed = ciphers.send.seal(frame);
      sealing += frame.length;
      sending = sending
        .then(() => sealed)
        .then((message) => {
          if (!closed) link.send(message);
        })
        .catch((error: unknown) => failClosed(`could not send: ${String(error)}`))
        .finally(() => {
          sealing -= frame.length;
          const waiters = sealWaiters;
          sealWaiters = [];
          for (const wake of waiters) wake();
        });
    },
    buffered: () => sealing + link.bufferedAmount(),
    async drained(bytes) {
      while (!closed && sealing + link.bufferedAmount() > bytes) {
        if (sealing > bytes) await new Promise<void>((wake) => sealWaiters.push(wake));
        else await link.drained(bytes - sealing);
      }
    },
    maxFrameBytes() {
      const sctp = link.maxMessageSize();
      return sctp === undefined ? SAFE_FRAME_BYTES : Math.min(MAX_FRAME_BYTES, sctp - TAG_BYTES);
    },
    onFrame(listener) {
      const remove = frameListeners.add(listener);
      const held = early;
      early = undefined;
      for (const frame of held ?? []) listener(frame);
      return remove;
    },
    onClose(listener) {
      if (finished) {
        listener(finished);
        return () => {};
      }
      return closeListeners.add(listener);
    },
    close() {
      if (closing || closed) return;
      closing = true;
      // What was sent before (a decline, say) must reach the peer, and closing a data channel
      // can drop what is still in flight: send it, then give the peer a moment to close first.
      void sending.finally(() => {
        if (closed) return;
        const timer = timers.setTimeout(() => link.close(), CLOSE_LINGER_MS);
        link.onClose(() => timers.clearTimeout(timer));
      });
    },
  };
}
