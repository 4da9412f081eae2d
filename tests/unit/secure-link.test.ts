/**
 * The session layer over in-memory links: the handshake's bindings and the attacks they stop.
 * Each attack test fails if its defence is taken out (prologue binding, certificate check,
 * the initiator's key check, decrypt-or-close).
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createIdentity, type Identity } from '../../lib/crypto/identity';
import { CHUNK_HEAD_BYTES } from '../../lib/protocol/file-frame';
import { encodeFrame, MAX_FRAME_BYTES, SAFE_FRAME_BYTES } from '../../lib/protocol/frame';
import {
  establishSession,
  type PeerProof,
  type SecureLink,
  SessionError,
  type SessionFailure,
  type SessionIdentity,
} from '../../lib/sessions/secure-link';
import { chunkBytesFor, HIGH_WATER_BYTES, LOW_WATER_BYTES, paced } from '../../lib/transfer/pacing';
import type { Link, LinkClose } from '../../lib/transport/transport';
import { type MemoryEnd, memoryLinkPair, relay } from '../support/memory-links';

const randomBytes = (n: number) => new Uint8Array(nodeRandomBytes(n));
const A = 'tincan-t-aaaaaaaaaaaaaaaa';
const B = 'tincan-t-bbbbbbbbbbbbbbbb';
const M = 'tincan-t-mmmmmmmmmmmmmmmm';

const alice = createIdentity(randomBytes);
const bob = createIdentity(randomBytes);

function asSession(identity: Identity, name: string): SessionIdentity {
  return {
    identityKey: identity.signingPublic,
    staticPublic: identity.staticPublic,
    staticSecret: identity.staticSecret,
    certificate: identity.certificate,
    name,
  };
}

function start(
  link: Link,
  role: 'initiator' | 'responder',
  identity: SessionIdentity,
  extra: {
    checkPeer?: (peer: PeerProof) => SessionFailure | undefined;
    timeoutMs?: number;
    rekeyInterval?: number;
  } = {},
) {
  return establishSession(link, {
    role,
    identity,
    randomBytes,
    setTimeout: (run, ms) => setTimeout(run, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    timeoutMs: extra.timeoutMs ?? 2_000,
    checkPeer: extra.checkPeer,
    rekeyInterval: extra.rekeyInterval,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<SessionFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SessionError) return error.failure;
    throw error;
  }
  throw new Error('the session was established');
}

function framesOf(session: SecureLink, count: number): Promise<string[]> {
  const seen: string[] = [];
  return new Promise((resolve) => {
    session.onFrame((frame) => {
      seen.push(new TextDecoder().decode(frame));
      if (seen.length === count) resolve(seen);
    });
  });
}

const text = (value: string) => new TextEncoder().encode(value);
const closedWhy = (session: SecureLink) => new Promise((resolve) => session.onClose(resolve));
const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a session between two honest agents', () => {
  it('each side learns the other’s identity key and name, and frames flow both ways in order', async () => {
    const { a, b } = memoryLinkPair({ a: A, b: B });
    const [sa, sb] = await Promise.all([
      start(a, 'initiator', asSession(alice, 'Alice')),
      start(b, 'responder', asSession(bob, 'Bob')),
    ]);
    expect(sa.peer).toEqual({ identityKey: bob.signingPublic, name: 'Bob' });
    expect(sb.peer).toEqual({ identityKey: alice.signingPublic, name: 'Alice' });
    const toBob = framesOf(sb, 50);
    const toAlice = framesOf(sa, 50);
    for (let i = 0; i < 50; i++) {
      sa.send(text(`a${i}`));
      sb.send(text(`b${i}`));
    }
    expect(await toBob).toEqual(Array.from({ length: 50 }, (_, i) => `a${i}`));
    expect(await toAlice).toEqual(Array.from({ length: 50 }, (_, i) => `b${i}`));
  });

  it('nothing travels in the clear: no sent bytes contain the frames or the names', async () => {
    const { a, b } = memoryLinkPair({ a: A, b: B });
    const [sa, sb] = await Promise.all([
      start(a, 'initiator', asSession(alice, 'Alice-secret-name')),
      start(b, 'responder', asSession(bob, 'Bob')),
    ]);
    const got = framesOf(sb, 1);
    sa.send(text('the plaintext'));
    await got;
    const wire = Buffer.concat([...a.sent, ...b.sent]).toString('latin1');
    expect(wire).not.toContain('the plaintext');
    expect(wire).not.toContain('Alice-secret-name');
  });

  it('keys roll over every few messages on both sides and the conversation goes on', async () => {
    const { a, b } = memoryLinkPair({ a: A, b: B });
    const [sa, sb] = await Promise.all([
      start(a, 'initiator', asSession(alice, 'A'), { rekeyInterval: 3 }),
      start(b, 'responder', asSession(bob, 'B'), { rekeyInterval: 3 }),
    ]);
    const got = framesOf(sb, 20);
    for (let i = 0; i < 20; i++) sa.send(text(`m${i}`));
    expect(await got).toHaveLength(20);
  });

  it('one side that does not rekey when the other does is cut off at the rekey point', async () => {
    const { a, b } = memoryLinkPair({ a: A, b: B });
    const [sa, sb] = await Promise.all([
      start(a, 'initiator', asSession(alice, 'A'), { rekeyInterval: 3 }),
      start(b, 'responder', asSession(bob, 'B'), { rekeyInterval: 1_000 }),
    ]);
    const seen: number[] = [];
    sb.onFrame(() => seen.push(seen.length));
    const why = closedWhy(sb);
    for (let i = 0; i < 6; i++) sa.send(text(`m${i}`));
    expect(await why).toEqual({ kind: 'failed', detail: 'a frame failed to decrypt' });
    expect(seen).toHaveLength(3);
  });
});

describe('attacks the handshake stops', () => {
  it('a signaling server that swapped the DTLS fingerprint in the SDP is detected; no frame is accepted', async () => {
    // B's SDP named a fingerprint other than A's real one: someone terminated DTLS in between.
    const { a, b } = memoryLinkPair({ a: A, b: B }, { seenByB: `sha-256 ${'EE:'.repeat(31)}EE` });
    const [fa, fb] = await Promise.all([
      failureOf(start(a, 'initiator', asSession(alice, 'A'))),
      failureOf(start(b, 'responder', asSession(bob, 'B'))),
    ]);
    expect(fa.kind).toBe('handshake-failed');
    expect(['handshake-failed', 'link-closed']).toContain(fb.kind);
  });

  it('a relay between two separate connections is detected by both ends', async () => {
    // A dialled M (the address it was told is B's); M dialled the real B and copies bytes across.
    const left = memoryLinkPair({ a: A, b: M }, { fingerprintB: `sha-256 ${'11:'.repeat(31)}11` });
    const right = memoryLinkPair({ a: M, b: B }, { fingerprintA: `sha-256 ${'22:'.repeat(31)}22` });
    relay(left.b, right.a);
    const [fa, fb] = await Promise.all([
      failureOf(start(left.a, 'initiator', asSession(alice, 'A'))),
      failureOf(start(right.b, 'responder', asSession(bob, 'B'))),
    ]);
    expect(fa.kind).toBe('handshake-failed');
    expect(['handshake-failed', 'link-closed']).toContain(fb.kind);
  });

  it('replayed first and third handshake messages from an earlier session are rejected', async () => {
    const first = memoryLinkPair({ a: A, b: B });
    await Promise.all([
      start(first.a, 'initiator', asSession(alice, 'A')),
      start(first.b, 'responder', asSession(bob, 'B')),
    ]);
    const [message1, message3] = [first.a.sent[0], first.a.sent[1]];
    if (!message1 || !message3) throw new Error('the first session sent no handshake');
    // Same addresses and fingerprints as before: only the replay stands between Mallory and Bob.
    const second = memoryLinkPair({ a: A, b: B });
    const bobSide = start(second.b, 'responder', asSession(bob, 'B'));
    second.a.inject(message1);
    await tick();
    second.a.inject(message3);
    expect((await failureOf(bobSide)).kind).toBe('handshake-failed');
  });

  it('a key not certified by the identity it claims is refused', async () => {
    const forged: SessionIdentity = { ...asSession(alice, 'Mallory'), identityKey: bob.signingPublic };
    const { a, b } = memoryLinkPair({ a: A, b: B });
    const [fa] = await Promise.all([
      failureOf(start(a, 'initiator', asSession(alice, 'A'))),
      failureOf(start(b, 'responder', forged)),
    ]);
    expect(fa.kind).toBe('bad-certificate');
  });

  it('an initiator that refuses the key it reached reveals nothing of itself', async () => {
    const { a, b } = memoryLinkPair({ a: A, b: B });
    const refusal: SessionFailure = { kind: 'refused-key', detail: 'not the contact' };
    const [fa, fb] = await Promise.all([
      failureOf(start(a, 'initiator', asSession(alice, 'Alice'), { checkPeer: () => refusal })),
      failureOf(start(b, 'responder', asSession(bob, 'B'))),
    ]);
    expect(fa).toEqual(refusal);
    expect(fb.kind).toBe('link-closed');
    // Message 1 only: Alice's static key and name never left.
    expect(a.sent).toHaveLength(1);
  });

  it('a peer that sends a chat frame instead of a handshake is disconnected', async () => {
    const { a, b } = memoryLinkPair({ a: A, b: B });
    const bobSide = start(b, 'responder', asSession(bob, 'B'));
    a.send(
      encodeFrame({
        kind: 'chat',
        id: new Uint8Array(16),
        stream: 7,
        seq: 1,
        floor: 1,
        sentAt: 1,
        text: 'hi, no handshake',
      }),
    );
    expect((await failureOf(bobSide)).kind).toBe('handshake-failed');
    expect(b.isClosed).toBe(true);
  });

  it('a peer that never answers is dropped when the handshake times out', async () => {
    const { a } = memoryLinkPair({ a: A, b: B });
    const failure = await failureOf(start(a, 'initiator', asSession(alice, 'A'), { timeoutMs: 100 }));
    expect(failure.kind).toBe('handshake-timeout');
    expect(a.isClosed).toBe(true);
  });

  it('a link with no DTLS fingerprint to bind to is refused', async () => {
    const { a } = memoryLinkPair({ a: A, b: B });
    const bare: MemoryEnd = { ...a, dtlsFingerprints: () => undefined };
    expect((await failureOf(start(bare, 'initiator', asSession(alice, 'A')))).kind).toBe('no-dtls-fingerprint');
  });
});

describe('bytes after the handshake', () => {
  async function established() {
    const { a, b } = memoryLinkPair({ a: A, b: B });
    const [sa, sb] = await Promise.all([
      start(a, 'initiator', asSession(alice, 'A')),
      start(b, 'responder', asSession(bob, 'B')),
    ]);
    return { a, b, sa, sb };
  }

  it.each<[string, unknown, LinkClose]>([
    ['garbage', Uint8Array.from({ length: 40 }, (_, i) => i), { kind: 'failed', detail: 'a frame failed to decrypt' }],
    [
      'a plaintext frame',
      encodeFrame({
        kind: 'chat',
        id: new Uint8Array(16),
        stream: 7,
        seq: 1,
        floor: 1,
        sentAt: 1,
        text: 'in the clear',
      }),
      { kind: 'failed', detail: 'a frame failed to decrypt' },
    ],
    // Not bytes at all: the link is dropped before any decryption is tried.
    ['a string', 'hello', { kind: 'closed' }],
    [
      'an oversized message',
      new Uint8Array(MAX_FRAME_BYTES + 16 + 1),
      { kind: 'failed', detail: 'an encrypted frame was too large' },
    ],
  ])('%s closes the session without delivering anything', async (_, bytes, reason) => {
    const { a, sb } = await established();
    const seen: Uint8Array[] = [];
    sb.onFrame((frame) => seen.push(frame));
    const why = closedWhy(sb);
    a.inject(bytes);
    expect(await why).toEqual(reason);
    expect(seen).toEqual([]);
  });

  it('a recorded transport message replayed later is rejected', async () => {
    const { a, sa, sb } = await established();
    const got = framesOf(sb, 1);
    sa.send(text('once'));
    await got;
    const recorded = a.sent.at(-1);
    const why = closedWhy(sb);
    a.inject(recorded);
    expect(await why).toEqual({ kind: 'failed', detail: 'a frame failed to decrypt' });
  });
});

/**
 * A link whose send buffer the test sets, as a data channel's `bufferedAmount` rises and falls;
 * with `holdsSent`, what is sent stays in it (a channel not draining) until the test lowers it.
 * `drained` keeps the Link contract: resolves once at or below the mark, or once closed.
 */
function bufferedLink(end: MemoryEnd, options: { maxMessageSize?: number; holdsSent?: boolean } = {}) {
  let amount = 0;
  let waiters: Array<{ bytes: number; wake: () => void }> = [];
  const settle = () => {
    const still = waiters.filter((w) => !(end.isClosed || amount <= w.bytes));
    for (const w of waiters) if (!still.includes(w)) w.wake();
    waiters = still;
  };
  end.onClose(settle);
  const link: MemoryEnd = {
    ...end,
    send(bytes) {
      if (options.holdsSent) amount += bytes.length;
      end.send(bytes);
    },
    bufferedAmount: () => amount,
    drained: (bytes) =>
      end.isClosed || amount <= bytes ? Promise.resolve() : new Promise((wake) => waiters.push({ bytes, wake })),
    maxMessageSize: () => options.maxMessageSize,
  };
  return {
    link,
    setBuffered(bytes: number) {
      amount = bytes;
      settle();
    },
  };
}

describe('what a file sender paces by: bytes buffered, drained, the largest frame', () => {
  async function established(options: { maxMessageSize?: number; holdsSent?: boolean } = {}) {
    const { a, b } = memoryLinkPair({ a: A, b: B });
    const controlled = bufferedLink(a, options);
    const [sa, sb] = await Promise.all([
      start(controlled.link, 'initiator', asSession(alice, 'A')),
      start(b, 'responder', asSession(bob, 'B')),
    ]);
    // The handshake's own messages are on the network by now.
    controlled.setBuffered(0);
    return { ...controlled, a, b, sa, sb };
  }
  const settled = (promise: Promise<unknown>) => {
    let done = false;
    void promise.then(() => {
      done = true;
    });
    return () => done;
  };

  it('buffered() is the link’s buffer when nothing is being encrypted', async () => {
    const { sa, setBuffered } = await established();
    expect(sa.buffered()).toBe(0);
    setBuffered(123_456);
    expect(sa.buffered()).toBe(123_456);
  });

  it('a frame counts from send() until it reaches the link, and then in the link’s buffer, sealed', async () => {
    const { sa, sb, setBuffered } = await established({ holdsSent: true });
    setBuffered(1000);
    const arrived = framesOf(sb, 2);
    sa.send(new Uint8Array(40_000));
    sa.send(new Uint8Array(20_000));
    expect(sa.buffered()).toBe(61_000);
    await arrived;
    // Each with its 16-byte tag.
    expect(sa.buffered()).toBe(1000 + 40_016 + 20_016);
  });

  it('drained() resolves at once when the session holds no more than asked', async () => {
    const { sa, setBuffered } = await established();
    setBuffered(50_000);
    await sa.drained(50_000);
    await sa.drained(1_000_000);
  });

  it('drained() waits for the link’s buffer to fall to the mark, not just to fall', async () => {
    const { sa, setBuffered } = await established();
    setBuffered(2_000_000);
    const done = settled(sa.drained(LOW_WATER_BYTES));
    await tick();
    expect(done()).toBe(false);
    setBuffered(LOW_WATER_BYTES + 1);
    await tick();
    expect(done()).toBe(false);
    setBuffered(LOW_WATER_BYTES);
    await tick();
    expect(done()).toBe(true);
  });

  it('drained() waits for frames still being encrypted, whatever the link holds', async () => {
    const { sa, sb } = await established();
    const arrived = framesOf(sb, 20);
    for (let i = 0; i < 20; i += 1) sa.send(new Uint8Array(30_000).fill(i));
    expect(sa.buffered()).toBe(600_000);
    await sa.drained(0);
    expect(sa.buffered()).toBe(0);
    await arrived;
  });

  it('drained() counts frames being encrypted and the link’s buffer together', async () => {
    const { sa, setBuffered } = await established({ holdsSent: true });
    setBuffered(60_000);
    sa.send(new Uint8Array(30_000));
    // 30 000 being sealed, then in the link beside 60 000: above 80 000 until the link drains.
    const done = settled(sa.drained(80_000));
    await tick();
    expect(sa.buffered()).toBe(90_016);
    expect(done()).toBe(false);
    // (It may wait longer than it must: for the link to fall by what was being sealed when asked.)
    setBuffered(40_000);
    await tick();
    expect(done()).toBe(true);
  });

  it('drained() resolves when the session closes with bytes still buffered (a sender is never stuck)', async () => {
    const { sa, b, setBuffered } = await established();
    setBuffered(5_000_000);
    const done = settled(sa.drained(0));
    await tick();
    expect(done()).toBe(false);
    b.close();
    await tick();
    expect(done()).toBe(true);
  });

  it.each([
    ['a link that does not say', undefined, SAFE_FRAME_BYTES],
    ['a 64 KiB SCTP limit', 65_536, 65_536 - 16],
    ['a 256 KiB SCTP limit', 262_144, MAX_FRAME_BYTES],
    ['no limit (Infinity)', Number.POSITIVE_INFINITY, MAX_FRAME_BYTES],
    ['a 16 KiB SCTP limit', 16_384, 16_384 - 16],
  ])('the largest frame on %s is %i bytes, and a chunk that size still fits once sealed', async (_, sctp, largest) => {
    const { sa, sb, a } = await established({ maxMessageSize: sctp });
    expect(sa.maxFrameBytes()).toBe(largest);
    const chunk = chunkBytesFor(sa);
    expect(chunk).toBe(largest - CHUNK_HEAD_BYTES);
    const frame = encodeFrame({
      kind: 'file-chunk',
      id: new Uint8Array(16),
      index: 0,
      offset: 0,
      bytes: new Uint8Array(chunk),
    });
    expect(frame.length).toBe(largest);
    const arrived = new Promise<Uint8Array>((resolve) => sb.onFrame(resolve));
    sa.send(frame);
    expect(await arrived).toEqual(frame);
    // Sealed, it is within what the peer's SCTP takes.
    expect(a.sent.at(-1)?.length).toBeLessThanOrEqual(sctp ?? 65_535);
  });

  it('a preferred chunk size smaller than the frame wins; a larger one does not', async () => {
    const { sa } = await established();
    expect(chunkBytesFor(sa, 4096)).toBe(4096);
    expect(chunkBytesFor(sa, 10_000_000)).toBe(SAFE_FRAME_BYTES - CHUNK_HEAD_BYTES);
  });

  it('a sender paced by the session sends at once below the high mark, and waits for the low mark above it', async () => {
    const { sa, setBuffered } = await established();
    setBuffered(HIGH_WATER_BYTES);
    await paced(sa);
    setBuffered(HIGH_WATER_BYTES + 1);
    const done = settled(paced(sa));
    await tick();
    expect(done()).toBe(false);
    setBuffered(LOW_WATER_BYTES + 1);
    await tick();
    expect(done()).toBe(false);
    setBuffered(LOW_WATER_BYTES);
    await tick();
    expect(done()).toBe(true);
  });
});
