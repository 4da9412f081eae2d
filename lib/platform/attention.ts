import { browser } from 'wxt/browser';

/** The toolbar badge, notifications and "is a popup showing?": how Tincan gets a person's attention. */
export function attention() {
  const action = browser.action ?? browser.browserAction;
  const popupUrl = browser.runtime.getURL('/popup.html');
  return {
    setUnread(count: number) {
      void action.setBadgeText({ text: count > 0 ? String(Math.min(count, 999)) : '' });
      void action.setBadgeBackgroundColor({ color: '#c2410c' });
    },
    async notify(id: string, title: string, message: string) {
      await browser.notifications.create(id, {
        type: 'basic',
        iconUrl: browser.runtime.getURL('/icon/128.png'),
        title,
        message,
      });
    },
    /** Chrome shows Accept / Decline buttons; Firefox has none, and a click opens the popup. */
    async notifyRequest(id: string, title: string, message: string) {
      const options = {
        type: 'basic' as const,
        iconUrl: browser.runtime.getURL('/icon/128.png'),
        title,
        message,
        requireInteraction: true,
        buttons: [{ title: 'Accept' }, { title: 'Decline' }],
      };
      try {
        await browser.notifications.create(id, options);
      } catch {
        const { buttons: _buttons, requireInteraction: _sticky, ...plain } = options;
        await browser.notifications.create(id, { ...plain, message: `${message} Click to answer.` });
      }
    },
    async clear(id: string) {
      await browser.notifications.clear(id);
    },
    async shownIds(): Promise<string[]> {
      return Object.keys(await browser.notifications.getAll());
    },
    onNotificationClicked(listener: (id: string) => void): () => void {
      browser.notifications.onClicked.addListener(listener);
      return () => browser.notifications.onClicked.removeListener(listener);
    },
    /** A popup (or a tab showing popup.html) is open: it shows new messages itself. */
    async isPopupShowing(): Promise<boolean> {
      if (browser.runtime.getContexts) {
        const contexts = await browser.runtime.getContexts({ documentUrls: [popupUrl] });
        return contexts.length > 0;
      }
      // Firefox: the background page can list extension views directly.
      return browser.extension
        .getViews()
        .some((view) => (view as unknown as typeof globalThis).location.href.startsWith(popupUrl));
    },
    async openChat() {
      try {
        await action.openPopup();
      } catch {
        await browser.tabs.create({ url: popupUrl });
      }
    },
  };
}
export type Attention = ReturnType<typeof attention>;
