/**
 * `npm run bench:rendezvous`: how fast two special contacts who both changed PeerJS ids are
 * connected again, and how 1000 messages queued while apart are delivered — in Node, real
 * WebRTC (@roamhq/wrtc), one local PeerServer on 127.0.0.1, history in fake-indexeddb.
 *
 *  meet        Two special contacts (paired by invite). Both stop; both start again with new ids
 *              (neither can reach the other's last address). Timed from the moment the second
 *              one is online until both show the other online. Taken at several places in the
 *              10-minute slot (each pair's clock is offset so that "now" sits there): just after
 *              a boundary and just before one (two slots tried), mid-slot, and 3 s before a
 *              boundary (the slot rotates during the meeting).
 *    baseline  Same pair, only one side changed its id: the other dials its last known address
 *              directly. Timed the same way.
 *  queued      Alice writes 1000 messages while Bob is away; both changed ids. Timed from Bob's
 *              restart until Alice's outbox is empty (Bob acknowledges only what he has stored);
 *              lost and duplicated counted from what Bob's chat store (IndexedDB) then holds.
 *    baseline  1000 messages written while both are connected: from the last one stored until
 *              all are acknowledged.
 *
 * A benchmark: it asserts nothing. The last line is exactly
 * `meet-s=<n> queued=1000 lost=<n> duplicated=<n>` (meet-s: the slowest meeting of the run).
 */
import { pathToFileURL } from 'node:url';
import type { Agent } from '../lib/agent/agent';
import { SLOT_MS } from '../lib/rendezvous/rendezvous-slot';
import { openChatStore } from '../lib/store/chat-store';
import type { RunningSignalingServer } from '../server/signaling-server';
import { type NodeUser, pairUsers, startNodeUser, waitFor, waitUntil } from '../tests/support/node-agents';
import { describeMachine, runBench, sleep } from './connect';
import { median } from './stats';

const QUEUED = 1000;
const HARD_DEADLINE_MS = 10 * 60_000;

/** Where in the slot each meeting starts, as ms before the next slot boundary. */
const POSITIONS: Array<[string, number]> = [
  ['30 s after a boundary', SLOT_MS - 30_000],
  ['mid-slot', SLOT_MS / 2],
  ['60 s before a boundary', 60_000],
  ['3 s before a boundary', 3_000],
];

function offsetBefore(boundaryInMs: number): number {
  const now = Date.now();
  return Math.ceil(now / SLOT_MS) * SLOT_MS - boundaryInMs - now;
}

const isOnline = (agent: Agent, key: string) =>
  agent.snapshot().contacts.find((c) => c.identityKey === key)?.online ? true : undefined;

async function specialPair(server: RunningSignalingServer, offset: number): Promise<[NodeUser, NodeUser]> {
  const options = { handshakeTimeoutMs: 3_000, clockOffsetMs: offset };
  const alice = await startNodeUser(server, 'Alice', options);
  const bob = await startNodeUser(server, 'Bob', options);
  await pairUsers(alice, bob, 'invite');
  const agreed = () => {
    const a = alice.contacts()[0]?.rendezvousSecret;
    return a && a === bob.contacts()[0]?.rendezvousSecret ? true : undefined;
  };
  await waitUntil(agreed);
  return [alice, bob];
}

async function bothOnline(alice: NodeUser, bob: NodeUser, timeoutMs = 60_000): Promise<void> {
  await waitFor(alice.agent, () => isOnline(alice.agent, bob.identity.identityKey), timeoutMs);
  await waitFor(bob.agent, () => isOnline(bob.agent, alice.identity.identityKey), timeoutMs);
}

/** Both change ids; seconds from the second one online until they are connected again. */
async function meet(alice: NodeUser, bob: NodeUser): Promise<number> {
  alice.agent.stop();
  bob.agent.stop();
  await sleep(200);
  await alice.restart();
  await bob.restart();
  const started = performance.now();
  await bothOnline(alice, bob);
  return (performance.now() - started) / 1000;
}

/** Only Alice changes her id; Bob is where she last saw him. */
async function directReconnect(alice: NodeUser, bob: NodeUser): Promise<number> {
  alice.agent.stop();
  await waitFor(bob.agent, () => (isOnline(bob.agent, alice.identity.identityKey) ? undefined : true), 30_000);
  await alice.restart();
  const started = performance.now();
  await bothOnline(alice, bob);
  return (performance.now() - started) / 1000;
}

type Delivery = { seconds: number; lost: number; duplicated: number };

/** What Bob's chat store holds from Alice with this prefix: the count that matters (it is what survives). */
async function storedTexts(bob: NodeUser, aliceKey: string, prefix: string): Promise<string[]> {
  const store = await openChatStore(bob.indexedDB);
  try {
    const archive = await store.exportAll();
    return archive.messages
      .filter((m) => m.contactKey === aliceKey && m.from === 'peer' && m.text.startsWith(prefix))
      .map((m) => m.text);
  } finally {
    store.close();
  }
}

/**
 * Writes QUEUED messages (the last one awaited), runs `start`, and times until Alice's outbox is
 * empty: every message acknowledged, and Bob acknowledges only what he has stored.
 */
async function deliverAll(alice: NodeUser, bob: NodeUser, prefix: string, start: () => Promise<void>) {
  const aliceKey = alice.identity.identityKey;
  const bobKey = bob.identity.identityKey;
  for (let i = 0; i < QUEUED - 1; i++) void alice.agent.sendTo(bobKey, `${prefix} ${i}`);
  await alice.agent.sendTo(bobKey, `${prefix} ${QUEUED - 1}`);
  const started = performance.now();
  await start();
  await waitUntil(() => alice.agent.snapshot().chats.find((c) => c.contactKey === bobKey)?.pending === 0, 180_000, 20);
  const seconds = (performance.now() - started) / 1000;
  await sleep(500);
  const texts = await storedTexts(bob, aliceKey, `${prefix} `);
  const distinct = new Set(texts).size;
  return { seconds, lost: QUEUED - distinct, duplicated: texts.length - distinct } satisfies Delivery;
}

async function main(server: RunningSignalingServer): Promise<void> {
  console.log('Tincan bench:rendezvous: special contacts who both changed ids, and 1000 queued messages');
  console.log(describeMachine(server));
  const meetings: number[] = [];
  const directs: number[] = [];
  const users: NodeUser[] = [];
  try {
    for (const [label, before] of POSITIONS) {
      const [alice, bob] = await specialPair(server, offsetBefore(before));
      users.push(alice, bob);
      const direct = await directReconnect(alice, bob);
      const met = await meet(alice, bob);
      directs.push(direct);
      meetings.push(met);
      console.log(`meet, ${label}: ${met.toFixed(2)} s (direct reconnect, same pair: ${direct.toFixed(2)} s)`);
      alice.agent.stop();
      bob.agent.stop();
    }
    const worst = Math.max(...meetings);
    console.log(
      `meet: median ${median(meetings).toFixed(2)} s, slowest ${worst.toFixed(2)} s; direct reconnect median ` +
        `${median(directs).toFixed(2)} s; ratio ${(median(meetings) / median(directs)).toFixed(2)}`,
    );

    const [alice, bob] = await specialPair(server, 0);
    users.push(alice, bob);
    // Baseline: both connected while the messages are written.
    const live = await deliverAll(alice, bob, 'live', async () => {});
    console.log(
      `baseline, ${QUEUED} messages written while connected: ${live.seconds.toFixed(2)} s from the last ` +
        `one stored to all acknowledged, lost ${live.lost}, duplicated ${live.duplicated}`,
    );
    // Queued: Bob away, both change ids, Alice writes, Bob comes back.
    bob.agent.stop();
    alice.agent.stop();
    await sleep(200);
    await alice.restart();
    const queued = await deliverAll(alice, bob, 'queued', () => bob.restart());
    console.log(
      `queued ${QUEUED} while apart, both changed ids: ${queued.seconds.toFixed(2)} s from Bob's restart to all ` +
        `acknowledged (meeting included), lost ${queued.lost}, duplicated ${queued.duplicated}; ratio to baseline ` +
        `${(queued.seconds / live.seconds).toFixed(2)}`,
    );
    console.log(`meet-s=${worst.toFixed(2)} queued=${QUEUED} lost=${queued.lost} duplicated=${queued.duplicated}`);
  } finally {
    for (const user of users) user.agent.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runBench('bench:rendezvous', HARD_DEADLINE_MS, main);
