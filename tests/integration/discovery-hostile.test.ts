import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import { browserHostServices } from '../../lib/agent/peerjs-agent';
import { type DiscoveryFrame, decodeDiscoveryFrame, encodeDiscoveryFrame } from '../../lib/discovery/discovery-frame';
import { makeDiscoveryId, namespaceId, rootKey } from '../../lib/discovery/network-namespace';
import { signPresence } from '../../lib/discovery/presence-record';
import { onlyAddress } from '../../lib/discovery/router-claim';
import { routerId } from '../../lib/discovery/router-election';
import { createPeerJsTransport } from '../../lib/transport/peerjs-transport';
import type { Link, Transport } from '../../lib/transport/transport';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import {
  localSettings,
  type NodeUser,
  nodeRandomBytesFn,
  startNodeUser,
  waitFor,
  waitUntil,
} from '../support/node-agents';
import { Peer } from '../support/node-webrtc';

const PUBLIC_ADDRESS = '203.0.113.60';
const NS = namespaceId(rootKey('tincan'), PUBLIC_ADDRESS);
const HONEST = ['quin', 'rae', 'sol'];

let server: RunningSignalingServer;
const running: Agent[] = [];
const transports: Transport[] = [];
const honest: NodeUser[] = [];

beforeAll(async () => {
  server = await startSignalingServer({ port: 0 });
  for (const name of HONEST) {
    const user = await startNodeUser(server, name, { publicAddress: PUBLIC_ADDRESS });
    running.push(user.agent);
    honest.push(user);
  }
  await waitUntil(() => honest.every((u) => u.agent.snapshot().network.peers.length === HONEST.length - 1), 10_000);
}, 30_000);
afterAll(async () => {
  for (const agent of running) agent.stop();
  for (const transport of transports) transport.stop();
  await server.close();
});

/** A member of the namespace that speaks the discovery protocol however it likes. */
async function hostileMember(id = makeDiscoveryId('tincan', NS, nodeRandomBytesFn)): Promise<{
  id: string;
  link: Link;
  closed: Promise<void>;
  send(frame: DiscoveryFrame): void;
}> {
  const transport = createPeerJsTransport({
    Peer,
    server: localSettings(server).signaling,
    iceServers: [],
    nextAddress: onlyAddress(id),
    timers: browserHostServices(),
  });
  transports.push(transport);
  await new Promise<void>((resolve) => {
    if (transport.status.state === 'online') resolve();
    transport.onStatus((s) => s.state === 'online' && resolve());
  });
  const link = await transport.dial(routerId('tincan', NS, 1));
  const closed = new Promise<void>((resolve) => link.onClose(() => resolve()));
  return { id, link, closed, send: (frame) => link.send(encodeDiscoveryFrame(frame)) };
}

function record(discoveryId: string, name: string, seed = nodeRandomBytesFn(32), expiresAt = Date.now() + 60_000) {
  return signPresence({ name, discoveryId, contactTag: nodeRandomBytesFn(32), expiresAt }, seed);
}

const honestListsAreWhole = () =>
  honest.every((u) => {
    const names = u.agent
      .snapshot()
      .network.peers.map((p) => p.name)
      .sort();
    return JSON.stringify(names) === JSON.stringify(HONEST.filter((n) => n !== u.agent.snapshot().name).sort());
  });

async function expectDroppedAndHarmless(member: { closed: Promise<void> }, forgedName: string) {
  await member.closed;
  // Give a relayed change time to arrive, were there one.
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const user of honest) {
    expect(user.agent.snapshot().network.peers.map((p) => p.name)).not.toContain(forgedName);
  }
  expect(honestListsAreWhole()).toBe(true);
}

describe('a hostile member of the namespace', () => {
  it('checking in a record with a bad signature is dropped, and nobody sees the record', async () => {
    const member = await hostileMember();
    const bytes = record(member.id, 'forger');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    member.send({ kind: 'check-in', record: bytes });
    await expectDroppedAndHarmless(member, 'forger');
  });

  it('checking in a record under someone else’s discovery id (its own valid signature) is dropped', async () => {
    const member = await hostileMember();
    const victim = honest[1]?.agent.snapshot().network.peers[0]?.discoveryId ?? '';
    member.send({ kind: 'check-in', record: record(victim, 'impostor') });
    await expectDroppedAndHarmless(member, 'impostor');
  });

  it('replaying an honest member’s own signed record from its channel is dropped, the record stays the honest one', async () => {
    const member = await hostileMember();
    // What every member receives in the snapshot: the router relays records, members can too.
    const snapshot = await new Promise<unknown>((resolve) => member.link.onData(resolve));
    const decoded = decodeDiscoveryFrame(snapshot);
    if (!decoded.ok || decoded.frame.kind !== 'registry-snapshot') throw new Error('expected a snapshot first');
    const [honestRecord] = decoded.frame.records;
    if (!honestRecord) throw new Error('the snapshot is empty');
    member.send({ kind: 'check-in', record: honestRecord });
    await expectDroppedAndHarmless(member, 'nobody');
  });

  it('flooding check-ins is dropped; honest members are unaffected', async () => {
    const member = await hostileMember();
    const seed = nodeRandomBytesFn(32);
    for (let i = 0; i < 60; i++)
      member.send({ kind: 'check-in', record: record(member.id, `flood ${i}`, seed, Date.now() + 60_000 + i) });
    await member.closed;
    await waitUntil(
      () => honest.every((u) => !u.agent.snapshot().network.peers.some((p) => p.name.startsWith('flood'))),
      5_000,
    );
    expect(honestListsAreWhole()).toBe(true);
  });

  it('sending an oversized registry (or one at all: members do not hand over) is dropped', async () => {
    const member = await hostileMember();
    const records = Array.from({ length: 300 }, (_, i) =>
      record(makeDiscoveryId('tincan', NS, nodeRandomBytesFn), `ghost ${i}`),
    );
    // Past the frame's own record limit: not even decodable.
    const oversized = encodeDiscoveryFrame({ kind: 'hand-over', records: records.slice(0, 256) });
    // A 257th record appended after the 256 the count announces.
    const extra = records[256] ?? new Uint8Array(0);
    const bytes = new Uint8Array(oversized.length + 2 + extra.length);
    bytes.set(oversized);
    bytes.set([extra.length >> 8, extra.length & 0xff], oversized.length);
    bytes.set(extra, oversized.length + 2);
    member.link.send(bytes);
    await member.closed;
    const second = await hostileMember();
    second.send({ kind: 'hand-over', records: records.slice(0, 10) });
    await expectDroppedAndHarmless(second, 'ghost 0');
    const third = await hostileMember();
    third.send({ kind: 'registry-snapshot', records: records.slice(0, 10) });
    await expectDroppedAndHarmless(third, 'ghost 1');
  });

  it('a rogue "router" handing over ghosts: they never outlive the grace period, and a second hand-over is dropped', async () => {
    const rogue = await hostileMember(routerId('tincan', NS, 5));
    const ghosts = Array.from({ length: 5 }, (_, i) =>
      record(makeDiscoveryId('tincan', NS, nodeRandomBytesFn), `ghost of r5 ${i}`),
    );
    rogue.send({ kind: 'hand-over', records: ghosts });
    rogue.send({ kind: 'hand-over', records: ghosts });
    await rogue.closed;
    // Taken over provisionally; nobody checks in for them, so they go.
    await waitUntil(
      () => honest.every((u) => !u.agent.snapshot().network.peers.some((p) => p.name.startsWith('ghost of r5'))),
      10_000,
    );
    expect(honestListsAreWhole()).toBe(true);
  });

  it('an honest newcomer still joins and is seen by everyone afterwards', async () => {
    const late = await startNodeUser(server, 'tam', { publicAddress: PUBLIC_ADDRESS });
    running.push(late.agent);
    await waitFor(late.agent, () => late.agent.snapshot().network.peers.length === HONEST.length || undefined, 10_000);
    await waitUntil(() => honest.every((u) => u.agent.snapshot().network.peers.some((p) => p.name === 'tam')), 10_000);
  });
});
