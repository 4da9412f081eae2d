/**
 * File transfer between real agents over real WebRTC and a real PeerServer: a large file
 * arrives whole (SHA-256 equal), resumes after a cut with little re-sent, goes to several
 * contacts at once, and can be declined or cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import { openTransferStore, type PieceStore } from '../../lib/store/transfer-store';
import type { TransferView } from '../../lib/transfer/transfer-view';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { type NodeUser, pairUsers, startNodeUser, waitUntil } from '../support/node-agents';
import { patternFile, sha256Of } from '../support/pattern-file';

let server: RunningSignalingServer;
const users: NodeUser[] = [];

beforeAll(async () => {
  server = await startSignalingServer({ port: 0 });
});
afterAll(async () => {
  for (const user of users) user.agent.stop();
  await server.close();
});

async function user(name: string): Promise<NodeUser> {
  const started = await startNodeUser(server, name, { handshakeTimeoutMs: 5_000 });
  users.push(started);
  return started;
}

function transfer(agent: Agent, id: string): TransferView | undefined {
  return agent.snapshot().transfers.find((t) => t.id === id);
}

const status = (agent: Agent, id: string, wanted: TransferView['status']) =>
  transfer(agent, id)?.status === wanted ? true : undefined;

describe('a file between two contacts', () => {
  it('100 MiB arrives whole: the SHA-256 of what Bob holds is the file’s', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    await pairUsers(alice, bob);
    const file = patternFile(100 * 1024 * 1024);
    const started = Date.now();
    const [id] = await alice.agent.sendFiles(
      [bob.identity.identityKey],
      [{ blob: file, name: 'big.bin', type: 'application/octet-stream' }],
    );
    if (!id) throw new Error('no transfer');
    await waitUntil(() => status(bob.agent, id, 'offered'));
    expect(transfer(bob.agent, id)).toMatchObject({ direction: 'incoming', name: 'big.bin', size: file.size });
    await bob.agent.answerFile(id, true);
    await waitUntil(() => status(alice.agent, id, 'done'), 120_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`100 MiB in ${seconds.toFixed(1)} s`);
    const received = await bob.agent.receivedFile(id);
    expect(received?.size).toBe(file.size);
    expect(await sha256Of(received as Blob)).toBe(await sha256Of(file));
  }, 180_000);
});

/** The first user paired with each of the others. */
async function pair(first: string, second: string, ...more: string[]): Promise<[NodeUser, NodeUser, ...NodeUser[]]> {
  const a = await user(first);
  const others = [await user(second)];
  for (const name of more) others.push(await user(name));
  for (const other of others) await pairUsers(a, other);
  return [a, ...(others as [NodeUser, ...NodeUser[]])];
}

const bytesOf = (agent: Agent, id: string) => transfer(agent, id)?.bytesDone ?? 0;

describe('a transfer that is cut, declined or cancelled', () => {
  it('the link dies at about half way: it resumes when the contacts reconnect, re-sending under 5%', async () => {
    const [alice, bob] = await pair('Alice', 'Bob');
    const size = 100 * 1024 * 1024;
    const file = patternFile(size, 7);
    const [id] = await alice.agent.sendFiles([bob.identity.identityKey], [{ blob: file, name: 'cut.bin' }]);
    if (!id) throw new Error('no transfer');
    await waitUntil(() => status(bob.agent, id, 'offered'));
    await bob.agent.answerFile(id, true);
    await waitUntil(() => bytesOf(bob.agent, id) >= size / 2 || undefined, 60_000, 5);
    expect(bob.cutLinks()).toBeGreaterThan(0);
    // Both notice; the transfer waits, then Alice re-dials Bob's address and it goes on.
    await waitUntil(() => status(alice.agent, id, 'waiting'), 30_000, 20);
    await waitUntil(() => status(alice.agent, id, 'done'), 120_000);
    const received = await bob.agent.receivedFile(id);
    expect(await sha256Of(received as Blob)).toBe(await sha256Of(file));
    const sent = alice.agent.transferCounters().chunkBytesSent;
    const resent = (sent - size) / size;
    console.log(`cut at half: ${(sent - size) / 1024 / 1024} MiB re-sent (${(resent * 100).toFixed(2)}%)`);
    expect(resent).toBeLessThan(0.05);
  }, 180_000);

  it('the receiver’s browser restarts mid-transfer: what it stored is not sent again', async () => {
    const [alice, bob] = await pair('Alice', 'Bob');
    const size = 40 * 1024 * 1024;
    const file = patternFile(size, 9);
    const [id] = await alice.agent.sendFiles([bob.identity.identityKey], [{ blob: file, name: 'restart.bin' }]);
    if (!id) throw new Error('no transfer');
    await waitUntil(() => status(bob.agent, id, 'offered'));
    await bob.agent.answerFile(id, true);
    await waitUntil(() => bytesOf(bob.agent, id) >= size / 2 || undefined, 60_000, 5);
    await bob.restart();
    await waitUntil(() => status(alice.agent, id, 'done'), 120_000);
    expect(await sha256Of((await bob.agent.receivedFile(id)) as Blob)).toBe(await sha256Of(file));
    // Lost at most what was in flight (the window) and the pieces not yet stored.
    expect(alice.agent.transferCounters().chunkBytesSent - size).toBeLessThan(size * 0.25);
  }, 180_000);

  it('the sender’s browser restarts mid-transfer: it offers again from its stored copy and Bob resumes', async () => {
    const [alice, bob] = await pair('Alice', 'Bob');
    const size = 40 * 1024 * 1024;
    const file = patternFile(size, 11);
    const [id] = await alice.agent.sendFiles([bob.identity.identityKey], [{ blob: file, name: 'sender-restart.bin' }]);
    if (!id) throw new Error('no transfer');
    await waitUntil(() => status(bob.agent, id, 'offered'));
    await bob.agent.answerFile(id, true);
    await waitUntil(() => bytesOf(bob.agent, id) >= size / 2 || undefined, 60_000, 5);
    const before = alice.agent.transferCounters().chunkBytesSent;
    await alice.restart();
    await waitUntil(() => status(alice.agent, id, 'done'), 120_000);
    expect(await sha256Of((await bob.agent.receivedFile(id)) as Blob)).toBe(await sha256Of(file));
    // The new agent sent only what Bob did not hold: about the second half, not the whole file again.
    const after = alice.agent.transferCounters().chunkBytesSent;
    expect(after).toBeLessThan(size - before / 2);
    expect(before + after - size).toBeLessThan(size * 0.25);
  }, 180_000);

  it('chat stays responsive while a file streams: a message sent mid-transfer arrives before the file does', async () => {
    const [alice, bob] = await pair('Alice', 'Bob');
    const size = 100 * 1024 * 1024;
    const [id] = await alice.agent.sendFiles(
      [bob.identity.identityKey],
      [{ blob: patternFile(size, 5), name: 'busy.bin' }],
    );
    if (!id) throw new Error('no transfer');
    await waitUntil(() => status(bob.agent, id, 'offered'));
    await bob.agent.answerFile(id, true);
    await waitUntil(() => bytesOf(bob.agent, id) >= size / 10 || undefined, 60_000, 5);
    const sentAt = Date.now();
    await alice.agent.sendTo(bob.identity.identityKey, 'are you there?');
    const chatOf = () => bob.agent.snapshot().chats.find((c) => c.contactKey === alice.identity.identityKey);
    await waitUntil(() => chatOf()?.messages.some((m) => m.text === 'are you there?') || undefined, 30_000, 5);
    const latency = Date.now() - sentAt;
    console.log(
      `chat during a transfer: ${latency} ms, file at ${((bytesOf(bob.agent, id) / size) * 100).toFixed(0)}%`,
    );
    expect(status(bob.agent, id, 'moving')).toBe(true);
    await waitUntil(() => status(alice.agent, id, 'done'), 120_000);
  }, 180_000);

  it('one file to three contacts at once: each gets it whole, over its own session', async () => {
    const [alice, ...receivers] = await pair('Alice', 'Bob', 'Carol', 'Dave');
    const file = patternFile(24 * 1024 * 1024, 3);
    const keys = receivers.map((r) => r.identity.identityKey);
    const ids = await alice.agent.sendFiles(keys, [{ blob: file, name: 'team.bin', type: 'application/x-test' }]);
    expect(new Set(ids).size).toBe(3);
    for (const [index, receiver] of receivers.entries()) {
      const id = ids[index] as string;
      await waitUntil(() => status(receiver.agent, id, 'offered'));
      expect(transfer(receiver.agent, id)).toMatchObject({
        contactKey: alice.identity.identityKey,
        type: 'application/x-test',
      });
      await receiver.agent.answerFile(id, true);
    }
    await waitUntil(() => ids.every((id) => status(alice.agent, id, 'done')), 120_000);
    const expected = await sha256Of(file);
    for (const [index, receiver] of receivers.entries())
      expect(await sha256Of((await receiver.agent.receivedFile(ids[index] as string)) as Blob)).toBe(expected);
  }, 180_000);

  it('a receiver that declines: the sender sees it, and nothing is sent or kept', async () => {
    const [alice, bob] = await pair('Alice', 'Bob');
    const [id] = await alice.agent.sendFiles(
      [bob.identity.identityKey],
      [{ blob: patternFile(4 * 1024 * 1024), name: 'no.bin' }],
    );
    if (!id) throw new Error('no transfer');
    await waitUntil(() => status(bob.agent, id, 'offered'));
    await bob.agent.answerFile(id, false);
    await waitUntil(() => status(alice.agent, id, 'declined'));
    expect(transfer(bob.agent, id)?.status).toBe('declined');
    expect(alice.agent.transferCounters().chunkBytesSent).toBe(0);
    expect(await bob.agent.receivedFile(id)).toBeUndefined();
  });

  it('a sender that cancels mid-transfer: both sides stop, and the receiver keeps nothing', async () => {
    const [alice, bob] = await pair('Alice', 'Bob');
    const size = 60 * 1024 * 1024;
    const [id] = await alice.agent.sendFiles(
      [bob.identity.identityKey],
      [{ blob: patternFile(size), name: 'stop.bin' }],
    );
    if (!id) throw new Error('no transfer');
    await waitUntil(() => status(bob.agent, id, 'offered'));
    await bob.agent.answerFile(id, true);
    await waitUntil(() => bytesOf(bob.agent, id) > 0 || undefined, 30_000, 5);
    await alice.agent.cancelFile(id);
    await waitUntil(() => status(bob.agent, id, 'cancelled'));
    expect(transfer(alice.agent, id)?.status).toBe('cancelled');
    const sentAtCancel = alice.agent.transferCounters().chunkBytesSent;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(alice.agent.transferCounters().chunkBytesSent).toBe(sentAtCancel);
    expect(sentAtCancel).toBeLessThan(size);
    const store = await openTransferStore(bob.indexedDB);
    await waitUntil(async () => (await store.pieces.count(id)) === 0 || undefined);
    store.close();
  });
});

/**
 * Pieces in memory, as stored; but the file read back for the final check has one byte of
 * piece 1 changed, as a disk that went bad after each piece passed its check on arrival.
 */
function piecesThatRotOnDisk(): PieceStore {
  const stored = new Map<string, Array<{ bytes: Uint8Array; hash: Uint8Array }>>();
  const of = (id: string) => stored.get(id) ?? [];
  return {
    async put(id, index, bytes, hash) {
      const pieces = of(id);
      pieces[index] = { bytes: bytes.slice(), hash };
      stored.set(id, pieces);
    },
    count: async (id) => of(id).length,
    hashes: async (id, count) =>
      of(id)
        .slice(0, count)
        .map((p) => p.hash),
    async file(id, type) {
      const parts = of(id).map((p, index) => {
        if (index !== 1) return p.bytes;
        const rotten = p.bytes.slice();
        rotten[100] = (rotten[100] ?? 0) ^ 0xff;
        return rotten;
      });
      return new Blob(parts as BlobPart[], { type });
    },
    remove: async (id) => void stored.delete(id),
  };
}

describe('the final check', () => {
  it('a piece that changed in storage after its check fails the transfer: it is never offered as complete', async () => {
    const alice = await user('Alice');
    const bob = await startNodeUser(server, 'Bob', { handshakeTimeoutMs: 5_000, pieces: piecesThatRotOnDisk() });
    users.push(bob);
    await pairUsers(alice, bob);
    const [id] = await alice.agent.sendFiles(
      [bob.identity.identityKey],
      [{ blob: patternFile(3 * 1024 * 1024), name: 'rot.bin' }],
    );
    if (!id) throw new Error('no transfer');
    await waitUntil(() => status(bob.agent, id, 'offered'));
    await bob.agent.answerFile(id, true);
    await waitUntil(() => status(bob.agent, id, 'failed'), 30_000);
    expect(transfer(bob.agent, id)?.problem).toEqual({ kind: 'damaged', detail: 'A stored piece changed on disk.' });
    expect(await bob.agent.receivedFile(id)).toBeUndefined();
    await waitUntil(() => status(alice.agent, id, 'failed'), 30_000);
  });
});
