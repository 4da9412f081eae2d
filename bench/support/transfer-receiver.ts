/**
 * A receiving agent in a process of its own, so that its resident memory is its own: started by
 * bench/transfer.ts with `fork` (under tsx). It comes online as "Bob" with received pieces on disk
 * (fs-piece-store.ts), accepts the first connection request and every file offer, and reports to
 * its parent over IPC: its address, then its memory every SAMPLE_MS.
 *
 * Environment: BENCH_SERVER_URL (the PeerServer's ws:// URL), BENCH_PIECES_DIR.
 */
import type { RunningSignalingServer } from '../../server/signaling-server';
import { startNodeUser } from '../../tests/support/node-agents';
import { fsPieceStore } from './fs-piece-store';

export const SAMPLE_MS = 100;

/** What the receiver tells its parent. */
export type ReceiverReport =
  | { type: 'online'; address: string; identityKey: string }
  | { type: 'memory'; at: number; rss: number; heapUsed: number; arrayBuffers: number }
  | { type: 'failed'; detail: string };

/** What the parent tells the receiver. */
export type ReceiverCommand = { type: 'stop' };

const report = (message: ReceiverReport) => process.send?.(message);

async function main() {
  const url = process.env.BENCH_SERVER_URL;
  const dir = process.env.BENCH_PIECES_DIR;
  if (!url || !dir) throw new Error('BENCH_SERVER_URL and BENCH_PIECES_DIR are needed');
  const parsed = new URL(url);
  // startNodeUser reads only the server's URL.
  const server: RunningSignalingServer = {
    host: parsed.hostname,
    port: Number(parsed.port),
    path: parsed.pathname,
    url,
    close: async () => {},
  };
  const sample = () => {
    const m = process.memoryUsage();
    report({ type: 'memory', at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers });
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  const bob = await startNodeUser(server, 'Bob', { handshakeTimeoutMs: 5_000, pieces: fsPieceStore(dir) });
  const answered = new Set<string>();
  const acceptedFiles = new Set<string>();
  bob.agent.subscribe(() => {
    const snapshot = bob.agent.snapshot();
    for (const c of snapshot.conversations) {
      if (c.stage === 'request' && !answered.has(c.address)) {
        answered.add(c.address);
        bob.agent.answerRequest(c.address, true);
      }
    }
    for (const t of snapshot.transfers) {
      if (t.direction === 'incoming' && t.status === 'offered' && !acceptedFiles.has(t.id)) {
        acceptedFiles.add(t.id);
        void bob.agent.answerFile(t.id, true);
      }
    }
  });
  report({ type: 'online', address: bob.address, identityKey: bob.identity.identityKey });
  process.on('message', (message: ReceiverCommand) => {
    if (message.type !== 'stop') return;
    clearInterval(sampler);
    bob.agent.stop();
    setTimeout(() => process.exit(0), 100);
  });
  // The parent gone means the bench is over.
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  report({ type: 'failed', detail: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  setTimeout(() => process.exit(1), 100);
});
