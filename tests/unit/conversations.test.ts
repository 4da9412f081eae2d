import { describe, expect, it } from 'vitest';
import type { ChatFrame, Frame, FrameError } from '../../lib/protocol/frame';
import {
  type ConversationEffect,
  type ConversationEvent,
  type ConversationsState,
  emptyConversations,
  findConversation,
  MAX_BAD_FRAMES,
  MAX_MESSAGES_KEPT,
  type PeerView,
  reduceConversations,
  unreadTotal,
} from '../../lib/sessions/conversations';

const BOB = 'tincan-t-bobbobbobbobbobb';
const CAROL = 'tincan-t-carolcarolcarolc';

/** Drives the reducer through events in order, keeping every step's effects. */
function run(events: ConversationEvent[], from: ConversationsState = emptyConversations) {
  let state = from;
  const effects: ConversationEffect[][] = [];
  for (const event of events) {
    const step = reduceConversations(state, event);
    state = step.state;
    effects.push(step.effects);
  }
  return { state, effects, last: effects.at(-1) ?? [] };
}

function conversation(state: ConversationsState, address = BOB) {
  const found = findConversation(state, address);
  if (!found) throw new Error(`no conversation with ${address}`);
  return found;
}

const id = (n: number) => Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? n & 0xff : i === 14 ? n >> 8 : 0));
const idHex = (n: number) =>
  `${'00'.repeat(14)}${(n >> 8).toString(16).padStart(2, '0')}${(n & 0xff).toString(16).padStart(2, '0')}`;
const chat = (n: number, text = `message ${n}`): ChatFrame => ({ kind: 'chat', id: id(n), sentAt: 1_000 + n, text });

const peerOf = (address: string, name = ''): PeerView => ({
  identityKey: address === BOB ? 'b0'.repeat(32) : address === CAROL ? 'c0'.repeat(32) : 'e0'.repeat(32),
  name,
  fingerprint: `fp-${address.slice(-4)}`,
});

/** Dialled, secured, both sides accepted: ready to chat. */
const opened = (address = BOB, name = ''): ConversationEvent[] => [
  { type: 'dial-started', address },
  { type: 'link-opened', address },
  { type: 'session-established', address, peer: peerOf(address, name), trusted: true },
  { type: 'frame-received', address, frame: { kind: 'accept' }, at: 1 },
];
const received = (frame: Frame, at = 5_000, address = BOB): ConversationEvent => ({
  type: 'frame-received',
  address,
  frame,
  at,
});
const rejected = (error: FrameError, address = BOB): ConversationEvent => ({ type: 'frame-rejected', address, error });
const malformed: FrameError = { kind: 'malformed', detail: 'chat: too short' };

describe('opening a conversation', () => {
  it('dialing shows the contact as connecting', () => {
    const { state, last } = run([{ type: 'dial-started', address: BOB }]);
    expect(conversation(state)).toMatchObject({ address: BOB, name: '', stage: 'connecting', unread: 0, messages: [] });
    expect(last).toEqual([]);
  });

  it('when the link opens, the handshake runs before anything else', () => {
    const { state, last } = run([
      { type: 'dial-started', address: BOB },
      { type: 'link-opened', address: BOB },
    ]);
    expect(conversation(state).stage).toBe('securing');
    expect(last).toEqual([]);
  });

  it('a trusted session says accept and waits for the other side’s accept', () => {
    const { state, last } = run([
      { type: 'dial-started', address: BOB },
      { type: 'link-opened', address: BOB },
      { type: 'session-established', address: BOB, peer: peerOf(BOB, 'Bob'), trusted: true },
    ]);
    expect(conversation(state)).toMatchObject({ stage: 'waiting', name: 'Bob', trusted: true, theyAccepted: false });
    expect(last).toEqual([{ type: 'send', address: BOB, frame: { kind: 'accept' } }]);
  });

  it('their accept makes the conversation ready, and the contact can be saved', () => {
    const { state, last } = run(opened(BOB, 'Bob'));
    expect(conversation(state).stage).toBe('ready');
    expect(last).toEqual([{ type: 'session-ready', address: BOB, peer: peerOf(BOB, 'Bob') }]);
  });

  it('a link someone else opened starts a conversation too', () => {
    const { state } = run([{ type: 'link-opened', address: CAROL }]);
    expect(conversation(state, CAROL).stage).toBe('securing');
  });

  it('a hello after the handshake changes nothing: names come with the identity proof', () => {
    const before = run(opened(BOB, 'Bob')).state;
    const { state, last } = run([received({ kind: 'hello', name: 'Not Bob' })], before);
    expect(state).toEqual(before);
    expect(last).toEqual([]);
  });

  it('a dial that fails leaves the conversation closed with the reason', () => {
    const problem = { kind: 'peer-unavailable' as const, detail: 'No one is online there.' };
    const { state } = run([
      { type: 'dial-started', address: BOB },
      { type: 'dial-failed', address: BOB, problem },
    ]);
    expect(conversation(state)).toMatchObject({ stage: 'closed', problem });
  });

  it('dialing again clears the last failure', () => {
    const problem = { kind: 'timeout' as const, detail: 'No answer.' };
    const { state } = run([
      { type: 'dial-started', address: BOB },
      { type: 'dial-failed', address: BOB, problem },
      { type: 'dial-started', address: BOB },
    ]);
    expect(conversation(state).stage).toBe('connecting');
    expect(conversation(state).problem).toBeUndefined();
  });

  it('conversations with different contacts are kept apart', () => {
    const { state } = run([...opened(BOB), ...opened(CAROL, 'Carol')]);
    expect(state.conversations.map((c) => [c.address, c.name])).toEqual([
      [BOB, ''],
      [CAROL, 'Carol'],
    ]);
  });
});

describe('receiving messages', () => {
  it('a message is added to the conversation, counted unread and announced with the total', () => {
    const { state, last } = run([...opened(BOB, 'Bob'), received(chat(1, 'hi'), 7_000)]);
    expect(conversation(state).messages).toEqual([
      { id: idHex(1), from: 'peer', text: 'hi', sentAt: 1_001, at: 7_000 },
    ]);
    expect(conversation(state).unread).toBe(1);
    expect(last).toEqual([{ type: 'message-arrived', address: BOB, name: 'Bob', text: 'hi', unreadTotal: 1 }]);
  });

  it('the unread total counts every conversation', () => {
    const { state, last } = run([
      ...opened(BOB),
      ...opened(CAROL),
      received(chat(1), 1, BOB),
      received(chat(2), 2, BOB),
      received(chat(1), 3, CAROL),
    ]);
    expect(conversation(state, BOB).unread).toBe(2);
    expect(conversation(state, CAROL).unread).toBe(1);
    expect(unreadTotal(state)).toBe(3);
    expect(last).toMatchObject([{ type: 'message-arrived', address: CAROL, unreadTotal: 3 }]);
  });

  it('messages are kept in the order they arrived', () => {
    const { state } = run([...opened(), ...[3, 1, 2].map((n) => received(chat(n), n * 10))]);
    expect(conversation(state).messages.map((m) => m.text)).toEqual(['message 3', 'message 1', 'message 2']);
  });

  it('a message that arrives twice (same id) is shown and counted once', () => {
    const { state, last } = run([...opened(), received(chat(1)), received(chat(2)), received(chat(1, 'edited?'))]);
    expect(conversation(state).messages.map((m) => m.text)).toEqual(['message 1', 'message 2']);
    expect(conversation(state).unread).toBe(2);
    expect(last).toEqual([]);
  });

  it('a message from the contact with the id of one this browser sent is still shown', () => {
    const { state } = run([
      ...opened(),
      { type: 'chat-sent', address: BOB, id: id(9), text: 'mine', at: 1 },
      received(chat(9, 'theirs')),
    ]);
    expect(conversation(state).messages.map((m) => [m.from, m.text])).toEqual([
      ['me', 'mine'],
      ['peer', 'theirs'],
    ]);
  });

  it('reading a conversation clears its unread count, not the others’', () => {
    const { state, last } = run([
      ...opened(BOB),
      ...opened(CAROL),
      received(chat(1), 1, BOB),
      received(chat(2), 2, CAROL),
      { type: 'read', address: BOB },
    ]);
    expect(conversation(state, BOB).unread).toBe(0);
    expect(conversation(state, CAROL).unread).toBe(1);
    expect(unreadTotal(state)).toBe(1);
    expect(last).toEqual([]);
    expect(conversation(state, BOB).messages).toHaveLength(1);
  });

  it('frames on a link that is not open are ignored', () => {
    const { state, last } = run([{ type: 'dial-started', address: BOB }, received(chat(1))]);
    expect(conversation(state).messages).toEqual([]);
    expect(last).toEqual([]);
    expect(run([received(chat(1))]).state).toEqual(emptyConversations);
  });

  it(`a long conversation keeps the latest ${MAX_MESSAGES_KEPT} messages`, () => {
    const total = MAX_MESSAGES_KEPT + 5;
    const { state } = run([...opened(), ...Array.from({ length: total }, (_, n) => received(chat(n), n))]);
    const messages = conversation(state).messages;
    expect(messages).toHaveLength(MAX_MESSAGES_KEPT);
    expect(messages[0]?.text).toBe('message 5');
    expect(messages.at(-1)?.text).toBe(`message ${total - 1}`);
  });
});

describe('sending messages', () => {
  it('a message sent on an open link is shown as mine and goes out as a chat frame', () => {
    const { state, last } = run([...opened(), { type: 'chat-sent', address: BOB, id: id(4), text: 'hello', at: 42 }]);
    expect(conversation(state).messages).toEqual([{ id: idHex(4), from: 'me', text: 'hello', sentAt: 42, at: 42 }]);
    expect(conversation(state).unread).toBe(0);
    expect(last).toEqual([
      { type: 'send', address: BOB, frame: { kind: 'chat', id: id(4), sentAt: 42, text: 'hello' } },
    ]);
  });

  it.each<[string, ConversationEvent[]]>([
    ['while still connecting', [{ type: 'dial-started', address: BOB }]],
    ['after the link closed', [...opened(), { type: 'link-closed', address: BOB, why: { kind: 'closed' } }]],
    ['to someone never dialed', []],
  ])('nothing is sent or shown %s', (_, before) => {
    const start = run(before).state;
    const { state, last } = run([{ type: 'chat-sent', address: BOB, id: id(1), text: 'lost?', at: 1 }], start);
    expect(state).toEqual(start);
    expect(last).toEqual([]);
  });
});

describe('links that close', () => {
  it('a link closed normally shows as closed, with no problem', () => {
    const { state } = run([...opened(), { type: 'link-closed', address: BOB, why: { kind: 'closed' } }]);
    expect(conversation(state)).toMatchObject({ stage: 'closed' });
    expect(conversation(state).problem).toBeUndefined();
  });

  it('a link that failed records why', () => {
    const { state } = run([
      ...opened(),
      { type: 'link-closed', address: BOB, why: { kind: 'failed', detail: 'ICE failed' } },
    ]);
    expect(conversation(state)).toMatchObject({
      stage: 'closed',
      problem: { kind: 'link-failed', detail: 'ICE failed' },
    });
  });

  it('messages and the name survive the link closing', () => {
    const { state } = run([
      ...opened(BOB, 'Bob'),
      received(chat(1)),
      { type: 'link-closed', address: BOB, why: { kind: 'closed' } },
    ]);
    expect(conversation(state)).toMatchObject({ name: 'Bob', unread: 1, messages: [{ text: 'message 1' }] });
  });
});

describe('a contact that sends frames we cannot read', () => {
  it('frames of a kind from a newer protocol are skipped without counting against the contact', () => {
    const unknown: FrameError = { kind: 'unknown-kind', frameKind: 0x7f };
    const { state, effects } = run([
      ...opened(),
      ...Array.from({ length: MAX_BAD_FRAMES * 3 }, () => rejected(unknown)),
    ]);
    expect(conversation(state)).toMatchObject({ stage: 'ready', badFrames: 0 });
    expect(conversation(state).problem).toBeUndefined();
    expect(effects.slice(4).flat()).toEqual([]);
  });

  it('a frame that is too large closes the link at once, as a protocol violation', () => {
    const { state, last } = run([...opened(), rejected({ kind: 'too-large', size: 70_000 })]);
    expect(last).toEqual([{ type: 'close-link', address: BOB }]);
    expect(conversation(state).stage).toBe('closed');
    expect(conversation(state).problem).toEqual({ kind: 'protocol-violation', detail: 'invalid frame (too-large)' });
  });

  it(`a few malformed frames are tolerated; the ${MAX_BAD_FRAMES}th closes the link`, () => {
    const errors: FrameError[] = [
      { kind: 'not-bytes' },
      { kind: 'too-short', size: 1 },
      { kind: 'unsupported-version', version: 9 },
      malformed,
    ];
    const before = run([
      ...opened(),
      ...Array.from({ length: MAX_BAD_FRAMES - 1 }, (_, i) => rejected(errors[i % errors.length] ?? malformed)),
    ]);
    expect(before.effects.slice(4).flat()).toEqual([]);
    expect(conversation(before.state)).toMatchObject({ stage: 'ready', badFrames: MAX_BAD_FRAMES - 1 });
    expect(conversation(before.state).problem).toBeUndefined();

    const { state, last } = run([rejected(malformed)], before.state);
    expect(last).toEqual([{ type: 'close-link', address: BOB }]);
    expect(conversation(state)).toMatchObject({
      badFrames: MAX_BAD_FRAMES,
      problem: { kind: 'protocol-violation', detail: 'invalid frame (malformed)' },
    });
  });

  it('good frames between bad ones are still delivered, and do not reset the count', () => {
    const { state } = run([
      ...opened(),
      rejected(malformed),
      received(chat(1)),
      rejected(malformed),
      received(chat(2)),
    ]);
    expect(conversation(state)).toMatchObject({ badFrames: 2, unread: 2, stage: 'ready' });
  });

  it('the protocol violation stays the reason once the link has closed', () => {
    const { state } = run([
      ...opened(),
      rejected({ kind: 'too-large', size: 70_000 }),
      { type: 'link-closed', address: BOB, why: { kind: 'closed' } },
    ]);
    expect(conversation(state)).toMatchObject({ stage: 'closed', problem: { kind: 'protocol-violation' } });
  });

  it('frames still in flight after the link closed change nothing', () => {
    const closed = run([
      ...opened(),
      rejected({ kind: 'too-large', size: 70_000 }),
      { type: 'link-closed', address: BOB, why: { kind: 'closed' } },
    ]).state;
    const { state, effects } = run(
      [...Array.from({ length: MAX_BAD_FRAMES }, () => rejected(malformed)), received(chat(1))],
      closed,
    );
    expect(state).toEqual(closed);
    expect(effects.flat()).toEqual([]);
  });

  it('a new link starts with a clean slate', () => {
    const { state } = run([
      ...opened(),
      ...Array.from({ length: MAX_BAD_FRAMES }, () => rejected(malformed)),
      { type: 'link-closed', address: BOB, why: { kind: 'closed' } },
      { type: 'link-opened', address: BOB },
    ]);
    expect(conversation(state)).toMatchObject({ stage: 'securing', badFrames: 0 });
    expect(conversation(state).problem).toBeUndefined();
  });

  it('bad frames from one contact do not count against another', () => {
    const { state, last } = run([
      ...opened(BOB),
      ...opened(CAROL),
      ...Array.from({ length: MAX_BAD_FRAMES }, () => rejected(malformed, BOB)),
    ]);
    expect(last).toEqual([{ type: 'close-link', address: BOB }]);
    expect(conversation(state, BOB).problem?.kind).toBe('protocol-violation');
    expect(conversation(state, CAROL)).toMatchObject({ stage: 'ready', badFrames: 0 });
    expect(conversation(state, CAROL).problem).toBeUndefined();
  });

  it('a rejected frame from an address with no conversation changes nothing', () => {
    const { state, last } = run([rejected(malformed, CAROL)]);
    expect(state).toEqual(emptyConversations);
    expect(last).toEqual([]);
  });
});

describe('connection requests', () => {
  const stranger = (address = CAROL): ConversationEvent[] => [
    { type: 'link-opened', address },
    { type: 'session-established', address, peer: peerOf(address, 'Carol'), trusted: false },
  ];

  it('an unknown key that connects becomes a request, announced once, with nothing sent back', () => {
    const { state, last } = run(stranger());
    expect(conversation(state, CAROL)).toMatchObject({ stage: 'request', trusted: false, name: 'Carol' });
    expect(last).toEqual([{ type: 'request-arrived', address: CAROL, peer: peerOf(CAROL, 'Carol') }]);
  });

  it('messages from someone not yet accepted are not shown', () => {
    const { state, effects } = run([
      ...stranger(),
      received({ kind: 'accept' }, 1, CAROL),
      received(chat(1, 'buy now'), 2, CAROL),
    ]);
    expect(conversation(state, CAROL).messages).toEqual([]);
    expect(conversation(state, CAROL).stage).toBe('request');
    expect(effects.slice(2).flat()).toEqual([]);
  });

  it('accepting says accept, and once they accepted too the chat is ready', () => {
    const { state, last } = run([
      ...stranger(),
      received({ kind: 'accept' }, 1, CAROL),
      { type: 'request-answered', address: CAROL, accept: true },
    ]);
    expect(conversation(state, CAROL).stage).toBe('ready');
    expect(last).toEqual([
      { type: 'send', address: CAROL, frame: { kind: 'accept' } },
      { type: 'session-ready', address: CAROL, peer: peerOf(CAROL, 'Carol') },
    ]);
  });

  it('declining says decline, closes the link, and is final for that request', () => {
    const { state, last } = run([...stranger(), { type: 'request-answered', address: CAROL, accept: false }]);
    expect(conversation(state, CAROL)).toMatchObject({ stage: 'closed', problem: { kind: 'declined-by-me' } });
    expect(last).toEqual([
      { type: 'send', address: CAROL, frame: { kind: 'decline' } },
      { type: 'close-link', address: CAROL },
    ]);
    const again = run([{ type: 'request-answered', address: CAROL, accept: true }], state);
    expect(again.state).toEqual(state);
    expect(again.last).toEqual([]);
  });

  it('the dialler that is declined sees why, and its link closes', () => {
    const { state, last } = run([
      { type: 'dial-started', address: BOB },
      { type: 'link-opened', address: BOB },
      { type: 'session-established', address: BOB, peer: peerOf(BOB), trusted: true },
      received({ kind: 'decline' }),
    ]);
    expect(conversation(state)).toMatchObject({ stage: 'closed', problem: { kind: 'declined' } });
    expect(last).toEqual([{ type: 'close-link', address: BOB }]);
  });

  it('nothing can be sent while waiting for their accept', () => {
    const waiting = run([
      { type: 'dial-started', address: BOB },
      { type: 'link-opened', address: BOB },
      { type: 'session-established', address: BOB, peer: peerOf(BOB), trusted: true },
    ]).state;
    const { state, last } = run([{ type: 'chat-sent', address: BOB, id: id(1), text: 'early', at: 1 }], waiting);
    expect(state).toEqual(waiting);
    expect(last).toEqual([]);
  });

  it('a request nobody answers expires: closed, link closed, and a later answer changes nothing', () => {
    const { state, last } = run([
      ...stranger(),
      { type: 'request-expired', address: CAROL, identityKey: 'c0'.repeat(32) },
    ]);
    expect(conversation(state, CAROL)).toMatchObject({ stage: 'closed', problem: { kind: 'request-expired' } });
    expect(last).toEqual([{ type: 'close-link', address: CAROL }]);
    expect(run([{ type: 'request-answered', address: CAROL, accept: true }], state).state).toEqual(state);
  });

  it('the timer of an earlier request does not expire a newer one from another key', () => {
    const before = run(stranger()).state;
    const { state, last } = run([{ type: 'request-expired', address: CAROL, identityKey: 'ff'.repeat(32) }], before);
    expect(state).toEqual(before);
    expect(last).toEqual([]);
  });

  it('a failed handshake closes the conversation with the reason', () => {
    const problem = { kind: 'handshake-failed' as const, detail: 'decrypt-failed' };
    const { state } = run([
      { type: 'link-opened', address: BOB },
      { type: 'session-failed', address: BOB, problem },
    ]);
    expect(conversation(state)).toMatchObject({ stage: 'closed', problem });
  });
});

describe('another key at a known address', () => {
  it('starts with nothing: the history of the key that was there before is not shown to it', () => {
    const before = run([
      ...opened(BOB, 'Bob'),
      received(chat(1, 'for Bob only')),
      { type: 'link-closed', address: BOB, why: { kind: 'closed' } },
    ]).state;
    const mallory: PeerView = { identityKey: 'ee'.repeat(32), name: 'Bob', fingerprint: 'fp-mal' };
    const { state } = run(
      [
        { type: 'link-opened', address: BOB },
        { type: 'session-established', address: BOB, peer: mallory, trusted: false },
      ],
      before,
    );
    expect(conversation(state)).toMatchObject({ stage: 'request', peer: mallory, messages: [], unread: 0 });
  });
});

describe('a contact at a new address', () => {
  it('a still-open link at the old address is stale: it is closed, and its closing changes nothing', () => {
    const NEW = 'tincan-t-bobnewaddressxxx';
    const { state, last } = run([
      ...opened(BOB, 'Bob'),
      received(chat(1, 'before the restart')),
      { type: 'link-opened', address: NEW },
      { type: 'session-established', address: NEW, peer: peerOf(BOB, 'Bob'), trusted: true },
    ]);
    expect(last).toEqual([
      { type: 'close-link', address: BOB },
      { type: 'send', address: NEW, frame: { kind: 'accept' } },
    ]);
    expect(state.conversations.map((c) => c.address)).toEqual([NEW]);
    const after = run([{ type: 'link-closed', address: BOB, why: { kind: 'closed' } }], state);
    expect(after.state).toEqual(state);
  });

  it('is one conversation: the closed one at the old address is merged in', () => {
    const NEW = 'tincan-t-bobnewaddressxxx';
    const before = run([
      ...opened(BOB, 'Bob'),
      received(chat(1, 'at the old address')),
      { type: 'link-closed', address: BOB, why: { kind: 'closed' } },
    ]).state;
    const { state } = run(
      [
        { type: 'link-opened', address: NEW },
        { type: 'session-established', address: NEW, peer: peerOf(BOB, 'Bob'), trusted: true },
      ],
      before,
    );
    expect(state.conversations.map((c) => c.address)).toEqual([NEW]);
    expect(conversation(state, NEW)).toMatchObject({ unread: 1, messages: [{ text: 'at the old address' }] });
  });
});
