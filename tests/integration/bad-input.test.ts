/**
 * A plain PeerJS client, not a Tincan agent, connects to a real agent and sends it whatever it
 * likes. The agent must drop what it cannot read, close links where the policy says so, and keep
 * chatting with everyone else.
 */
import type { DataConnection, PeerConnectOption, Peer as PeerJsPeer } from 'peerjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../lib/agent/agent';
import {
  encodeFrame,
  FrameKind,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
  MESSAGE_ID_BYTES,
  PROTOCOL_VERSION,
} from '../../lib/protocol/frame';
import { MAX_BAD_FRAMES } from '../../lib/sessions/conversations';
import { parseSignalingUrl } from '../../lib/store/settings';
import { type RunningSignalingServer, startSignalingServer } from '../../server/signaling-server';
import { createBarePeer } from '../support/bare-peer';
import { startNodeAgent, textsFrom, waitFor } from '../support/node-agents';

let server: RunningSignalingServer;
let target: { agent: Agent; address: string };
const agents: Agent[] = [];
const strangers: PeerJsPeer[] = [];

beforeAll(async () => {
  server = await startSignalingServer({ port: 0 });
  target = await startNodeAgent(server, 'target');
  agents.push(target.agent);
});
afterAll(async () => {
  for (const peer of strangers) peer.destroy();
  for (const agent of agents) agent.stop();
  await server.close();
});

let strangerCount = 0;

/** A PeerJS client on the same signaling server, under an id that is not a Tincan address. */
async function stranger(): Promise<PeerJsPeer> {
  const signaling = parseSignalingUrl(server.url);
  strangerCount += 1;
  const id = `mallory${strangerCount}-${Math.random().toString(36).slice(2, 10)}`;
  const peer = createBarePeer(signaling, id);
  strangers.push(peer);
  await new Promise<void>((resolve, reject) => {
    peer.once('open', () => resolve());
    peer.once('error', reject);
  });
  return peer;
}

/** Resolves once the data connection is open (and the agent has taken it). */
async function dial(peer: PeerJsPeer, options: PeerConnectOption = { serialization: 'raw', reliable: true }) {
  const connection = peer.connect(target.address, options);
  if (!connection) throw new Error('PeerJS would not dial');
  await new Promise<void>((resolve, reject) => {
    connection.once('open', () => resolve());
    connection.once('error', reject);
    connection.once('close', () => reject(new Error('closed before it opened')));
  });
  await waitFor(target.agent, () => (conversationWith(peer.id)?.link === 'open' ? true : undefined));
  return connection;
}

function conversationWith(address: string) {
  return target.agent.snapshot().conversations.find((c) => c.address === address);
}

function closed(connection: DataConnection): Promise<void> {
  return new Promise((resolve) => {
    if (!connection.open) resolve();
    connection.once('close', () => resolve());
  });
}

let messageCount = 0;
const chat = (text: string, id = new Uint8Array(MESSAGE_ID_BYTES).fill(++messageCount)) =>
  encodeFrame({ kind: 'chat', id, sentAt: Date.now(), text });

/** Waits until the agent shows `text` from this stranger: everything sent before it has been read. */
async function delivered(peer: PeerJsPeer, text: string) {
  await waitFor(target.agent, () => (textsFrom(target.agent, peer.id, 'peer').includes(text) ? true : undefined));
}

function withVersion(frame: Uint8Array, version: number): Uint8Array {
  const copy = frame.slice();
  copy[0] = version;
  return copy;
}

/** A well-formed chat frame whose text bytes are not UTF-8. */
function chatWithInvalidUtf8(): Uint8Array {
  const frame = chat('xxxx');
  frame.set([0x61, 0xc3, 0x28, 0xff], HEADER_BYTES + MESSAGE_ID_BYTES + 8);
  return frame;
}

describe('an agent that hears garbage from a client that is not Tincan', () => {
  it('a few unreadable frames are counted, the link stays open, and what follows is read', async () => {
    const mallory = await stranger();
    const connection = await dial(mallory);
    const random = crypto.getRandomValues(new Uint8Array(200));
    random[0] = 0xee; // whatever else, not a version-1 frame
    connection.send(encodeFrame({ kind: 'hello', name: 'mallory' }));
    connection.send(random); // 1
    connection.send(new Uint8Array(0)); // 2
    connection.send('a string, not bytes'); // 3
    connection.send(withVersion(chat('from the future'), 2)); // 4
    connection.send(Uint8Array.from([PROTOCOL_VERSION, 0x7f, 1, 2, 3])); // unknown kind: skipped, not counted
    connection.send(chatWithInvalidUtf8()); // 5
    const twice = chat('still here');
    connection.send(twice);
    connection.send(twice); // the same message id again: shown once
    connection.send(chat('and again'));
    await delivered(mallory, 'and again');

    expect(textsFrom(target.agent, mallory.id, 'peer')).toEqual(['still here', 'and again']);
    const conversation = conversationWith(mallory.id);
    expect(conversation).toMatchObject({ name: 'mallory', link: 'open', badFrames: 5, unread: 2 });
    expect(conversation?.problem).toBeUndefined();
    expect(connection.open).toBe(true);
  });

  it('a frame over 64 KiB closes the link at once, as a protocol violation', async () => {
    const mallory = await stranger();
    const connection = await dial(mallory);
    const oversized = new Uint8Array(MAX_FRAME_BYTES + 1);
    oversized.set([PROTOCOL_VERSION, FrameKind.Chat]);
    connection.send(oversized);
    // Whatever follows on the dying link must not change why it closed.
    for (let i = 0; i < MAX_BAD_FRAMES; i++) connection.send(new Uint8Array([0]));
    await closed(connection);
    const conversation = await waitFor(target.agent, () => {
      const current = conversationWith(mallory.id);
      return current?.link === 'closed' ? current : undefined;
    });
    // The detail proves the frame crossed the data channel whole and was judged by its size.
    expect(conversation.problem).toEqual({ kind: 'protocol-violation', detail: 'invalid frame (too-large)' });
  });

  it(`frames of unknown kinds are skipped; the ${MAX_BAD_FRAMES}th malformed frame closes the link`, async () => {
    const mallory = await stranger();
    const connection = await dial(mallory);
    for (let kind = 0x03; kind < 0x03 + 3 * MAX_BAD_FRAMES; kind++) {
      connection.send(Uint8Array.from([PROTOCOL_VERSION, kind, 0xff]));
    }
    for (let i = 1; i < MAX_BAD_FRAMES; i++) connection.send(Uint8Array.from([PROTOCOL_VERSION, FrameKind.Chat, i]));
    connection.send(chat('one short of the limit'));
    await delivered(mallory, 'one short of the limit');
    expect(conversationWith(mallory.id)).toMatchObject({ link: 'open', badFrames: MAX_BAD_FRAMES - 1 });

    connection.send(Uint8Array.from([PROTOCOL_VERSION, FrameKind.Hello, 9]));
    await closed(connection);
    const conversation = await waitFor(target.agent, () => {
      const current = conversationWith(mallory.id);
      return current?.link === 'closed' ? current : undefined;
    });
    expect(conversation).toMatchObject({
      badFrames: MAX_BAD_FRAMES,
      problem: { kind: 'protocol-violation', detail: 'invalid frame (malformed)' },
    });
  });

  it('connections that are not raw bytes on a reliable channel are refused before they open', async () => {
    const mallory = await stranger();
    const refused = (
      [
        { serialization: 'json', reliable: true },
        { serialization: 'binary', reliable: true },
        { serialization: 'default' },
        { serialization: 'raw', reliable: false },
        { serialization: 'raw' },
      ] satisfies PeerConnectOption[]
    ).map((options) => {
      const connection = mallory.connect(target.address, options);
      if (!connection) throw new Error('PeerJS would not dial');
      return connection;
    });
    // Offers travel in order over one signaling connection: by the time a later raw, reliable
    // connection is open and has carried a message, the agent has answered (or not) all of them.
    const connection = await dial(mallory);
    connection.send(chat('the proper way'));
    await delivered(mallory, 'the proper way');
    for (const attempt of refused)
      expect(attempt.open, `${attempt.serialization}, reliable ${attempt.reliable}`).toBe(false);
    expect(target.agent.snapshot().conversations.filter((c) => c.address === mallory.id)).toHaveLength(1);
    expect(conversationWith(mallory.id)).toMatchObject({ link: 'open', badFrames: 0 });
    for (const attempt of refused) attempt.close();
  });

  it('after all that, the agent is online and chats with an honest agent, in order', async () => {
    const honest = await startNodeAgent(server, 'honest');
    agents.push(honest.agent);
    await honest.agent.connect(target.address);
    await waitFor(target.agent, () => (conversationWith(honest.address)?.link === 'open' ? true : undefined));
    const there = Array.from({ length: 20 }, (_, i) => `to target ${i}`);
    const back = Array.from({ length: 20 }, (_, i) => `to honest ${i}`);
    for (let i = 0; i < 20; i++) {
      honest.agent.send(target.address, there[i] ?? '');
      target.agent.send(honest.address, back[i] ?? '');
    }
    await waitFor(target.agent, () => textsFrom(target.agent, honest.address, 'peer').length >= 20 || undefined);
    await waitFor(honest.agent, () => textsFrom(honest.agent, target.address, 'peer').length >= 20 || undefined);
    expect(textsFrom(target.agent, honest.address, 'peer')).toEqual(there);
    expect(textsFrom(honest.agent, target.address, 'peer')).toEqual(back);

    const snapshot = target.agent.snapshot();
    expect(snapshot.status).toEqual({ state: 'online', address: target.address });
    expect(conversationWith(honest.address)).toMatchObject({ name: 'honest', link: 'open', badFrames: 0 });
    const violations = snapshot.conversations.filter((c) => c.problem?.kind === 'protocol-violation');
    expect(violations.map((c) => c.link)).toEqual(['closed', 'closed']);
  });
});
