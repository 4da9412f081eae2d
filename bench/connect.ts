/**
 * `npm run bench:connect`: what our agent adds on top of bare PeerJS, in Node.
 *
 * Both sides of the comparison share one local PeerServer (127.0.0.1, free port), one WebRTC
 * stack (@roamhq/wrtc via tests/support/node-webrtc.ts), `iceServers: []`, and this process.
 * Each round takes one OURS and one BARE sample, in an order that flips every round, so machine
 * noise hits both alike. Warm-up rounds are dropped.
 *
 *  connect     A fresh pair of endpoints, registered on the server before the clock starts; then
 *              the time from dialing to an open data connection at the dialer:
 *                ours: `agent.connect(address)` until it resolves;
 *                bare: `peer.connect(id, { reliable: true, serialization: 'raw' })` until 'open'.
 *              Untimed afterwards: wait until the answering side is open too, close everything,
 *              let the teardown settle.
 *  round trip  One long-lived pair each; the time from sending a small message to its echo
 *              arriving back at the sender:
 *                ours: `agent.send(b, text)`; b replies with `agent.send(a, text)` from its
 *                      'message-arrived' listener; stops at a's 'message-arrived' for the reply;
 *                bare: `connection.send(bytes)`, as many bytes as our chat frame for that text;
 *                      the far side sends them back from its 'data' listener.
 *              The clock stops inside the listener that sees the echo, for both.
 *
 * Prints medians and p90s, then the ratios; the last line is exactly
 * `connect-ratio=<ours/bare> rtt-ratio=<ours/bare>`. A benchmark: it asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { DataConnection, Peer as PeerInstance } from 'peerjs';
import type { Agent, AgentEvent } from '../lib/agent/agent';
import { createPeerJsAgent } from '../lib/agent/peerjs-agent';
import { encodeFrame, MESSAGE_ID_BYTES } from '../lib/protocol/frame';
import { FACTORY_SETTINGS, parseSignalingUrl, type SignalingServer } from '../lib/store/settings';
import { type RunningSignalingServer, startSignalingServer } from '../server/signaling-server';
import { createBarePeer } from '../tests/support/bare-peer';
import { Peer } from '../tests/support/node-webrtc';
import { ratio, type Summary, summarize } from './stats';

/** Sample counts; `BENCH_CONNECT_ROUNDS` / `BENCH_RTT_ROUNDS` override them (the time budgets still apply). */
const CONNECT_ROUNDS = countFromEnv('BENCH_CONNECT_ROUNDS', 30);
const CONNECT_WARMUP = 3;
const RTT_ROUNDS = countFromEnv('BENCH_RTT_ROUNDS', 200);
const RTT_WARMUP = 20;
/** Any single step (registration, dial, echo) that takes longer than this counts as failed. */
const STEP_TIMEOUT_MS = 10_000;
/** Pause after closing a connect sample's endpoints, so teardown does not bleed into the next. */
const SETTLE_MS = 30;
/** Rounds stop being started once a phase has run this long; a run stays well under 2 minutes. */
const CONNECT_BUDGET_MS = 70_000;
const RTT_BUDGET_MS = 25_000;
const MAX_FAILURES = 5;
/** How long the round-trip pair waits for the dialer's hello to land at the answering agent. */
const HELLO_GRACE_MS = 100;
/** Last resort: if something hangs anyway, say so and leave. */
const HARD_DEADLINE_MS = 115_000;

const ICE_SERVERS: [] = [];
const DISPLAY_NAME = 'bench';

// ---------------------------------------------------------------------------------------------
// Small helpers

function countFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts two endpoints at once; if either fails, closes the other and rethrows. */
async function pair<T>(start: () => Promise<T>, close: (endpoint: T) => void): Promise<[T, T]> {
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

type OursEndpoint = { agent: Agent; address: string };

/** Resolves with the first value `probe` gives, checked now and after every agent event. */
function agentReaches<T>(agent: Agent, probe: () => T | undefined, what: string): Promise<T> {
  let unsubscribe = () => {};
  return within(
    new Promise<T>((resolve) => {
      const check = () => {
        const value = probe();
        if (value !== undefined) resolve(value);
      };
      unsubscribe = agent.subscribe(check);
      check();
    }),
    STEP_TIMEOUT_MS,
    what,
  ).finally(() => unsubscribe());
}

function conversationWith(agent: Agent, address: string) {
  return agent.snapshot().conversations.find((c) => c.address === address);
}

async function startOurs(signaling: SignalingServer): Promise<OursEndpoint> {
  const agent = createPeerJsAgent(Peer);
  agent.configure({ ...FACTORY_SETTINGS, signaling, iceServers: ICE_SERVERS, displayName: DISPLAY_NAME });
  try {
    const address = await agentReaches(
      agent,
      () => {
        const status = agent.snapshot().status;
        return status.state === 'online' ? status.address : undefined;
      },
      'agent registration',
    );
    return { agent, address };
  } catch (error) {
    agent.stop();
    throw error;
  }
}

const stopOurs = (endpoint: OursEndpoint) => endpoint.agent.stop();

async function oursConnectSample(signaling: SignalingServer): Promise<number> {
  const [a, b] = await pair(() => startOurs(signaling), stopOurs);
  try {
    const started = performance.now();
    await within(a.agent.connect(b.address), STEP_TIMEOUT_MS, 'agent.connect');
    const elapsed = performance.now() - started;
    await agentReaches(
      b.agent,
      () => (conversationWith(b.agent, a.address)?.link === 'open' ? true : undefined),
      'answer',
    );
    return elapsed;
  } finally {
    stopOurs(a);
    stopOurs(b);
  }
}

/** A connected pair of agents whose far side echoes every chat message back. */
async function oursEchoPair(signaling: SignalingServer) {
  const [a, b] = await pair(() => startOurs(signaling), stopOurs);
  try {
    await within(a.agent.connect(b.address), STEP_TIMEOUT_MS, 'agent.connect');
    // Let both hellos land first, so nothing but the round trips is on the wire from here on.
    await agentReaches(
      a.agent,
      () => (conversationWith(a.agent, b.address)?.name === DISPLAY_NAME ? true : undefined),
      'hello from the answering agent',
    );
    await agentReaches(
      b.agent,
      () => (conversationWith(b.agent, a.address)?.link === 'open' ? true : undefined),
      'answering agent open',
    );
    await sleep(HELLO_GRACE_MS);
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
    /**
     * Whether the answering agent shows the dialer's hello. It sometimes does not: with @roamhq/wrtc
     * the answerer's DataConnection can emit 'data' before 'open', and the transport only listens
     * from 'open' on. The round trips do not depend on it.
     */
    answererGotHello: conversationWith(b.agent, a.address)?.name === DISPLAY_NAME,
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

type BareEndpoint = { peer: PeerInstance; id: string; incoming: Map<string, Promise<DataConnection>> };

function startBare(signaling: SignalingServer): Promise<BareEndpoint> {
  const id = `bench-${randomBytes(8).toString('hex')}`;
  const peer = createBarePeer(signaling, id, ICE_SERVERS);
  const endpoint: BareEndpoint = { peer, id, incoming: new Map() };
  // The answering side: accept, and echo whatever arrives.
  peer.on('connection', (connection) => {
    connection.on('data', (data) => connection.send(data));
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

const stopBare = (endpoint: BareEndpoint) => endpoint.peer.destroy();

function dialBare(from: BareEndpoint, to: BareEndpoint): Promise<DataConnection> {
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

async function answeredBare(at: BareEndpoint, from: string): Promise<DataConnection> {
  // The answering side hears the offer before the dialer can open, so this is normally set.
  for (let waited = 0; !at.incoming.has(from); waited += 5) {
    if (waited > STEP_TIMEOUT_MS) throw new Error('bare answer: no incoming connection');
    await sleep(5);
  }
  return within(at.incoming.get(from) as Promise<DataConnection>, STEP_TIMEOUT_MS, 'bare answer');
}

async function bareConnectSample(signaling: SignalingServer): Promise<number> {
  const [a, b] = await pair(() => startBare(signaling), stopBare);
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
async function bareEchoPair(signaling: SignalingServer) {
  const [a, b] = await pair(() => startBare(signaling), stopBare);
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
// The run

type Samples = { ours: number[]; bare: number[]; failures: string[] };

/** Runs rounds of one OURS and one BARE sample, flipping their order each round. */
async function interleave(
  rounds: number,
  warmup: number,
  budgetMs: number,
  ours: (round: number) => Promise<number>,
  bare: (round: number) => Promise<number>,
  between: () => Promise<void> = async () => {},
): Promise<Samples> {
  const samples: Samples = { ours: [], bare: [], failures: [] };
  const started = performance.now();
  for (let round = 0; round < warmup + rounds; round++) {
    if (performance.now() - started > budgetMs) {
      samples.failures.push(`time budget of ${budgetMs} ms used up after ${round} rounds`);
      break;
    }
    const order: Array<['ours' | 'bare', (round: number) => Promise<number>]> = [
      ['ours', ours],
      ['bare', bare],
    ];
    if (round % 2 === 1) order.reverse();
    for (const [side, take] of order) {
      try {
        const ms = await take(round);
        if (round >= warmup) samples[side].push(ms);
      } catch (error) {
        samples.failures.push(`${side} round ${round}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await between();
    }
    if (samples.failures.length >= MAX_FAILURES) break;
  }
  return samples;
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : 'n/a');

function row(label: string, summary: Summary): string {
  return [
    label.padEnd(18),
    String(summary.n).padStart(4),
    ms(summary.median).padStart(11),
    ms(summary.p90).padStart(11),
    ms(summary.min).padStart(11),
    ms(summary.max).padStart(11),
  ].join('');
}

async function main(): Promise<number> {
  const deadline = setTimeout(() => {
    console.error(`bench:connect: still running after ${HARD_DEADLINE_MS / 1000} s; giving up`);
    process.exit(1);
  }, HARD_DEADLINE_MS);
  deadline.unref();

  const server: RunningSignalingServer = await startSignalingServer({ host: '127.0.0.1', port: 0 });
  const signaling = parseSignalingUrl(server.url);
  const text = (round: number) => `round trip ${String(round).padStart(4, '0')}`;
  // Bare messages are exactly as long as the chat frame our agent puts on the wire for the text.
  const frameSize = (round: number) =>
    encodeFrame({ kind: 'chat', id: new Uint8Array(MESSAGE_ID_BYTES), sentAt: Date.now(), text: text(round) }).length;

  console.log('Tincan bench:connect: our agent (createPeerJsAgent) vs bare PeerJS');
  console.log(
    `server ${server.url}, @roamhq/wrtc, iceServers: [], Node ${process.version}, ${availableParallelism()} CPUs`,
  );

  let connect: Samples;
  let rtt: Samples;
  let oursKept = 0;
  let answererGotHello = true;
  try {
    connect = await interleave(
      CONNECT_ROUNDS,
      CONNECT_WARMUP,
      CONNECT_BUDGET_MS,
      () => oursConnectSample(signaling),
      () => bareConnectSample(signaling),
      () => sleep(SETTLE_MS),
    );

    const ours = await oursEchoPair(signaling);
    const bare = await bareEchoPair(signaling).catch((error: unknown) => {
      ours.close();
      throw error;
    });
    try {
      rtt = await interleave(
        RTT_ROUNDS,
        RTT_WARMUP,
        RTT_BUDGET_MS,
        (round) => ours.roundTrip(text(round)),
        (round) => bare.roundTrip(round, frameSize(round)),
      );
      oursKept = ours.kept();
      answererGotHello = ours.answererGotHello;
    } finally {
      ours.close();
      bare.close();
    }
  } finally {
    await sleep(SETTLE_MS);
    await within(server.close(), 2_000, 'server close').catch(() => {});
  }

  const c = { ours: summarize(connect.ours), bare: summarize(connect.bare) };
  const r = { ours: summarize(rtt.ours), bare: summarize(rtt.bare) };
  const half = (values: number[], second: boolean) => {
    const middle = Math.floor(values.length / 2);
    return summarize(second ? values.slice(middle) : values.slice(0, middle)).median;
  };

  console.log(
    `connect: ${CONNECT_ROUNDS} rounds (+${CONNECT_WARMUP} warm-up dropped), fresh ids per sample; ` +
      `round trip: ${RTT_ROUNDS} rounds (+${RTT_WARMUP} warm-up dropped), ${frameSize(0)}-byte messages; ` +
      'ours/bare alternate, order flipped each round',
  );
  console.log('');
  console.log(
    `${''.padEnd(18)}${'n'.padStart(4)}${'median'.padStart(11)}${'p90'.padStart(11)}${'min'.padStart(11)}${'max'.padStart(11)}`,
  );
  console.log(row('connect     ours', c.ours));
  console.log(row('connect     bare', c.bare));
  console.log(row('round trip  ours', r.ours));
  console.log(row('round trip  bare', r.bare));
  console.log('');
  console.log(
    `round-trip median, 1st half → 2nd half: ours ${ms(half(rtt.ours, false))} → ${ms(half(rtt.ours, true))} ` +
      `(conversation holds ${oursKept} messages at the end), bare ${ms(half(rtt.bare, false))} → ${ms(half(rtt.bare, true))}`,
  );
  for (const failure of [...connect.failures, ...rtt.failures]) console.log(`not counted: ${failure}`);
  if (!answererGotHello) {
    console.log(
      "note: the answering agent of the round-trip pair never received the dialer's hello (first frame lost)",
    );
  }
  console.log(
    `ratios ours/bare: connect median ${ratio(c.ours.median, c.bare.median)} (p90 ${ratio(c.ours.p90, c.bare.p90)}), ` +
      `round trip median ${ratio(r.ours.median, r.bare.median)} (p90 ${ratio(r.ours.p90, r.bare.p90)})`,
  );
  console.log(`connect-ratio=${ratio(c.ours.median, c.bare.median)} rtt-ratio=${ratio(r.ours.median, r.bare.median)}`);
  return 0;
}

main().then(
  (code) => {
    // Everything is closed; @roamhq/wrtc's native threads may still hold the event loop a while.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (error: unknown) => {
    console.error('bench:connect failed:', error);
    process.exit(1);
  },
);
