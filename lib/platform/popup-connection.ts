import { browser } from 'wxt/browser';
import type { AgentSnapshot } from '../agent/agent';
import { Listeners } from '../listeners';
import { POPUP_PORT, pageToBackground } from '../messaging/page-messages';
import { createFileSender } from './file-sender';
import { channelClient } from './runtime-messaging';

/** The popup's line to the background: live snapshots in, requests out. */
export function connectPopup() {
  const request = channelClient(pageToBackground);
  const listeners = new Listeners<[AgentSnapshot]>();
  let latest: AgentSnapshot | undefined;
  const receive = (snapshot: AgentSnapshot) => {
    latest = snapshot;
    listeners.emit(snapshot);
  };
  const open = () => {
    const port = browser.runtime.connect({ name: POPUP_PORT });
    port.onMessage.addListener((message: unknown) => {
      const push = message as { type?: unknown; snapshot?: unknown };
      if (push.type === 'state' && typeof push.snapshot === 'object' && push.snapshot !== null) {
        receive(push.snapshot as AgentSnapshot);
      }
    });
    // A Chrome service worker that restarts drops the port: connect again.
    port.onDisconnect.addListener(() => setTimeout(open, 200));
  };
  open();
  void request('getState').then(receive, () => {});
  return {
    request,
    subscribe(listener: (snapshot: AgentSnapshot) => void) {
      if (latest) listener(latest);
      return listeners.add(listener);
    },
    openSettings: () => void browser.runtime.openOptionsPage(),
    /** Offers files to saved contacts (stored in the origin's IndexedDB first: see file-sender.ts). */
    sendFiles: createFileSender({
      host: { indexedDB: globalThis.indexedDB, IDBKeyRange: globalThis.IDBKeyRange },
      randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
      now: () => Date.now(),
      sendFiles: (files) => request('sendFiles', files),
    }),
  };
}
export type PopupRequests = ReturnType<typeof connectPopup>['request'];
