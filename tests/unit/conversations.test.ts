import { describe, expect, it } from 'vitest';
import type { ChatFrame, Frame, FrameError } from '../../lib/protocol/frame';
import {
  type ConversationEffect,
  type ConversationEvent,
  type ConversationsState,
  emptyConversations,
  findConversation,
  MAX_BAD_FRAMES,
  type PeerView,
  reduceConversations,
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
const chat = (n: number, text = `message ${n}`): ChatFrame => ({
  kind: 'chat',
  id: id(n),
  stream: 1,
  seq: n,
  floor: 1,
  sentAt: 1_000 + n,
  text,
});

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
    expect(conversation(state)).toMatchObject({ address: BOB, name: '', stage: 'connecting' });
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

describe('what is said over a ready conversation', () => {
  it('chat and ack frames from a contact both sides trust go to that contact’s delivery, unchanged', () => {
    const ack = { kind: 'ack' as const, stream: 7, upTo: 3 };
    const { state, effects } = run([...opened(BOB, 'Bob'), received(chat(1, 'hi')), received(ack)]);
    expect(effects.slice(-2)).toEqual([
      [{ type: 'delivery-frame', address: BOB, peer: peerOf(BOB, 'Bob'), frame: chat(1, 'hi') }],
      [{ type: 'delivery-frame', address: BOB, peer: peerOf(BOB, 'Bob'), frame: ack }],
    ]);
    // The conversation itself holds no messages: history belongs to the contact.
    expect(conversation(state)).not.toHaveProperty('messages');
  });

  it('frames on a link that is not open are ignored', () => {
    const { last } = run([{ type: 'dial-started', address: BOB }, received(chat(1))]);
    expect(last).toEqual([]);
    expect(run([received(chat(1))]).state).toEqual(emptyConversations);
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

  it('the name survives the link closing', () => {
    const { state } = run([
      ...opened(BOB, 'Bob'),
      received(chat(1)),
      { type: 'link-closed', address: BOB, why: { kind: 'closed' } },
    ]);
    expect(conversation(state)).toMatchObject({ name: 'Bob', stage: 'closed' });
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
    const { state, effects } = run([
      ...opened(),
      rejected(malformed),
      received(chat(1)),
      rejected(malformed),
      received(chat(2)),
    ]);
    expect(conversation(state)).toMatchObject({ badFrames: 2, stage: 'ready' });
    expect(effects.flat().filter((e) => e.type === 'delivery-frame')).toHaveLength(2);
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

  it('nothing they say is read while waiting for their accept', () => {
    const waiting = run([
      { type: 'dial-started', address: BOB },
      { type: 'link-opened', address: BOB },
      { type: 'session-established', address: BOB, peer: peerOf(BOB), trusted: true },
    ]).state;
    const { state, last } = run([received(chat(1, 'early'))], waiting);
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
    expect(conversation(state)).toMatchObject({ stage: 'request', peer: mallory });
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
    expect(conversation(state, NEW)).toMatchObject({ name: 'Bob', stage: 'waiting' });
  });
});

describe('forgetting a conversation', () => {
  it('a closed one goes; one still open stays', () => {
    const closed = run([...opened(), { type: 'link-closed', address: BOB, why: { kind: 'closed' } }]).state;
    expect(run([{ type: 'forget', address: BOB }], closed).state).toEqual(emptyConversations);
    const open = run(opened()).state;
    expect(run([{ type: 'forget', address: BOB }], open).state).toEqual(open);
  });
});
