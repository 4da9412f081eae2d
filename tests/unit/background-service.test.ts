/**
 * The background's part in connection requests, with every extension API replaced by a
 * recording fake: notifications name the key they show, their buttons answer for that key only,
 * and answered or expired requests take their notifications with them.
 */
import { describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '../../lib/agent/agent';
import type { ConversationView } from '../../lib/agent/chat-snapshot';
import { createBackgroundService, requestNotificationId } from '../../lib/background/background-service';
import type { Attention } from '../../lib/platform/attention';
import type { IdentityStorage } from '../../lib/platform/identity-storage';
import type { SettingsStorage } from '../../lib/platform/settings-storage';
import type { ContactChange } from '../../lib/store/contacts';
import { FACTORY_SETTINGS } from '../../lib/store/settings';
import { fakeDownloads } from '../support/fake-downloads';

const ADDRESS = 'tincan-t-carolcarolcarolc';
const KEY = 'c0'.repeat(32);

function harness() {
  const calls: unknown[][] = [];
  const shown = new Set<string>();
  const stored: ContactChange[] = [];
  const attention = {
    setUnread: (count: number) => void calls.push(['setUnread', count]),
    notify: async (id: string) => void shown.add(id),
    notifyRequest: async (id: string, title: string, message: string) => {
      shown.add(id);
      calls.push(['notifyRequest', id, title, message]);
    },
    clear: async (id: string) => void shown.delete(id),
    shownIds: async () => [...shown],
    onNotificationClicked: () => () => {},
    isPopupShowing: async () => false,
    openChat: async () => {},
  } satisfies Attention;
  const agent = async (type: string, data?: unknown) => {
    calls.push(['agent', type, data]);
    return undefined;
  };
  const service = createBackgroundService({
    agent: agent as unknown as Parameters<typeof createBackgroundService>[0]['agent'],
    randomBytes: (length) => new Uint8Array(length),
    now: () => 0,
    settings: { load: async () => FACTORY_SETTINGS } as unknown as SettingsStorage,
    identity: {
      changeContacts: async (change: ContactChange) => void stored.push(change),
    } as unknown as IdentityStorage,
    attention,
    downloads: fakeDownloads().downloads,
    pushToPopups: () => {},
  });
  return { service, calls, shown, stored };
}

const snapshot = (conversations: Partial<ConversationView>[]): AgentSnapshot =>
  ({
    name: '',
    server: '',
    status: { state: 'stopped' },
    contacts: [],
    conversations,
    // Unread counts live in the chats: a conversation's `unread` stands for its contact's chat here.
    chats: conversations.map((c, i) => ({ contactKey: String(i), messages: [], unread: c.unread ?? 0, pending: 0 })),
    transfers: [],
    network: { status: { state: 'off', reason: 'disabled' }, peers: [] },
  }) as AgentSnapshot;

describe('a connection request in the background', () => {
  it('raises a notification that names the key, quoting the peer’s name as its claim', async () => {
    const { service, calls } = harness();
    await service.agentHandlers.notice({
      type: 'request-arrived',
      address: ADDRESS,
      identityKey: KEY,
      name: 'Carol',
      fingerprint: 'abcd efgh ijkl mnop',
    });
    expect(calls).toContainEqual([
      'notifyRequest',
      requestNotificationId(ADDRESS, KEY),
      'Connection request',
      '“Carol” (key abcd efgh ijkl mnop) wants to chat.',
    ]);
  });

  it('its Accept button answers for that key only, and the notification goes', async () => {
    const { service, calls, shown } = harness();
    const id = requestNotificationId(ADDRESS, KEY);
    shown.add(id);
    await service.onNotificationButton(id, 0);
    expect(calls).toContainEqual(['agent', 'answerRequest', { address: ADDRESS, accept: true, identityKey: KEY }]);
    expect(shown.has(id)).toBe(false);
  });

  it('a button on something that is not a request notification does nothing', async () => {
    const { service, calls } = harness();
    await service.onNotificationButton('tincan-message:tincan-t-x', 0);
    await service.onNotificationButton('tincan-request:not an address:zz', 1);
    expect(calls.filter(([kind]) => kind === 'agent')).toEqual([]);
  });

  it('once a request is no longer open, its notification is cleared; message notifications stay', async () => {
    const { service, shown } = harness();
    const open = requestNotificationId('tincan-t-still', KEY);
    const gone = requestNotificationId(ADDRESS, KEY);
    for (const id of [open, gone, 'tincan-message:tincan-t-x']) shown.add(id);
    await service.agentHandlers.notice({
      type: 'changed',
      snapshot: snapshot([
        { address: 'tincan-t-still', stage: 'request', peer: { identityKey: KEY, name: '', fingerprint: '' } },
        { address: ADDRESS, stage: 'closed', peer: { identityKey: KEY, name: '', fingerprint: '' } },
      ]),
    });
    expect([...shown].sort()).toEqual([open, 'tincan-message:tincan-t-x'].sort());
  });

  it('contact changes the agent reports are stored', async () => {
    const { service, stored } = harness();
    const change: ContactChange = { type: 'seen', identityKey: KEY, address: ADDRESS };
    await service.agentHandlers.notice({ type: 'contact-changed', change });
    expect(stored).toEqual([change]);
  });
});

describe('persistent chats in the background', () => {
  it('the badge counts unread messages over every saved contact’s chat, connected or not', async () => {
    const { service, calls } = harness();
    const chats = [
      { contactKey: KEY, messages: [], unread: 2, pending: 0 },
      { contactKey: 'd0'.repeat(32), messages: [], unread: 3, pending: 1 },
    ];
    await service.agentHandlers.notice({ type: 'changed', snapshot: { ...snapshot([]), chats } });
    expect(calls).toContainEqual(['setUnread', 5]);
  });

  it('a message to a contact, a read chat and a Ping go to the agent as they are', async () => {
    const { service, calls } = harness();
    await service.pageHandlers.sendTo({ contactKey: KEY, text: 'while you were away' });
    await service.pageHandlers.markChatRead({ contactKey: KEY });
    await service.pageHandlers.pingContact({ contactKey: KEY });
    expect(calls.filter(([kind]) => kind === 'agent')).toEqual([
      ['agent', 'sendTo', { contactKey: KEY, text: 'while you were away' }],
      ['agent', 'markChatRead', { contactKey: KEY }],
      ['agent', 'pingContact', { contactKey: KEY }],
    ]);
  });

  it('marking a contact special, or pausing their rendezvous, is stored with the contacts', async () => {
    const { service, stored, calls } = harness();
    await service.pageHandlers.setSpecial({ identityKey: KEY, special: true });
    await service.pageHandlers.setRendezvousPaused({ identityKey: KEY, paused: true });
    expect(stored).toEqual([
      { type: 'special', identityKey: KEY, special: true },
      { type: 'rendezvous-paused', identityKey: KEY, paused: true },
    ]);
    // The agent hears of it through the storage change listener, not from here.
    expect(calls.filter(([kind]) => kind === 'agent')).toEqual([]);
  });
});
