import type { AgentNotice, backgroundToAgent } from '../messaging/agent-messages';
import type { Handlers } from '../messaging/channel';
import type { Settings } from '../store/settings';
import type { Agent } from './agent';

/** A popup redraws on each snapshot: changes closer together than this travel as one. */
export const SNAPSHOT_COALESCE_MS = 30;

/**
 * The agent as the background sees it: request handlers for the background→agent map, and
 * agent events turned into notices for the background.
 */
export function serveAgent(
  agent: Agent,
  notify: (notice: AgentNotice) => void,
  defer: (run: () => void, ms: number) => void,
): Handlers<(typeof backgroundToAgent)['map']> {
  let changePending = false;
  let applied = '';
  agent.subscribe((event) => {
    if (event.type === 'message-arrived') {
      notify(event);
      return;
    }
    if (changePending) return;
    changePending = true;
    defer(() => {
      changePending = false;
      notify({ type: 'changed', snapshot: agent.snapshot() });
    }, SNAPSHOT_COALESCE_MS);
  });

  return {
    configure(settings: Settings) {
      // The background re-sends settings whenever it restarts; only a real change reconnects.
      const key = JSON.stringify(settings);
      if (key === applied) return;
      applied = key;
      agent.configure(settings);
    },
    getState: () => agent.snapshot(),
    connect: ({ address }) => agent.connect(address),
    send: ({ address, text }) => agent.send(address, text),
    markRead: ({ address }) => agent.markRead(address),
    ping: () => 'pong' as const,
  };
}
