import type { AgentNotice, backgroundToAgent } from '../messaging/agent-messages';
import type { Handlers } from '../messaging/channel';
import type { Agent, AgentSetup } from './agent';

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
    if (event.type !== 'changed') {
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
    configure(setup: AgentSetup) {
      // The background re-sends its setup whenever it restarts; only a real change is applied.
      const key = JSON.stringify(setup);
      if (key === applied) return;
      applied = key;
      agent.configure(setup);
    },
    getState: () => agent.snapshot(),
    connect: ({ address }) => agent.connect(address),
    answerRequest: ({ address, accept, identityKey }) => agent.answerRequest(address, accept, identityKey),
    trustNewKey: ({ address }) => agent.trustNewKey(address),
    send: ({ address, text }) => agent.send(address, text),
    sendTo: ({ contactKey, text }) => agent.sendTo(contactKey, text),
    markRead: ({ address }) => agent.markRead(address),
    markChatRead: ({ contactKey }) => agent.markChatRead(contactKey),
    pingContact: ({ contactKey }) => agent.ping(contactKey),
    tick: () => agent.tick(),
    exportHistory: () => agent.exportHistory(),
    importHistory: ({ archive }) => agent.importHistory(archive),
    sendFiles: async ({ contactKeys, sourceIds }) => ({
      transferIds: await agent.sendFiles(
        contactKeys,
        sourceIds.map((sourceId) => ({ sourceId })),
      ),
    }),
    answerFile: ({ transferId, accept }) => agent.answerFile(transferId, accept),
    cancelFile: ({ transferId }) => agent.cancelFile(transferId),
    saveFile: ({ transferId }) => agent.saveFile(transferId),
    fileSaved: ({ transferId, ok, detail }) => agent.fileSaved(transferId, ok, detail),
    ping: () => 'pong' as const,
  };
}
