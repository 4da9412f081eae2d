/**
 * `npm run bench:session`: what the encrypted session (Noise XX, then AES-GCM transport
 * messages) costs, in Node, against bare PeerJS measured in the same run.
 *
 * Shares bench:connect's setup (bench/connect.ts): one local PeerServer on 127.0.0.1, @roamhq/wrtc,
 * `iceServers: []`, OURS and BARE samples in turns with the order flipped every round.
 *
 *  handshake + first message
 *              Fresh endpoints per sample, registered before the clock starts.
 *                ours: two agents that are saved contacts of each other; from
 *                      `agent.connect(address)` until the first chat message, sent as soon as the
 *                      dialer's conversation is 'ready', arrives at the other agent: data
 *                      connection, Noise XX, both accepts, one encrypted frame;
 *                bare: from `peer.connect(id, { reliable: true, serialization: 'raw' })` until
 *                      the first message, sent on 'open', arrives at the other Peer.
 *              For ours, also the median time of each step as the dialer sees it.
 *  round trip  bench:connect's round-trip phase: a small chat message and its echo.
 *  session crypto
 *              In-process: `TransportCipher.seal` then `open` (the session's cipher, AES-GCM) of
 *              64 KiB frames, pipelined as the session does and one at a time; MB/s of frames
 *              that went through both, on this one CPU budget (a real sender and receiver split
 *              that work between two machines).
 *  raw channel Two RTCPeerConnections in this process joined directly (no PeerJS, no server), one
 *              ordered data channel carrying 64 KiB chunks, paced by `bufferedAmount` (polled:
 *              wrtc has no 'bufferedamountlow'): MB/s from the first send until the last byte
 *              arrives.
 *              The two throughputs are taken in turns (crypto, channel, crypto one at a time),
 *              five runs each; the figures are medians (crypto-MBps: the pipelined one).
 *
 * MB is 10^6 bytes. A benchmark: it asserts nothing. The last line is exactly
 * `handshake-ratio=<ours/bare> rtt-ratio=<ours/bare> crypto-MBps=<n> raw-channel-MBps=<n>`.
 */
import { performance } from 'node:perf_hooks';
import type { AgentEvent } from '../lib/agent/agent';
import { createTransportCipher } from '../lib/crypto/transport-cipher';
import type { Stage } from '../lib/sessions/conversations';
import { SESSION_CIPHER } from '../lib/sessions/secure-link';
import type { RunningSignalingServer } from '../server/signaling-server';
import { conversationWith, type NodeUser, nodeRandomBytesFn } from '../tests/support/node-agents';
import {
  chatFrameBytes,
  countFromEnv,
  describeMachine,
  dialBare,
  dialContact,
  measureRoundTrips,
  pair,
  printPairedPhases,
  runBench,
  SETTLE_MS,
  STEP_TIMEOUT_MS,
  sleep,
  startBare,
  startContacts,
  stopBare,
  stopOurs,
  within,
} from './connect';
import { formatMs, interleave, median, ratio, type Sampling } from './stats';
import { rawChannelRun } from './support/wrtc-raw-channel';

const HANDSHAKES: Sampling = {
  rounds: countFromEnv('BENCH_HANDSHAKE_ROUNDS', 24),
  warmup: 3,
  budgetMs: 90_000,
  maxFailures: 5,
};
const FRAME_BYTES = 64 * 1024;
const MIB = 1024 * 1024;
/** Data per throughput repetition; `BENCH_CRYPTO_MIB` / `BENCH_RAW_MIB` override. */
const CRYPTO_BYTES = countFromEnv('BENCH_CRYPTO_MIB', 64) * MIB;
const RAW_BYTES = countFromEnv('BENCH_RAW_MIB', 64) * MIB;
const THROUGHPUT_RUNS = 5;
/** Frames the session may have in flight at once when pipelined (it never waits on a seal to start the next). */
const PIPELINE_DEPTH = 16;
/** Raw channel pacing: send while at most this is buffered (bench/support/wrtc-raw-channel.ts polls every 1 ms). */
const RAW_BUFFER_HIGH = 4 * MIB;
const RAW_SETTLE_MS = 250;
const HARD_DEADLINE_MS = 170_000;

const FIRST_TEXT = 'first message';
const mbPerSecond = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

// ---------------------------------------------------------------------------------------------
// Handshake + first message

/** Resolves with the moment `user`'s agent hears the first chat message from `from` (taken in the listener). */
function firstMessageAt(user: NodeUser, from: NodeUser): Promise<number> {
  let unsubscribe = () => {};
  const arrived = within(
    new Promise<number>((resolve) => {
      unsubscribe = user.agent.subscribe((event: AgentEvent) => {
        if (event.type === 'message-arrived' && event.address === from.address) resolve(performance.now());
      });
    }),
    STEP_TIMEOUT_MS,
    'first message',
  ).finally(() => unsubscribe());
  // Awaited later, or never when the dial fails first.
  arrived.catch(() => {});
  return arrived;
}

/** The dialer's steps, each as milliseconds since `agent.connect` was called. */
type Steps = Partial<Record<Stage, number>> & { arrived?: number };

/** Notes when the dialer's conversation first reaches each stage. */
function watchStages(a: NodeUser, b: NodeUser, started: () => number, steps: Steps): () => void {
  return a.agent.subscribe(() => {
    const stage = conversationWith(a.agent, b.address)?.stage;
    if (stage && steps[stage] === undefined) steps[stage] = performance.now() - started();
  });
}

async function oursFirstMessageSample(server: RunningSignalingServer, record: Steps[]): Promise<number> {
  const [a, b] = await startContacts(server);
  const steps: Steps = {};
  let started = 0;
  const unwatch = watchStages(a, b, () => started, steps);
  try {
    const arrived = firstMessageAt(b, a);
    started = performance.now();
    await dialContact(a, b);
    a.agent.send(b.address, FIRST_TEXT);
    steps.arrived = (await arrived) - started;
    record.push(steps);
    return steps.arrived;
  } finally {
    unwatch();
    stopOurs(a);
    stopOurs(b);
  }
}

async function bareFirstMessageSample(server: RunningSignalingServer): Promise<number> {
  const [a, b] = await pair(() => startBare(server, { echo: false }), stopBare);
  try {
    const arrived = within(
      new Promise<number>((resolve) => {
        b.peer.on('connection', (connection) => connection.once('data', () => resolve(performance.now())));
      }),
      STEP_TIMEOUT_MS,
      'bare first message',
    );
    arrived.catch(() => {});
    const started = performance.now();
    const connection = await dialBare(a, b);
    // As many bytes as our chat frame for the same text, before encryption.
    connection.send(new Uint8Array(chatFrameBytes(FIRST_TEXT)));
    return (await arrived) - started;
  } finally {
    stopBare(a);
    stopBare(b);
  }
}

function describeSteps(record: Steps[]): string {
  const at = (pick: (steps: Steps) => number | undefined) =>
    formatMs(median(record.map(pick).filter((value) => value !== undefined)));
  return (
    'ours, dialer steps (median ms since connect): ' +
    `link open ${at((s) => s.securing)}, handshake done ${at((s) => s.waiting)}, ` +
    `accepted (ready) ${at((s) => s.ready)}, message arrived ${at((s) => s.arrived)}`
  );
}

// ---------------------------------------------------------------------------------------------
// Session crypto, in process

/** Seals and opens `bytes` of 64 KiB frames with `depth` frames in flight; MB/s. */
async function sessionCipherThroughput(bytes: number, depth: number): Promise<number> {
  const key = nodeRandomBytesFn(32);
  const sender = createTransportCipher({ cipher: SESSION_CIPHER, key });
  const receiver = createTransportCipher({ cipher: SESSION_CIPHER, key });
  const frame = nodeRandomBytesFn(FRAME_BYTES);
  const frames = Math.ceil(bytes / FRAME_BYTES);
  const inFlight: Promise<number>[] = [];
  let opened = 0;
  const started = performance.now();
  for (let sent = 0; sent < frames; sent++) {
    // Seals settle in call order, so each `open` is called in nonce order, as on arrival.
    inFlight.push(
      sender
        .seal(frame)
        .then((message) => receiver.open(message))
        .then((plain) => plain.length),
    );
    if (inFlight.length >= depth) opened += (await inFlight.shift()) ?? 0;
  }
  for (const pending of inFlight) opened += await pending;
  return mbPerSecond(opened, performance.now() - started);
}

// ---------------------------------------------------------------------------------------------
// Raw data channel, in process

/** MB/s of `bytes` through one ordered wrtc data channel between two connections in this process. */
async function rawChannelThroughput(bytes: number): Promise<number> {
  // Sends while at most RAW_BUFFER_HIGH is buffered, then looks again every millisecond.
  const run = await rawChannelRun(
    bytes,
    { chunkBytes: FRAME_BYTES, highWater: RAW_BUFFER_HIGH, lowWater: RAW_BUFFER_HIGH },
    60_000,
  );
  return mbPerSecond(run.bytes, run.seconds * 1000);
}

// ---------------------------------------------------------------------------------------------
// The run

async function main(server: RunningSignalingServer): Promise<void> {
  console.log('Tincan bench:session: the encrypted session vs bare PeerJS, session crypto vs the raw channel');
  console.log(describeMachine(server));

  const steps: Steps[] = [];
  const handshakes = await interleave(
    HANDSHAKES,
    // Warm-up rounds' steps are dropped like their samples.
    (round) => oursFirstMessageSample(server, round >= HANDSHAKES.warmup ? steps : []),
    () => bareFirstMessageSample(server),
    () => sleep(SETTLE_MS),
  );
  const rtt = await measureRoundTrips(server);

  // A short untimed run first, so WebCrypto and the JIT are warm.
  await sessionCipherThroughput(16 * MIB, PIPELINE_DEPTH);
  // Taken in turns, so that load from elsewhere on the machine hits both sides of the ratio alike.
  const pipelined: number[] = [];
  const oneByOne: number[] = [];
  const raw: number[] = [];
  for (let run = 0; run < THROUGHPUT_RUNS; run++) {
    pipelined.push(await sessionCipherThroughput(CRYPTO_BYTES, PIPELINE_DEPTH));
    raw.push(await rawChannelThroughput(RAW_BYTES));
    // The closed connections' native threads wind down; keep that out of the next crypto run.
    await sleep(RAW_SETTLE_MS);
    oneByOne.push(await sessionCipherThroughput(CRYPTO_BYTES, 1));
  }

  const { phase: h, rtt: r } = printPairedPhases(
    {
      label: 'handshake + 1st message',
      sampling: HANDSHAKES,
      samples: handshakes,
      measured: 'ours between saved contacts',
    },
    rtt,
  );
  const cryptoMBps = median(pipelined);
  const rawMBps = median(raw);
  const rates = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ');

  console.log(describeSteps(steps));
  console.log(
    `session crypto (${SESSION_CIPHER}, seal+open, 64 KiB frames, ${CRYPTO_BYTES / MIB} MiB per run): ` +
      `${PIPELINE_DEPTH} in flight ${rates(pipelined)} MB/s; one at a time ${rates(oneByOne)} MB/s`,
  );
  console.log(
    `raw data channel (wrtc, 64 KiB chunks, up to ${RAW_BUFFER_HIGH / MIB} MiB buffered, ` +
      `${RAW_BYTES / MIB} MiB per run): ${rates(raw)} MB/s`,
  );
  console.log(
    `ratios ours/bare: handshake + first message median ${ratio(h.ours.median, h.bare.median)} ` +
      `(p90 ${ratio(h.ours.p90, h.bare.p90)}; goal ≤ 1.5), round trip median ${ratio(r.ours.median, r.bare.median)} ` +
      `(p90 ${ratio(r.ours.p90, r.bare.p90)})`,
  );
  console.log(
    `session crypto / raw channel: ${ratio(cryptoMBps, rawMBps)} (median pipelined run; ` +
      `one at a time ${ratio(median(oneByOne), rawMBps)}; goal ≥ 5)`,
  );
  console.log(
    `handshake-ratio=${ratio(h.ours.median, h.bare.median)} rtt-ratio=${ratio(r.ours.median, r.bare.median)} ` +
      `crypto-MBps=${cryptoMBps.toFixed(0)} raw-channel-MBps=${rawMBps.toFixed(0)}`,
  );
}

runBench('bench:session', HARD_DEADLINE_MS, main);
