import type { Page } from 'puppeteer-core';

/**
 * What a person does in the popup, for Puppeteer pages (Firefox over WebDriver BiDi): the same
 * steps as scripts/browsers/popup-actions.ts, which speaks Playwright's locator API.
 *
 * Waits poll on a timer rather than on animation frames, which Firefox pauses in background tabs.
 */
const byTestId = (id: string) => `[data-testid="${id}"]`;
const POLL_MS = 100;

/** Waits until some element with this test id contains `text`. */
export async function waitForTestIdText(popup: Page, id: string, text: string, timeout = 30_000): Promise<void> {
  await popup.waitForFunction(
    (selector: string, wanted: string) =>
      [...document.querySelectorAll(selector)].some((el) => el.textContent?.includes(wanted)),
    { polling: POLL_MS, timeout },
    byTestId(id),
    text,
  );
}

export async function textOf(popup: Page, id: string): Promise<string> {
  const element = await popup.waitForSelector(byTestId(id), { timeout: 10_000 });
  if (!element) throw new Error(`no ${id}`);
  const text = await element.evaluate((el) => el.textContent ?? '');
  await element.dispose();
  return text.trim();
}

async function fill(popup: Page, id: string, text: string): Promise<void> {
  await popup.locator(byTestId(id)).fill(text);
}

async function click(popup: Page, id: string): Promise<void> {
  await popup.locator(byTestId(id)).click();
}

export async function waitForAddress(popup: Page): Promise<string> {
  await waitForTestIdText(popup, 'server-status', 'Online');
  return textOf(popup, 'my-address');
}

/** Pastes an address or invite and presses Connect: the chat opens, waiting for the other side. */
export async function dial(popup: Page, target: string): Promise<void> {
  await fill(popup, 'connect-input', target);
  await click(popup, 'connect-button');
  await popup.waitForSelector(byTestId('chat-link'), { timeout: 30_000 });
}

/** Both sides trust each other and the session is encrypted. */
export async function waitUntilConnected(popup: Page): Promise<void> {
  await waitForTestIdText(popup, 'chat-link', 'Connected');
  await waitForTestIdText(popup, 'chat-encryption', 'Encrypted with');
}

/** Accepts the connection request shown in the popup; gives the name the requester announced. */
export async function acceptRequest(popup: Page): Promise<string> {
  await popup.waitForSelector(byTestId('request'), { timeout: 30_000 });
  // Shown quoted: it is the requester's claim.
  const name = (await textOf(popup, 'request-name')).replace(/^“|”$/g, '');
  await click(popup, 'request-accept');
  return name;
}

export async function openFirstChat(popup: Page): Promise<void> {
  await popup.waitForSelector(byTestId('conversation'), { timeout: 30_000 });
  await click(popup, 'conversation');
  await popup.waitForSelector(byTestId('chat-link'), { timeout: 10_000 });
}

export async function send(popup: Page, text: string): Promise<void> {
  await fill(popup, 'composer', text);
  await click(popup, 'send-button');
  await waitForTestIdText(popup, 'message', text, 10_000);
}

export async function waitForMessage(popup: Page, text: string): Promise<void> {
  await waitForTestIdText(popup, 'message', text);
}

export async function messageTexts(popup: Page): Promise<string[]> {
  return popup.$$eval(`${byTestId('message')} .text`, (elements) =>
    elements.map((el) => (el.textContent ?? '').trim()),
  );
}

/** The name this browser's agent puts on its own messages in the open chat (its display name). */
export async function ownName(popup: Page): Promise<string> {
  return popup.$eval('.message.me .sender', (el) => (el.textContent ?? '').trim());
}

/** Sets the name others see, through the options page, and closes it. */
export async function setDisplayName(browser: { openPage(path: string): Promise<Page> }, name: string): Promise<void> {
  const options = await browser.openPage('options.html');
  await options.locator('input[name="displayName"]').fill(name);
  await options.locator('button[type="submit"]').click();
  await waitForTestIdText(options, 'options-status', 'Saved', 10_000);
  await options.close();
}

const CARD = byTestId('transfer-card');

/** Waits until the card of the file named `name` is in `status`, and its status line contains `text` when given. */
export async function waitForTransfer(
  popup: Page,
  name: string,
  status: string,
  text = '',
  timeout = 60_000,
): Promise<void> {
  await popup.waitForFunction(
    (card: string, nameId: string, statusId: string, name: string, status: string, text: string) =>
      [...document.querySelectorAll(card)].some(
        (el) =>
          el.querySelector(nameId)?.textContent?.trim() === name &&
          el.getAttribute('data-status') === status &&
          (el.querySelector(statusId)?.textContent ?? '').includes(text),
      ),
    { polling: POLL_MS, timeout },
    CARD,
    byTestId('transfer-name'),
    byTestId('transfer-status'),
    name,
    status,
    text,
  );
}

/** Presses Accept on the offer of the file named `name`. */
export async function acceptFile(popup: Page, name: string): Promise<void> {
  await waitForTransfer(popup, name, 'offered');
  await popup.evaluate(
    (card: string, nameId: string, acceptId: string, name: string) => {
      const offer = [...document.querySelectorAll(card)].find(
        (el) => el.querySelector(nameId)?.textContent?.trim() === name,
      );
      const accept = offer?.querySelector(acceptId);
      if (!(accept instanceof HTMLElement)) throw new Error(`no Accept on the offer of ${name}`);
      accept.click();
    },
    CARD,
    byTestId('transfer-name'),
    byTestId('transfer-accept'),
    name,
  );
}
