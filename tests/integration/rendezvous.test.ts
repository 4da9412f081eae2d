/**
 * Contacts that stay reachable, between real agents over real WebRTC and a real PeerServer:
 * both restart with new PeerJS ids and no network in common, and find each other again through
 * their secret rendezvous slot; what they wrote meanwhile arrives exactly once, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import { SLOT_MS } from '../../lib/rendezvous/rendezvous-slot';
import type { Link, Transport } from '../../lib/transport/transport';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { type NodeUser, pairUsers, startNodeUser, waitFor, waitUntil } from '../support/node-agents';
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

/** A clock offset that puts "now" `before` ms ahead of the next slot boundary. */
function offsetToSlotEdge(before: number): number {
  const now = Date.now();
  const next = Math.ceil(now / SLOT_MS) * SLOT_MS;
  return next - before - now;
}

async function user(name: string, clockOffsetMs = 0): Promise<NodeUser> {
  const started = await startNodeUser(server, name, { handshakeTimeoutMs: 3_000, clockOffsetMs });
  users.push(started);
  return started;
}

/** Two special contacts (paired by invite) that agreed on a rendezvous secret. */
async function specialPair(clockOffsetMs = 0): Promise<[NodeUser, NodeUser]> {
  const [alice, bob] = [await user('Alice', clockOffsetMs), await user('Bob', clockOffsetMs)];
  await pairUsers(alice, bob, 'invite');
  const agreed = () => {
    const a = alice.contacts()[0];
    const b = bob.contacts()[0];
    return a?.special && a.rendezvousSecret && a.rendezvousSecret === b?.rendezvousSecret ? true : undefined;
  };
  await waitUntil(agreed);
  return [alice, bob];
}

function chatTexts(agent: Agent, contactKey: string, from: 'me' | 'peer'): string[] {
  const chat = agent.snapshot().chats.find((c) => c.contactKey === contactKey);
  return (chat?.messages ?? []).filter((m) => m.from === from).map((m) => m.text);
}

function online(agent: Agent, contactKey: string): true | undefined {
  return agent.snapshot().contacts.find((c) => c.identityKey === contactKey)?.online ? true : undefined;
}

describe('special contacts find each other again', () => {
  it('both restart with new ids and meet in their slot; messages queued on both sides arrive once, in order', async () => {
    const [alice, bob] = await specialPair();
    const aliceKey = alice.identity.identityKey;
    const bobKey = bob.identity.identityKey;
    const [aliceBefore, bobBefore] = [alice.address, bob.address];

    bob.agent.stop();
    await alice.restart();
    expect(alice.address).not.toBe(aliceBefore);
    for (let i = 1; i <= 5; i++) await alice.agent.sendTo(bobKey, `from alice ${i}`);
    await bob.restart();
    const started = Date.now();
    expect(bob.address).not.toBe(bobBefore);
    for (let i = 1; i <= 5; i++) await bob.agent.sendTo(aliceKey, `from bob ${i}`);

    await waitFor(alice.agent, () => online(alice.agent, bobKey), 20_000);
    const meetSeconds = (Date.now() - started) / 1000;
    expect(meetSeconds).toBeLessThan(10);
    const expectFrom = (who: string) => [1, 2, 3, 4, 5].map((i) => `from ${who} ${i}`);
    await waitFor(bob.agent, () => (chatTexts(bob.agent, aliceKey, 'peer').length >= 5 ? true : undefined));
    await waitFor(alice.agent, () => (chatTexts(alice.agent, bobKey, 'peer').length >= 5 ? true : undefined));
    await waitFor(alice.agent, () =>
      alice.agent.snapshot().chats.find((c) => c.contactKey === bobKey)?.pending === 0 ? true : undefined,
    );
    // A moment for any duplicate to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(chatTexts(bob.agent, aliceKey, 'peer')).toEqual(expectFrom('alice'));
    expect(chatTexts(alice.agent, bobKey, 'peer')).toEqual(expectFrom('bob'));
    // Each learned where the other is now.
    await waitFor(alice.agent, () => (alice.contacts()[0]?.address === bob.address ? true : undefined));
    await waitFor(bob.agent, () => (bob.contacts()[0]?.address === alice.address ? true : undefined));
  });

  it('they meet across a slot boundary', async () => {
    // Both clocks sit 4 s before a slot edge: the meeting happens as the slot rotates.
    const [alice, bob] = await specialPair(offsetToSlotEdge(4_000));
    const bobKey = bob.identity.identityKey;
    bob.agent.stop();
    await alice.restart();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await bob.restart();
    await waitFor(alice.agent, () => online(alice.agent, bobKey), 15_000);
  });

  it('a squatter on the old id is detected, never trusted, and the real contact is reached through the slot', async () => {
    const [alice, bob] = await specialPair();
    const bobKey = bob.identity.identityKey;
    const bobsOldAddress = bob.address;
    bob.agent.stop();
    await waitFor(alice.agent, () => (online(alice.agent, bobKey) ? undefined : true));

    // Mallory, with her own keys, registers the id Bob left behind.
    const mallory = await user('Bob');
    const squat = await openTransportAt(server, bobsOldAddress);
    transports.push(squat);
    squat.onIncoming((link: Link) => void establishAs(link, 'responder', mallory.identity, 'Bob').catch(() => {}));

    await alice.restart();
    await alice.agent.sendTo(bobKey, 'for Bob only');
    // Alice dials the old id, meets the wrong key, blocks the id and goes to the slot.
    await waitFor(alice.agent, () =>
      alice.agent.snapshot().contacts.find((c) => c.identityKey === bobKey)?.reach === 'recovering' ? true : undefined,
    );
    await bob.restart();
    await waitFor(alice.agent, () => online(alice.agent, bobKey), 15_000);
    await waitFor(bob.agent, () =>
      chatTexts(bob.agent, alice.identity.identityKey, 'peer').includes('for Bob only') ? true : undefined,
    );
    expect(alice.contacts()[0]).toMatchObject({ identityKey: bobKey, address: bob.address });
  });
});

describe('Ping on a saved contact', () => {
  it('says reachable, no answer, or answered with the wrong key', async () => {
    const [alice, bob] = await specialPair();
    const bobKey = bob.identity.identityKey;
    expect(await alice.agent.ping(bobKey)).toBe('reachable');

    const bobsAddress = bob.address;
    bob.agent.stop();
    await waitFor(alice.agent, () => (online(alice.agent, bobKey) ? undefined : true));
    expect(await alice.agent.ping(bobKey)).toBe('no-answer');

    const mallory = await user('Mallory');
    const squat = await openTransportAt(server, bobsAddress);
    transports.push(squat);
    squat.onIncoming((link: Link) => void establishAs(link, 'responder', mallory.identity, 'Bob').catch(() => {}));
    expect(await alice.agent.ping(bobKey)).toBe('wrong-key');
  });
});
