import { describe, expect, it } from 'vitest';
import type { ConversationView } from '../../lib/agent/chat-snapshot';
import {
  type ChatTarget,
  chatLines,
  followTarget,
  isWorthListing,
  resolveOpenChat,
} from '../../lib/sessions/conversation-list';

const base: ConversationView = {
  address: 'tincan-t-x',
  name: '',
  stage: 'closed',
  trusted: false,
  theyAccepted: false,
  messages: [],
  unread: 0,
  badFrames: 0,
};
const message = { id: '01', from: 'peer' as const, text: 'hi', sentAt: 1, at: 1, state: 'received' as const };

describe('which chats the popup lists', () => {
  it.each<[string, Partial<ConversationView>, boolean]>([
    ['a chat with messages, even closed', { messages: [message] }, true],
    ['an open chat', { stage: 'ready', trusted: true }, true],
    ['a request (shown above the chats instead)', { stage: 'request' }, false],
    ['a stranger’s failed attempt', { problem: { kind: 'handshake-failed', detail: 'x' } }, false],
    ['a request I declined', { trusted: false, problem: { kind: 'declined-by-me', detail: 'x' } }, false],
    [
      'a changed key, so the warning stays in sight',
      {
        problem: { kind: 'key-changed', detail: 'x', contactKey: 'a', presentedKey: 'b', presentedFingerprint: 'f' },
      },
      true,
    ],
    ['a contact whose link closed with nothing said', { trusted: true }, true],
  ])('%s: %s', (_, change, listed) => {
    expect(isWorthListing({ ...base, ...change })).toBe(listed);
  });
});

const BOB = 'b0'.repeat(32);
const CAROL = 'c0'.repeat(32);
const EVE = 'e0'.repeat(32);
const peer = (identityKey: string) => ({ identityKey, name: '', fingerprint: 'f' });
const at = (address: string, change: Partial<ConversationView> = {}): ConversationView => ({
  ...base,
  address,
  ...change,
});
const chat = (contactKey: string, times: number[] = [], unread = 0) => ({
  contactKey,
  messages: times.map((t) => ({ at: t })),
  unread,
});
const saved = new Set([BOB, CAROL]);

describe('the Chats list', () => {
  it('lists a saved contact’s chat with history even when they are not connected (after a restart, say)', () => {
    expect(chatLines([], [chat(BOB, [5], 2), chat(CAROL)])).toEqual([
      { kind: 'contact', contactKey: BOB, conversation: undefined, unread: 2 },
    ]);
  });

  it('lists a contact once, by key, however many addresses they were connected from', () => {
    const old = at('tincan-t-old', { peer: peer(BOB), trusted: true });
    const now = at('tincan-t-new', { peer: peer(BOB), trusted: true, stage: 'ready' });
    expect(chatLines([old, now], [chat(BOB)])).toEqual([
      { kind: 'contact', contactKey: BOB, conversation: now, unread: 0 },
    ]);
  });

  it('puts what is happening with people who are not contacts first, then contacts by newest message', () => {
    const waiting = at('tincan-t-dave', { stage: 'waiting', trusted: true });
    const lines = chatLines([waiting], [chat(BOB, [1]), chat(CAROL, [9])]);
    expect(lines.map((l) => (l.kind === 'contact' ? l.contactKey : l.conversation.address))).toEqual([
      'tincan-t-dave',
      CAROL,
      BOB,
    ]);
  });

  it('keeps a changed key listed by address: whoever answered is not the contact', () => {
    const squatter = at('tincan-t-bob', {
      peer: peer(EVE),
      problem: { kind: 'key-changed', detail: 'x', contactKey: BOB, presentedKey: EVE, presentedFingerprint: 'f' },
    });
    expect(chatLines([squatter], [chat(BOB)])).toEqual([{ kind: 'conversation', conversation: squatter }]);
  });
});

describe('the chat that is open', () => {
  it('a contact’s chat opens while they are offline, and shows their connection once it is ready', () => {
    const target = { kind: 'contact', contactKey: BOB } as const;
    expect(resolveOpenChat(target, [], saved)).toEqual({ kind: 'contact', contactKey: BOB, conversation: undefined });
    const ready = at('tincan-t-bob', { peer: peer(BOB), stage: 'ready', trusted: true });
    expect(resolveOpenChat(target, [ready], saved)).toEqual({ kind: 'contact', contactKey: BOB, conversation: ready });
  });

  it('a connection that closed leaves the contact’s chat offline, not showing the old connection', () => {
    const closed = at('tincan-t-bob', { peer: peer(BOB), trusted: true });
    expect(resolveOpenChat({ kind: 'contact', contactKey: BOB }, [closed], saved)?.conversation).toBeUndefined();
  });

  it('a conversation dialled by address becomes the contact’s chat once the handshake proves their key', () => {
    let target: ChatTarget = { kind: 'conversation', address: 'tincan-t-bob' };
    const dialling = at('tincan-t-bob', { stage: 'connecting' });
    const open = resolveOpenChat(target, [dialling], saved);
    expect(open).toEqual({ kind: 'conversation', conversation: dialling });
    expect(followTarget(target, open)).toBe(target);

    const ready = at('tincan-t-bob', { peer: peer(BOB), stage: 'ready', trusted: true });
    target = followTarget(target, resolveOpenChat(target, [ready], saved));
    expect(target).toEqual({ kind: 'contact', contactKey: BOB });
  });

  it('a stranger’s conversation that moves to a new address is followed by their key', () => {
    const first = at('tincan-t-one', { peer: peer(EVE), stage: 'waiting', trusted: true });
    let target = followTarget(
      { kind: 'conversation', address: 'tincan-t-one' },
      resolveOpenChat({ kind: 'conversation', address: 'tincan-t-one' }, [first], saved),
    );
    expect(target).toEqual({ kind: 'conversation', address: 'tincan-t-one', peerKey: EVE });
    const moved = at('tincan-t-two', { peer: peer(EVE), stage: 'waiting', trusted: true });
    target = followTarget(target, resolveOpenChat(target, [moved], saved));
    expect(target).toEqual({ kind: 'conversation', address: 'tincan-t-two', peerKey: EVE });
  });

  it('a changed-key warning stays open by address, so the user can decide', () => {
    const squatter = at('tincan-t-bob', {
      peer: peer(EVE),
      problem: { kind: 'key-changed', detail: 'x', contactKey: BOB, presentedKey: EVE, presentedFingerprint: 'f' },
    });
    expect(resolveOpenChat({ kind: 'conversation', address: 'tincan-t-bob' }, [squatter], saved)).toEqual({
      kind: 'conversation',
      conversation: squatter,
    });
  });

  it('closes when the contact is removed or the conversation is gone', () => {
    expect(resolveOpenChat({ kind: 'contact', contactKey: EVE }, [], saved)).toBeUndefined();
    expect(resolveOpenChat({ kind: 'conversation', address: 'tincan-t-gone' }, [], saved)).toBeUndefined();
  });
});
