/**
 * `npm run bench:transfer`: our encrypted file transfer against the raw data channel, the
 * receiver's memory for a 1 GiB file, and what a cut link costs — Node↔Node, then
 * Chromium↔Chromium, in one run on this machine. Run inside a network namespace with only
 * loopback (scripts/in-network-namespace.ts; the npm script does it), so nothing leaves it.
 *
 * Node↔Node (@roamhq/wrtc, one local PeerServer on 127.0.0.1, `iceServers: []`):
 *  raw       Two RTCPeerConnections in this process joined directly, one ordered data channel,
 *            unencrypted bytes from memory, paced by `bufferedAmount` (polled every 1 ms: wrtc
 *            has no 'bufferedamountlow'): send while at most HIGH is buffered, then wait until
 *            at most LOW. Every chunk size × water marks below, RAW_RUNS runs each; the best
 *            median is the baseline. MiB/s from the first send until the last byte arrived.
 *  ours      Two agents in this process (startNodeUser, paired), the same file size, read from a
 *            file on disk; the receiver stores pieces on disk (bench/support/fs-piece-store.ts).
 *            From the receiver's accept until the sender's view says 'done' (the receiver has
 *            stored every piece, read the file back and checked it against the offer's root);
 *            also until the last piece was stored. Hashing the file before the offer is not in
 *            either (printed apart). AGENT_RUNS runs; the median.
 *  memory    A 1 GiB file on disk, sent from this process to a receiving agent in a child process
 *            (bench/support/transfer-receiver.ts) that stores pieces on disk and samples its own
 *            RSS every 100 ms: peak during the transfer minus idle (paired, before the offer).
 *  resend    100 MiB; at half (the receiver's stored bytes), both RTCPeerConnections of the link
 *            are closed (NodeUser.cutLinks); the agents meet again and the transfer resumes.
 *            Re-sent: the sender agent's count of file bytes put in chunks (re-sends included,
 *            `transferCounters().chunkBytesSent`) minus the file size. Also once with the
 *            receiver's agent restarted instead (same IndexedDB and piece store).
 * Chromium↔Chromium: bench/support/chromium-transfer.ts says what it measures.
 *
 * MiB = 2^20 bytes. A benchmark: it asserts nothing. `BENCH_SKIP_CHROMIUM=1` skips the browsers.
 * The last line is exactly `transfer-ratio=<ours/raw, Node> peak-MiB=<Node, 1 GiB> resend-pct=<Node, cut>`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMachine, runBench, sleep } from './connect';
import { median, ratio } from './stats';
import {
  buildBenchExtension,
  type CpuUse,
  memoryRun as chromiumMemoryRun,
  chromiumRawSearch,
  launchPair,
  oursRun,
  pairBrowsers,
} from './support/chromium-transfer';
import { agentRun, memoryRun, resendRun, writeDiskFile } from './support/node-transfer';
import { describePacing, searchPacings } from './support/pacing-search';
import { rawChannelRun, rawMaxMessageSize } from './support/wrtc-raw-channel';

const KIB = 1024;
const MIB = 1024 * KIB;
const FILE_BYTES = 100 * MIB;
const BIG_FILE_BYTES = 1024 * MIB;
const RAW_RUNS = 3;
const AGENT_RUNS = 3;
/** Chromium moves about a tenth of Node's bytes a second: fewer runs keep the bench near 15 minutes. */
const CHROMIUM_RAW_RUNS = 2;
const CHROMIUM_RUNS = 3;
const CHUNK_SIZES = [16 * KIB, 64 * KIB, 256 * KIB];
const WATER_MARKS: Array<[number, number]> = [
  [1 * MIB, 256 * KIB],
  [4 * MIB, 1 * MIB],
  [8 * MIB, 2 * MIB],
];
const HARD_DEADLINE_MS = 30 * 60_000;

const mibps = (bytes: number, seconds: number) => bytes / MIB / seconds;
const list = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');

/** Every pacing that fits wrtc's maxMessageSize, measured; the best median first. */
async function rawSearch() {
  const maxMessageSize = await rawMaxMessageSize();
  console.log(`Node raw: wrtc maxMessageSize ${maxMessageSize ?? 'unknown'} bytes; ${FILE_BYTES / MIB} MiB per run`);
  return searchPacings({
    maxMessageSize,
    chunkSizes: CHUNK_SIZES,
    waterMarks: WATER_MARKS,
    runs: RAW_RUNS,
    log: console.log,
    async run(pacing) {
      const result = await rawChannelRun(FILE_BYTES, pacing);
      await sleep(200);
      return { mibps: mibps(result.bytes, result.seconds) };
    },
  });
}

type NodeFigures = { ratio: string; peakMiB: number; resendPct: number };

async function nodeHalf(server: Parameters<Parameters<typeof runBench>[2]>[0], dir: string): Promise<NodeFigures> {
  const file = join(dir, 'file-100m.bin');
  const big = join(dir, 'file-1g.bin');
  await writeDiskFile(file, FILE_BYTES);
  await writeDiskFile(big, BIG_FILE_BYTES);

  const search = await rawSearch();
  const best = search[0];
  if (!best) throw new Error('no raw run');
  console.log(`Node raw baseline (best pacing): ${describePacing(best.pacing)}: ${best.median.toFixed(1)} MiB/s`);

  const runs = [];
  for (let run = 0; run < AGENT_RUNS; run++) {
    runs.push(await agentRun(server, file, FILE_BYTES));
    await sleep(500);
  }
  const done = runs.map((r) => mibps(r.bytes, r.doneSeconds));
  const stored = runs.map((r) => mibps(r.bytes, r.storedSeconds));
  const ours = median(done);
  console.log(
    `Node ours (${FILE_BYTES / MIB} MiB, two agents, encrypted session, pieces to disk): accept → sender 'done' ` +
      `${list(done)} MiB/s (median ${ours.toFixed(1)}); accept → last piece stored ${list(stored)} MiB/s ` +
      `(median ${median(stored).toFixed(1)}); hashing before the offer ${median(runs.map((r) => r.prepareSeconds)).toFixed(2)} s`,
  );
  const transferRatio = ratio(ours, best.median);
  console.log(
    `Node ratio ours/raw: ${transferRatio} (to 'done'; to last piece stored ${ratio(median(stored), best.median)}; goal ≥ 0.9)`,
  );

  const memory = await memoryRun(server, big, BIG_FILE_BYTES);
  const peakMiB = (memory.peakRss - memory.idleRss) / MIB;
  console.log(
    `Node receiver memory, 1 GiB (own process, pieces to disk, ${memory.samples} samples): idle RSS ` +
      `${(memory.idleRss / MIB).toFixed(0)} MiB, peak ${(memory.peakRss / MIB).toFixed(0)} MiB, peak above idle ` +
      `${peakMiB.toFixed(1)} MiB (goal < 64); peak JS heap ${(memory.peakHeapUsed / MIB).toFixed(0)} MiB, ` +
      `ArrayBuffers ${(memory.peakArrayBuffers / MIB).toFixed(0)} MiB; offer → 'done' ${memory.doneSeconds.toFixed(1)} s ` +
      `(${mibps(memory.bytes, memory.doneSeconds).toFixed(1)} MiB/s, hashing included)`,
  );
  await rm(big, { force: true });

  const cut = await resendRun(server, file, FILE_BYTES, 'cut');
  const resendPct = ((cut.chunkBytesSent - cut.bytes) / cut.bytes) * 100;
  const restarted = await resendRun(server, file, FILE_BYTES, 'restart');
  for (const r of [cut, restarted]) {
    console.log(
      `Node resend, ${r.how} at ${((r.cutAt / r.bytes) * 100).toFixed(0)}% of ${r.bytes / MIB} MiB: sent ` +
        `${(r.chunkBytesSent / MIB).toFixed(1)} MiB of file bytes, re-sent ${((r.chunkBytesSent - r.bytes) / MIB).toFixed(1)} MiB ` +
        `(${(((r.chunkBytesSent - r.bytes) / r.bytes) * 100).toFixed(2)}%; goal < 5%); accept → 'done' ${r.seconds.toFixed(1)} s`,
    );
  }
  return { ratio: transferRatio, peakMiB, resendPct };
}

type ChromiumFigures = { ratio: string; peakMiB: number };

async function chromiumHalf(dir: string): Promise<ChromiumFigures> {
  const file = join(dir, 'file-100m.bin');
  const big = join(dir, 'file-1g.bin');
  await writeDiskFile(big, BIG_FILE_BYTES);
  await buildBenchExtension();
  const pair = await launchPair();
  const [a, b] = pair.browsers;
  try {
    const search = await chromiumRawSearch(a, b, FILE_BYTES, CHUNK_SIZES, WATER_MARKS, CHROMIUM_RAW_RUNS, console.log);
    const best = search[0];
    if (!best) throw new Error('no Chromium raw run');
    console.log(`Chromium raw baseline (best pacing): ${describePacing(best.pacing)}: ${best.median.toFixed(1)} MiB/s`);

    const { bKey } = await pairBrowsers(a, b);
    const runs = [];
    for (let run = 0; run < CHROMIUM_RUNS; run++) {
      runs.push(await oursRun(a, b, bKey, file, FILE_BYTES));
      await sleep(500);
    }
    const done = runs.map((r) => mibps(FILE_BYTES, r.doneSeconds));
    const stored = runs.map((r) => mibps(FILE_BYTES, r.storedSeconds));
    const ours = median(done);
    console.log(
      `Chromium ours (${FILE_BYTES / MIB} MiB, two extensions, offscreen agents, pieces to IndexedDB): accept → sender 'done' ` +
        `${list(done)} MiB/s (median ${ours.toFixed(1)}); accept → last piece stored ${list(stored)} MiB/s ` +
        `(median ${median(stored).toFixed(1)}); file into IndexedDB, hashing and offer ${median(runs.map((r) => r.prepareSeconds)).toFixed(2)} s`,
    );
    const transferRatio = ratio(ours, best.median);
    // Both browsers share this machine's cores: when they are all busy, speed follows CPU per byte.
    const perMiB = (cpu: CpuUse[]) => median(cpu.map((c) => c.total)) / (FILE_BYTES / MIB);
    const roles = (cpu: CpuUse | undefined) =>
      [...(cpu?.byRole ?? [])]
        .filter(([, seconds]) => seconds >= 0.05)
        .map(([role, seconds]) => `${role} ${seconds.toFixed(1)}`)
        .join(', ');
    console.log(
      `Chromium CPU, both browsers, per ${FILE_BYTES / MIB} MiB (user + system, /proc; ${cpus().length} cores): raw ` +
        `${(perMiB(best.runs.map((r) => r.cpu)) * (FILE_BYTES / MIB)).toFixed(1)} s (${roles(best.runs[0]?.cpu)}); ours ` +
        `${(perMiB(runs.map((r) => r.cpu)) * (FILE_BYTES / MIB)).toFixed(1)} s (${roles(runs[0]?.cpu)}); raw/ours ` +
        `${ratio(perMiB(best.runs.map((r) => r.cpu)), perMiB(runs.map((r) => r.cpu)))}`,
    );
    console.log(
      `Chromium ratio ours/raw: ${transferRatio} (to 'done'; to last piece stored ${ratio(median(stored), best.median)}; goal ≥ 0.9)`,
    );

    const memory = await chromiumMemoryRun(a, b, bKey, big, BIG_FILE_BYTES);
    const above = (m: { idle: number; peak: number }) => ((m.peak - m.idle) / MIB).toFixed(1);
    const peakMiB = (memory.renderer.peak - memory.renderer.idle) / MIB;
    console.log(
      `Chromium receiver memory, 1 GiB (${memory.samples} samples): extension renderer (offscreen agent, pid ` +
        `${memory.renderer.pids.join(',')}) idle RSS ${(memory.renderer.idle / MIB).toFixed(0)} MiB, peak ` +
        `${(memory.renderer.peak / MIB).toFixed(0)}, peak above idle ${above(memory.renderer)} MiB (goal < 64); ` +
        `offscreen JS heap peak above idle ${above(memory.heap)} MiB; browser process peak above idle ${above(memory.browser)} MiB; ` +
        `offer → 'done' ${memory.doneSeconds.toFixed(1)} s (${mibps(memory.bytes, memory.doneSeconds).toFixed(1)} MiB/s, ` +
        'storing into IndexedDB and hashing included)',
    );
    return { ratio: transferRatio, peakMiB };
  } finally {
    await pair.close();
    await rm(big, { force: true });
  }
}

async function main(server: Parameters<Parameters<typeof runBench>[2]>[0]): Promise<void> {
  console.log('Tincan bench:transfer: encrypted file transfer against the raw data channel, Node and Chromium');
  console.log(describeMachine(server));
  const dir = await mkdtemp(join(tmpdir(), 'tincan-bench-transfer-'));
  try {
    const node = await nodeHalf(server, dir);
    if (process.env.BENCH_SKIP_CHROMIUM) console.log('Chromium: skipped (BENCH_SKIP_CHROMIUM)');
    else {
      const chromium = await chromiumHalf(dir);
      console.log(`Chromium: transfer-ratio=${chromium.ratio} peak-MiB=${Math.round(chromium.peakMiB)}`);
    }
    console.log(
      `transfer-ratio=${node.ratio} peak-MiB=${Math.round(node.peakMiB)} resend-pct=${node.resendPct.toFixed(2)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runBench('bench:transfer', HARD_DEADLINE_MS, main);
