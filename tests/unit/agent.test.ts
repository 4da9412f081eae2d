/**
 * Two agents over an in-memory transport (no WebRTC): the handshake, the request and the trust
 * decisions as a user meets them, quickly and with nothing but the agent's own code.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { type Agent, type AgentEvent, createAgent, MAX_OPEN_REQUESTS } from '../../lib/agent/agent';
import { AgentError } from '../../lib/agent/agent-error';
import { fromHex } from '../../lib/bytes';
import { encodeInvite } from '../../lib/crypto/invite';
import { Listeners } from '../../lib/listeners';
import { openChatStore } from '../../lib/store/chat-store';
import type { Contact } from '../../lib/store/contacts';
import { FACTORY_SETTINGS } from '../../lib/store/settings';
import { openTransferStore } from '../../lib/store/transfer-store';
import { DialError, type Link, type Transport, type TransportStatus } from '../../lib/transport/transport';
import { memoryLinkPair } from '../support/memory-links';
import { newAgentIdentity, nodeRandomBytesFn } from '../support/node-agents';

/** A switchboard: every agent registers an address, and dialling one hands the far end a link. */
function switchboard() {
  const incoming = new Map<string, Listeners<[Link]>>();
  return (address: string): Transport => {
    const listeners = new Listeners<[Link]>();
    incoming.set(address, listeners);
    const status: TransportStatus = { state: 'online', address };
    return {
      status,
      onStatus: () => () => {},
      onIncoming: (listener) => listeners.add(listener),
      async dial(remote) {
        const far = incoming.get(remote);
        if (!far) throw new DialError({ kind: 'peer-unavailable', detail: remote });
        const { a, b } = memoryLinkPair({ a: address, b: remote });
        setTimeout(() => far.emit(b), 0);
        return a;
      },
      stop: () => incoming.delete(address),
    };
  };
}

type TestUser = { agent: Agent; address: string; identityKey: string; events: AgentEvent[] };

function user(board: ReturnType<typeof switchboard>, name: string, contacts: Contact[] = []): TestUser {
  const address = `tincan-t-${name.toLowerCase()}`;
  const identity = newAgentIdentity();
  const host = { indexedDB: new IDBFactory(), IDBKeyRange };
  const agent = createAgent({
    openTransport: () => board(address),
    now: () => 1_000,
    randomBytes: nodeRandomBytesFn,
    setTimeout: (run, ms) => setTimeout(run, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    openChatStore: () => openChatStore(host),
    openTransferStore: () => openTransferStore(host),
  });
  const events: AgentEvent[] = [];
  agent.subscribe((event) => events.push(event));
  agent.configure({ settings: { ...FACTORY_SETTINGS, displayName: name }, identity, contacts });
  return { agent, address, identityKey: identity.identityKey, events };
}

async function until<T>(probe: () => T | undefined, ms = 2_000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 5) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('timed out');
}

/** Alice dials Bob, Bob accepts: both ready to chat. */
async function paired(board: ReturnType<typeof switchboard>): Promise<[TestUser, TestUser]> {
  const [alice, bob] = [user(board, 'Alice'), user(board, 'Bob')];
  await alice.agent.connect(bob.address);
  const request = await until(() => conversation(bob, alice));
  bob.agent.answerRequest(request.address, true);
  await until(() => (conversation(alice, bob)?.stage === 'ready' ? true : undefined));
  return [alice, bob];
}

const conversation = (of: TestUser, with_: TestUser) =>
  of.agent.snapshot().conversations.find((c) => c.peer?.identityKey === with_.identityKey);

describe('two strangers', () => {
  it('the dialler waits; the answerer is asked; accepting makes them contacts who can chat', async () => {
    const board = switchboard();
    const [alice, bob] = [user(board, 'Alice'), user(board, 'Bob')];
    await alice.agent.connect(bob.address);
    expect(conversation(alice, bob)?.stage).toBe('waiting');
    const request = await until(() => conversation(bob, alice));
    expect(request).toMatchObject({ stage: 'request', name: 'Alice' });
    expect(bob.events).toContainEqual(
      expect.objectContaining({ type: 'request-arrived', identityKey: alice.identityKey, name: 'Alice' }),
    );

    bob.agent.answerRequest(request.address, true);
    await until(() => (conversation(alice, bob)?.stage === 'ready' ? true : undefined));
    expect(conversation(bob, alice)?.stage).toBe('ready');
    const learned = (events: AgentEvent[]) =>
      events.flatMap((e) => (e.type === 'contact-changed' && e.change.type === 'learned' ? [e.change] : []));
    expect(learned(alice.events)).toMatchObject([{ identityKey: bob.identityKey, name: 'Bob', verified: false }]);
    expect(learned(bob.events)).toMatchObject([{ identityKey: alice.identityKey, name: 'Alice', verified: false }]);

    alice.agent.send(bob.address, 'hello Bob');
    const got = await until(() => conversation(bob, alice)?.messages[0]);
    expect(got).toMatchObject({ from: 'peer', text: 'hello Bob' });
  });

  it('a saved contact connects without a request', async () => {
    const board = switchboard();
    const alice = user(board, 'Alice');
    const aliceAsContact: Contact = {
      identityKey: alice.identityKey,
      petname: 'My Alice',
      address: '',
      verified: true,
      addedAt: 1,
      special: false,
      rendezvousPaused: false,
    };
    const bob = user(board, 'Bob', [aliceAsContact]);
    await alice.agent.connect(bob.address);
    await until(() => (conversation(alice, bob)?.stage === 'ready' ? true : undefined));
    expect(bob.events.some((e) => e.type === 'request-arrived')).toBe(false);
    // Bob learns where Alice is now.
    expect(bob.events).toContainEqual({
      type: 'contact-changed',
      change: { type: 'seen', identityKey: alice.identityKey, address: alice.address },
    });
    expect(bob.agent.snapshot().contacts[0]).toMatchObject({ petname: 'My Alice', online: true });
  });

  it('answering a request that is not open is refused', () => {
    const board = switchboard();
    const alice = user(board, 'Alice');
    expect(() => alice.agent.answerRequest('tincan-t-nobody', true)).toThrow(AgentError);
  });
});

describe('after a declined request', () => {
  it('dialling again at once makes a new request instead of reopening the declined one', async () => {
    const board = switchboard();
    const [alice, bob] = [user(board, 'Alice'), user(board, 'Bob')];
    await alice.agent.connect(bob.address);
    const first = await until(() => conversation(bob, alice));
    bob.agent.answerRequest(first.address, false);
    await until(() => (conversation(alice, bob)?.problem?.kind === 'declined' ? true : undefined));
    const requests = () => bob.events.filter((e) => e.type === 'request-arrived').length;
    await alice.agent.connect(bob.address);
    await until(() => (requests() === 2 ? true : undefined));
    expect(conversation(alice, bob)?.stage).toBe('waiting');
  });

  it('the one who declined can be asked again at once, whichever address sorts first', async () => {
    const board = switchboard();
    // Zed's address sorts after Ann's: the rule for simultaneous dials must not eat the new link.
    const [ann, zed] = [user(board, 'Ann'), user(board, 'Zed')];
    await zed.agent.connect(ann.address);
    const first = await until(() => conversation(ann, zed));
    ann.agent.answerRequest(first.address, false);
    await until(() => (conversation(zed, ann)?.problem?.kind === 'declined' ? true : undefined));
    await zed.agent.connect(ann.address);
    await until(() => (ann.events.filter((e) => e.type === 'request-arrived').length === 2 ? true : undefined));
  });
});

describe('trust checks on the answering side', () => {
  const contactFor = (of: TestUser, petname: string): Contact => ({
    identityKey: of.identityKey,
    petname,
    address: of.address,
    verified: true,
    addedAt: 1,
    special: false,
    rendezvousPaused: false,
  });

  it('another key dialling from a saved contact’s address is a changed key, not a request', async () => {
    const board = switchboard();
    const bob = user(board, 'Bob');
    const alice = user(board, 'Alice', [contactFor(bob, 'Bob')]);
    bob.agent.stop();
    const mallory = user(board, 'Bob'); // registers the address Bob left
    await mallory.agent.connect(alice.address).catch(() => {});
    const seen = await until(() => alice.agent.snapshot().conversations.find((c) => c.stage === 'closed'));
    expect(seen.problem).toMatchObject({ kind: 'key-changed', contactKey: bob.identityKey });
    expect(alice.events.some((e) => e.type === 'request-arrived')).toBe(false);
  });

  it('a new link from the address of a secured session does not cut that session', async () => {
    const board = switchboard();
    const [alice, bob] = await paired(board);
    // What a hostile signaling server could do: hand Bob another connection "from Alice".
    const intruder = user(board, 'Alice');
    await intruder.agent.connect(bob.address).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(conversation(bob, alice)?.stage).toBe('ready');
    alice.agent.send(bob.address, 'still here');
    await until(() => conversation(bob, alice)?.messages[0]);
  });

  it('an answer meant for one key does not accept another key’s request at the same address', async () => {
    const board = switchboard();
    const [alice, bob] = [user(board, 'Alice'), user(board, 'Bob')];
    await alice.agent.connect(bob.address);
    const request = await until(() => conversation(bob, alice));
    expect(() => bob.agent.answerRequest(request.address, true, 'ab'.repeat(32))).toThrow(AgentError);
    expect(conversation(bob, alice)?.stage).toBe('request');
    bob.agent.answerRequest(request.address, true, alice.identityKey);
    await until(() => (conversation(bob, alice)?.stage === 'ready' ? true : undefined));
  });

  it(`past ${MAX_OPEN_REQUESTS} open requests, more strangers are turned away`, async () => {
    const board = switchboard();
    const bob = user(board, 'Bob');
    const strangers = Array.from({ length: MAX_OPEN_REQUESTS + 2 }, (_, i) => user(board, `Stranger${i}`));
    await Promise.all(strangers.map((s) => s.agent.connect(bob.address).catch(() => {})));
    await until(() =>
      bob.agent.snapshot().conversations.filter((c) => c.stage !== 'securing' && c.stage !== 'connecting').length ===
      strangers.length
        ? true
        : undefined,
    );
    const stages = bob.agent.snapshot().conversations.map((c) => c.stage);
    expect(stages.filter((s) => s === 'request')).toHaveLength(MAX_OPEN_REQUESTS);
    expect(bob.events.filter((e) => e.type === 'request-arrived')).toHaveLength(MAX_OPEN_REQUESTS);
  });
});

describe('an invite for an address already connected', () => {
  it('is checked against the key of the session that is up', async () => {
    const board = switchboard();
    const [alice, bob] = [user(board, 'Alice'), user(board, 'Bob')];
    await alice.agent.connect(bob.address);
    const forged = encodeInvite({ address: bob.address, identityKey: fromHex(newAgentIdentity().identityKey) });
    await expect(alice.agent.connect(forged)).rejects.toMatchObject({ problem: { kind: 'invite-key-mismatch' } });
  });
});

describe('contacts the agent learned but the background has not stored yet', () => {
  it('are not lost when an older list arrives in the meantime', async () => {
    const board = switchboard();
    const [alice, bob] = await paired(board);
    // The background re-sends its setup (say, a settings change) before the new contact is written.
    const identity = newAgentIdentity();
    bob.agent.configure({ settings: { ...FACTORY_SETTINGS, displayName: 'Bob' }, identity, contacts: [] });
    expect(bob.agent.snapshot().contacts.map((c) => c.identityKey)).toEqual([alice.identityKey]);
  });
});
