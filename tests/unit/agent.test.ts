/**
 * The agent over an in-memory transport: a link here is a list of frames handed over exactly
 * the way the PeerJS transport hands them over, including frames that arrived before the link
 * was announced (the transport holds those and gives them to the first reader).
 */
import { describe, expect, it } from 'vitest';
import { createAgent } from '../../lib/agent/agent';
import { Listeners } from '../../lib/listeners';
import { decodeFrame, encodeFrame, type Frame } from '../../lib/protocol/frame';
import { FACTORY_SETTINGS } from '../../lib/store/settings';
import type { Link, LinkClose, Transport, TransportStatus } from '../../lib/transport/transport';

const ME = 'tincan-t-meeeeeeeeeeeeeeee';
const BOB = 'tincan-t-bobbobbobbobbobb';

function memoryLink(remoteAddress: string, held: Frame[] = []) {
  const waiting: unknown[] = held.map((frame) => encodeFrame(frame));
  const data = new Listeners<[unknown]>();
  const closes = new Listeners<[LinkClose]>();
  const sent: Frame[] = [];
  const link: Link = {
    remoteAddress,
    send(bytes) {
      const decoded = decodeFrame(bytes);
      if (!decoded.ok) throw new Error(`agent sent an invalid frame: ${decoded.error.kind}`);
      sent.push(decoded.frame);
    },
    onData(listener) {
      const remove = data.add(listener);
      for (const frame of waiting.splice(0)) listener(frame);
      return remove;
    },
    onClose: (listener) => closes.add(listener),
    close: () => closes.emit({ kind: 'closed' }),
  };
  return { link, sent, deliver: (frame: Frame) => data.emit(encodeFrame(frame)) };
}

function memoryTransport() {
  const incoming = new Listeners<[Link]>();
  const status: TransportStatus = { state: 'online', address: ME };
  const transport: Transport = {
    status,
    onStatus: () => () => {},
    onIncoming: (listener) => incoming.add(listener),
    dial: () => Promise.reject(new Error('not used here')),
    stop: () => {},
  };
  return { transport, arrive: (link: Link) => incoming.emit(link) };
}

function startAgent() {
  const { transport, arrive } = memoryTransport();
  const agent = createAgent({
    openTransport: () => transport,
    now: () => 1_000,
    randomBytes: (length) => new Uint8Array(length).fill(7),
  });
  agent.configure({ ...FACTORY_SETTINGS, displayName: 'Alice' });
  return { agent, arrive };
}

const chat = (n: number, text: string): Frame => ({ kind: 'chat', id: new Uint8Array(16).fill(n), sentAt: n, text });

describe('an agent reading a new link', () => {
  it('says hello, then reads what the contact sends', () => {
    const { agent, arrive } = startAgent();
    const bob = memoryLink(BOB);
    arrive(bob.link);
    expect(bob.sent).toEqual([{ kind: 'hello', name: 'Alice' }]);
    bob.deliver({ kind: 'hello', name: 'Bob' });
    bob.deliver(chat(1, 'hi'));
    expect(agent.snapshot().conversations).toMatchObject([{ address: BOB, name: 'Bob', link: 'open', unread: 1 }]);
  });

  it('frames that arrived before the link was announced are read, not dropped', () => {
    const { agent, arrive } = startAgent();
    // What wrtc does under load: the first frames reach the answering side before its 'open'.
    const bob = memoryLink(BOB, [chat(1, 'first'), chat(2, 'second'), { kind: 'hello', name: 'Bob' }]);
    arrive(bob.link);
    const conversation = agent.snapshot().conversations.find((c) => c.address === BOB);
    expect(conversation?.messages.map((m) => m.text)).toEqual(['first', 'second']);
    expect(conversation).toMatchObject({ name: 'Bob', link: 'open', unread: 2 });
    expect(bob.sent).toEqual([{ kind: 'hello', name: 'Alice' }]);
  });
});
