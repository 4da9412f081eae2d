/**
 * Identities, requests and contacts between real agents over real WebRTC and a real PeerServer:
 * who the other side is comes from the handshake, never from the address it holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError } from '../../lib/agent/agent-error';
import { fromHex } from '../../lib/bytes';
import { encodeInvite } from '../../lib/crypto/invite';
import { SessionError } from '../../lib/sessions/secure-link';
import type { Link, Transport } from '../../lib/transport/transport';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import {
  conversationWith,
  type NodeUser,
  newAgentIdentity,
  pairUsers,
  startNodeUser,
  textsFrom,
  waitFor,
} from '../support/node-agents';
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

async function user(name: string): Promise<NodeUser> {
  const started = await startNodeUser(server, name, { handshakeTimeoutMs: 3_000 });
  users.push(started);
  return started;
}

async function problemOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AgentError)) throw new Error(`expected an AgentError, got ${String(error)}`);
  return error.problem.kind;
}

describe('a first connection from an unknown key', () => {
  it('arrives as a request; accepting saves each as the other’s contact, with equal safety numbers', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    const requests: string[] = [];
    bob.agent.subscribe((event) => {
      if (event.type === 'request-arrived') requests.push(`${event.name} ${event.identityKey}`);
    });
    await pairUsers(alice, bob);
    expect(requests).toEqual([`Alice ${alice.identity.identityKey}`]);
    await waitFor(alice.agent, () => (alice.contacts().length === 1 ? true : undefined));
    await waitFor(bob.agent, () => (bob.contacts().length === 1 ? true : undefined));
    expect(alice.contacts()).toMatchObject([
      { identityKey: bob.identity.identityKey, petname: 'Bob', address: bob.address, verified: false },
    ]);
    expect(bob.contacts()).toMatchObject([
      { identityKey: alice.identity.identityKey, petname: 'Alice', address: alice.address, verified: false },
    ]);
    const [aliceView] = alice.agent.snapshot().contacts;
    const [bobView] = bob.agent.snapshot().contacts;
    expect(aliceView?.safetyNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(aliceView?.safetyNumber).toBe(bobView?.safetyNumber);
    expect(aliceView?.online).toBe(true);

    alice.agent.send(bob.address, 'encrypted hello');
    await waitFor(bob.agent, () => (textsFrom(bob.agent, alice.address, 'peer').length === 1 ? true : undefined));
    expect(textsFrom(bob.agent, alice.address, 'peer')).toEqual(['encrypted hello']);
  });

  it('messages sent before the request is accepted are refused, not queued behind the user’s back', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    await alice.agent.connect(bob.address);
    expect(conversationWith(alice.agent, bob.address)?.stage).toBe('waiting');
    await expect(alice.agent.send(bob.address, 'too early')).rejects.toThrow(AgentError);
  });

  it('a declined request closes the connection on both sides and saves no one', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    const requested = waitFor(bob.agent, () => bob.agent.snapshot().conversations.find((c) => c.stage === 'request'));
    await alice.agent.connect(bob.address);
    bob.agent.answerRequest((await requested).address, false);
    const declined = await waitFor(alice.agent, () => conversationWith(alice.agent, bob.address)?.problem);
    expect(declined.kind).toBe('declined');
    expect(conversationWith(alice.agent, bob.address)?.stage).toBe('closed');
    expect(alice.contacts()).toEqual([]);
    expect(bob.contacts()).toEqual([]);
  });
});

describe('invites', () => {
  it('a contact added by invite is verified from the first message', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    await pairUsers(alice, bob, 'invite');
    await waitFor(alice.agent, () => (alice.contacts().length === 1 ? true : undefined));
    expect(alice.contacts()[0]).toMatchObject({ identityKey: bob.identity.identityKey, verified: true });
    // Bob accepted a request: he has not compared anything yet.
    await waitFor(bob.agent, () => (bob.contacts().length === 1 ? true : undefined));
    expect(bob.contacts()[0]?.verified).toBe(false);
  });

  it('an invite whose key does not match the browser at its address is refused before Alice reveals herself', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    const requests: unknown[] = [];
    bob.agent.subscribe((event) => event.type === 'request-arrived' && requests.push(event));
    const forged = encodeInvite({ address: bob.address, identityKey: fromHex(newAgentIdentity().identityKey) });
    expect(await problemOf(alice.agent.connect(forged))).toBe('invite-key-mismatch');
    expect(conversationWith(alice.agent, bob.address)).toMatchObject({
      stage: 'closed',
      problem: { kind: 'invite-key-mismatch' },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requests).toEqual([]);
    expect(alice.contacts()).toEqual([]);
  });
});

describe('contacts whose addresses change', () => {
  it('after both restart with new addresses and the same keys, they reconnect as contacts with no new request', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    await pairUsers(alice, bob);
    await waitFor(bob.agent, () => (bob.contacts().length === 1 ? true : undefined));
    const [oldAlice, oldBob] = [alice.address, bob.address];
    await Promise.all([alice.restart(), bob.restart()]);
    expect(alice.address).not.toBe(oldAlice);
    expect(bob.address).not.toBe(oldBob);

    const requests: unknown[] = [];
    bob.agent.subscribe((event) => event.type === 'request-arrived' && requests.push(event));
    await alice.agent.connect(bob.address);
    await waitFor(alice.agent, () =>
      conversationWith(alice.agent, bob.address)?.stage === 'ready' ? true : undefined,
    );
    await waitFor(bob.agent, () => (conversationWith(bob.agent, alice.address)?.stage === 'ready' ? true : undefined));
    expect(requests).toEqual([]);
    // The saved contacts now point at the new addresses.
    await waitFor(bob.agent, () => (bob.contacts()[0]?.address === alice.address ? true : undefined));
    expect(alice.contacts()).toMatchObject([{ identityKey: bob.identity.identityKey, address: bob.address }]);
    bob.agent.send(alice.address, 'same Bob, new address');
    await waitFor(alice.agent, () => (textsFrom(alice.agent, bob.address, 'peer').length === 1 ? true : undefined));
  });

  it('a squatter on a saved contact’s address is reported as a changed key and gets no messages', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    await pairUsers(alice, bob);
    await waitFor(alice.agent, () => (alice.contacts().length === 1 ? true : undefined));
    const bobsAddress = bob.address;
    bob.agent.stop();
    await waitFor(alice.agent, () =>
      conversationWith(alice.agent, bobsAddress)?.stage === 'closed' ? true : undefined,
    );

    // Mallory, a Tincan user with her own keys, takes the address Bob left behind.
    const mallory = await startNodeUser(server, 'Bob', { handshakeTimeoutMs: 3_000 });
    users.push(mallory);
    const squat = await openTransportAt(server, bobsAddress);
    transports.push(squat);
    const received: string[] = [];
    squat.onIncoming((link: Link) => {
      establishAs(link, 'responder', mallory.identity, 'Bob').then(
        (session) => session.onFrame((frame) => received.push(`frame ${frame.length}`)),
        (error: unknown) => received.push(error instanceof SessionError ? error.failure.kind : String(error)),
      );
    });

    expect(await problemOf(alice.agent.connect(bobsAddress))).toBe('key-changed');
    const conversation = conversationWith(alice.agent, bobsAddress);
    expect(conversation).toMatchObject({
      stage: 'closed',
      problem: {
        kind: 'key-changed',
        contactKey: bob.identity.identityKey,
        presentedKey: mallory.identity.identityKey,
      },
    });
    await expect(alice.agent.send(bobsAddress, 'for Bob only')).rejects.toThrow(AgentError);
    // Alice's contact is still Bob's key; Mallory learned nothing and got nothing.
    expect(alice.contacts()).toMatchObject([{ identityKey: bob.identity.identityKey }]);
    for (let waited = 0; received.length === 0 && waited < 5_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(received).toEqual(['link-closed']);
  });

  it('accepting a changed key replaces the contact’s key, drops its verification, and dials again', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    await pairUsers(alice, bob, 'invite');
    await waitFor(alice.agent, () => (alice.contacts()[0]?.verified ? true : undefined));
    const bobsAddress = bob.address;
    bob.agent.stop();
    await waitFor(alice.agent, () =>
      conversationWith(alice.agent, bobsAddress)?.stage === 'closed' ? true : undefined,
    );
    // Bob reinstalled: a new key at the same address.
    const newBob = newAgentIdentity();
    const squat = await openTransportAt(server, bobsAddress);
    transports.push(squat);
    squat.onIncoming((link: Link) => void establishAs(link, 'responder', newBob, 'Bob').catch(() => {}));
    expect(await problemOf(alice.agent.connect(bobsAddress))).toBe('key-changed');

    await alice.agent.trustNewKey(bobsAddress);
    expect(alice.contacts()).toMatchObject([{ identityKey: newBob.identityKey, petname: 'Bob', verified: false }]);
    expect(conversationWith(alice.agent, bobsAddress)).toMatchObject({
      stage: 'waiting',
      peer: { identityKey: newBob.identityKey },
    });
  });
});
