import { describe, expect, it } from 'vitest';
import type { ContactView } from '../../lib/agent/agent-views';
import { UNSEEN_PAUSE_AFTER_MS, withChats } from '../../lib/agent/chat-snapshot';
import { newContactReach } from '../../lib/rendezvous/contact-reach';

const DAY = 24 * 60 * 60_000;
const NOW = 100 * DAY;

const view = (extra: Partial<ContactView> = {}): ContactView => ({
  identityKey: 'b0'.repeat(32),
  petname: 'Bob',
  address: 'tincan-t-bob',
  verified: false,
  addedAt: 0,
  special: true,
  rendezvousPaused: false,
  fingerprint: 'f',
  safetyNumber: '',
  online: false,
  ...extra,
});

const chats = (lastSeenAt: number | null) => ({
  messages: () => [],
  unread: () => 2,
  pending: () => 3,
  lastSeenAt: () => lastSeenAt,
});

const reach = () =>
  newContactReach({ contactKey: 'b0'.repeat(32), special: true, paused: false, address: '', blocked: [] });

describe('a saved contact in the popup', () => {
  it('unseen for more than 30 days, special and not paused: the popup offers to pause its rendezvous', () => {
    const [old] = withChats([view()], chats(NOW - UNSEEN_PAUSE_AFTER_MS - 1), reach, NOW);
    expect(old).toMatchObject({ suggestPause: true, unread: 2, pending: 3, reach: 'offline' });
  });

  it.each<[string, Partial<ContactView>, number | null]>([
    ['seen this month', {}, NOW - 29 * DAY],
    ['already paused', { rendezvousPaused: true }, 0],
    ['not special', { special: false }, 0],
    ['online now', { online: true }, 0],
    ['added this month and never seen', { addedAt: NOW - DAY }, null],
  ])('%s: no offer', (_, extra, lastSeenAt) => {
    const [contact] = withChats([view(extra)], chats(lastSeenAt), reach, NOW);
    expect(contact?.suggestPause).toBe(false);
  });
});
