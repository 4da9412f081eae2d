/**
 * `npm run bench:connect`: what our agent adds on top of bare PeerJS, in Node.
 *
 * Both sides of the comparison share one local PeerServer (127.0.0.1, free port), one WebRTC
 * stack (@roamhq/wrtc via tests/support/node-webrtc.ts), `iceServers: []`, and this process.
 * Each round takes one OURS and one BARE sample, in an order that flips every round, so machine
 * noise hits both alike. Warm-up rounds are dropped.
 *
 *  connect     A fresh pair of endpoints, registered on the server before the clock starts; then
 *              the time from dialing until the dialer can send:
 *                ours: two agents that are saved contacts of each other (as after an earlier
 *                      chat, so no request waits for a user); `agent.connect(address)` until the
 *                      dialer's conversation is 'ready': the data connection, the Noise XX
 *                      handshake and both sides' accept;
 *                bare: `peer.connect(id, { reliable: true, serialization: 'raw' })` until 'open'.
 *              Untimed afterwards: wait until the answering side is ready/open too, close
 *              everything, let the teardown settle.
 *  round trip  One long-lived pair each; the time from sending a small message to its echo
 *              arriving back at the sender:
 *                ours: `agent.send(b, text)`; b replies with `agent.send(a, text)` from its
 *                      'message-arrived' listener; stops at a's 'message-arrived' for the reply;
 *                bare: `connection.send(bytes)`, as many bytes as our (unencrypted) chat frame
 *                      for that text; the far side sends them back from its 'data' listener.
 *              The clock stops inside the listener that sees the echo, for both.
 *
 * Prints medians and p90s, then the ratios; the last line is exactly
 * `connect-ratio=<ours/bare> rtt-ratio=<ours/bare>`. A benchmark: it asserts nothing.
 *
 * bench/session.ts reuses the endpoints and the round-trip phase; they are exported below, and
 * the run starts only when this file is the script tsx was given.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { DataConnection, Peer as PeerInstance } from 'peerjs';
import type { AgentEvent } from '../lib/agent/agent';
import { encodeFrame, MESSAGE_ID_BYTES } from '../lib/protocol/frame';
import type { Contact } from '../lib/store/contacts';
import { parseSignalingUrl } from '../lib/store/settings';
import { type RunningSignalingServer, startSignalingServer } from '../server/signaling-server';
import { createBarePeer } from '../tests/support/bare-peer';
import { conversationWith, localSettings, type NodeUser, startNodeUser, waitFor } from '../tests/support/node-agents';
import {
  formatMs,
  halves,
  interleave,
  ratio,
  type Samples,
  type Sampling,
  type Summary,
  summarize,
  tableHeader,
  tableRow,
} from './stats';

/** Any single step (registration, dial, echo) that takes longer than this counts as failed. */
export const STEP_TIMEOUT_MS = 10_000;
/** Pause after closing a sample's endpoints, so teardown does not bleed into the next. */
export const SETTLE_MS = 30;
const MAX_FAILURES = 5;

/** Sample counts; `BENCH_CONNECT_ROUNDS` / `BENCH_RTT_ROUNDS` override them (the time budgets still apply). */
const CONNECT: Sampling = {
  rounds: countFromEnv('BENCH_CONNECT_ROUNDS', 30),
  warmup: 3,
  budgetMs: 70_000,
  maxFailures: MAX_FAILURES,
};
export const ROUND_TRIPS: Sampling = {
  rounds: countFromEnv('BENCH_RTT_ROUNDS', 200),
  warmup: 20,
  budgetMs: 25_000,
  maxFailures: MAX_FAILURES,
};
/** Last resort: if something hangs anyway, say so and leave. */
const HARD_DEADLINE_MS = 115_000;

const ICE_SERVERS: [] = [];
const DISPLAY_NAME = 'bench';

// ---------------------------------------------------------------------------------------------
// Small helpers

export function countFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts two endpoints at once; if either fails, closes the other and rethrows. */
export async function pair<T>(start: () => Promise<T>, close: (endpoint: T) => void): Promise<[T, T]> {
  const [first, second] = await Promise.allSettled([start(), start()]);
  if (first.status === 'fulfilled' && second.status === 'fulfilled') return [first.value, second.value];
  for (const result of [first, second]) if (result.status === 'fulfilled') close(result.value);
  throw first.status === 'rejected' ? first.reason : (second as PromiseRejectedResult).reason;
}

/**
 * Sends with `send` and resolves with the milliseconds until `arm`'s callback runs; `arm` hooks
 * the callback to the echo before anything is sent.
 */
function timeEcho(arm: (echoed: () => void) => void, send: () => void, what: string): Promise<number> {
  return within(
    new Promise<number>((resolve) => {
      let started = 0;
      arm(() => resolve(performance.now() - started));
      started = performance.now();
      send();
    }),
    STEP_TIMEOUT_MS,
    what,
  );
}

// ---------------------------------------------------------------------------------------------
// OURS: the agent, exactly as the extension and the integration tests create it

export const stopOurs = (user: NodeUser) => user.agent.stop();

const savedContact = (user: NodeUser, at: number): Contact => ({
  identityKey: user.identity.identityKey,
  petname: DISPLAY_NAME,
  address: user.address,
  verified: true,
  addedAt: at,
  special: false,
  rendezvousPaused: false,
});

/**
 * Two online agents, each a saved contact of the other at its current address: what the
 * background hands the agent after an earlier chat. A connection between them needs no request.
 */
export async function startContacts(server: RunningSignalingServer): Promise<[NodeUser, NodeUser]> {
  const [a, b] = await pair(() => startNodeUser(server, DISPLAY_NAME), stopOurs);
  const settings = localSettings(server, DISPLAY_NAME);
  // Same server and ICE list: the agents keep their transports and addresses.
  a.agent.configure({ settings, identity: a.identity, contacts: [savedContact(b, Date.now())] });
  b.agent.configure({ settings, identity: b.identity, contacts: [savedContact(a, Date.now())] });
  return [a, b];
}

/** Whether `user` can chat with `other` now. */
export const readyFor = (user: NodeUser, other: NodeUser) =>
  conversationWith(user.agent, other.address)?.stage === 'ready';

/** Resolves once `user` can chat with `other`. */
export const whenReady = (user: NodeUser, other: NodeUser) =>
  waitFor(user.agent, () => readyFor(user, other), STEP_TIMEOUT_MS);

/** `a` dials its contact `b`; resolves once `a` can send (its conversation is 'ready'). */
export async function dialContact(a: NodeUser, b: NodeUser): Promise<void> {
  await within(a.agent.connect(b.address), STEP_TIMEOUT_MS, 'agent.connect');
  await whenReady(a, b);
}

async function oursConnectSample(server: RunningSignalingServer): Promise<number> {
  const [a, b] = await startContacts(server);
  try {
    const started = performance.now();
    await dialContact(a, b);
    const elapsed = performance.now() - started;
    await whenReady(b, a);
    return elapsed;
  } finally {
    stopOurs(a);
    stopOurs(b);
  }
}

/** A connected pair of agents whose far side echoes every chat message back. */
async function oursEchoPair(server: RunningSignalingServer) {
  const [a, b] = await startContacts(server);
  try {
    await dialContact(a, b);
    await whenReady(b, a);
    // Let the accepts settle, so nothing but the round trips is on the wire from here on.
    await sleep(SETTLE_MS);
  } catch (error) {
    stopOurs(a);
    stopOurs(b);
    throw error;
  }
  b.agent.subscribe((event: AgentEvent) => {
    if (event.type === 'message-arrived' && event.address === a.address) b.agent.send(a.address, event.text);
  });
  let waiting: { text: string; echoed: () => void } | undefined;
  a.agent.subscribe((event: AgentEvent) => {
    if (event.type !== 'message-arrived' || event.address !== b.address || event.text !== waiting?.text) return;
    const { echoed } = waiting;
    waiting = undefined;
    echoed();
  });
  return {
    roundTrip: (text: string) =>
      timeEcho(
        (echoed) => {
          waiting = { text, echoed };
        },
        () => a.agent.send(b.address, text),
        'agent round trip',
      ),
    /** Messages each side now keeps for this conversation (the agent's per-message work grows with it). */
    kept: () => conversationWith(a.agent, b.address)?.messages.length ?? 0,
    close: () => {
      stopOurs(a);
      stopOurs(b);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// BARE: two PeerJS `Peer`s and one DataConnection, nothing else

export type BareEndpoint = { peer: PeerInstance; id: string; incoming: Map<string, Promise<DataConnection>> };

/** A registered PeerJS Peer that accepts every connection, and echoes what arrives when `echo` says so. */
export function startBare(server: RunningSignalingServer, { echo = true } = {}): Promise<BareEndpoint> {
  const id = `bench-${randomBytes(8).toString('hex')}`;
  const peer = createBarePeer(parseSignalingUrl(server.url), id, ICE_SERVERS);
  const endpoint: BareEndpoint = { peer, id, incoming: new Map() };
  peer.on('connection', (connection) => {
    if (echo) connection.on('data', (data) => connection.send(data));
    endpoint.incoming.set(
      connection.peer,
      new Promise((resolve) => connection.once('open', () => resolve(connection))),
    );
  });
  return within(
    new Promise<BareEndpoint>((resolve, reject) => {
      peer.once('open', () => resolve(endpoint));
      peer.once('error', reject);
    }),
    STEP_TIMEOUT_MS,
    'bare peer registration',
  ).catch((error: unknown) => {
    peer.destroy();
    throw error;
  });
}

export const stopBare = (endpoint: BareEndpoint) => endpoint.peer.destroy();

/** Resolves with the dialer's connection once it is open. */
export function dialBare(from: BareEndpoint, to: BareEndpoint): Promise<DataConnection> {
  const connection = from.peer.connect(to.id, { reliable: true, serialization: 'raw' });
  return within(
    new Promise<DataConnection>((resolve, reject) => {
      connection.once('open', () => resolve(connection));
      connection.once('error', reject);
      from.peer.once('error', reject);
    }),
    STEP_TIMEOUT_MS,
    'peer.connect',
  );
}

export async function answeredBare(at: BareEndpoint, from: string): Promise<DataConnection> {
  // The answering side hears the offer before the dialer can open, so this is normally set.
  for (let waited = 0; ; waited += 5) {
    const incoming = at.incoming.get(from);
    if (incoming) return within(incoming, STEP_TIMEOUT_MS, 'bare answer');
    if (waited > STEP_TIMEOUT_MS) throw new Error('bare answer: no incoming connection');
    await sleep(5);
  }
}

async function bareConnectSample(server: RunningSignalingServer): Promise<number> {
  const [a, b] = await pair(() => startBare(server), stopBare);
  try {
    const started = performance.now();
    await dialBare(a, b);
    const elapsed = performance.now() - started;
    await answeredBare(b, a.id);
    return elapsed;
  } finally {
    stopBare(a);
    stopBare(b);
  }
}

function asBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** A connected pair of Peers whose far side echoes every message back. */
async function bareEchoPair(server: RunningSignalingServer) {
  const [a, b] = await pair(() => startBare(server), stopBare);
  let connection: DataConnection;
  try {
    connection = await dialBare(a, b);
    await answeredBare(b, a.id);
  } catch (error) {
    stopBare(a);
    stopBare(b);
    throw error;
  }
  let waiting: { sequence: number; echoed: () => void } | undefined;
  connection.on('data', (data) => {
    const bytes = asBytes(data);
    if (!bytes || bytes.length < 4 || !waiting) return;
    if (new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) !== waiting.sequence) return;
    const { echoed } = waiting;
    waiting = undefined;
    echoed();
  });
  return {
    roundTrip: (sequence: number, size: number) => {
      const payload = new Uint8Array(size);
      new DataView(payload.buffer).setUint32(0, sequence);
      return timeEcho(
        (echoed) => {
          waiting = { sequence, echoed };
        },
        () => connection.send(payload),
        'bare round trip',
      );
    },
    close: () => {
      connection.close();
      stopBare(a);
      stopBare(b);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The round-trip phase, shared with bench:session

const roundTripText = (round: number) => `round trip ${String(round).padStart(4, '0')}`;

/** The bytes our agent's chat frame for `text` has before encryption: what bare sends in its place. */
export const chatFrameBytes = (text: string) =>
  encodeFrame({
    kind: 'chat',
    id: new Uint8Array(MESSAGE_ID_BYTES),
    stream: 7,
    seq: 1,
    floor: 1,
    sentAt: Date.now(),
    text,
  }).length;

export type RoundTrips = {
  samples: Samples;
  messageBytes: number;
  /** Messages our conversation held at the end. */
  kept: number;
};

/** One long-lived echoing pair each, ours and bare; small-message round trips in turns. */
export async function measureRoundTrips(server: RunningSignalingServer): Promise<RoundTrips> {
  const ours = await oursEchoPair(server);
  const bare = await bareEchoPair(server).catch((error: unknown) => {
    ours.close();
    throw error;
  });
  try {
    const samples = await interleave(
      ROUND_TRIPS,
      (round) => ours.roundTrip(roundTripText(round)),
      (round) => bare.roundTrip(round, chatFrameBytes(roundTripText(round))),
    );
    return { samples, messageBytes: chatFrameBytes(roundTripText(0)), kept: ours.kept() };
  } finally {
    ours.close();
    bare.close();
  }
}

type Paired = { ours: Summary; bare: Summary };

/**
 * Prints how a fresh-endpoints phase and the round trips were sampled, their table, whether the
 * round trips drifted, and what was not counted; returns the summaries.
 */
export function printPairedPhases(
  phase: { label: string; sampling: Sampling; samples: Samples; measured: string },
  rtt: RoundTrips,
): { phase: Paired; rtt: Paired } {
  const summaries = {
    phase: { ours: summarize(phase.samples.ours), bare: summarize(phase.samples.bare) },
    rtt: { ours: summarize(rtt.samples.ours), bare: summarize(rtt.samples.bare) },
  };
  const [oursFirst, oursSecond] = halves(rtt.samples.ours);
  const [bareFirst, bareSecond] = halves(rtt.samples.bare);
  console.log(
    `${phase.label}: ${phase.sampling.rounds} rounds (+${phase.sampling.warmup} warm-up dropped), fresh ids and keys ` +
      `per sample, ${phase.measured}; round trip: ${ROUND_TRIPS.rounds} rounds (+${ROUND_TRIPS.warmup} warm-up ` +
      `dropped), ${rtt.messageBytes}-byte messages; ours/bare alternate, order flipped each round`,
  );
  console.log('');
  console.log(tableHeader());
  console.log(tableRow(`${phase.label} ours`, summaries.phase.ours));
  console.log(tableRow(`${phase.label} bare`, summaries.phase.bare));
  console.log(tableRow('round trip ours', summaries.rtt.ours));
  console.log(tableRow('round trip bare', summaries.rtt.bare));
  console.log('');
  console.log(
    `round-trip median, 1st half → 2nd half: ours ${formatMs(oursFirst)} → ${formatMs(oursSecond)} ` +
      `(conversation holds ${rtt.kept} messages at the end), bare ${formatMs(bareFirst)} → ${formatMs(bareSecond)}`,
  );
  for (const failure of [...phase.samples.failures, ...rtt.samples.failures]) console.log(`not counted: ${failure}`);
  return summaries;
}

export function describeMachine(server: RunningSignalingServer): string {
  return `server ${server.url}, @roamhq/wrtc, iceServers: [], Node ${process.version}, ${availableParallelism()} CPUs`;
}

/**
 * Runs a bench's `main` with a local PeerServer and a hard deadline, and exits when it is done
 * (@roamhq/wrtc's native threads may otherwise hold the event loop a while).
 */
export function runBench(
  name: string,
  hardDeadlineMs: number,
  main: (server: RunningSignalingServer) => Promise<void>,
): void {
  const deadline = setTimeout(() => {
    console.error(`${name}: still running after ${hardDeadlineMs / 1000} s; giving up`);
    process.exit(1);
  }, hardDeadlineMs);
  deadline.unref();
  const run = async () => {
    const server = await startSignalingServer({ host: '127.0.0.1', port: 0 });
    try {
      await main(server);
    } finally {
      await sleep(SETTLE_MS);
      await within(server.close(), 2_000, 'server close').catch(() => {});
    }
  };
  run().then(
    () => setTimeout(() => process.exit(0), 100).unref(),
    (error: unknown) => {
      console.error(`${name} failed:`, error);
      process.exit(1);
    },
  );
}

// ---------------------------------------------------------------------------------------------
// The run

async function main(server: RunningSignalingServer): Promise<void> {
  console.log('Tincan bench:connect: our agent (createPeerJsAgent) vs bare PeerJS');
  console.log(describeMachine(server));

  const connect = await interleave(
    CONNECT,
    () => oursConnectSample(server),
    () => bareConnectSample(server),
    () => sleep(SETTLE_MS),
  );
  const rtt = await measureRoundTrips(server);

  const { phase: c, rtt: r } = printPairedPhases(
    { label: 'connect', sampling: CONNECT, samples: connect, measured: 'ours until ready between saved contacts' },
    rtt,
  );
  console.log(
    `ratios ours/bare: connect median ${ratio(c.ours.median, c.bare.median)} (p90 ${ratio(c.ours.p90, c.bare.p90)}), ` +
      `round trip median ${ratio(r.ours.median, r.bare.median)} (p90 ${ratio(r.ours.p90, r.bare.p90)})`,
  );
  console.log(`connect-ratio=${ratio(c.ours.median, c.bare.median)} rtt-ratio=${ratio(r.ours.median, r.bare.median)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runBench('bench:connect', HARD_DEADLINE_MS, main);
