/**
 * What the background does, with every extension API passed in: routes page requests to the
 * agent, gives the agent its settings, and turns agent notices into the badge, notifications
 * and popup updates. It keeps nothing in memory that matters: a Chrome service worker may be
 * stopped at any moment and started again by the next event.
 */
import type { AgentSetup, AgentSnapshot } from '../agent/agent';
import type { AgentNotice, agentToBackground, backgroundToAgent } from '../messaging/agent-messages';
import type { Handlers } from '../messaging/channel';
import type { pageToBackground } from '../messaging/page-messages';
import type { Attention } from '../platform/attention';
import type { Downloads } from '../platform/downloads';
import type { IdentityStorage } from '../platform/identity-storage';
import type { ChannelClient } from '../platform/runtime-messaging';
import type { SettingsStorage } from '../platform/settings-storage';
import { agentIdentityOf } from '../store/contacts';
import { exportBackup, importBackup } from './backup-service';
import { createFileDownloads } from './file-downloads';
import { createOfferNotices, FILE_NOTIFICATION_PREFIX } from './offer-notices';

export interface BackgroundDeps {
  agent: ChannelClient<(typeof backgroundToAgent)['map']>;
  randomBytes(length: number): Uint8Array;
  now(): number;
  settings: SettingsStorage;
  identity: IdentityStorage;
  attention: Attention;
  /** Where received files go. */
  downloads: Downloads;
  /** Sends a snapshot to every open popup. */
  pushToPopups(snapshot: AgentSnapshot): void;
}

export const MESSAGE_NOTIFICATION_PREFIX = 'tincan-message:';
export const REQUEST_NOTIFICATION_PREFIX = 'tincan-request:';

/** A request's notification names the key it showed, so its buttons answer that key only. */
export function requestNotificationId(address: string, identityKey: string): string {
  return `${REQUEST_NOTIFICATION_PREFIX}${address}:${identityKey}`;
}

export function parseRequestNotificationId(id: string): { address: string; identityKey: string } | undefined {
  const match = /^tincan-request:([A-Za-z0-9_-]{1,100}):([0-9a-f]{64})$/.exec(id);
  return match?.[1] && match[2] ? { address: match[1], identityKey: match[2] } : undefined;
}

export function unreadIn(snapshot: AgentSnapshot): number {
  return snapshot.chats.reduce((sum, c) => sum + c.unread, 0);
}

export function createBackgroundService(deps: BackgroundDeps) {
  const { agent, settings, identity, attention } = deps;
  const files = createFileDownloads({ agent, downloads: deps.downloads });
  const offersChanged = createOfferNotices(attention);

  const setup = async (): Promise<AgentSetup> => {
    const [loaded, stored, contacts] = await Promise.all([
      settings.load(),
      identity.loadIdentity(),
      identity.loadContacts(),
    ]);
    return { settings: loaded, identity: agentIdentityOf(stored), contacts };
  };

  const answerRequest = async (address: string, accept: boolean, identityKey?: string) => {
    if (identityKey) await attention.clear(requestNotificationId(address, identityKey));
    await agent('answerRequest', { address, accept, identityKey });
  };

  const pageHandlers: Handlers<(typeof pageToBackground)['map']> = {
    getState: () => agent('getState'),
    connect: (data) => agent('connect', data),
    answerRequest: ({ address, accept, identityKey }) => answerRequest(address, accept, identityKey),
    trustNewKey: (data) => agent('trustNewKey', data),
    // Stored changes reach the agent through the storage change listener.
    renameContact: ({ identityKey, petname }) => identity.changeContacts({ type: 'renamed', identityKey, petname }),
    setVerified: ({ identityKey, verified }) => identity.changeContacts({ type: 'verified', identityKey, verified }),
    removeContact: ({ identityKey }) => identity.changeContacts({ type: 'removed', identityKey }),
    send: (data) => agent('send', data),
    sendTo: (data) => agent('sendTo', data),
    markRead: (data) => agent('markRead', data),
    markChatRead: (data) => agent('markChatRead', data),
    pingContact: (data) => agent('pingContact', data),
    // Stored like a rename; the agent hears of it through the storage change listener.
    setSpecial: ({ identityKey, special }) => identity.changeContacts({ type: 'special', identityKey, special }),
    setRendezvousPaused: ({ identityKey, paused }) =>
      identity.changeContacts({ type: 'rendezvous-paused', identityKey, paused }),
    sendFiles: (data) => agent('sendFiles', data),
    answerFile: (data) => agent('answerFile', data),
    cancelFile: (data) => agent('cancelFile', data),
    saveFile: (data) => agent('saveFile', data),
    getSettings: () => settings.load(),
    exportBackup: ({ passphrase }) => exportBackup(deps, passphrase),
    importBackup: ({ file, passphrase }) => importBackup(deps, file, passphrase),
    // The storage change listener passes new settings on to the agent.
    saveSettings: (data) => settings.save(data),
  };

  const noticeHandlers = {
    async changed(notice: Extract<AgentNotice, { type: 'changed' }>) {
      attention.setUnread(unreadIn(notice.snapshot));
      deps.pushToPopups(notice.snapshot);
      // A request answered in the popup, expired or withdrawn takes its notification with it.
      const open = new Set(
        notice.snapshot.conversations.flatMap((c) =>
          c.stage === 'request' && c.peer ? [requestNotificationId(c.address, c.peer.identityKey)] : [],
        ),
      );
      for (const id of await attention.shownIds()) {
        if (id.startsWith(REQUEST_NOTIFICATION_PREFIX) && !open.has(id)) await attention.clear(id);
      }
      await offersChanged(notice.snapshot);
    },
    async 'message-arrived'(notice: Extract<AgentNotice, { type: 'message-arrived' }>) {
      if (await attention.isPopupShowing()) return;
      await attention.notify(
        `${MESSAGE_NOTIFICATION_PREFIX}${notice.address}`,
        `Message from ${notice.name || notice.address}`,
        notice.text,
      );
    },
    async 'request-arrived'(notice: Extract<AgentNotice, { type: 'request-arrived' }>) {
      // Names are the peer's words: notifications show them as plain text, and say they are a claim.
      const who = notice.name ? `“${notice.name}”` : 'Someone';
      await attention.notifyRequest(
        requestNotificationId(notice.address, notice.identityKey),
        'Connection request',
        `${who} (key ${notice.fingerprint}) wants to chat.`,
      );
    },
    async 'contact-changed'(notice: Extract<AgentNotice, { type: 'contact-changed' }>) {
      await identity.changeContacts(notice.change);
    },
  };

  const agentHandlers: Handlers<(typeof agentToBackground)['map']> = {
    ready: setup,
    notice: async (notice) => {
      switch (notice.type) {
        case 'changed':
          return noticeHandlers.changed(notice);
        case 'message-arrived':
          return noticeHandlers['message-arrived'](notice);
        case 'request-arrived':
          return noticeHandlers['request-arrived'](notice);
        case 'contact-changed':
          return noticeHandlers['contact-changed'](notice);
        case 'file-ready':
          return files.fileReady(notice);
      }
    },
  };

  return {
    pageHandlers,
    agentHandlers,
    /** `downloads.onChanged`: a received file's download completed or was interrupted. */
    onDownloadEnded: files.downloadEnded,
    async applySettings() {
      await agent('configure', await setup());
    },
    onNotificationClicked(id: string) {
      // Firefox has no notification buttons: a click opens the popup, where the request waits.
      if (
        id.startsWith(MESSAGE_NOTIFICATION_PREFIX) ||
        id.startsWith(REQUEST_NOTIFICATION_PREFIX) ||
        id.startsWith(FILE_NOTIFICATION_PREFIX)
      ) {
        void attention.openChat();
      }
    },
    async onNotificationButton(id: string, index: number) {
      const request = parseRequestNotificationId(id);
      if (request) await answerRequest(request.address, index === 0, request.identityKey);
    },
  };
}
