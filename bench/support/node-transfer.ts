/**
 * Our file transfer between Node agents (@roamhq/wrtc, the local PeerServer), for
 * bench/transfer.ts: throughput, the receiver's memory (in a process of its own), and what a cut
 * link makes the sender send twice. Files are read from disk; received pieces go to disk
 * (fs-piece-store.ts), as a browser's go to IndexedDB's blob files.
 */
import { fork } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Agent } from '../../lib/agent/agent';
import type { TransferView } from '../../lib/transfer/transfer-view';
import type { RunningSignalingServer } from '../../server/signaling-server';
import { conversationWith, type NodeUser, pairUsers, startNodeUser, waitUntil } from '../../tests/support/node-agents';
import { sleep, within } from '../connect';
import { median } from '../stats';
import { fsPieceStore } from './fs-piece-store';
import type { ReceiverCommand, ReceiverReport } from './transfer-receiver';

const MIB = 1024 * 1024;
const TRANSFER_TIMEOUT_MS = 240_000;

/** Writes `bytes` of random data to `path`, 4 MiB at a time (never the whole file in memory). */
export async function writeDiskFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const block = new Uint8Array(4 * MIB);
    for (let at = 0; at < bytes; at += block.length) {
      const size = Math.min(block.length, bytes - at);
      randomFillSync(block, 0, size);
      await handle.write(block, 0, size, at);
    }
  } finally {
    await handle.close();
  }
}

/**
 * The file on disk as a Blob the agent can keep. Node's file-backed Blob cannot be structured-
 * cloned (fake-indexeddb clones what it stores); a Blob made of it can, and is still read lazily.
 */
export async function diskBlob(path: string): Promise<Blob> {
  return new Blob([await openAsBlob(path)]);
}

const viewOf = (agent: Agent, id: string): TransferView | undefined =>
  agent.snapshot().transfers.find((t) => t.id === id);

const statusIs = (agent: Agent, id: string, wanted: TransferView['status']) =>
  viewOf(agent, id)?.status === wanted || undefined;

export type AgentRun = {
  bytes: number;
  /** From `sendFiles` until the offer is made (the sender reads and hashes the whole file). */
  prepareSeconds: number;
  /** From the receiver's accept until every piece is stored there. */
  storedSeconds: number;
  /** From the receiver's accept until the sender's view says 'done' (the receiver read it all back and checked it). */
  doneSeconds: number;
};

async function tempDir(prefix: string) {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Alice and Bob in this process, paired; Bob stores pieces in `dir`. */
export async function pairInProcess(server: RunningSignalingServer, dir: string): Promise<[NodeUser, NodeUser]> {
  const alice = await startNodeUser(server, 'Alice', { handshakeTimeoutMs: 5_000 });
  const bob = await startNodeUser(server, 'Bob', { handshakeTimeoutMs: 5_000, pieces: fsPieceStore(dir) });
  await pairUsers(alice, bob);
  return [alice, bob];
}

/**
 * Alice and Bob paired in this process, Bob's pieces in a temporary folder; Alice offers the file
 * at `path` and `run` goes on from Bob seeing the offer. Both agents stop and the folder goes after.
 */
async function withOffer<T>(
  server: RunningSignalingServer,
  path: string,
  run: (alice: NodeUser, bob: NodeUser, id: string, prepareSeconds: number) => Promise<T>,
): Promise<T> {
  const dir = await tempDir('tincan-bench-pieces-');
  const [alice, bob] = await pairInProcess(server, dir);
  try {
    const asked = performance.now();
    const [id] = await alice.agent.sendFiles(
      [bob.identity.identityKey],
      [{ blob: await diskBlob(path), name: 'bench.bin' }],
    );
    if (!id) throw new Error('no transfer was made');
    await waitUntil(() => statusIs(bob.agent, id, 'offered'), 60_000, 5);
    return await run(alice, bob, id, (performance.now() - asked) / 1000);
  } finally {
    alice.agent.stop();
    bob.agent.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One file from Alice to Bob, both in this process. */
export const agentRun = (server: RunningSignalingServer, path: string, bytes: number): Promise<AgentRun> =>
  withOffer(server, path, async (alice, bob, id, prepareSeconds) => {
    const accepted = performance.now();
    await bob.agent.answerFile(id, true);
    await waitUntil(() => (viewOf(bob.agent, id)?.bytesDone ?? 0) >= bytes || undefined, TRANSFER_TIMEOUT_MS, 5);
    const storedSeconds = (performance.now() - accepted) / 1000;
    await waitUntil(() => statusIs(alice.agent, id, 'done'), TRANSFER_TIMEOUT_MS, 5);
    return { bytes, prepareSeconds, storedSeconds, doneSeconds: (performance.now() - accepted) / 1000 };
  });

export type Resend = { bytes: number; cutAt: number; chunkBytesSent: number; how: string; seconds: number };

/**
 * Cuts the link when Bob has stored half the file (or restarts Bob's agent, same IndexedDB and
 * piece store), lets the agents find each other again, and counts the file bytes Alice put on
 * the wire (the agent's own counter of chunk bytes sent, re-sends included).
 */
export const resendRun = (
  server: RunningSignalingServer,
  path: string,
  bytes: number,
  how: 'cut' | 'restart',
): Promise<Resend> =>
  withOffer(server, path, async (alice, bob, id) => {
    const started = performance.now();
    await bob.agent.answerFile(id, true);
    const cutAt = await waitUntil(
      () => {
        const done = viewOf(bob.agent, id)?.bytesDone ?? 0;
        return done >= bytes / 2 ? done : undefined;
      },
      TRANSFER_TIMEOUT_MS,
      2,
    );
    if (how === 'cut') bob.cutLinks();
    else await bob.restart();
    await waitUntil(() => statusIs(alice.agent, id, 'done'), TRANSFER_TIMEOUT_MS, 20);
    return {
      bytes,
      cutAt,
      chunkBytesSent: alice.agent.transferCounters().chunkBytesSent,
      how: how === 'cut' ? 'link cut (both RTCPeerConnections closed)' : "receiver's agent restarted",
      seconds: (performance.now() - started) / 1000,
    };
  });

export type MemoryRun = {
  bytes: number;
  idleRss: number;
  peakRss: number;
  /** The largest of each of these seen during the transfer, for telling where memory went. */
  peakHeapUsed: number;
  peakArrayBuffers: number;
  samples: number;
  doneSeconds: number;
};

/**
 * Alice (this process) sends the file at `path` to Bob in a child process (transfer-receiver.ts)
 * that samples its own RSS. Idle: the median RSS over IDLE_MS once Bob is paired, before the
 * offer. Peak: the largest RSS from the offer until Alice's view says 'done'.
 */
export async function memoryRun(server: RunningSignalingServer, path: string, bytes: number): Promise<MemoryRun> {
  const IDLE_MS = 2_000;
  const dir = await tempDir('tincan-bench-pieces-');
  const child = fork(new URL('./transfer-receiver.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SERVER_URL: server.url, BENCH_PIECES_DIR: dir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const memory: Array<Extract<ReceiverReport, { type: 'memory' }>> = [];
  let failed: string | undefined;
  const online = new Promise<Extract<ReceiverReport, { type: 'online' }>>((resolve) => {
    child.on('message', (message: ReceiverReport) => {
      if (message.type === 'memory') memory.push(message);
      else if (message.type === 'online') resolve(message);
      else if (message.type === 'failed') failed = message.detail;
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alice: NodeUser | undefined;
  try {
    const bob = await within(online, 30_000, 'receiver online');
    alice = await startNodeUser(server, 'Alice', { handshakeTimeoutMs: 5_000 });
    const sender = alice;
    await sender.agent.connect(bob.address);
    await waitUntil(() => conversationWith(sender.agent, bob.address)?.stage === 'ready' || undefined, 30_000, 20);
    const idleFrom = Date.now();
    await sleep(IDLE_MS);
    const idleRss = median(memory.filter((m) => m.at >= idleFrom).map((m) => m.rss));
    const offeredAt = Date.now();
    const started = performance.now();
    const [id] = await sender.agent.sendFiles([bob.identityKey], [{ blob: await diskBlob(path), name: 'big.bin' }]);
    if (!id) throw new Error('no transfer was made');
    await waitUntil(() => failed ?? statusIs(sender.agent, id, 'done'), TRANSFER_TIMEOUT_MS, 20);
    if (failed) throw new Error(`receiver failed: ${failed}`);
    const doneSeconds = (performance.now() - started) / 1000;
    // One more sample after 'done', so the receiver's last moments are in.
    await sleep(250);
    const during = memory.filter((m) => m.at >= offeredAt);
    return {
      bytes,
      idleRss,
      peakRss: Math.max(...during.map((m) => m.rss)),
      peakHeapUsed: Math.max(...during.map((m) => m.heapUsed)),
      peakArrayBuffers: Math.max(...during.map((m) => m.arrayBuffers)),
      samples: during.length,
      doneSeconds,
    };
  } finally {
    alice?.agent.stop();
    if (child.connected) child.send({ type: 'stop' } satisfies ReceiverCommand);
    await within(exited, 5_000, 'receiver exit').catch(() => child.kill());
    await rm(dir, { recursive: true, force: true });
  }
}
