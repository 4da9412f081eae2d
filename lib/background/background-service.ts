/**
 * What the background does, with every extension API passed in: routes page requests to the
 * agent, gives the agent its settings, and turns agent notices into the badge, notifications
 * and popup updates. It keeps nothing in memory that matters: a Chrome service worker may be
 * stopped at any moment and started again by the next event.
 */
import type { AgentSnapshot } from '../agent/agent';
import type { AgentNotice, agentToBackground, backgroundToAgent } from '../messaging/agent-messages';
import type { Handlers } from '../messaging/channel';
import type { pageToBackground } from '../messaging/page-messages';
import type { Attention } from '../platform/attention';
import type { ChannelClient } from '../platform/runtime-messaging';
import type { SettingsStorage } from '../platform/settings-storage';

export interface BackgroundDeps {
  agent: ChannelClient<(typeof backgroundToAgent)['map']>;
  settings: SettingsStorage;
  attention: Attention;
  /** Sends a snapshot to every open popup. */
  pushToPopups(snapshot: AgentSnapshot): void;
}

export const MESSAGE_NOTIFICATION_PREFIX = 'tincan-message:';

export function unreadIn(snapshot: AgentSnapshot): number {
  return snapshot.conversations.reduce((sum, c) => sum + c.unread, 0);
}

export function createBackgroundService(deps: BackgroundDeps) {
  const { agent, settings, attention } = deps;

  const pageHandlers: Handlers<(typeof pageToBackground)['map']> = {
    getState: () => agent('getState'),
    connect: (data) => agent('connect', data),
    send: (data) => agent('send', data),
    markRead: (data) => agent('markRead', data),
    getSettings: () => settings.load(),
    // The storage change listener passes new settings on to the agent.
    saveSettings: (data) => settings.save(data),
  };

  const noticeHandlers = {
    changed(notice: Extract<AgentNotice, { type: 'changed' }>) {
      attention.setUnread(unreadIn(notice.snapshot));
      deps.pushToPopups(notice.snapshot);
    },
    async 'message-arrived'(notice: Extract<AgentNotice, { type: 'message-arrived' }>) {
      if (await attention.isPopupShowing()) return;
      await attention.notify(
        `${MESSAGE_NOTIFICATION_PREFIX}${notice.address}`,
        `Message from ${notice.name || notice.address}`,
        notice.text,
      );
    },
  };

  const agentHandlers: Handlers<(typeof agentToBackground)['map']> = {
    ready: () => settings.load(),
    notice: async (notice) => {
      if (notice.type === 'changed') noticeHandlers.changed(notice);
      else await noticeHandlers['message-arrived'](notice);
    },
  };

  return {
    pageHandlers,
    agentHandlers,
    async applySettings() {
      await agent('configure', await settings.load());
    },
    onNotificationClicked(id: string) {
      if (id.startsWith(MESSAGE_NOTIFICATION_PREFIX)) void attention.openChat();
    },
  };
}
