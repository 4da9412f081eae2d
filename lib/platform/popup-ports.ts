import { type Browser, browser } from 'wxt/browser';
import type { AgentSnapshot } from '../agent/agent';
import { POPUP_PORT, type PopupPush } from '../messaging/page-messages';
import { isOwnExtensionPage } from './runtime-messaging';

/**
 * Open popups hold a port to the background; it pushes each new snapshot down them. The set
 * of ports is only as alive as the popups themselves, so losing it with the worker loses nothing.
 */
export function popupPorts(initialState: () => Promise<AgentSnapshot>) {
  const ports = new Set<Browser.runtime.Port>();
  const push = (snapshot: AgentSnapshot) => {
    const message: PopupPush = { type: 'state', snapshot };
    for (const port of ports) port.postMessage(message);
  };
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== POPUP_PORT || !port.sender || !isOwnExtensionPage(port.sender)) return;
    ports.add(port);
    port.onDisconnect.addListener(() => ports.delete(port));
    void initialState().then(
      (snapshot) => ports.has(port) && port.postMessage({ type: 'state', snapshot } satisfies PopupPush),
      () => {},
    );
  });
  return { push };
}
