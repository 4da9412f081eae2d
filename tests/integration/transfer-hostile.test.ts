/**
 * A hostile sender: a saved contact whose browser speaks our protocol but sends pieces out of
 * range, chunks past a piece or the file's end, wrong hashes, wrong offsets and duplicates.
 * Every one is refused, nothing is written outside the transfer, the session survives, and an
 * honest run afterwards still delivers the right bytes; too many strikes fail the transfer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import { toHex } from '../../lib/bytes';
import type { FileFrame } from '../../lib/protocol/file-frame';
import { decodeFrame, encodeFrame, type Frame } from '../../lib/protocol/frame';
import type { SecureLink } from '../../lib/sessions/secure-link';
import { openTransferStore } from '../../lib/store/transfer-store';
import { MAX_STRIKES } from '../../lib/transfer/transfer';
import type { Transport } from '../../lib/transport/transport';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { type NodeUser, pairUsers, startNodeUser, waitUntil } from '../support/node-agents';
import { establishAs, openTransportAt } from '../support/node-transport';

let server: RunningSignalingServer;
const users: NodeUser[] = [];
const transports: Transport[] = [];

beforeAll(async () => {
  server = await startSignalingServer({ port: 0 });
});
afterAll(async () => {
  for (const user of users) user.agent.stop();
  for (const transport of transports) transport.stop();
  await server.close();
});

const PIECE = 16 * 1024;
const sha = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

type Hostile = {
  session: SecureLink;
  frames: Frame[];
  send(frame: Frame): void;
  /** Resolves with the next Want for `id` that arrives from now on. */
  nextWant(id: Uint8Array): Promise<number>;
};

/** Mallory is Bob's saved contact; her browser now runs our handshake and whatever frames she likes. */
async function hostileContactOf(bob: NodeUser): Promise<{ mallory: NodeUser; hostile: Hostile }> {
  const mallory = await startNodeUser(server, 'Mallory', { handshakeTimeoutMs: 5_000 });
  users.push(mallory);
  await pairUsers(mallory, bob);
  mallory.agent.stop();
  const transport = await openTransportAt(server, `tincan-t-mallory${toHex(randomBytes(4))}`);
  transports.push(transport);
  const link = await transport.dial(bob.address);
  const session = await establishAs(link, 'initiator', mallory.identity, 'Mallory');
  const frames: Frame[] = [];
  const waiters: Array<(frame: Frame) => void> = [];
  session.onFrame((bytes) => {
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) return;
    frames.push(decoded.frame);
    for (const wake of waiters.splice(0)) wake(decoded.frame);
  });
  const send = (frame: Frame) => session.send(encodeFrame(frame));
  send({ kind: 'accept' });
  const nextWant = (id: Uint8Array) =>
    new Promise<number>((resolve) => {
      const wait = (frame: Frame) => {
        if (frame.kind === 'file-want' && toHex(frame.id) === toHex(id)) resolve(frame.from);
        else waiters.push(wait);
      };
      waiters.push(wait);
    });
  const mKey = mallory.identity.identityKey;
  await waitUntil(() => bob.agent.snapshot().contacts.find((c) => c.identityKey === mKey)?.online || undefined);
  return { mallory, hostile: { session, frames, send, nextWant } };
}

function fileOf(size: number) {
  const bytes = new Uint8Array(randomBytes(size));
  const pieces = Math.ceil(size / PIECE);
  const hashes = Array.from({ length: pieces }, (_, i) => sha(bytes.subarray(i * PIECE, (i + 1) * PIECE)));
  const all = new Uint8Array(pieces * 32);
  hashes.forEach((hash, i) => {
    all.set(hash, i * 32);
  });
  return { bytes, pieces, hashes, root: sha(all) };
}

const piece = (file: ReturnType<typeof fileOf>, index: number) =>
  file.bytes.subarray(index * PIECE, (index + 1) * PIECE);

function sendPiece(hostile: Hostile, id: Uint8Array, file: ReturnType<typeof fileOf>, index: number) {
  hostile.send({ kind: 'file-piece', id, index, hash: file.hashes[index] as Uint8Array });
  hostile.send({ kind: 'file-chunk', id, index, offset: 0, bytes: piece(file, index) });
}

async function offer(bob: Agent, hostile: Hostile, file: ReturnType<typeof fileOf>, name: string): Promise<Uint8Array> {
  const id = new Uint8Array(randomBytes(16));
  const wanted = hostile.nextWant(id);
  const frame: FileFrame = {
    kind: 'file-offer',
    id,
    size: file.bytes.length,
    pieceBytes: PIECE,
    pieces: file.pieces,
    root: file.root,
    type: 'application/octet-stream',
    name,
  };
  hostile.send(frame);
  await waitUntil(() => bob.snapshot().transfers.find((t) => t.id === toHex(id))?.status === 'offered' || undefined);
  await bob.answerFile(toHex(id), true);
  expect(await wanted).toBe(0);
  return id;
}

describe('a hostile sender', () => {
  it('out-of-range pieces, chunks past a piece or the end, wrong hashes and offsets, duplicates: refused, and the file still arrives right', async () => {
    const bob = await startNodeUser(server, 'Bob', { handshakeTimeoutMs: 5_000 });
    users.push(bob);
    const { mallory, hostile } = await hostileContactOf(bob);
    // Three pieces and a short last one.
    const file = fileOf(3 * PIECE + 1_000);
    const id = await offer(bob.agent, hostile, file, 'honest-looking.bin');
    const idHex = toHex(id);

    // A chunk for a transfer Bob never accepted: ignored, no strike.
    hostile.send({
      kind: 'file-chunk',
      id: new Uint8Array(randomBytes(16)),
      index: 0,
      offset: 0,
      bytes: piece(file, 0),
    });
    // A piece beyond the announced count.
    let want = hostile.nextWant(id);
    hostile.send({ kind: 'file-piece', id, index: file.pieces, hash: file.hashes[0] as Uint8Array });
    expect(await want).toBe(0);
    // A chunk longer than its piece.
    want = hostile.nextWant(id);
    hostile.send({ kind: 'file-piece', id, index: 0, hash: file.hashes[0] as Uint8Array });
    hostile.send({ kind: 'file-chunk', id, index: 0, offset: 0, bytes: new Uint8Array(PIECE + 1) });
    expect(await want).toBe(0);
    // The right bytes under the wrong hash.
    want = hostile.nextWant(id);
    hostile.send({ kind: 'file-piece', id, index: 0, hash: file.hashes[1] as Uint8Array });
    hostile.send({ kind: 'file-chunk', id, index: 0, offset: 0, bytes: piece(file, 0) });
    expect(await want).toBe(0);
    // A chunk at the wrong offset.
    want = hostile.nextWant(id);
    hostile.send({ kind: 'file-piece', id, index: 0, hash: file.hashes[0] as Uint8Array });
    hostile.send({ kind: 'file-chunk', id, index: 0, offset: 100, bytes: piece(file, 0).subarray(100) });
    expect(await want).toBe(0);
    // Honest pieces, then the first again (a duplicate: ignored), then the last one overrunning the file's end.
    sendPiece(hostile, id, file, 0);
    sendPiece(hostile, id, file, 1);
    sendPiece(hostile, id, file, 0);
    sendPiece(hostile, id, file, 2);
    want = hostile.nextWant(id);
    hostile.send({ kind: 'file-piece', id, index: 3, hash: file.hashes[3] as Uint8Array });
    hostile.send({ kind: 'file-chunk', id, index: 3, offset: 0, bytes: new Uint8Array(2_000) });
    expect(await want).toBe(3);
    sendPiece(hostile, id, file, 3);

    await waitUntil(() => bob.agent.snapshot().transfers.find((t) => t.id === idHex)?.status === 'done' || undefined);
    const received = await bob.agent.receivedFile(idHex);
    expect(new Uint8Array(await (received as Blob).arrayBuffer())).toEqual(file.bytes);
    expect(hostile.frames).toContainEqual({ kind: 'file-have', id, upTo: file.pieces });
    expect(bob.agent.transferCounters().rejected).toMatchObject({
      'unknown-transfer': 1,
      'out-of-range': 1,
      'too-long': 2,
      'bad-hash': 1,
      'out-of-turn': 1,
    });
    expect(bob.agent.transferCounters().rejected.duplicate).toBeGreaterThanOrEqual(1);

    // Nothing was written for anything but the one transfer, and its pieces are exactly the file's.
    const store = await openTransferStore(bob.indexedDB);
    const { records } = await store.transfers();
    expect(records.map((r) => r.id)).toEqual([idHex]);
    expect(await store.pieces.count(idHex)).toBe(file.pieces);
    store.close();
    // The session survived all of it: Bob's messages still reach her.
    const mKey = mallory.identity.identityKey;
    expect(bob.agent.snapshot().contacts.find((c) => c.identityKey === mKey)?.online).toBe(true);
    await bob.agent.sendTo(mKey, 'still here?');
    await waitUntil(() => hostile.frames.some((f) => f.kind === 'chat' && f.text === 'still here?') || undefined);
  });

  it('one strike too many fails the transfer, tells the sender, and keeps none of it', async () => {
    const bob = await startNodeUser(server, 'Bob', { handshakeTimeoutMs: 5_000 });
    users.push(bob);
    const { hostile } = await hostileContactOf(bob);
    const file = fileOf(4 * PIECE);
    const id = await offer(bob.agent, hostile, file, 'damaged.bin');
    sendPiece(hostile, id, file, 0);
    // Each time after Bob asked again: what was in flight before his Want is not held against her.
    for (let strike = 0; strike <= MAX_STRIKES; strike += 1) {
      const want = hostile.nextWant(id);
      hostile.send({ kind: 'file-piece', id, index: 1, hash: file.hashes[2] as Uint8Array });
      hostile.send({ kind: 'file-chunk', id, index: 1, offset: 0, bytes: piece(file, 1) });
      if (strike < MAX_STRIKES) expect(await want).toBe(1);
    }
    const idHex = toHex(id);
    await waitUntil(() => bob.agent.snapshot().transfers.find((t) => t.id === idHex)?.status === 'failed' || undefined);
    expect(bob.agent.snapshot().transfers.find((t) => t.id === idHex)?.problem?.kind).toBe('damaged');
    await waitUntil(() => hostile.frames.some((f) => f.kind === 'file-stop' && f.reason === 'failed') || undefined);
    const store = await openTransferStore(bob.indexedDB);
    await waitUntil(async () => ((await store.pieces.count(idHex)) === 0 ? true : undefined));
    store.close();
    expect(await bob.agent.receivedFile(idHex)).toBeUndefined();
  });
});
