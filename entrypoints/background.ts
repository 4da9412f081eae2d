import { browser } from 'wxt/browser';
import { serveAgent } from '@/lib/agent/agent-service';
import { createPeerJsAgent } from '@/lib/agent/peerjs-agent';
import { createBackgroundService } from '@/lib/background/background-service';
import { type AgentNotice, agentToBackground, backgroundToAgent } from '@/lib/messaging/agent-messages';
import { pageToBackground } from '@/lib/messaging/page-messages';
import { scheduleAgentAlarms } from '@/lib/platform/agent-alarms';
import { attention } from '@/lib/platform/attention';
import { browserDownloads } from '@/lib/platform/downloads';
import { identityStorage } from '@/lib/platform/identity-storage';
import { offscreenAgentClient } from '@/lib/platform/offscreen-agent';
import { popupPorts } from '@/lib/platform/popup-ports';
import { inPageClient, serveChannel } from '@/lib/platform/runtime-messaging';
import { settingsStorage } from '@/lib/platform/settings-storage';
import { BUILD_DEFAULTS } from '@/lib/store/build-defaults-value';

export default defineBackground({
  // Firefox (MV2): a persistent background page, which is also where the agent lives.
  persistent: true,
  main() {
    if (import.meta.env.MANIFEST_VERSION === 2) void startWithAgentHere();
    else startWithOffscreenAgent();
  },
});

/** Chrome: listeners are registered synchronously so that events wake the worker into them. */
function startWithOffscreenAgent() {
  const agent = offscreenAgentClient();
  const service = wireBackground(agent);
  serveChannel(agentToBackground, service.agentHandlers);
  // Timers die with the worker: alarms bring the agent's document back and keep slots on time.
  scheduleAgentAlarms(() => agent('tick'));
  void agent('ping').catch(() => {});
}

/** Firefox: the agent runs in this page; requests to it are plain calls. */
async function startWithAgentHere() {
  const { Peer } = await import('peerjs');
  let deliver: (notice: AgentNotice) => void = () => {};
  const handlers = serveAgent(
    createPeerJsAgent(Peer),
    (notice) => deliver(notice),
    (run, ms) => setTimeout(run, ms),
  );
  const service = wireBackground(inPageClient(backgroundToAgent, handlers));
  deliver = (notice) => void service.agentHandlers.notice(notice);
  scheduleAgentAlarms(() => Promise.resolve(handlers.tick(undefined)));
  await service.applySettings();
}

function wireBackground(agent: Parameters<typeof createBackgroundService>[0]['agent']) {
  const settings = settingsStorage(BUILD_DEFAULTS);
  const identity = identityStorage(
    (length) => crypto.getRandomValues(new Uint8Array(length)),
    () => Date.now(),
  );
  const ports = popupPorts(() => agent('getState'));
  const downloads = browserDownloads();
  const service = createBackgroundService({
    agent,
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
    now: () => Date.now(),
    settings,
    identity,
    attention: attention(),
    downloads,
    pushToPopups: ports.push,
  });
  serveChannel(pageToBackground, service.pageHandlers);
  settings.onChange(() => void service.applySettings());
  identity.onChange(() => void service.applySettings());
  browser.notifications.onClicked.addListener((id) => service.onNotificationClicked(id));
  // Firefox has no notification buttons (and no such event).
  browser.notifications.onButtonClicked?.addListener((id, index) => void service.onNotificationButton(id, index));
  downloads.onEnd((id, end) => void service.onDownloadEnded(id, end).catch(() => {}));
  return service;
}
