import { describe, expect, it } from 'vitest';
import type { ConversationView } from '../../lib/agent/chat-snapshot';
import { isWorthListing } from '../../lib/sessions/conversation-list';

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
